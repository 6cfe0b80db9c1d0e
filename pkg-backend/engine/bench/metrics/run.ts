/**
 * `npm run bench:metrics`: the engine (foundry-agent) against Prometheus in agent mode on the same
 * synthetic targets and the same counting Remote Write sink, one after the other in one run.
 * The collector under test is pinned to CPU 0 (`taskset`, when present); targets and sink run in a
 * child process pinned to CPU 1. Prints samples scraped and sent per second, CPU seconds per million
 * samples, RSS per active series and remote-write lag for both, then one summary line:
 *   metrics-bench engine_sps_per_core=… prometheus_agent_sps_per_core=… ratio=… engine_bytes_per_series=… agent_bytes_per_series=…
 *
 * Options (env): SERIES (per target, 10000), TARGETS (20), INTERVAL (1s), WARMUP (20 s), MEASURE (30 s),
 * MAX_SAMPLES_PER_SEND (2000), PROMETHEUS (binary, default `prometheus` on PATH).
 * Everything listens on 127.0.0.1 and is stopped by PID at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SERIES = Number(process.env.SERIES ?? 10_000);
const TARGETS = Number(process.env.TARGETS ?? 20);
const INTERVAL = process.env.INTERVAL ?? '1s';
const WARMUP = Number(process.env.WARMUP ?? 20);
const MEASURE = Number(process.env.MEASURE ?? 30);
const MSPS = Number(process.env.MAX_SAMPLES_PER_SEND ?? 2000);
const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';
const TARGET_PORT = 19100;
const SINK_PORT = 19090;
const AGENT_PORT = 19091;

const here = import.meta.dirname;
const repo = resolve(here, '../../../..');
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
const pinned = (cpu: number, cmd: string, args: string[]): [string, string[]] =>
  hasTaskset ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
const children: ChildProcess[] = [];
const stopAll = () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

function start(cpu: number, cmd: string, args: string[], log: string): ChildProcess {
  const [c, a] = pinned(cpu, cmd, args);
  const child = spawn(c, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  child.on('exit', (code) => {
    if (code && code !== 0 && code !== 143 && code !== 137) console.error(`${log} exited ${code}: ${err}`);
  });
  children.push(child);
  return child;
}

async function waitHTTP(url: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function scrapeMetrics(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const i = line.lastIndexOf(' ');
    const full = line.slice(0, i);
    const name = full.replace(/\{.*\}$/, '');
    m.set(name, (m.get(name) ?? 0) + Number(line.slice(i + 1)));
  }
  return m;
}

function proc(pid: number): { cpu: number; rss: number } {
  // The pid of `taskset` is the pid of the program it execs.
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  return { cpu: (Number(st[11]) + Number(st[12])) / 100, rss };
}

interface Result {
  scraped: number;
  sent: number;
  cpu: number;
  rss: number;
  series: number;
  lag: number;
}

async function measure(pid: number, scrapedMetric: string[], seriesMetric: string[]): Promise<Result> {
  const sum = (m: Map<string, number>, names: string[]) => names.reduce((n, k) => n + (m.get(k) ?? 0), 0);
  const a0 = await scrapeMetrics(AGENT_PORT);
  const s0 = await scrapeMetrics(SINK_PORT);
  const p0 = proc(pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, MEASURE * 1000));
  const a1 = await scrapeMetrics(AGENT_PORT);
  const s1 = await scrapeMetrics(SINK_PORT);
  const p1 = proc(pid);
  const dt = (Date.now() - t0) / 1000;
  return {
    scraped: (sum(a1, scrapedMetric) - sum(a0, scrapedMetric)) / dt,
    sent: ((s1.get('sink_samples_received_total') ?? 0) - (s0.get('sink_samples_received_total') ?? 0)) / dt,
    cpu: (p1.cpu - p0.cpu) / dt,
    rss: p1.rss,
    series: sum(a1, seriesMetric),
    lag: Date.now() / 1000 - (s1.get('sink_highest_timestamp_seconds') ?? 0),
  };
}

function targetsList(): string[] {
  return Array.from({ length: TARGETS }, (_, i) => `127.0.0.1:${TARGET_PORT + i}`);
}

async function runEngine(dir: string): Promise<Result> {
  const config = join(dir, 'engine.alloy');
  writeFileSync(
    config,
    `prometheus.scrape "synth" {
  targets         = [${targetsList()
    .map((t) => `{"__address__" = "${t}"}`)
    .join(', ')}]
  scrape_interval = "${INTERVAL}"
  scrape_timeout  = "${INTERVAL}"
  forward_to      = [prometheus.remote_write.sink.receiver]
}

prometheus.remote_write "sink" {
  endpoint {
    url = "http://127.0.0.1:${SINK_PORT}/api/v1/write"

    queue_config {
      max_samples_per_send = ${MSPS}
      capacity             = ${MSPS * 5}
    }
  }
}
`,
  );
  const agent = start(
    0,
    process.execPath,
    [
      '--conditions=foundry-source',
      '--import',
      'tsx',
      join(repo, 'pkg-backend/agent/src/main.ts'),
      'run',
      '--server.http.listen-addr',
      `127.0.0.1:${AGENT_PORT}`,
      '--storage.path',
      join(dir, 'engine-data'),
      config,
    ],
    'engine',
  );
  await waitHTTP(`http://127.0.0.1:${AGENT_PORT}/-/ready`);
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  const r = await measure(
    agent.pid!,
    ['prometheus_remote_storage_samples_in_total'],
    ['prometheus_remote_write_wal_storage_active_series'],
  );
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  return r;
}

async function runPrometheus(dir: string): Promise<Result | undefined> {
  if (spawnSync(PROMETHEUS, ['--version']).status !== 0) return undefined;
  const config = join(dir, 'agent.yml');
  writeFileSync(
    config,
    `global: {scrape_interval: ${INTERVAL}, scrape_timeout: ${INTERVAL}}
scrape_configs:
  - job_name: synth
    static_configs: [{targets: [${targetsList()
      .map((t) => `'${t}'`)
      .join(',')}]}]
remote_write:
  - url: http://127.0.0.1:${SINK_PORT}/api/v1/write
    queue_config: {max_samples_per_send: ${MSPS}, capacity: ${MSPS * 5}}
`,
  );
  const agent = start(
    0,
    PROMETHEUS,
    [
      '--enable-feature=agent',
      `--config.file=${config}`,
      `--web.listen-address=127.0.0.1:${AGENT_PORT}`,
      `--storage.agent.path=${join(dir, 'agent-data')}`,
    ],
    'prometheus',
  );
  await waitHTTP(`http://127.0.0.1:${AGENT_PORT}/-/ready`);
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  const r = await measure(
    agent.pid!,
    ['prometheus_agent_samples_appended_total'],
    ['prometheus_agent_active_series'],
  );
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  return r;
}

function report(name: string, r: Result): void {
  console.log(
    `${name.padEnd(17)} scraped/s ${Math.round(r.scraped).toString().padStart(7)}  sent/s ${Math.round(r.sent).toString().padStart(7)}  ` +
      `cpu ${r.cpu.toFixed(2)} cores  cpu-s/M samples ${((r.cpu / Math.max(r.sent, 1)) * 1e6).toFixed(2)}  ` +
      `rss ${(r.rss / 1e6).toFixed(0)} MB  bytes/series ${Math.round(r.rss / Math.max(r.series, 1))}  rw lag ${r.lag.toFixed(1)} s`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-metrics-'));
try {
  // Targets and sink share one helper process on CPU 1.
  const helper = start(
    1,
    process.execPath,
    [
      '--import',
      'tsx',
      join(here, 'peers.ts'),
      String(SERIES),
      String(TARGETS),
      String(TARGET_PORT),
      String(SINK_PORT),
    ],
    'peers',
  );
  await waitHTTP(`http://127.0.0.1:${SINK_PORT}/metrics`);
  console.log(
    `metrics bench: ${TARGETS} targets × ${SERIES} series @ ${INTERVAL}, max_samples_per_send ${MSPS}, warm-up ${WARMUP} s, measure ${MEASURE} s, pinned: ${hasTaskset}`,
  );
  const engine = await runEngine(dir);
  report('engine', engine);
  const prom = await runPrometheus(dir);
  if (prom) report('prometheus agent', prom);
  else console.log('prometheus agent  not found on PATH: skipped');
  helper.kill('SIGTERM');
  const sps = (r: Result) => (r.cpu > 0 ? r.sent / r.cpu : 0);
  const bps = (r: Result) => Math.round(r.rss / Math.max(r.series, 1));
  console.log(
    `metrics-bench engine_sps_per_core=${Math.round(sps(engine))} prometheus_agent_sps_per_core=${prom ? Math.round(sps(prom)) : 'NaN'} ` +
      `ratio=${prom ? (sps(engine) / sps(prom)).toFixed(2) : 'NaN'} engine_bytes_per_series=${bps(engine)} agent_bytes_per_series=${prom ? bps(prom) : 'NaN'}`,
  );
} finally {
  stopAll();
  rmSync(dir, { recursive: true, force: true });
}
