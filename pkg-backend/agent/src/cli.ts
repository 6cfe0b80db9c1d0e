/**
 * `foundry-agent run|fmt|validate` with Alloy's flag names (`internal/alloycli`).
 * `main` returns the process exit code (run resolves after a signal-triggered shutdown).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createDefaultRegistry,
  DiagnosticError,
  Engine,
  formatSource,
  isStability,
  LogSink,
  parseDuration,
  printDiagnostics,
  SourceFile,
  type Diagnostic,
  type SourceText,
  type Stability,
  validateSources,
} from '@foundry/engine';
import { configHash, readConfig } from './config-source.js';
import { parseAttributes } from './managed/identity.js';
import { ManagedAgent } from './managed/managed-agent.js';
import { startServer } from './server.js';
import { AgentMetrics } from './self-metrics.js';
import { VERSION } from './version.js';

const USAGE = `Usage: foundry-agent <command> [flags]

Commands:
  run [flags] [PATH]      Run a config file or a directory of *.alloy files
                          (PATH is optional with --controller)
  fmt [-w] [-t] FILE|-    Format a config file (alias: format)
  validate [flags] PATH…  Statically check config files

Run flags:
  --server.http.listen-addr ADDR   HTTP listen address (default 127.0.0.1:12345)
  --storage.path DIR               Base directory for component data (default data-alloy/)
  --stability.level LEVEL          Minimum stability: generally-available | public-preview | experimental
  --feature.community-components.enabled
  --feature.component-shutdown-deadline DURATION (default 10m)

Managed mode (runs the pipelines a fleet controller pushes, beside the local config):
  --controller URL                 Fleet controller: grpc://host:port (plaintext) or grpcs://host:port
                                   (TLS); http:// and https:// mean the same
  --token TOKEN                    Agent token, sent as "authorization: Bearer TOKEN"
                                   (default: $FOUNDRY_AGENT_TOKEN)
  --attribute KEY=VALUE            Local attribute for pipeline matchers (repeatable)
  --agent.name NAME                Agent name (default: the host name)
  --agent.id ID                    Agent ID (default: a UUID generated once, kept in <storage.path>/agent-id)
  --controller.tls-ca FILE         PEM CA certificates for the controller's certificate
  --controller.tls-cert FILE       PEM client certificate (mutual TLS, with --controller.tls-key)
  --controller.tls-key FILE        PEM private key of the client certificate
  --controller.max-backoff DURATION
                                   Largest reconnect delay (default 30s)
  Remote pipelines' last-good copies live in <storage.path>/remote/ and run at start, before connecting.
`;

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };
const defaultOut: Out = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

export async function main(argv: string[], out: Out = defaultOut): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run':
      return runCommand(rest, out);
    case 'fmt':
    case 'format':
      return fmtCommand(rest, out);
    case 'validate':
      return validateCommand(rest, out);
    case '--version':
    case 'version':
      out.stdout(`foundry-agent ${VERSION}\n`);
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      out.stdout(USAGE);
      return cmd === undefined ? 1 : 0;
    default:
      out.stderr(`unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
      return 1;
  }
}

function pretty(diags: Diagnostic[], sources: SourceText[]): string {
  const files = new Map(sources.map((s) => [s.filename, new SourceFile(s.filename, s.text)]));
  return printDiagnostics(diags, files);
}

async function fmtCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { write: { type: 'boolean', short: 'w' }, test: { type: 'boolean', short: 't' } },
  });
  if (values.write && values.test) {
    out.stderr('error: --write and --test cannot be used together\n');
    return 1;
  }
  const file = positionals[0] ?? '-';
  if (positionals.length > 1) {
    out.stderr('error: fmt takes at most one file\n');
    return 1;
  }
  let text: string;
  if (file === '-') {
    if (values.write) {
      out.stderr('error: cannot use --write with standard input\n');
      return 1;
    }
    text = await readStdin();
  } else {
    if ((await stat(file)).isDirectory()) {
      out.stderr('error: cannot format a directory\n');
      return 1;
    }
    text = await readFile(file, 'utf8');
  }
  const name = file === '-' ? '<stdin>' : file;
  let formatted: string;
  try {
    formatted = formatSource(name, text);
  } catch (err) {
    if (err instanceof DiagnosticError) {
      for (const d of err.diagnostics) out.stderr(`${formatDiag(d)}\n`);
      out.stderr('Error: encountered errors during formatting\n');
      return 1;
    }
    throw err;
  }
  if (values.test) {
    if (formatted !== text) {
      out.stderr(`Error: file ${name} is not formatted correctly\n`);
      return 1;
    }
    return 0;
  }
  if (values.write) {
    if (formatted !== text) await writeFile(file, formatted);
    return 0;
  }
  out.stdout(formatted);
  return 0;
}

function formatDiag(d: Diagnostic): string {
  return new DiagnosticError([d]).message;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Checks the flags `run` and `validate` share; returns the minimum stability (undefined = default)
 * or null after printing an error.
 */
