/**
 * otelcol.processor.memory_limiter: limits from the arguments; and, on a real agent process whose exporter
 * cannot deliver (its downstream never answers), a flood of OTLP requests is refused with retryable
 * statuses (HTTP 503, gRPC UNAVAILABLE) once memory passes the soft limit, while the process's resident
 * memory stays under the limit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { newExportClient } from '../../src/components/otelcol/grpc.js';
import { limits } from '../../src/components/otelcol/processor/memory_limiter/component.js';
import { encodeExportTraceServiceRequest, type Span } from '../../src/protocols/otlp/index.js';
import { killAgents, startAgent } from '../support/agent.js';
import { freePort } from '../support/net.js';
import { metricValue } from './otlp-support.js';

const dirs: string[] = [];
const servers: net.Server[] = [];
const timers: NodeJS.Timeout[] = [];
after(() => {
  for (const t of timers) clearInterval(t);
  killAgents();
  for (const s of servers) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('limits: MiB values (spike defaults to a fifth), or percentages of the total memory', () => {
  const base = { check_interval: 1000, limit_percentage: 0, spike_limit_percentage: 0, output: {} };
  assert.deepEqual(limits({ ...base, limit: '500MiB', spike_limit: '0MiB' }), {
    hard: 500 * 2 ** 20,
    soft: 400 * 2 ** 20,
  });
  assert.deepEqual(limits({ ...base, limit: '1GiB', spike_limit: '100MiB' }), {
    hard: 1024 * 2 ** 20,
    soft: 924 * 2 ** 20,
  });
  const p = limits({
    ...base,
    limit: '0MiB',
    spike_limit: '0MiB',
    limit_percentage: 50,
    spike_limit_percentage: 10,
  });
  assert.ok(p.hard > 0 && Math.abs(p.hard - p.soft - p.hard / 5) <= 1);
});

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

test('a flood is refused with retryable statuses and the agent stays under its memory limit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-memlimit-'));
  dirs.push(dir);
  // A downstream that accepts connections and never answers: the exporter's queue only grows.
  const blackhole = net.createServer((s) => s.on('data', () => undefined));
  servers.push(blackhole);
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  const sinkPort = (blackhole.address() as net.AddressInfo).port;
  const [hp, gp] = [await freePort(), await freePort()];
  const LIMIT_MIB = 400;
  writeFileSync(
    join(dir, 'config.alloy'),
    `
    otelcol.receiver.otlp "in" {
      http { endpoint = "127.0.0.1:${hp}" }
      grpc {
        endpoint = "127.0.0.1:${gp}"
        max_recv_msg_size = "8MiB"
      }
      output { traces = [otelcol.processor.memory_limiter.ml.input] }
    }
    otelcol.processor.memory_limiter "ml" {
      check_interval = "20ms"
      limit = "${LIMIT_MIB}MiB"
      spike_limit = "120MiB"
      output { traces = [otelcol.exporter.otlp.out.input] }
    }
    otelcol.exporter.otlp "out" {
      timeout = "60s"
      client {
        endpoint = "127.0.0.1:${sinkPort}"
        tls { insecure = true }
        compression = "none"
      }
      sending_queue {
        num_consumers = 2
        queue_size = 100000
      }
    }
    `,
  );
  const agent = await startAgent(join(dir, 'config.alloy'), join(dir, 'data'));
  const pid = agent.child.pid!;
  let rssMax = rssOf(pid);
  const sampler = setInterval(() => {
    try {
      rssMax = Math.max(rssMax, rssOf(pid));
    } catch {
      // the agent exited
    }
  }, 10);
  timers.push(sampler);

  // ~1 MiB requests of 3000 spans.
  const spans: Span[] = Array.from({ length: 3000 }, (_, i) => ({
    traceId: Buffer.alloc(16, (i % 250) + 1),
    spanId: Buffer.alloc(8, (i % 250) + 1),
    traceState: '',
    parentSpanId: new Uint8Array(0),
    flags: 0,
    name: `flood-${i}`.padEnd(200, '.'),
    kind: 2,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    attributes: [{ key: 'payload', value: { stringValue: 'x'.repeat(100) } }],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
  }));
  const body = Buffer.from(
    encodeExportTraceServiceRequest({
      resourceSpans: [{ scopeSpans: [{ spans, schemaUrl: '' }], schemaUrl: '' }],
    }),
  );
  const agentHttp = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const post = () =>
    new Promise<number>((res) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: hp,
          path: '/v1/traces',
          method: 'POST',
          agent: agentHttp,
          headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length },
        },
        (r) => {
          r.resume();
          r.on('end', () => res(r.statusCode ?? 0));
        },
      );
      req.on('error', () => res(0));
      req.end(body);
    });
  const statuses = new Map<number, number>();
  const end = Date.now() + 30_000;
  let refused = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (refused < 40 && Date.now() < end) {
        const s = await post();
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
        if (s === 503) refused++;
      }
    }),
  );
  agentHttp.destroy();
  assert.ok(refused >= 40, `refused ${refused}; statuses ${JSON.stringify([...statuses])}`);
  assert.ok((statuses.get(200) ?? 0) > 50, 'data was accepted before the limit was reached');
  assert.deepEqual([...statuses.keys()].sort(), [200, 503]);

  // gRPC clients get UNAVAILABLE (retryable) while memory is above the soft limit.
  const c = newExportClient('traces', `127.0.0.1:${gp}`, grpc.credentials.createInsecure());
  const err = await new Promise<grpc.ServiceError | null>((r) =>
    c.Export(body, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, r),
  );
  c.close();
  assert.equal(err?.code, grpc.status.UNAVAILABLE);
  assert.match(err!.details, /data refused due to high memory usage/);

  clearInterval(sampler);
  assert.ok(rssMax < LIMIT_MIB * 2 ** 20, `agent RSS peaked at ${(rssMax / 2 ** 20).toFixed(0)} MiB`);
  const metrics = await (await fetch(`${agent.base}/metrics`)).text();
  assert.ok(metricValue(metrics, 'otelcol_processor_memory_limiter_refused_spans_total') >= 40 * 3000);
  assert.ok(metricValue(metrics, 'otelcol_receiver_refused_spans_total') >= 40 * 3000);
  agent.child.kill('SIGKILL');
});
