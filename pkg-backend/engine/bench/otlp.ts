/**
 * `npm run bench:otlp`: OTLP traces throughput of the engine:
 *
 *   load generator (child) ──pre-encoded ExportTraceServiceRequests──▶ otelcol.receiver.otlp
 *     → otelcol.processor.batch → otelcol.exporter.otlp ──gRPC──▶ counting sink (child)
 *
 * run twice: once with the generator on OTLP/gRPC, once on OTLP/HTTP (protobuf). The engine runs in this
 * process, pinned to CPU 0 with `taskset` when present; the generator and the sink are child processes
 * pinned to CPU 1. Requests carry SPANS_PER_REQ spans (10 attributes each, random ids, ~290 B per span; 16
 * distinct bodies, encoded once). The generator keeps CONCURRENCY requests in flight and retries refused
 * ones (UNAVAILABLE / 503). Each phase runs WARMUP + MEASURE seconds; then the engine drains to the sink,
 * which must have counted every span the engine accepted (no drops).
 *
 * Per-core figures are the spans accepted during the measured window over the engine's CPU time
 * (process.cpuUsage: user + system, every thread) from the window's start until the sink has them all,
 * charged pro rata when more spans were accepted after the window; wall-clock figures are spans accepted
 * per second in the window. The exporter sends uncompressed (`compression = "none"`, loopback) unless
 * COMPRESSION=gzip; its queue holds 100 batches and blocks when full (`block_on_overflow`), so a slow
 * sink slows the clients down instead of dropping data. PROFILE=<prefix> writes a CPU profile of each
 * measured window; BATCH_EXTRA adds attributes to the batch processor block.
 *
 * Prints details, then:
 * `otlp-bench grpc_spans_per_s=<n> http_spans_per_s=<n> grpc_spans_per_s_per_core=<n> http_spans_per_s_per_core=<n> rss_mb=<n>`.
 * Targets: ≥ 150k spans/s per core over HTTP and ≥ 100k over gRPC, no drops.
 * Options (env): WARMUP (3), MEASURE (10), SPANS_PER_REQ (512), CONCURRENCY (16), COMPRESSION (none),
 * PHASES (grpc,http).
 * Ports: 19400 (gRPC receiver), 19401 (HTTP receiver), 19402 (sink).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import { PerformanceObserver } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { newExportClient } from '../src/components/otelcol/grpc.js';
import { encodeExportTraceServiceRequest, type KeyValue, type Span } from '../src/protocols/otlp/index.js';
import { createDefaultRegistry } from '../src/registry.js';
import { Engine } from '../src/runtime/engine.js';
import { LogSink } from '../src/runtime/logger.js';

const WARMUP = Number(process.env.WARMUP ?? 3);
const MEASURE = Number(process.env.MEASURE ?? 10);
const SPANS_PER_REQ = Number(process.env.SPANS_PER_REQ ?? 512);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const COMPRESSION = process.env.COMPRESSION ?? 'none';
const GRPC_PORT = 19400;
const HTTP_PORT = 19401;
const SINK_PORT = 19402;

const role = process.argv.find((a) => a.startsWith('--role='))?.slice(7) ?? 'main';

// ------------------------------------------------------------------------------------------- sink

/** Reads a varint at `p`; returns [value, next position]. */
function varint(b: Buffer, p: number): [number, number] {
  let v = 0;
  let m = 1;
  for (;;) {
    const c = b[p++]!;
    v += (c & 0x7f) * m;
    if (c < 0x80) return [v, p];
    m *= 128;
  }
}

/** Counts field `field` entries of the message in [p, end) and calls `each` with their payload range. */
function fields(
  b: Buffer,
  p: number,
  end: number,
  field: number,
  each: (s: number, e: number) => void,
): void {
  while (p < end) {
    const [t, q] = varint(b, p);
    p = q;
    const wt = t & 7;
    if (wt === 0) p = varint(b, p)[1];
    else if (wt === 1) p += 8;
    else if (wt === 5) p += 4;
    else {
      const [n, r] = varint(b, p);
      if (t >>> 3 === field) each(r, r + n);
      p = r + n;
    }
  }
}

