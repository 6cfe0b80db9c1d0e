/**
 * otelcol.exporter.otlp / otlphttp against scripted downstream servers: retryable failures are retried
 * with backoff until they succeed (nothing lost), server delays (RetryInfo, Retry-After) are honoured,
 * permanent failures are dropped and counted without retries, retries stop at max_elapsed_time, a full
 * sending queue refuses (→ 503 upstream), a disabled queue passes errors back, partial successes count as
 * sent, and auth extensions / headers reach the server.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  encodeExportTraceServiceRequest,
  encodeExportTraceServiceResponse,
} from '../../src/protocols/otlp/index.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { freePort } from '../support/net.js';
import { FakeDownstream, metricValue } from './otlp-support.js';
import { span, traces } from './support.js';

const engines: Running[] = [];
const downs: FakeDownstream[] = [];

after(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  await Promise.all(downs.map((d) => d.stop()));
});

function request(name: string, spans = 2): Buffer {
  const req = traces(
    {},
    Array.from({ length: spans }, (_, i) =>
      span({
        traceId: Buffer.alloc(16, 7),
        spanId: Buffer.alloc(8, i + 1),
        name: `${name}-${i}`,
        kind: 2,
        startTimeUnixNano: 10n,
        endTimeUnixNano: 20n,
      }),
    ),
  );
  return Buffer.from(encodeExportTraceServiceRequest(req));
}

/** An engine: HTTP receiver on a free port → the given exporter block (as `EXPORTER`). */
async function pipeline(
  exporter: string,
  extra = '',
): Promise<{ e: Running; send: (b: Buffer, h?: Record<string, string>) => Promise<number> }> {
  const port = await freePort();
  const e = startEngine(
    `
    otelcol.receiver.otlp "in" {
      http {
        endpoint = "127.0.0.1:${port}"
        include_metadata = true
      }
      output { traces = [EXPORTER.input] }
    }
    ${exporter}
    ${extra}
  `.replace('EXPORTER', /^\s*(otelcol\.exporter\.\w+) "(\w+)"/.exec(exporter)!.slice(1).join('.')),
  );
  engines.push(e);
  await eventually(() => e.logs.some((l) => l.includes('Starting HTTP server')), 5000, 'receiver');
  const send = async (b: Buffer, h: Record<string, string> = {}) =>
    (
      await fetch(`http://127.0.0.1:${port}/v1/traces`, {
        method: 'POST',
        body: b,
        headers: { 'Content-Type': 'application/x-protobuf', ...h },
      })
    ).status;
  return { e, send };
}

const metrics = (e: Running) => e.engine.metricsText();
/** Span names of the calls from index `from` on (the ones the script let succeed). */
const succeeded = (d: FakeDownstream, from: number) =>
  d
    .decoded('traces')
    .slice(from)
    .flatMap((r) =>
      r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))),
    );

test('gRPC: UNAVAILABLE for a while, then recovery: every request arrives exactly once', async () => {
  const d = new FakeDownstream();
  downs.push(d);
  await d.startGrpc();
  d.script = [{ code: 14 }, { code: 14 }, { code: 14 }, { code: 14, message: 'still down' }];
  const { e, send } = await pipeline(
    `
    otelcol.exporter.otlp "out" {
      client {
        endpoint = "127.0.0.1:${d.port}"
        tls { insecure = true }
        headers = { "X-Static" = "yes" }
        auth = otelcol.auth.bearer.tok.handler
      }
      retry_on_failure {
        initial_interval = "20ms"
        max_interval = "50ms"
      }
    }`,
    `otelcol.auth.bearer "tok" { token = "t0k3n" }`,
  );
  for (let i = 0; i < 5; i++) assert.equal(await send(request(`r${i}`)), 200);
  // The first four calls fail; the ones after them all succeed and must hold every span once.
  await eventually(() => d.calls.length === 4 + 5, 5000, 'all delivered');
  assert.deepEqual(
    succeeded(d, 4).sort(),
    ['r0', 'r1', 'r2', 'r3', 'r4'].flatMap((r) => [`${r}-0`, `${r}-1`]),
  );
  await eventually(
    async () => metricValue(await metrics(e), 'otelcol_exporter_sent_spans_total') === 10,
    2000,
    'sent',
  );
  assert.equal(metricValue(await metrics(e), 'otelcol_exporter_send_failed_spans_total'), 0);
  assert.equal(d.calls[0]!.headers['authorization'], 'Bearer t0k3n');
  assert.equal(d.calls[0]!.headers['x-static'], 'yes');
  assert.ok(
    e.logs.some(
      (l) =>
        l.includes('Exporting failed. Will retry the request after interval.') && l.includes('Unavailable'),
    ),
  );
});

