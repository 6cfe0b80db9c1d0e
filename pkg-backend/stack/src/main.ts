/**
 * `npm start`: the whole product on loopback, state in one data folder (`.foundry/`), so a second start
 * resumes. Starts, with progress: the controller (embedded PostgreSQL unless DATABASE_URL is set), a
 * Prometheus with the remote-write receiver when `prometheus` is on the PATH, the two starter pipelines
 * (created and rolled out through the REST API, once), three agents with different attributes, the
 * plugin on the standalone host (port 3000), and a demo service sending OTLP. Prints the URLs and
 * credentials, then a status line every few seconds whose counters grow while data flows. Ctrl-C stops
 * everything cleanly.
 *
 * Every process runs from the TypeScript sources through tsx (no `tsc` build): after `npm ci` the stack
 * is up in about 20 s. The Prisma client and the plugin bundle are generated when missing or stale.
 *
 * Environment: DATABASE_URL (use that PostgreSQL), GRAFANA_URL (print how to use a real Grafana instead),
 * FOUNDRY_DATA_DIR (default .foundry), FOUNDRY_NO_PROMETHEUS=1 (debug outputs even if prometheus exists),
 * FOUNDRY_PORT_OFFSET=N (add N to every port, to run a second stack beside the first).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AGENT_NAME_ENV, starterPipelines } from './pipelines.js';
import { namedPorts, stackPorts, type StackPorts } from './ports.js';
import { ensurePluginBundle, ensurePrismaClient } from './prepare.js';
import { portFree, Supervisor, typescriptEntry, waitUntil, type Managed } from './processes.js';
import { readCounters, type Counters } from './counters.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DATA = resolve(process.env.FOUNDRY_DATA_DIR ?? join(ROOT, '.foundry'));
let PORTS: StackPorts;
try {
  PORTS = stackPorts(Number(process.env.FOUNDRY_PORT_OFFSET ?? 0));
} catch (err) {
  process.stderr.write(`FOUNDRY_PORT_OFFSET: ${(err as Error).message}\n`);
  process.exit(2);
}
const STEPS = 8;
const AGENTS = [
  { name: 'agent-dev', attributes: ['env=dev', 'team=platform', 'region=eu-west'] },
  { name: 'agent-prod', attributes: ['env=prod', 'team=platform', 'region=eu-west'] },
  { name: 'agent-shop', attributes: ['env=prod', 'team=shop', 'region=us-east'] },
];

const started = Date.now();
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
let stepNo = 0;
function step(text: string): void {
  stepNo++;
  process.stdout.write(
    `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${stepNo}/${STEPS} ${text}\n`,
  );
}

function which(bin: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The part of `GET /api/v1/agents/{id}` the start-up check reads. */
interface AgentDetail {
  name: string;
  state: string;
  pipelines: { name: string; desiredVersion: number | null; appliedVersion: number | null; status: string }[];
}