/** Spans in a request, walking only the envelopes (the engine validated the request). */
function countSpansShallow(b: Buffer): number {
  let n = 0;
  fields(b, 0, b.length, 1, (s, e) =>
    fields(b, s, e, 2, (s2, e2) =>
      fields(b, s2, e2, 2, () => {
        n++;
      }),
    ),
  );
  return n;
}

/**
 * The sink: a minimal gRPC server on node:http2 (cheaper than grpc-js, so the sink, which shares CPU 1
 * with the load generator, keeps up): reads each unary Export call, counts its spans, answers an empty
 * ExportTraceServiceResponse with grpc-status 0.
 */
function runSink(): void {
  let spans = 0;
  let requests = 0;
  const EMPTY_MSG = Buffer.from([0, 0, 0, 0, 0]);
  const server = http2.createServer({ settings: { initialWindowSize: 8 << 20 } });
  server.on('session', (session) => session.setLocalWindowSize(32 << 20));
  server.on('stream', (stream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      // One length-prefixed message (compressed-flag byte, 4-byte length); gzip with COMPRESSION=gzip.
      const msg = body.subarray(5, 5 + body.readUInt32BE(1));
      spans += countSpansShallow(body[0] === 1 ? gunzipSync(msg) : msg);
      requests++;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(EMPTY_MSG);
    });
  });
  server.listen(SINK_PORT, '127.0.0.1');
  process.on('message', () => process.send!({ spans, requests }));
}

// ------------------------------------------------------------------------------------------- load

function makeBodies(): Buffer[] {
  const bodies: Buffer[] = [];
  const t0 = BigInt(Date.now()) * 1_000_000n;
  for (let b = 0; b < 16; b++) {
    const spans: Span[] = [];
    for (let i = 0; i < SPANS_PER_REQ; i++) {
      const attributes: KeyValue[] = [];
      for (let a = 0; a < 8; a++)
        attributes.push({ key: `attr.${a}`, value: { stringValue: `value-${a}-${(i * 7 + b) % 50}` } });
      attributes.push({ key: 'http.status_code', value: { intValue: 200n } });
      attributes.push({ key: 'retry', value: { boolValue: i % 9 === 0 } });
      const start = t0 + BigInt(b * SPANS_PER_REQ + i) * 1000n;
      spans.push({
        traceId: randomBytes(16),
        spanId: randomBytes(8),
        traceState: '',
        parentSpanId: i % 4 === 0 ? new Uint8Array(0) : randomBytes(8),
        flags: 1,
        name: `GET /api/v1/items/${i % 20}`,
        kind: 2,
        startTimeUnixNano: start,
        endTimeUnixNano: start + 1_500_000n,
        attributes,
        droppedAttributesCount: 0,
        events: [],
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status: { code: 0, message: '' },
      });
    }
    bodies.push(
      Buffer.from(
        encodeExportTraceServiceRequest({
          resourceSpans: [
            {
              resource: {
                attributes: [
                  { key: 'service.name', value: { stringValue: `bench-${b % 4}` } },
                  { key: 'host.name', value: { stringValue: 'bench-host' } },
                ],
                droppedAttributesCount: 0,
                entityRefs: [],
              },
              scopeSpans: [
                {
                  scope: { name: 'bench', version: '1.0.0', attributes: [], droppedAttributesCount: 0 },
                  spans,
                  schemaUrl: '',
                },
              ],
              schemaUrl: '',
            },
          ],
        }),
      ),
    );
  }
  return bodies;
}

function runLoad(transport: string): void {
  const bodies = makeBodies();
  let accepted = 0;
  let refused = 0;
  let stop = false;
  process.on('SIGTERM', () => {
    stop = true;
  });
  let send: (body: Buffer) => Promise<boolean>;
  let close = () => undefined as void;
  if (transport === 'grpc') {
    const client = newExportClient('traces', `127.0.0.1:${GRPC_PORT}`, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
    });
    const md = new grpc.Metadata();
    send = (body) => new Promise((res) => client.Export(body, md, {}, (err) => res(!err)));
    close = () => client.close();
  } else {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    send = (body) =>
      new Promise((res) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: HTTP_PORT,
            path: '/v1/traces',
            method: 'POST',
            agent,
            headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length },
          },
          (r) => {
            r.resume();
            r.on('end', () => res(r.statusCode === 200));
          },
        );
        req.on('error', () => res(false));
        req.end(body);
      });
    close = () => agent.destroy();
  }
  const worker = async (w: number) => {
    let k = w;
    while (!stop) {
      if (await send(bodies[k % bodies.length]!)) {
        accepted += SPANS_PER_REQ;
        k++;
      } else {
        refused++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  void Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w))).then(() => {
    process.stdout.write(JSON.stringify({ accepted, refused }) + '\n');
    close();
    process.exit(0);
  });
}

