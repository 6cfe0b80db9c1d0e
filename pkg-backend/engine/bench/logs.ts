/**
 * `npm run bench:logs`: log pipeline throughput of the engine:
 *
 *   load generator (child) ──pre-encoded protobuf+snappy pushes──▶ loki.source.api
 *     → loki.process (stage.json + stage.labels + stage.timestamp) → loki.write ──▶ counting sink (child)
 *
 * The engine runs in this process (pinned to CPU 0 with `taskset` when present); the load generator and
 * the sink are child processes (pinned to CPU 1). Lines are JSON of exactly LINE_BYTES bytes with a
 * RFC3339Nano `ts`, a `level` and a `user` (which become labels: 3 × 8 streams) and random padding.
 * The load generator keeps CONCURRENCY pushes of LINES_PER_PUSH lines in flight and retries on 429
 * (back-pressure of loki.write's queue). The load runs for WARMUP + MEASURE seconds; then the engine drains
 * to the sink, which must have received every line the engine accepted (no loss). Per-core figures are the
 * lines accepted during the measured window over the engine's CPU time (process.cpuUsage: user + system)
 * from the window's start until the sink received them all (so queued work is charged, whether or not
 * back-pressure reaches the client); wall-clock figures are lines delivered per second in the window.
 *
 * Prints details, then: `logs-bench mib_per_s_per_core=<n> lines_per_s_per_core=<n> rss_mb=<n>`
 * (MiB of log lines per CPU-second of the engine). Target: ≥ 20 MiB/s per core.
 * Options (env): WARMUP (3), MEASURE (15), LINE_BYTES (1024), LINES_PER_PUSH (500), CONCURRENCY (4),
 * PROCESS (1; 0 = without loki.process). Ports: 19300 (source.api), 19301 (sink).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultRegistry } from '../src/registry.js';
import { Engine } from '../src/runtime/engine.js';
import { LogSink } from '../src/runtime/logger.js';
import {
  decodePushRequest,
  encodePushRequest,
  snappyCompress,
  snappyUncompress,
  type PushStream,
} from '../src/protocols/loki-push.js';

const WARMUP = Number(process.env.WARMUP ?? 3);
const MEASURE = Number(process.env.MEASURE ?? 15);
const LINE_BYTES = Number(process.env.LINE_BYTES ?? 1024);
const LINES_PER_PUSH = Number(process.env.LINES_PER_PUSH ?? 500);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const WITH_PROCESS = process.env.PROCESS !== '0';
const API_PORT = 19300;
const SINK_PORT = 19301;

const role = process.argv.find((a) => a.startsWith('--role='))?.slice(7) ?? 'main';

// ------------------------------------------------------------------------------------------- sink

function runSink(): void {
  let entries = 0;
  let bytes = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.end(JSON.stringify({ entries, bytes, requests }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const streams = decodePushRequest(snappyUncompress(Buffer.concat(chunks), 256 << 20));
      for (const s of streams) {
        entries += s.entries.length;
        for (const e of s.entries) bytes += e.line.length;
      }
      requests++;
      res.writeHead(204);
      res.end();
    });
  });
  server.listen(SINK_PORT, '127.0.0.1');
}

// ------------------------------------------------------------------------------------------- load

function makeLine(i: number, ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const ts = new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, `.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`);
  const head = `{"ts":"${ts}","level":"${['info', 'warn', 'error'][i % 3]}","user":"u${i % 8}","msg":"request served","pad":"`;
  const tail = '"}';
  const padLen = LINE_BYTES - head.length - tail.length;
  return (
    head +
    randomBytes(Math.ceil(padLen / 2))
      .toString('hex')
      .slice(0, padLen) +
    tail
  );
}

function runLoad(): void {
  // 16 pre-encoded bodies, 4 client streams each.
  const bodies: Buffer[] = [];
  let n = 0;
  const base = BigInt(Date.now()) * 1_000_000n;
  for (let b = 0; b < 16; b++) {
    const streams: PushStream[] = [0, 1, 2, 3].map((h) => ({
      labels: `{app="bench", host="h${h}"}`,
      entries: [],
    }));
    for (let i = 0; i < LINES_PER_PUSH; i++, n++) {
      const ns = base + BigInt(n) * 1000n;
      streams[i % 4]!.entries.push({ timestamp: ns, line: makeLine(n, ns), structuredMetadata: [] });
    }
    bodies.push(snappyCompress(encodePushRequest(streams)));
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let accepted = 0;
  let rejected = 0;
  let stop = false;
  process.on('SIGTERM', () => {
    stop = true;
  });
  const post = (body: Buffer) =>
    new Promise<number>((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: API_PORT,
          path: '/loki/api/v1/push',
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const worker = async (w: number) => {
    let k = w;
    while (!stop) {
      const status = await post(bodies[k % bodies.length]!);
      if (status === 204) {
        accepted += LINES_PER_PUSH;
        k++;
      } else {
        rejected++;
        await new Promise((r) => setTimeout(r, status === 429 ? 20 : 100));
      }
    }
  };
  void Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w))).then(() => {
    process.stdout.write(JSON.stringify({ accepted, rejected }) + '\n');
    agent.destroy();
    process.exit(0);
  });
}

// ------------------------------------------------------------------------------------------- main

function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name + '{') || line.startsWith(name + ' '))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function getJSON(url: string): Promise<any> {
  return (await fetch(url)).json();
}

async function main(): Promise<void> {
  const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
  if (hasTaskset) spawnSync('taskset', ['-cp', '0', String(process.pid)]);
  const children: ChildProcess[] = [];
  const self = process.argv[1]!;
  const child = (r: string): ChildProcess => {
    const args = [...process.execArgv, self, `--role=${r}`];
    const [cmd, a] = hasTaskset
      ? ['taskset', ['-c', '1', process.execPath, ...args]]
      : [process.execPath, args];
    const c = spawn(cmd, a, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    children.push(c);
    return c;
  };
  process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

  const sink = child('sink');
  const storage = mkdtempSync(join(tmpdir(), 'foundry-logs-bench-'));
  const engine = new Engine({
    registry: createDefaultRegistry(),
    logSink: new LogSink({ level: 'warn', write: (l) => process.stderr.write(l) }),
    storagePath: storage,
  });
  const processStage = `
    loki.process "parse" {
      forward_to = [loki.write.out.receiver]
      stage.json {
        expressions = { ts = "", level = "", user = "" }
      }
      stage.labels {
        values = { level = "", user = "" }
      }
      stage.timestamp {
        source = "ts"
        format = "RFC3339Nano"
      }
    }`;
  const res = engine.load([
    {
      filename: 'bench.alloy',
      text: `
      loki.source.api "in" {
        http {
          listen_address = "127.0.0.1"
          listen_port = ${API_PORT}
        }
        use_incoming_timestamp = true
        forward_to = [${WITH_PROCESS ? 'loki.process.parse.receiver' : 'loki.write.out.receiver'}]
      }
      ${WITH_PROCESS ? processStage : ''}
      loki.write "out" {
        endpoint {
          url = "http://127.0.0.1:${SINK_PORT}/loki/api/v1/push"
        }
      }`,
    },
  ]);
  if (res.diagnostics.some((d) => d.severity === 'error'))
    throw new Error(res.diagnostics.map((d) => d.message).join('; '));
  const abort = new AbortController();
  const done = engine.run(abort.signal);
  for (let i = 0; ; i++) {
    try {
      await getJSON(`http://127.0.0.1:${SINK_PORT}/`);
      if ((await fetch(`http://127.0.0.1:${API_PORT}/ready`)).ok) break;
    } catch {
      // starting
    }
    if (i > 200) throw new Error('engine or sink did not start');
    await new Promise((r) => setTimeout(r, 50));
  }

  const load = child('load');
  let loadOut = '';
  load.stdout!.on('data', (d) => (loadOut += d));
  await new Promise((r) => setTimeout(r, WARMUP * 1000));

  const counter = async (name: string) => metric(await engine.metricsText(), name);
  // Drain the warm-up backlog first so the window starts from a steady queue.
  const c0 = process.cpuUsage();
  const in0 = await counter('loki_source_api_entries_written');
  const l0 = await counter('loki_write_sent_entries_total');
  const t0 = performance.now();
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);
  await new Promise((r) => setTimeout(r, MEASURE * 1000));
  const in1 = await counter('loki_source_api_entries_written');
  const l1 = await counter('loki_write_sent_entries_total');
  const wall = (performance.now() - t0) / 1000;

  load.kill('SIGTERM');
  await new Promise((r) => load.once('exit', r));
  const windowIn = in1 - in0;
  const { accepted, rejected } = JSON.parse(loadOut.trim() || '{"accepted":0,"rejected":0}') as {
    accepted: number;
    rejected: number;
  };
  // Drain: everything accepted must reach the sink.
  const drainEnd = Date.now() + 30_000;
  let got = await getJSON(`http://127.0.0.1:${SINK_PORT}/`);
  while (got.entries < accepted && Date.now() < drainEnd) {
    await new Promise((r) => setTimeout(r, 20));
    got = await getJSON(`http://127.0.0.1:${SINK_PORT}/`);
  }
  // CPU from the window's start until everything accepted was delivered, minus what the lines accepted
  // after the window cost (charged at the same rate as those of the window).
  const c1 = process.cpuUsage(c0);
  const inEnd = await counter('loki_source_api_entries_written');
  clearInterval(rssTimer);
  abort.abort();
  await done;
  sink.kill('SIGTERM');
  rmSync(storage, { recursive: true, force: true });

  const sentLines = l1 - l0;
  const lines = windowIn;
  const cpu = ((c1.user + c1.system) / 1e6) * (windowIn / Math.max(1, inEnd - in0));
  const mib = (lines * LINE_BYTES) / 2 ** 20;
  const sentMib = (sentLines * LINE_BYTES) / 2 ** 20;
  const lost = accepted - got.entries;
  const rssMb = rssMax / 2 ** 20;
  console.log(
    `pipeline: loki.source.api → ${WITH_PROCESS ? 'loki.process (json + labels + timestamp) → ' : ''}loki.write → sink`,
  );
  console.log(
    `lines ${LINE_BYTES} B, ${LINES_PER_PUSH} per push, ${CONCURRENCY} in flight; measured ${wall.toFixed(1)} s after ${WARMUP} s warm-up`,
  );
  console.log(
    `window: accepted ${lines} lines (${mib.toFixed(1)} MiB), sent ${sentLines} (${(sentMib / wall).toFixed(1)} MiB/s, ${Math.round(sentLines / wall)} lines/s wall-clock)`,
  );
  console.log(`engine CPU for the window's lines ${cpu.toFixed(2)} s; RSS max ${rssMb.toFixed(0)} MB`);
  console.log(
    `accepted ${accepted} lines (${rejected} pushes answered 429/error and retried); sink received ${got.entries}; lost ${lost}`,
  );
  if (lost !== 0) console.log('LOSS DETECTED');
  console.log(
    `logs-bench mib_per_s_per_core=${(mib / cpu).toFixed(1)} lines_per_s_per_core=${Math.round(lines / cpu)} rss_mb=${rssMb.toFixed(0)}`,
  );
  process.exit(lost === 0 ? 0 : 1);
}

if (role === 'sink') runSink();
else if (role === 'load') runLoad();
else
  main().catch((err: Error) => {
    console.error(err);
    process.exit(1);
  });