test('gRPC: permanent errors are dropped at once, RESOURCE_EXHAUSTED retried only with RetryInfo, which is honoured', async () => {
  const d = new FakeDownstream();
  downs.push(d);
  await d.startGrpc();
  const { e, send } = await pipeline(`
    otelcol.exporter.otlp "out" {
      client {
        endpoint = "127.0.0.1:${d.port}"
        tls { insecure = true }
        compression = "none"
      }
      retry_on_failure { initial_interval = "10ms" }
    }`);
  d.script = [{ code: 3, message: 'bad data' }];
  assert.equal(await send(request('bad')), 200);
  await eventually(
    async () => metricValue(await metrics(e), 'otelcol_exporter_send_failed_spans_total') === 2,
    3000,
    'dropped',
  );
  d.script = [{ code: 8, message: 'slow down' }];
  assert.equal(await send(request('exhausted')), 200);
  await eventually(
    async () => metricValue(await metrics(e), 'otelcol_exporter_send_failed_spans_total') === 4,
    3000,
    'dropped',
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(d.calls.length, 2, 'neither was retried');
  assert.ok(
    e.logs.some((l) => l.includes('Exporting failed. Dropping data.') && l.includes('not retryable error')),
  );
  d.script = [{ code: 8, message: 'slow down', retryAfterSeconds: 0.3 }];
  const t0 = Date.now();
  assert.equal(await send(request('throttled')), 200);
  await eventually(() => d.calls.length === 4, 3000, 'retried');
  assert.ok(Date.now() - t0 >= 290, 'waited for the server-requested delay');
  await eventually(
    async () => metricValue(await metrics(e), 'otelcol_exporter_sent_spans_total') === 2,
    2000,
    'sent',
  );
});

test('gRPC: retries end at max_elapsed_time and the data counts as failed', async () => {
  const d = new FakeDownstream();
  downs.push(d);
  await d.startGrpc();
  d.script = Array.from({ length: 100 }, () => ({ code: 14 }));
  const { e, send } = await pipeline(`
    otelcol.exporter.otlp "out" {
      client {
        endpoint = "127.0.0.1:${d.port}"
        tls { insecure = true }
      }
      retry_on_failure {
        initial_interval = "20ms"
        multiplier = 2
        max_elapsed_time = "250ms"
      }
    }`);
  assert.equal(await send(request('doomed', 3)), 200);
  await eventually(
    async () => metricValue(await metrics(e), 'otelcol_exporter_send_failed_spans_total') === 3,
    3000,
    'gave up',
  );
  const calls = d.calls.length;
  assert.ok(calls >= 3 && calls <= 12, `${calls} attempts`);
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(d.calls.length, calls, 'no attempts after giving up');
  assert.ok(e.logs.some((l) => l.includes('no more retries left')));
});

test('sending queue: full queue refuses (503 upstream); disabled queue passes the outcome back', async () => {
  const d = new FakeDownstream();
  downs.push(d);
  await d.startGrpc();
  d.script = Array.from({ length: 50 }, () => ({ code: 14 }));
  const { e, send } = await pipeline(`
    otelcol.exporter.otlp "out" {
      client {
        endpoint = "127.0.0.1:${d.port}"
        tls { insecure = true }
      }
      sending_queue {
        num_consumers = 1
        queue_size = 1
      }
      retry_on_failure { initial_interval = "50ms" }
    }`);
  assert.equal(await send(request('q1')), 200); // taken by the consumer (retrying)
  await eventually(() => d.calls.length >= 1, 2000, 'first attempt');
  assert.equal(await send(request('q2')), 200); // queued
  assert.equal(await send(request('q3')), 503); // queue full
  const m = await metrics(e);
  assert.equal(metricValue(m, 'otelcol_exporter_enqueue_failed_spans_total'), 2);
  assert.equal(metricValue(m, 'otelcol_exporter_queue_size', 'data_type="traces"'), 1);
  assert.equal(metricValue(m, 'otelcol_exporter_queue_capacity', 'data_type="traces"'), 1);
  assert.equal(metricValue(m, 'otelcol_receiver_refused_spans_total'), 2);
  d.script = [];
  await eventually(() => succeeded(d, 0).includes('q2-0'), 3000, 'drained after recovery');

  const d2 = new FakeDownstream();
  downs.push(d2);
  await d2.startGrpc();
  const { send: send2 } = await pipeline(`
    otelcol.exporter.otlp "sync" {
      client {
        endpoint = "127.0.0.1:${d2.port}"
        tls { insecure = true }
      }
      sending_queue { enabled = false }
      retry_on_failure { enabled = false }
    }`);
  d2.script = [{ code: 3 }, { code: 14 }];
  assert.equal(await send2(request('s1')), 500, 'permanent failure downstream → INTERNAL upstream');
  assert.equal(await send2(request('s2')), 503, 'retryable failure downstream → UNAVAILABLE upstream');
  assert.equal(await send2(request('s3')), 200);
  assert.equal(d2.calls.length, 3, 'no retries');
  assert.deepEqual(succeeded(d2, 2), ['s3-0', 's3-1']);
});

test('gRPC: a partial success is logged and counts as sent', async () => {
  const d = new FakeDownstream();
  downs.push(d);
  await d.startGrpc();
  d.script = [
    {
      ok: true,
      body: Buffer.from(
        encodeExportTraceServiceResponse({
          partialSuccess: { rejectedSpans: 1, errorMessage: 'one too old' },
        }),
      ),
    },
  ];
  const { e, send } = await pipeline(`
    otelcol.exporter.otlp "out" {
      client {
        endpoint = "127.0.0.1:${d.port}"
        tls { insecure = true }
      }
    }`);
  assert.equal(await send(request('p')), 200);
  await eventually(
    () => e.logs.some((l) => l.includes('Partial success response') && l.includes('one too old')),
    3000,
    'warning',
  );
  await eventually(
    async () => metricValue(await metrics(e), 'otelcol_exporter_sent_spans_total') === 2,
    2000,
    'sent',
  );
  assert.equal(d.calls.length, 1);
});

test('otlphttp: 503 with Retry-After is honoured, 400 is dropped, headers and auth are sent', async () => {
  const d = new FakeDownstream();
  downs.push(d);
  await d.startHttp();
  d.script = [{ http: 503, retryAfter: '1' }];
  const { e, send } = await pipeline(
    `
    otelcol.exporter.otlphttp "out" {
      client {
        endpoint = "http://127.0.0.1:${d.port}"
        headers = { "X-Static" = "1" }
        auth = otelcol.auth.headers.h.handler
      }
      retry_on_failure { initial_interval = "10ms" }
    }`,
    `otelcol.auth.headers "h" {
      header {
        key = "X-Scope-OrgID"
        from_context = "x-tenant"
      }
      header {
        key = "X-Static"
        value = ""
        action = "delete"
      }
      header {
        key = "Authorization"
        value = "Basic abc"
        action = "insert"
      }
    }`,
  );
  const t0 = Date.now();
  assert.equal(await send(request('h1'), { 'X-Tenant': 'acme' }), 200);
  await eventually(() => d.calls.length === 2, 4000, 'retried');
  assert.ok(Date.now() - t0 >= 950, 'Retry-After: 1 was honoured');
  const last = d.calls[1]!;
  assert.equal(last.headers['x-scope-orgid'], 'acme');
  assert.equal(last.headers['x-static'], undefined);
  assert.equal(last.headers['authorization'], 'Basic abc');
  assert.equal(last.headers['content-encoding'], 'gzip');
  assert.equal(last.headers['content-type'], 'application/x-protobuf');
  d.script = [{ http: 400, body: 'nope' }];
  assert.equal(await send(request('h2')), 200);
  await eventually(
    async () => metricValue(await metrics(e), 'otelcol_exporter_send_failed_spans_total') === 2,
    3000,
    'dropped',
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(d.calls.length, 3, 'a 400 is not retried');
  assert.ok(e.logs.some((l) => l.includes('responded with HTTP Status Code 400')));
});