// ------------------------------------------------------------------------------------------- main

function metric(text: string, name: string, filter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!(line.startsWith(name + '{') || line.startsWith(name + ' '))) continue;
    if (filter && !line.includes(filter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** PROFILE=<prefix>: a CPU profile of each measured window (not of start-up or drain). */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.start');
  return async (file) => {
    const { profile } = await s.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    s.disconnect();
  };
}

interface PhaseResult {
  transport: string;
  spansPerS: number;
  perCore: number;
  cpuPer100k: number;
  lost: number;
  refused: number;
}

async function main(): Promise<void> {
  const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
  if (hasTaskset) spawnSync('taskset', ['-acp', '0', String(process.pid)]);
  const children: ChildProcess[] = [];
  const self = process.argv[1]!;
  const child = (r: string, ipc = false): ChildProcess => {
    const args = [...process.execArgv, self, `--role=${r}`];
    const [cmd, a] = hasTaskset
      ? ['taskset', ['-c', '1', process.execPath, ...args]]
      : [process.execPath, args];
    const c = spawn(cmd, a, {
      stdio: ipc ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    children.push(c);
    return c;
  };
  process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

  const sink = child('sink', true);
  const sinkStats = () =>
    new Promise<{ spans: number; requests: number }>((res) => {
      sink.once('message', (m) => res(m as { spans: number; requests: number }));
      sink.send('stats');
    });
  const engine = new Engine({
    registry: createDefaultRegistry(),
    logSink: new LogSink({ level: 'warn', write: (l) => process.stderr.write(l) }),
  });
  const res = engine.load([
    {
      filename: 'bench.alloy',
      text: `
      otelcol.receiver.otlp "in" {
        grpc {
          endpoint = "127.0.0.1:${GRPC_PORT}"
          max_recv_msg_size = "64MiB"
        }
        http { endpoint = "127.0.0.1:${HTTP_PORT}" }
        output { traces = [otelcol.processor.batch.b.input] }
      }
      otelcol.processor.batch "b" {
        ${process.env.BATCH_EXTRA ?? ''}
        output { traces = [otelcol.exporter.otlp.out.input] }
      }
      otelcol.exporter.otlp "out" {
        client {
          endpoint = "127.0.0.1:${SINK_PORT}"
          compression = "${COMPRESSION}"
          tls { insecure = true }
        }
        // Back-pressure instead of dropping when the sink falls behind (the collector's default drops),
        // with a queue of 100 batches (default 1000) so a lagging sink does not inflate the RSS.
        sending_queue {
          queue_size = 100
          block_on_overflow = true
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
      await sinkStats();
      const r = await fetch(`http://127.0.0.1:${HTTP_PORT}/v1/traces`, { method: 'GET' });
      if (r.status === 405) break;
    } catch {
      // starting
    }
    if (i > 200) throw new Error('engine or sink did not start');
    await new Promise((r) => setTimeout(r, 50));
  }

  const counter = async (name: string) => metric(await engine.metricsText(), name);
  let gcMs = 0;
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gcObs.observe({ entryTypes: ['gc'] });
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 500);
  const results: PhaseResult[] = [];

  const phases = (process.env.PHASES ?? 'grpc,http').split(',');
  for (const transport of phases) {
    const load = child(`load-${transport}`);
    let loadOut = '';
    load.stdout!.on('data', (d) => (loadOut += d));
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    const prof = process.env.PROFILE ? await startProfile() : undefined;
    const c0 = process.cpuUsage();
    const gc0 = gcMs;
    const in0 = await counter('otelcol_receiver_accepted_spans_total');
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, MEASURE * 1000));
    const in1 = await counter('otelcol_receiver_accepted_spans_total');
    const wall = (performance.now() - t0) / 1000;
    if (prof) await prof(`${process.env.PROFILE}-${transport}.cpuprofile`);
    load.kill('SIGTERM');
    await new Promise((r) => load.once('exit', r));
    const { refused } = JSON.parse(loadOut.trim() || '{"accepted":0,"refused":0}') as {
      accepted: number;
      refused: number;
    };
    // Drain: every span the engine accepted must reach the sink (the accepted counter moves once the
    // batch processor took a request, which may be after it already forwarded it).
    const drainEnd = Date.now() + 30_000;
    let acceptedTotal = await counter('otelcol_receiver_accepted_spans_total');
    let got = await sinkStats();
    while (got.spans !== acceptedTotal && Date.now() < drainEnd) {
      await new Promise((r) => setTimeout(r, 20));
      got = await sinkStats();
      acceptedTotal = await counter('otelcol_receiver_accepted_spans_total');
    }
    const c1 = process.cpuUsage(c0);
    const gcWindow = gcMs - gc0;
    const inEnd = await counter('otelcol_receiver_accepted_spans_total');
    const windowIn = in1 - in0;
    const cpu = ((c1.user + c1.system) / 1e6) * (windowIn / Math.max(1, inEnd - in0));
    results.push({
      transport,
      spansPerS: windowIn / wall,
      perCore: windowIn / cpu,
      cpuPer100k: (cpu / windowIn) * 100_000,
      lost: acceptedTotal - got.spans,
      refused,
    });
    console.log(
      `${transport}: accepted ${windowIn} spans in ${wall.toFixed(1)} s (${Math.round(windowIn / wall)} spans/s), ` +
        `engine CPU ${cpu.toFixed(2)} s → ${Math.round(windowIn / cpu)} spans/s per core, ` +
        `${((cpu / windowIn) * 100_000).toFixed(3)} CPU-s per 100k spans (GC pauses ${(gcWindow / 1000).toFixed(2)} s); ` +
        `${refused} requests refused and retried; ` +
        `sink has ${got.spans} of ${acceptedTotal} accepted (lost ${acceptedTotal - got.spans})`,
    );
  }
  clearInterval(rssTimer);
  gcObs.disconnect();
  const mt = await engine.metricsText();
  const failed =
    metric(mt, 'otelcol_exporter_send_failed_spans_total') +
    metric(mt, 'otelcol_exporter_enqueue_failed_spans_total');
  abort.abort();
  await done;
  sink.kill('SIGTERM');

  const rssMb = rssMax / 2 ** 20;
  const none: PhaseResult = { transport: '', spansPerS: 0, perCore: 0, cpuPer100k: 0, lost: 0, refused: 0 };
  const g = results.find((r) => r.transport === 'grpc') ?? none;
  const h = results.find((r) => r.transport === 'http') ?? none;
  console.log(
    `pipeline: otelcol.receiver.otlp → otelcol.processor.batch (defaults) → otelcol.exporter.otlp (compression ${COMPRESSION}) → gRPC sink`,
  );
  console.log(
    `${SPANS_PER_REQ} spans per request, ${CONCURRENCY} requests in flight; ${WARMUP} s warm-up + ${MEASURE} s per transport; engine ${hasTaskset ? 'pinned to CPU 0' : 'not pinned (no taskset)'}`,
  );
  console.log(`exporter send/enqueue failures: ${failed}; RSS max ${rssMb.toFixed(0)} MB`);
  const lost = g.lost + h.lost + failed;
  if (lost !== 0) console.log('LOSS DETECTED');
  console.log(
    `otlp-bench grpc_spans_per_s=${Math.round(g.spansPerS)} http_spans_per_s=${Math.round(h.spansPerS)} ` +
      `grpc_spans_per_s_per_core=${Math.round(g.perCore)} http_spans_per_s_per_core=${Math.round(h.perCore)} ` +
      `rss_mb=${rssMb.toFixed(0)}`,
  );
  process.exit(lost === 0 ? 0 : 1);
}

if (role === 'sink') runSink();
else if (role.startsWith('load-')) runLoad(role.slice(5));
else
  main().catch((err: Error) => {
    console.error(err);
    process.exit(1);
  });