function engineFlags(
  values: { 'config.format'?: string; 'stability.level'?: string },
  out: Out,
): Stability | undefined | null {
  const format = values['config.format'];
  if (format && format !== 'alloy') {
    out.stderr(`error: --config.format ${format} is not supported; only alloy\n`);
    return null;
  }
  const level = values['stability.level'];
  if (level === undefined) return undefined;
  if (!isStability(level)) {
    out.stderr(
      `error: invalid --stability.level ${JSON.stringify(level)}: expected generally-available, public-preview or experimental\n`,
    );
    return null;
  }
  return level;
}

async function validateCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'stability.level': { type: 'string' },
      'feature.community-components.enabled': { type: 'boolean' },
      'config.format': { type: 'string' },
    },
  });
  if (positionals.length === 0) {
    out.stderr('error: validate needs at least one file or directory\n');
    return 1;
  }
  const min = engineFlags(values, out);
  if (min === null) return 1;
  const sources: SourceText[] = [];
  for (const p of positionals) sources.push(...(await readConfig(p)));
  const diags = validateSources(sources, {
    registry: createDefaultRegistry(),
    minStability: min ?? 'generally-available',
    communityComponents: values['feature.community-components.enabled'] ?? false,
    modulePath: dirname(resolve(positionals[0]!)),
  });
  if (diags.length) out.stderr(pretty(diags, sources));
  return diags.some((d) => d.severity === 'error') ? 1 : 0;
}

/** Flags that only make sense with --controller. */
const MANAGED_FLAGS = [
  'token',
  'attribute',
  'agent.name',
  'agent.id',
  'controller.tls-ca',
  'controller.tls-cert',
  'controller.tls-key',
  'controller.max-backoff',
] as const;

