/** The connectors: spanlogs, spanmetrics and servicegraph. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { otelcolConnectorSpanlogs } from '../../src/components/otelcol/connector/spanlogs.js';
import {
  otelcolConnectorSpanmetrics,
  type SpanMetricsConnector,
} from '../../src/components/otelcol/connector/spanmetrics.js';
import {
  otelcolConnectorServicegraph,
  type ServiceGraphConnector,
} from '../../src/components/otelcol/connector/servicegraph.js';
import { PromConverter } from '../../src/components/otelcol/exporter/prometheus-convert.js';
import { labelsKey } from '../../src/components/prometheus/labels.js';
import {
  allLogs,
  allMetrics,
  buildFromBody,
  decodeErrors,
  eventually,
  hexId,
  plain,
  producers,
  recorded,
  span,
  startEngine,
  testOtelComponents,
  traces,
} from './support.js';

const TRACE = '0102030405060708090a0b0c0d0e0f10';

test('spanlogs: spans, roots, processes and events as logfmt records', async () => {
  const { input, out } = buildFromBody(
    otelcolConnectorSpanlogs,
    `
spans              = true
roots              = true
processes          = true
events             = true
span_attributes    = ["http.method", "http.status_code"]
process_attributes = ["host"]
event_attributes   = ["exception.message"]
labels             = ["svc", "http.method"]
output { logs = [OUT] }
`,
  );
  await input.consumeTraces!(
    traces({ 'service.name': 'api', host: 'h1' }, [
      span({
        name: 'GET /x',
        attrs: { 'http.method': 'GET', 'http.status_code': 200, ignored: 'x' },
        status: { code: 2, message: '' },
        events: [
          {
            name: 'exception',
            timeUnixNano: 1n,
            attributes: [{ key: 'exception.message', value: { stringValue: 'boom here' } }],
            droppedAttributesCount: 0,
          },
        ],
      }),
      span({ name: 'child', spanId: hexId('1111111111111111'), parentSpanId: hexId('0102030405060708') }),
    ]),
  );
  const recs = allLogs(out.logs).map((r) => ({
    body: plain([{ key: 'b', value: r.body! }]).b,
    attrs: plain(r.attributes),
  }));
  assert.deepEqual(recs, [
    { body: `svc=api host=h1 tid=${TRACE}`, attrs: { traces: 'process', svc: 'api' } },
    {
      body: `span="GET /x" dur=250000000ns status=Error http.method=GET http.status_code=200 svc=api host=h1 tid=${TRACE}`,
      attrs: { traces: 'span', svc: 'api', 'http.method': 'GET' },
    },
    {
      body: `span="GET /x" dur=250000000ns status=Error http.method=GET http.status_code=200 svc=api host=h1 tid=${TRACE}`,
      attrs: { traces: 'root', svc: 'api', 'http.method': 'GET' },
    },
    {
      body: `span="GET /x" dur=250000000ns status=Error http.method=GET http.status_code=200 svc=api host=h1 tid=${TRACE} exception.message="boom here"`,
      attrs: { traces: 'event', svc: 'api', 'http.method': 'GET' },
    },
    {
      body: `span=child dur=250000000ns svc=api host=h1 tid=${TRACE}`,
      attrs: { traces: 'span', svc: 'api' },
    },
  ]);
});

test('spanmetrics: calls and duration per service/span/kind/status and dimensions, cumulative', async () => {
  const { input, out, component } = buildFromBody(
    otelcolConnectorSpanmetrics,
    `
namespace = "traces.span.metrics"
dimension {
  name = "http.method"
}
dimension {
  name    = "region"
  default = "none"
}
histogram {
  explicit { buckets = ["100ms", "1s"] }
}
output { metrics = [OUT] }
`,
  );
  const c = component as SpanMetricsConnector;
  await input.consumeTraces!(
    traces({ 'service.name': 'api', region: 'eu' }, [
      span({ name: 'GET', attrs: { 'http.method': 'GET' } }),
      span({ name: 'GET', attrs: { 'http.method': 'GET' }, endTimeUnixNano: 1_700_000_000_050_000_000n }),
      span({ name: 'db', kind: 3, status: { code: 2, message: '' } }),
    ]),
  );
  await c.flush();
  await input.consumeTraces!(
    traces({ 'service.name': 'api', region: 'eu' }, [span({ name: 'GET', attrs: { 'http.method': 'GET' } })]),
  );
  await c.flush();
  assert.equal(out.metrics.length, 2);
  const [calls, duration] = allMetrics([out.metrics[1]!]);
  assert.equal(calls!.name, 'traces.span.metrics.calls');
  assert.equal(duration!.name, 'traces.span.metrics.duration');
  assert.equal(duration!.unit, 'ms');
  assert.deepEqual(plain(out.metrics[1]!.resourceMetrics[0]!.resource!.attributes), {
    'service.name': 'api',
    region: 'eu',
  });
  const byName = new Map(calls!.sum!.dataPoints.map((dp) => [plain(dp.attributes)['span.name'], dp]));
  assert.deepEqual(plain(byName.get('GET')!.attributes), {
    'service.name': 'api',
    'span.name': 'GET',
    'span.kind': 'SPAN_KIND_SERVER',
    'status.code': 'STATUS_CODE_UNSET',
    'http.method': 'GET',
    region: 'eu',
  });
  assert.equal(byName.get('GET')!.asInt, 3n, 'cumulative across flushes');
  assert.deepEqual(plain(byName.get('db')!.attributes)['status.code'], 'STATUS_CODE_ERROR');
  const h = duration!.histogram!.dataPoints.find((dp) => plain(dp.attributes)['span.name'] === 'GET')!;
  assert.deepEqual(h.explicitBounds, [100, 1000]);
  assert.deepEqual(h.bucketCounts, [1, 2, 0]);
  assert.equal(h.count, 3);
  assert.equal(h.sum, 550);
  // The Prometheus names the collector's translation gives.
  const names = new Set<string>();
  const b = new PromConverter({
    includeTargetInfo: false,
    includeScopeInfo: false,
    includeScopeLabels: false,
    addMetricSuffixes: true,
    resourceToTelemetryConversion: false,
    honorMetadata: false,
    keepIdentifyingResourceAttributes: false,
    startTimestampZeroIngestion: false,
  }).convert(out.metrics[1]!)!;
  for (let i = 0; i < b.count; i++) names.add(labelsKey(b.series[i]!).match(/__name__="([^"]+)"/)![1]!);
  assert.deepEqual([...names].sort(), [
    'traces_span_metrics_calls_total',
    'traces_span_metrics_duration_milliseconds_bucket',
    'traces_span_metrics_duration_milliseconds_count',
    'traces_span_metrics_duration_milliseconds_sum',
  ]);
});

test('spanmetrics: delta temporality, exponential histogram, cardinality limit, validation', async () => {
  const { input, out, component } = buildFromBody(
    otelcolConnectorSpanmetrics,
    `
aggregation_temporality       = "DELTA"
aggregation_cardinality_limit = 1
histogram {
  unit = "s"
  exponential { max_size = 10 }
}
output { metrics = [OUT] }
`,
  );
  const c = component as SpanMetricsConnector;
  await input.consumeTraces!(traces({ 'service.name': 'a' }, [span({ name: 'x' }), span({ name: 'y' })]));
  await c.flush();
  await c.flush();
  assert.equal(out.metrics.length, 1, 'nothing new: no delta flush');
  const [calls, duration] = allMetrics(out.metrics);
  assert.equal(calls!.sum!.aggregationTemporality, 1);
  assert.deepEqual(
    calls!.sum!.dataPoints.map(
      (dp) => plain(dp.attributes)['span.name'] ?? plain(dp.attributes)['otel.metric.overflow'],
    ),
    ['x', true],
  );
  const e = duration!.exponentialHistogram!.dataPoints[0]!;
  assert.equal(e.count, 1);
  assert.equal(e.sum, 0.25);
  assert.ok(e.positive!.bucketCounts.length <= 10);
  assert.deepEqual(decodeErrors(otelcolConnectorSpanmetrics, `histogram {}\noutput {}`), [
    'either exponential or explicit histogram configuration must be specified',
  ]);
  assert.deepEqual(
    decodeErrors(
      otelcolConnectorSpanmetrics,
      `dimension { name = "span.name" }\nhistogram {\n  explicit {}\n}\noutput {}`,
    ),
    ['failed validating dimensions: duplicate dimension name span.name'],
  );
});

test('servicegraph: client/server pairing, failures, database and virtual nodes, expiry', async () => {
  const { input, out, component } = buildFromBody(
    otelcolConnectorServicegraph,
    `
dimensions = ["region"]
latency_histogram_buckets = ["100ms", "1s"]
store {
  ttl       = "1s"
  max_items = 10
}
metrics_flush_interval = "0s"
output { metrics = [OUT] }
`,
  );
  const c = component as ServiceGraphConnector;
  const clientId = hexId('aaaaaaaaaaaaaaaa');
  // The server span arrives first, the client span later (separate requests).
  await input.consumeTraces!(
    traces({ 'service.name': 'backend', region: 'eu' }, [
      span({
        kind: 2,
        spanId: hexId('bbbbbbbbbbbbbbbb'),
        parentSpanId: clientId,
        status: { code: 2, message: '' },
      }),
    ]),
  );
  await input.consumeTraces!(
    traces({ 'service.name': 'frontend' }, [
      span({ kind: 3, spanId: clientId, endTimeUnixNano: 1_700_000_000_500_000_000n }),
    ]),
  );
  // A database call completes at once; a root server span and a lone client span expire.
  await input.consumeTraces!(
    traces({ 'service.name': 'frontend' }, [
      span({ kind: 3, spanId: hexId('cccccccccccccccc'), attrs: { 'db.name': 'orders' } }),
      span({ kind: 3, spanId: hexId('dddddddddddddddd'), attrs: { 'peer.service': 'payments' } }),
      span({ kind: 2, spanId: hexId('eeeeeeeeeeeeeeee') }),
    ]),
  );
  c.expire(Date.now() + 5000);
  await c.flush();
  const last = out.metrics[out.metrics.length - 1]!;
  const ms = new Map(allMetrics([last]).map((m) => [m.name, m]));
  const total = ms
    .get('traces_service_graph_request_total')!
    .sum!.dataPoints.map((dp) => plain(dp.attributes));
  assert.deepEqual(total.map((a) => `${a.client}->${a.server}:${a.connection_type}:${a.failed}`).sort(), [
    'frontend->backend::true',
    'frontend->orders:database:false',
    'frontend->payments:virtual_node:false',
    'user->frontend:virtual_node:false',
  ]);
  assert.deepEqual(
    total.find((a) => a.server === 'backend'),
    {
      client: 'frontend',
      server: 'backend',
      connection_type: '',
      failed: true,
      server_region: 'eu',
    },
  );
  assert.equal(ms.get('traces_service_graph_request_failed_total')!.sum!.dataPoints.length, 1);
  const server = ms
    .get('traces_service_graph_request_server_seconds')!
    .histogram!.dataPoints.find((dp) => plain(dp.attributes).server === 'backend')!;
  assert.deepEqual(server.explicitBounds, [0.1, 1]);
  assert.deepEqual(server.bucketCounts, [0, 1, 0]);
  const client = ms
    .get('traces_service_graph_request_client_seconds')!
    .histogram!.dataPoints.find((dp) => plain(dp.attributes).server === 'backend')!;
  assert.equal(client.sum, 0.5);
});

test('spanmetrics through the engine flushes on its interval', async () => {
  const r = startEngine(
    `
testotel.producer "p" { output { traces = [otelcol.connector.spanmetrics.sm.input] } }
otelcol.connector.spanmetrics "sm" {
  metrics_flush_interval = "50ms"
  histogram {
    explicit {}
  }
  output { metrics = [testotel.recorder.sm.input] }
}
testotel.recorder "sm" {}
`,
    { components: testOtelComponents },
  );
  try {
    await producers.get('p')!.traces(traces({ 'service.name': 'svc' }, [span()]));
    await eventually(() => recorded('sm').metrics.length > 0, 3000, 'a flush');
    assert.equal(allMetrics(recorded('sm').metrics)[0]!.name, 'traces.span.metrics.calls');
  } finally {
    await r.stop();
  }
});
