/**
 * Hot reload of an OTLP pipeline: a changed receiver endpoint moves the server, a changed exporter endpoint
 * sends new data to the new destination, the old port is closed.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { createDefaultRegistry } from '../../src/registry.js';
import { Engine } from '../../src/runtime/engine.js';
import { LogSink } from '../../src/runtime/logger.js';
import { encodeExportTraceServiceRequest } from '../../src/protocols/otlp/index.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { freePort } from '../support/net.js';
import { FakeDownstream } from './otlp-support.js';
import { span, traces } from './support.js';

let e: Running | undefined;
const downs: FakeDownstream[] = [];
after(async () => {
  await e?.stop();
  await Promise.all(downs.map((d) => d.stop()));
});

const body = Buffer.from(
  encodeExportTraceServiceRequest(
    traces({}, [
      span({
        traceId: Buffer.alloc(16, 9),
        spanId: Buffer.alloc(8, 9),
        name: 'reload',
        kind: 1,
        startTimeUnixNano: 1n,
        endTimeUnixNano: 2n,
      }),
    ]),
  ),
);

const config = (port: number, down: number, timeout: string) => `
  otelcol.receiver.otlp "in" {
    http { endpoint = "127.0.0.1:${port}" }
    output { traces = [otelcol.processor.batch.b.input] }
  }
  otelcol.processor.batch "b" {
    timeout = "${timeout}"
    output { traces = [otelcol.exporter.otlp.out.input] }
  }
  otelcol.exporter.otlp "out" {
    client {
      endpoint = "127.0.0.1:${down}"
      tls { insecure = true }
    }
  }
`;

const post = async (port: number) =>
  (
    await fetch(`http://127.0.0.1:${port}/v1/traces`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/x-protobuf' },
    })
  ).status;

test('receiver, batch and exporter follow a reload', async () => {
  const [d1, d2] = [new FakeDownstream(), new FakeDownstream()];
  downs.push(d1, d2);
  await d1.startGrpc();
  await d2.startGrpc();
  const [p1, p2] = [await freePort(), await freePort()];
  e = startEngine(config(p1, d1.port, '10ms'));
  await eventually(() => e!.logs.some((l) => l.includes(`endpoint=127.0.0.1:${p1}`)), 5000, 'first server');
  assert.equal(await post(p1), 200);
  await eventually(() => d1.calls.length === 1, 3000, 'first destination');

  const res = e.load(config(p2, d2.port, '20ms'));
  assert.ok(res.committed, res.diagnostics.map((d) => d.message).join('; '));
  await eventually(() => e!.logs.some((l) => l.includes(`endpoint=127.0.0.1:${p2}`)), 5000, 'moved server');
  assert.equal(await post(p2), 200);
  await eventually(() => d2.calls.length === 1, 3000, 'new destination');
  assert.equal(d1.calls.length, 1);
  await assert.rejects(post(p1), 'the old port is closed');
});

test('a receiver stopped while its servers are still binding stops at once and frees its ports', async () => {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const logs: string[] = [];
  const engine = new Engine({
    registry: createDefaultRegistry(),
    logSink: new LogSink({ write: (l) => logs.push(l) }),
    // Longer than the test's timeout: a run() that misses the abort would hang the test, not just slow it.
    shutdownDeadlineMs: 600_000,
  });
  const loaded = engine.load([
    {
      filename: 'main.alloy',
      text: `otelcol.receiver.otlp "r" {
  grpc { endpoint = "127.0.0.1:${grpcPort}" }
  http { endpoint = "127.0.0.1:${httpPort}" }
  output { }
}`,
    },
  ]);
  assert.ok(loaded.committed);
  const abort = new AbortController();
  const done = engine.run(abort.signal);
  abort.abort(); // before the servers have bound
  await done;
  assert.doesNotMatch(logs.join(''), /did not stop before the shutdown deadline/);
  for (const port of [grpcPort, httpPort]) {
    await new Promise<void>((resolve, reject) => {
      const srv = createServer().once('error', reject);
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
    });
  }
});
