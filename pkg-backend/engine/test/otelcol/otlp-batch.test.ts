/**
 * otelcol.processor.batch: size and timeout triggers, splitting at send_batch_max_size (encoded and decoded
 * requests, metrics at data-point granularity), metadata_keys partitioning with its cardinality limit, and
 * the batch metrics.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  encodeExportTraceServiceRequest,
  encodeExportTraceServiceRequestJson,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
} from '../../src/protocols/otlp/index.js';
import { countDataPoints } from '../../src/components/otelcol/consumer.js';
import { splitMetrics } from '../../src/components/otelcol/processor/batch/split.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { freePort } from '../support/net.js';
import { metricValue, rec, recorderComponent, str } from './otlp-support.js';
import { span, traces } from './support.js';

let e: Running;
const port: Record<string, number> = {};

function request(prefix: string, spans: number, service = 'svc'): ExportTraceServiceRequest {
  return traces(
    { 'service.name': service },
    Array.from({ length: spans }, (_, i) =>
      span({
        traceId: Buffer.alloc(16, 1),
        spanId: Buffer.alloc(8, i + 1),
        name: `${prefix}${i}`,
        kind: 1,
        startTimeUnixNano: BigInt(i),
        endTimeUnixNano: BigInt(i + 1),
      }),
    ),
    { name: 'sc', version: '1' },
  );
}

const spanNames = (r: ExportTraceServiceRequest) =>
  r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));

before(async () => {
  for (const k of ['size', 'max', 'md']) port[k] = await freePort();
  e = startEngine(
    `
    otelcol.receiver.otlp "size" {
      http { endpoint = "127.0.0.1:${port.size}" }
      output { traces = [otelcol.processor.batch.size.input] }
    }
    otelcol.processor.batch "size" {
      timeout = "10s"
      send_batch_size = 10
      send_batch_max_size = 0
      output { traces = [otlptest.recorder.size.input] }
    }
    otlptest.recorder "size" { name = "batch-size" }

    otelcol.receiver.otlp "max" {
      http { endpoint = "127.0.0.1:${port.max}" }
      output { traces = [otelcol.processor.batch.max.input] }
    }
    otelcol.processor.batch "max" {
      timeout = "100ms"
      send_batch_size = 10
      send_batch_max_size = 10
      output { traces = [otlptest.recorder.max.input] }
    }
    otlptest.recorder "max" { name = "batch-max" }

    otelcol.receiver.otlp "md" {
      http {
        endpoint = "127.0.0.1:${port.md}"
        include_metadata = true
      }
      output { traces = [otelcol.processor.batch.md.input] }
    }
    otelcol.processor.batch "md" {
      timeout = "50ms"
      metadata_keys = ["X-Tenant"]
      metadata_cardinality_limit = 2
      output { traces = [otlptest.recorder.md.input] }
    }
    otlptest.recorder "md" { name = "batch-md" }
    `,
    { components: [recorderComponent] },
  );
  await eventually(() => e.logs.filter((l) => l.includes('Starting HTTP')).length >= 3, 5000, 'servers');
});

after(async () => {
  await e?.stop();
});

async function post(
  which: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<number> {
  const json = typeof body === 'string';
  const r = await fetch(`http://127.0.0.1:${port[which]}/v1/traces`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': json ? 'application/json' : 'application/x-protobuf', ...headers },
  });
  await r.arrayBuffer();
  return r.status;
}
const pb = (prefix: string, n: number, service?: string) =>
  Buffer.from(encodeExportTraceServiceRequest(request(prefix, n, service)));

test('size trigger: requests are merged once send_batch_size items are pending', async () => {
  assert.equal(await post('size', pb('a', 4)), 200);
  assert.equal(await post('size', pb('b', 4)), 200);
  assert.equal(rec('batch-size').traces.length, 0, 'below send_batch_size: waiting');
  assert.equal(await post('size', pb('c', 4)), 200);
  await eventually(() => rec('batch-size').traces.length === 1, 2000, 'batch');
  const b = rec('batch-size').traces[0]!;
  assert.deepEqual(spanNames(b), ['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'c0', 'c1', 'c2', 'c3']);
  assert.equal(b.resourceSpans.length, 3, 'envelopes are concatenated, as the collector');
  const m = await e.engine.metricsText();
  assert.equal(metricValue(m, 'otelcol_processor_batch_batch_size_trigger_send_total', 'batch.size"'), 1);
  assert.equal(metricValue(m, 'otelcol_processor_batch_batch_send_size_sum', 'batch.size"'), 12);
  assert.ok(metricValue(m, 'otelcol_processor_batch_batch_send_size_bytes_sum', 'batch.size"') > 12 * 20);
  assert.equal(metricValue(m, 'otelcol_processor_batch_metadata_cardinality', 'batch.size"'), 1);
});

test('send_batch_max_size splits encoded and decoded requests; the rest leaves on timeout', async () => {
  assert.equal(await post('max', pb('x', 25, 'enc')), 200);
  await eventually(() => rec('batch-max').traces.length === 3, 2000, 'three batches');
  const sizes = rec('batch-max').traces.map((t) => spanNames(t).length);
  assert.deepEqual(sizes, [10, 10, 5]);
  assert.deepEqual(
    rec('batch-max').traces.flatMap(spanNames),
    Array.from({ length: 25 }, (_, i) => `x${i}`),
  );
  for (const t of rec('batch-max').traces) {
    assert.equal(str(t.resourceSpans[0]!.resource!.attributes[0]!.value), 'enc', 'resource repeated');
    assert.equal(t.resourceSpans[0]!.scopeSpans[0]!.scope!.name, 'sc', 'scope repeated');
  }
  // Decoded (JSON) requests split the same way.
  assert.equal(await post('max', encodeExportTraceServiceRequestJson(request('j', 13, 'json'))), 200);
  await eventually(() => rec('batch-max').traces.length === 5, 2000, 'two more batches');
  assert.deepEqual(
    rec('batch-max')
      .traces.slice(3)
      .map((t) => spanNames(t).length),
    [10, 3],
  );
  assert.equal(str(rec('batch-max').traces[4]!.resourceSpans[0]!.resource!.attributes[0]!.value), 'json');
  const m = await e.engine.metricsText();
  assert.equal(metricValue(m, 'otelcol_processor_batch_batch_size_trigger_send_total', 'batch.max"'), 3);
  assert.equal(metricValue(m, 'otelcol_processor_batch_timeout_trigger_send_total', 'batch.max"'), 2);
});

test('metadata_keys: one batcher per value combination, metadata kept, cardinality limit enforced', async () => {
  assert.equal(await post('md', pb('a', 2), { 'X-Tenant': 'a', 'X-Other': 'dropped' }), 200);
  assert.equal(await post('md', pb('b', 2), { 'X-Tenant': 'b' }), 200);
  assert.equal(await post('md', pb('a', 1), { 'X-Tenant': 'a' }), 200);
  assert.equal(await post('md', pb('c', 1), { 'X-Tenant': 'c' }), 500, 'a third combination is refused');
  await eventually(() => rec('batch-md').traces.length === 2, 2000, 'two batches');
  const r = rec('batch-md');
  const byTenant = new Map(r.traces.map((t, i) => [r.ctx[i]?.metadata?.['x-tenant']?.[0], spanNames(t)]));
  assert.deepEqual(byTenant.get('a'), ['a0', 'a1', 'a0']);
  assert.deepEqual(byTenant.get('b'), ['b0', 'b1']);
  for (const c of r.ctx) assert.deepEqual(Object.keys(c!.metadata!), ['x-tenant']);
  const m = await e.engine.metricsText();
  assert.equal(metricValue(m, 'otelcol_processor_batch_metadata_cardinality', 'batch.md"'), 2);
});

test('metrics split at data-point granularity with the metric descriptor in both halves', () => {
  const pts = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      attributes: [],
      startTimeUnixNano: 0n,
      timeUnixNano: BigInt(i),
      asDouble: i,
      exemplars: [],
      flags: 0,
    }));
  const req: ExportMetricsServiceRequest = {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              { name: 'a', description: '', unit: '', metadata: [], gauge: { dataPoints: pts(3) } },
              {
                name: 'b',
                description: 'd',
                unit: 's',
                metadata: [],
                sum: { dataPoints: pts(4), aggregationTemporality: 2, isMonotonic: true },
              },
            ],
            schemaUrl: '',
          },
        ],
        schemaUrl: '',
      },
    ],
  };
  const [h, t] = splitMetrics(req, 5);
  assert.equal(countDataPoints(h), 5);
  assert.equal(countDataPoints(t), 2);
  const hb = h.resourceMetrics[0]!.scopeMetrics[0]!.metrics[1]!;
  const tb = t.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
  assert.equal(hb.name, 'b');
  assert.equal(tb.name, 'b');
  assert.equal(tb.sum!.isMonotonic, true);
  assert.deepEqual(
    [...hb.sum!.dataPoints, ...tb.sum!.dataPoints].map((p) => p.asDouble),
    [0, 1, 2, 3],
  );
});
