/**
 * The system the browser tests drive, started for real: a Foundry controller (REST + gRPC) on a fresh
 * PostgreSQL database (DATABASE_URL's server, else an embedded PostgreSQL), three foundry-agent
 * processes connected to it, a remote-write sink their pipelines send to, and the Foundry standalone
 * plugin host (not Grafana) serving the plugin. Writes what the tests need to `--state FILE` (JSON:
 * hostUrl, controllerUrl, adminToken, sinkUrl, agents) and runs until SIGTERM/SIGINT, then stops
 * everything and drops the database.
 *
 * Run: node --conditions=foundry-source --import tsx playwright/support/stack.mts --port 3100 --state FILE
 * (Playwright's webServer does, see playwright.config.ts).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startAgents } from '../../pkg-backend/controller/test/support/agents.ts';
import { ADMIN, startTestController } from '../../pkg-backend/controller/test/support/controller.ts';
import { freePort, waitFor } from '../../pkg-backend/controller/test/support/net.ts';
import { startEmbeddedPostgres } from '../../pkg-backend/controller/src/database/embedded-postgres.ts';
import { PUBLIC_DIR, REPO_ROOT } from '../../pkg-backend/plugin-host/src/bundle.ts';
import { startHost } from '../../pkg-backend/plugin-host/src/server.ts';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) {
    throw new Error(`--${name} is required`);
  }
  return v;
}

/** The three agents of the e2e fleet: names and local attributes. */
export const AGENTS = [
  { name: 'edge-dev-1', attributes: ['env=dev', 'team=platform', 'region=eu'] },
  { name: 'edge-prod-1', attributes: ['env=prod', 'team=platform', 'region=eu'] },
  { name: 'edge-prod-2', attributes: ['env=prod', 'team=platform', 'region=us'] },
];

const port = Number(arg('port', '3100'));
const stateFile = resolve(arg('state'));
const log = (m: string) => console.log(`[e2e stack] ${m}`);
let stopping = false;

const started = Date.now();
const sinkHits = { count: 0 };
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    sinkHits.count++;
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/api/v1/write`;

// Without DATABASE_URL (e.g. `npm run e2e` by hand), one embedded PostgreSQL for this run; as root its
// server runs as the `postgres` OS user, which must be able to enter the folder.
let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
if (!process.env.DATABASE_URL) {
  const pgDir = mkdtempSync(join(tmpdir(), 'foundry-e2e-pg-'));
  chmodSync(pgDir, 0o755);
  embedded = await startEmbeddedPostgres({ dataDir: pgDir, port: await freePort() });
  process.env.DATABASE_URL = embedded.url;
  log(`embedded PostgreSQL on port ${embedded.port}`);
}

const controller = await startTestController({
  config: { heartbeatIntervalSeconds: 1, metricsIntervalSeconds: 2, driftGraceSeconds: 10 },
});
log(`controller ${controller.c.httpUrl} (gRPC ${controller.c.grpcAddress}) in ${Date.now() - started} ms`);

const fleet = await startAgents(controller.c.grpcAddress, AGENTS, {
  onExit: (a, code, signal) =>
    log(`agent ${a.name} exited (${code ?? signal}); last output:\n${a.output.join('')}`),
});
await waitFor(
  async () => (await controller.prisma.agent.count({ where: { connected: true } })) === AGENTS.length,
  60_000,
  `${AGENTS.length} agents connected`,
);
log(`${AGENTS.length} agents connected after ${Date.now() - started} ms`);

const dataDir = mkdtempSync(join(tmpdir(), 'foundry-e2e-host-'));
const host = await startHost({ port, repoRoot: REPO_ROOT, publicDir: PUBLIC_DIR, dataDir, role: 'Admin' });
log(`plugin host ${host.url}`);

mkdirSync(dirname(stateFile), { recursive: true });
writeFileSync(
  stateFile,
  JSON.stringify(
    {
      hostUrl: host.url,
      controllerUrl: controller.c.httpUrl,
      adminToken: ADMIN,
      sinkUrl,
      agents: AGENTS.map((a) => a.name),
    },
    null,
    2,
  ),
);

async function stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  await fleet.stop();
  await host.close();
  await controller.stop();
  await embedded?.stop().catch(() => undefined);
  sink.close();
  rmSync(dataDir, { recursive: true, force: true });
  log('stopped');
  process.exit(0);
}
// The stack owns the signals: the controller's own shutdown hooks (Nest's) would exit the process before
// the agents stop and the database is dropped.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => void stop());
}