async function runCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'server.http.listen-addr': { type: 'string', default: '127.0.0.1:12345' },
      'storage.path': { type: 'string', default: 'data-alloy/' },
      'stability.level': { type: 'string' },
      'feature.community-components.enabled': { type: 'boolean' },
      'feature.component-shutdown-deadline': { type: 'string', default: '10m' },
      'config.format': { type: 'string' },
      'disable-reporting': { type: 'boolean' },
      controller: { type: 'string' },
      token: { type: 'string' },
      attribute: { type: 'string', multiple: true },
      'agent.name': { type: 'string' },
      'agent.id': { type: 'string' },
      'controller.tls-ca': { type: 'string' },
      'controller.tls-cert': { type: 'string' },
      'controller.tls-key': { type: 'string' },
      'controller.max-backoff': { type: 'string' },
    },
  });
  const managedFlag = MANAGED_FLAGS.find((f) => values[f] !== undefined);
  if (values.controller === undefined && managedFlag) {
    out.stderr(`error: --${managedFlag} needs --controller\n`);
    return 1;
  }
  if (positionals.length > 1 || (positionals.length === 0 && values.controller === undefined)) {
    out.stderr('error: run expects exactly one argument: a config file or directory\n');
    return 1;
  }
  const min = engineFlags(values, out);
  if (min === null) return 1;
  const configPath: string | undefined = positionals[0];
  let localAttributes: Record<string, string> = {};
  let maxBackoffMs: number | undefined;
  try {
    localAttributes = parseAttributes(values.attribute ?? []);
    if (values['controller.max-backoff'] !== undefined)
      maxBackoffMs = parseDuration(values['controller.max-backoff']);
  } catch (err) {
    out.stderr(`error: ${(err as Error).message}\n`);
    return 1;
  }
  const logSink = new LogSink({ write: out.stderr });
  const metrics = new AgentMetrics();
  const engine = new Engine({
    registry: createDefaultRegistry(),
    storagePath: values['storage.path'],
    minStability: min ?? 'generally-available',
    communityComponents: values['feature.community-components.enabled'] ?? false,
    logSink,
    modulePath: configPath === undefined ? process.cwd() : dirname(resolve(configPath)),
    shutdownDeadlineMs: parseDuration(values['feature.component-shutdown-deadline']!),
    httpAddress: values['server.http.listen-addr'],
    extraMetrics: [metrics.registry],
  });
  const log = engine.logger;

  /** Reads, parses and applies the config; returns the error text when anything failed. */
  const load = async (): Promise<{ error?: string; diagnostics: Diagnostic[]; sources: SourceText[] }> => {
    let sources: SourceText[] = [];
    try {
      if (configPath !== undefined) sources = await readConfig(configPath);
    } catch (err) {
      metrics.recordLoad('', false);
      return {
        error: `reading config path ${JSON.stringify(configPath)}: ${(err as Error).message}`,
        diagnostics: [],
        sources: [],
      };
    }
    const res = engine.load(sources);
    metrics.recordLoad(configHash(sources), res.parsed !== false);
    const errors = res.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length)
      return { error: new DiagnosticError(errors).message, diagnostics: res.diagnostics, sources };
    return { diagnostics: res.diagnostics, sources };
  };

  const first = await load();
  if (first.error !== undefined) {
    if (first.diagnostics.length) out.stderr(pretty(first.diagnostics, first.sources));
    else out.stderr(`Error: ${first.error}\n`);
    out.stderr('Error: could not perform the initial load successfully\n');
    return 1;
  }

  let managed: ManagedAgent | undefined;
  if (values.controller !== undefined) {
    try {
      managed = await ManagedAgent.create(engine, {
        controllerUrl: values.controller,
        token: values.token ?? process.env.FOUNDRY_AGENT_TOKEN,
        name: values['agent.name'] || hostname(),
        agentId: values['agent.id'],
        localAttributes,
        tls: {
          ca: values['controller.tls-ca'],
          cert: values['controller.tls-cert'],
          key: values['controller.tls-key'],
        },
        storagePath: values['storage.path']!,
        minStability: min ?? 'generally-available',
        communityComponents: values['feature.community-components.enabled'] ?? false,
        maxBackoffMs,
        registry: metrics.registry,
      });
    } catch (err) {
      out.stderr(`Error: ${(err as Error).message}\n`);
      return 1;
    }
  }

  let server;
  try {
    server = await startServer(
      {
        engine,
        metrics,
        reload: async () => {
          const r = await load();
          if (r.error === undefined) log.info('config reloaded');
          else log.error('failed to reload config', { err: r.error });
          return r.error;
        },
        remote: managed && (() => managed.status()),
      },
      values['server.http.listen-addr']!,
    );
  } catch (err) {
    out.stderr(
      `Error: failed to listen on ${values['server.http.listen-addr']}: ${(err as Error).message}\n`,
    );
    return 1;
  }

  const abort = new AbortController();
  let stopping: Promise<void> | undefined;
  const onHup = () => {
    void load().then((r) =>
      r.error === undefined
        ? log.info('config reloaded')
        : log.error('failed to reload config', { err: r.error }),
    );
  };
  const onStop = (sig: string) => {
    log.info('received shutdown signal, stopping components', { signal: sig });
    stopping = managed?.stop();
    abort.abort();
  };
  process.on('SIGHUP', onHup);
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));
  log.info('now listening for http traffic', { addr: values['server.http.listen-addr'] });
  log.info('{^_^} Foundry agent is running', { version: VERSION });
  managed?.start();
  await engine.run(abort.signal);
  await stopping;
  process.off('SIGHUP', onHup);
  await new Promise<void>((res) => server.close(() => res()));
  server.closeAllConnections?.();
  log.info('shutdown complete');
  return 0;
}
