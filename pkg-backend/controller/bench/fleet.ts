/**
 * bench:fleet — N simulated agents (fleet-protocol clients, many per process, 100 streams per HTTP/2
 * connection) against one controller process on PostgreSQL (DATABASE_URL, else an embedded server).
 * Connects every agent, deploys v1 to all, then rolls out v2 to all (one wave) and measures, per agent,
 * the time from the rollout request to the agent having v2 applied (desired received + status sent),
 * and the time until the controller's database shows every agent applied. Reports controller RSS (peak)
 * and CPU. Ends with:
 *   fleet-bench agents=<n> rollout_p99_s=<n> controller_rss_mb=<n>
 *
 * Usage: npm run bench:fleet [-- --agents=10000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../test/support/database.js';
import { freePort } from '../test/support/net.js';
import { fleetClient, SimAgent } from './sim-agent.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]),
);
const N = Number(args.agents ?? 10_000);
const PER_CONNECTION = Number(args['per-connection'] ?? 100);
const ADMIN = 'fdy_admin_bench-admin-token-00000000000000';
const AGENT = 'fdy_agent_bench-agent-token-00000000000000';

function procStats(pid: number): { rssMb: number; peakMb: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, cpuS: ticks / 100 };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const controllerMain = new URL('../dist/main.js', import.meta.url).pathname;
  const child: ChildProcess = spawn(
    process.execPath,
    [controllerMain, `--http.listen-addr=127.0.0.1:${httpPort}`, `--grpc.listen-addr=127.0.0.1:${grpcPort}`],
    {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        FOUNDRY_ADMIN_TOKEN: ADMIN,
        FOUNDRY_AGENT_TOKEN: AGENT,
        FOUNDRY_DATA_DIR: mkdtempSync(join(tmpdir(), 'fleet-bench-')),
        FOUNDRY_HEARTBEAT_INTERVAL: '10',
        FOUNDRY_METRICS_INTERVAL: '15',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const agents: SimAgent[] = [];
  try {
    await waitFor(() => out.includes('controller: ready'), 60_000, 'controller start');
    const address = `127.0.0.1:${grpcPort}`;
    const baseline = procStats(child.pid!);
    // Connect.
    let t0 = Date.now();
    const clients = Array.from({ length: Math.ceil(N / PER_CONNECTION) }, () => fleetClient(address));
    const appliedAt = new Float64Array(N);
    let target = '';
    for (let i = 0; i < N; i++) {
      const a = new SimAgent({
        address,
        token: AGENT,
        agentId: `sim-${String(i).padStart(5, '0')}`,
        attributes: { env: i % 2 ? 'prod' : 'dev', bench: 'fleet' },
        client: clients[Math.floor(i / PER_CONNECTION)],
        onApplied: (_, ps) => {
          if (target && ps.some((p) => p.hash === target) && !appliedAt[i]) appliedAt[i] = Date.now();
        },
      });
      agents.push(a.connect());
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => agents.every((a) => a.desired !== undefined), 300_000, 'all agents connected');
    const connectS = (Date.now() - t0) / 1000;
    console.log(`connected ${N} agents in ${connectS.toFixed(1)} s`);

    // v1 to everyone (warm-up), then v2 measured.
    const pipeline = await api('/api/v1/pipelines', {
      name: 'bench',
      matchers: ['bench="fleet"'],
      content: 'prometheus.exporter.self "bench" { }\n',
      message: 'v1',
    }).catch(async () => null);
    let pipelineId: string;
    if (pipeline?.id) pipelineId = pipeline.id;
    else throw new Error('creating the pipeline through the REST API failed');
    const v1 = await api(`/api/v1/pipelines/${pipelineId}/rollouts`, { version: 1, immediate: true });
    await waitFor(
      async () => (await api(`/api/v1/rollouts/${v1.id}`)).status === 'completed',
      300_000,
      'v1 completed',
    );
    console.log('v1 applied everywhere');
    const v2 = await api(`/api/v1/pipelines/${pipelineId}/versions`, {
      content: 'prometheus.exporter.self "bench" { }\n// v2\n',
      message: 'v2',
    });
    target = v2.sha256 ?? v2.hash;
    const cpuBefore = procStats(child.pid!).cpuS;
    t0 = Date.now();
    const r2 = await api(`/api/v1/pipelines/${pipelineId}/rollouts`, {
      version: v2.version,
      immediate: true,
    });
    await waitFor(() => appliedAt.every((t) => t > 0), 300_000, 'every agent applied v2');
    const agentsDone = (Date.now() - t0) / 1000;
    await waitFor(
      async () => (await api(`/api/v1/rollouts/${r2.id}`)).status === 'completed',
      300_000,
      'v2 completed',
    );
    const controllerDone = (Date.now() - t0) / 1000;
    const lat = Array.from(appliedAt, (t) => (t - t0) / 1000).sort((a, b) => a - b);
    const stats = procStats(child.pid!);
    const metricsText = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const mem = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(metricsText)?.[1] ?? NaN) / 1048576;
    console.log(
      `controller memory: V8 heap used ${mem('nodejs_heap_size_used_bytes').toFixed(0)} MB, ` +
        `external ${mem('nodejs_external_memory_bytes').toFixed(0)} MB`,
    );
    console.log(
      `rollout to ${N} agents: p50 ${pct(lat, 50).toFixed(2)} s, p99 ${pct(lat, 99).toFixed(2)} s, ` +
        `max ${lat[lat.length - 1]!.toFixed(2)} s; all applied ${agentsDone.toFixed(2)} s; ` +
        `controller saw all applied (rollout completed) after ${controllerDone.toFixed(2)} s`,
    );
    console.log(
      `controller: RSS ${stats.rssMb.toFixed(0)} MB (peak ${stats.peakMb.toFixed(0)} MB, idle before agents ${baseline.rssMb.toFixed(0)} MB), ` +
        `CPU during the rollout ${(stats.cpuS - cpuBefore).toFixed(1)} s`,
    );
    console.log(
      `fleet-bench agents=${N} rollout_p99_s=${pct(lat, 99).toFixed(2)} controller_rss_mb=${stats.peakMb.toFixed(0)}`,
    );
    for (const c of clients) c.close();
  } finally {
    for (const a of agents) a.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await db.drop().catch(() => undefined);
  }
  process.exit(0);
}

main().catch((err: Error) => {
  console.error(`fleet-bench failed: ${err.message}`);
  process.exit(1);
});