async function api(token: string, path: string, method = 'GET', body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${PORTS.controller}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function main(): Promise<void> {
  mkdirSync(DATA, { recursive: true });
  const sup = new Supervisor(join(DATA, 'logs'), ROOT);
  const promBin = process.env.FOUNDRY_NO_PROMETHEUS ? null : which('prometheus');
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (sup.size === 0) process.exit(code);
    process.stdout.write('\nstopping the stack…\n');
    await sup.stopAll();
    process.stdout.write('stopped. State is kept in ' + DATA + ' — `npm start` resumes.\n');
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    // Something else on our ports would be mistaken for our processes (or make them exit): say so first.
    const busy: string[] = [];
    for (const [name, port] of namedPorts(PORTS)) {
      if (name === 'embedded PostgreSQL' && process.env.DATABASE_URL) continue;
      if (name === 'Prometheus' && !promBin) continue;
      if (!(await portFree(port))) busy.push(`${port} (${name})`);
    }
    if (busy.length > 0) {
      throw new Error(
        `in use on 127.0.0.1: ${busy.join(', ')}. Stop what listens there (another \`npm start\`?) or shift ` +
          `every port with FOUNDRY_PORT_OFFSET=N.`,
      );
    }

    // 1. Generated code (the plugin bundle only has to be ready for step 6, so it builds meanwhile).
    step('Prisma client and plugin bundle (only when missing or stale)');
    const bundled = ensurePluginBundle(ROOT);
    bundled.catch(() => undefined); // awaited in step 6
    await ensurePrismaClient(ROOT);

    // 2. Controller.
    step(process.env.DATABASE_URL ? 'controller on DATABASE_URL' : 'controller on an embedded PostgreSQL');
    const controllerDir = join(DATA, 'controller');
    const controller = sup.start(
      'controller',
      process.execPath,
      [...typescriptEntry(join(ROOT, 'pkg-backend/controller/src/main.ts')), `--data-dir=${controllerDir}`],
      {
        FOUNDRY_HTTP_ADDR: `127.0.0.1:${PORTS.controller}`,
        FOUNDRY_GRPC_ADDR: `127.0.0.1:${PORTS.grpc}`,
        FOUNDRY_EMBEDDED_PG_PORT: String(PORTS.postgres),
      },
    );
    await waitUntil('the controller', () => controller.output().includes('controller: ready'), {
      ms: 60_000,
      child: controller,
    });
    const admin = readFileSync(join(controllerDir, 'admin-token'), 'utf8').trim();
    const agentToken = readFileSync(join(controllerDir, 'agent-token'), 'utf8').trim();

    // 3. Prometheus, when installed.
    let prometheus: Managed | undefined;
    if (promBin) {
      step(`Prometheus (${promBin}) with the remote-write receiver`);
      const dir = join(DATA, 'prometheus');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'prometheus.yml'),
        `# Written by npm start: Prometheus scrapes the controller's fleet metrics; agents remote-write.
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: foundry-controller
    static_configs:
      - targets: ['127.0.0.1:${PORTS.controller}']
`,
      );
      prometheus = sup.start('prometheus', promBin, [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        '--storage.tsdb.retention.time=2d',
        `--web.listen-address=127.0.0.1:${PORTS.prometheus}`,
        '--web.enable-remote-write-receiver',
      ]);
      await waitUntil(
        'Prometheus',
        async () => (await fetch(`http://127.0.0.1:${PORTS.prometheus}/-/ready`)).ok,
        { ms: 30_000, child: prometheus },
      );
    } else {
      step("no Prometheus on the PATH: pipelines print to the agents' debug outputs");
    }

    // 4. Starter pipelines (once; later starts keep whatever was changed since).
    step('starter pipelines');
    const remoteWrite = prometheus ? `http://127.0.0.1:${PORTS.prometheus}/api/v1/write` : null;
    const existing = (await api(admin, '/api/v1/pipelines')) as
      { items?: { name: string }[] } | { name: string }[];
    const names = new Set((Array.isArray(existing) ? existing : (existing.items ?? [])).map((p) => p.name));
    for (const p of starterPipelines(remoteWrite, {
      host: '127.0.0.1',
      grpcPort: PORTS.otlpGrpc,
      httpPort: PORTS.otlpHttp,
    })) {
      if (names.has(p.name)) continue;
      const created = await api(admin, '/api/v1/pipelines', 'POST', {
        name: p.name,
        matchers: p.matchers,
        content: p.content,
        message: p.message,
      });
      await api(admin, `/api/v1/pipelines/${created.id}/rollouts`, 'POST', { version: 1, immediate: true });
    }

    // 5. Agents.
    step('three agents');
    const agents = AGENTS.map((a, i) => {
      const storage = join(DATA, 'agents', a.name);
      mkdirSync(storage, { recursive: true });
      return sup.start(
        a.name,
        process.execPath,
        [
          ...typescriptEntry(join(ROOT, 'pkg-backend/agent/src/main.ts')),
          'run',
          `--server.http.listen-addr=127.0.0.1:${PORTS.agents[i]}`,
          `--storage.path=${storage}`,
          `--controller=grpc://127.0.0.1:${PORTS.grpc}`,
          `--token=${agentToken}`,
          `--agent.name=${a.name}`,
          `--agent.id=${a.name}`,
          '--stability.level=experimental',
          ...a.attributes.flatMap((x) => ['--attribute', x]),
        ],
        { [AGENT_NAME_ENV]: a.name },
      );
    });

    // 6. The plugin on the standalone host.
    step('the Fleet app on the standalone plugin host (not Grafana)');
    await bundled;
    const host = sup.start('plugin-host', process.execPath, [
      ...typescriptEntry(join(ROOT, 'pkg-backend/plugin-host/src/run.ts')),
      `--port=${PORTS.host}`,
      `--controller-url=http://127.0.0.1:${PORTS.controller}`,
      `--controller-token=${admin}`,
      `--data-dir=${join(DATA, 'plugin-host')}`,
    ]);
    await waitUntil(
      'the plugin host',
      async () => (await fetch(`http://127.0.0.1:${PORTS.host}/`)).status < 500,
      {
        ms: 60_000,
        child: host,
      },
    );

    // 7. Demo service.
    step('the demo shop (OpenTelemetry JS SDK → OTLP)');
    const demo = sup.start('demo-shop', process.execPath, [
      ...typescriptEntry(join(ROOT, 'pkg-backend/stack/src/demo-service.ts')),
      `--otlp=http://127.0.0.1:${PORTS.otlpHttp}`,
      '--rate=5',
    ]);

    // 8. Everything applied and healthy.
    step('waiting for the agents to apply their pipelines');
    let applied: string[] = [];
    await waitUntil(
      'three healthy agents with every pipeline applied',
      async () => {
        const agents = await Promise.all(
          AGENTS.map((a) => api(admin, `/api/v1/agents/${a.name}`) as Promise<AgentDetail>),
        );
        applied = agents.map(
          (a) => `${a.name}: ${a.pipelines.map((p) => `${p.name} v${p.appliedVersion}`).join(', ')}`,
        );
        return agents.every(
          (a) =>
            a.state === 'healthy' &&
            a.pipelines.every(
              (p) =>
                p.desiredVersion === null ||
                (p.status === 'applied' && p.appliedVersion === p.desiredVersion),
            ),
        );
      },
      { ms: 90_000, children: [controller, ...agents, host, demo, ...(prometheus ? [prometheus] : [])] },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`
${bold(`Foundry is up (${seconds} s)`)}
  Fleet app       http://127.0.0.1:${PORTS.host}/a/foundry-fleet-app/fleet   (standalone plugin host, not Grafana)
  Controller API  http://127.0.0.1:${PORTS.controller}/api/docs   ·   gRPC 127.0.0.1:${PORTS.grpc}
  Admin token     ${admin}
  Agent token     ${agentToken}
  Agents          ${AGENTS.map((a, i) => `${a.name} http://127.0.0.1:${PORTS.agents[i]}`).join('  ')}
  Pipelines       ${applied.join('  ·  ')}
  Data goes to    ${prometheus ? `Prometheus http://127.0.0.1:${PORTS.prometheus} (remote write)` : "the agents' debug outputs (logs in " + join(DATA, 'logs') + ')'}
  Logs            ${join(DATA, 'logs')}
${
  process.env.GRAFANA_URL
    ? `  Grafana         install the plugin in ${process.env.GRAFANA_URL}: see README "The Grafana app plugin"; set Controller URL
                  http://<this host>:${PORTS.controller} and the admin token on the app's Configuration page.\n`
    : ''
}Press Ctrl-C to stop.
`);
    let last: Counters | undefined;
    const tick = async () => {
      if (stopping) return;
      const [c, s] = await Promise.all([
        readCounters(PORTS.agents),
        api(admin, '/api/v1/fleet/summary').catch(() => null),
      ]);
      const grow = (k: keyof Counters) => (last ? ` (+${Math.max(0, c[k] - last[k])})` : '');
      process.stdout.write(
        `[${new Date().toISOString().slice(11, 19)}] agents ${s ? `${s.agents.healthy}/${s.agents.total} healthy` : '?'}` +
          ` · samples sent ${c.samples}${grow('samples')} · spans ${c.spans}${grow('spans')}` +
          ` · log records ${c.logs}${grow('logs')} · metric points ${c.points}${grow('points')}\n`,
      );
      last = c;
    };
    await tick();
    setInterval(() => void tick(), 10_000);
  } catch (err) {
    process.stderr.write(`\nnpm start failed: ${(err as Error).message}\nLogs: ${join(DATA, 'logs')}\n`);
    await stop(1);
  }
}

void main();
