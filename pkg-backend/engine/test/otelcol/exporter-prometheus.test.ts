/**
 * otelcol.exporter.prometheus: the OTLP → Prometheus translation (unit tests on the converter) and the
 * bridge end to end: OTLP metrics → exporter → prometheus.remote_write → a real Prometheus.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  PromConverter,
  type ConvertOptions,
} from '../../src/components/otelcol/exporter/prometheus-convert.js';
import { ExporterPrometheus } from '../../src/components/otelcol/exporter/prometheus.js';
import { labelsKey, type Labels } from '../../src/components/prometheus/labels.js';
import type { SampleBatch } from '../../src/components/prometheus/appendable.js';
import { AggregationTemporality, type Metric } from '../../src/protocols/otlp/index.js';
import {
  buildCompliantName,
  formatFloatF,
  normalizeLabel,
} from '../../src/components/otelcol/internal/promname.js';
import { remoteWriteTuning } from '../../src/components/prometheus/remote_write/component.js';
import { prometheusSkipReason, startPrometheus } from '../components/prometheus-server.js';
import { gauge, hexId, metrics, point, producers, sum, testOptions, testOtelComponents } from './support.js';
import { startEngine } from './support.js';
import { promRecorder, promSource } from '../components/prom-test-components.js';

remoteWriteTuning.stopGraceMs = 500;

const DEFAULTS: ConvertOptions = {
  includeTargetInfo: true,
  includeScopeInfo: false,
  includeScopeLabels: true,
  addMetricSuffixes: true,
  resourceToTelemetryConversion: false,
  honorMetadata: false,
  keepIdentifyingResourceAttributes: false,
  startTimestampZeroIngestion: false,
};

function samples(b: SampleBatch | undefined): Map<string, { v: number; ts: number; stale: boolean }> {
  const out = new Map<string, { v: number; ts: number; stale: boolean }>();
  if (!b) return out;
  for (let i = 0; i < b.count; i++)
    out.set(labelsKey(b.series[i] as Labels), {
      v: b.values[i]!,
      ts: b.timestamps[i]!,
      stale: b.stale[i] === 1,
    });
  return out;
}

const m = (name: string, unit: string, kind: 'gauge' | 'counter' | 'updown'): Metric =>
  kind === 'gauge' ? gauge(name, [], unit) : sum(name, [], unit, kind === 'counter');

test('metric names: unit and type suffixes as BuildCompliantName', () => {
  assert.equal(
    buildCompliantName(m('http.server.duration', 's', 'gauge'), '', true),
    'http_server_duration_seconds',
  );
  assert.equal(
    buildCompliantName(m('http.server.requests', '{request}', 'counter'), '', true),
    'http_server_requests_total',
  );
  assert.equal(
    buildCompliantName(m('process.cpu.time', 's', 'counter'), '', true),
    'process_cpu_time_seconds_total',
  );
  assert.equal(buildCompliantName(m('requests_total', '1', 'counter'), '', true), 'requests_total');
  assert.equal(buildCompliantName(m('cpu.utilization', '1', 'gauge'), '', true), 'cpu_utilization_ratio');
  assert.equal(buildCompliantName(m('net.io', 'By/s', 'gauge'), '', true), 'net_io_bytes_per_second');
  assert.equal(buildCompliantName(m('mem.used', 'MiBy', 'updown'), '', true), 'mem_used_mebibytes');
  assert.equal(buildCompliantName(m('latency_seconds', 's', 'gauge'), '', true), 'latency_seconds');
  assert.equal(buildCompliantName(m('2xx.count', '', 'counter'), '', true), '_2xx_count_total');
  assert.equal(
    buildCompliantName(m('http.server.duration', 's', 'gauge'), '', false),
    'http_server_duration',
  );
  assert.equal(buildCompliantName(m('a:b.c', 's', 'counter'), '', false), 'a:b_c');
  assert.equal(normalizeLabel('k8s.pod.name'), 'k8s_pod_name');
  assert.equal(normalizeLabel('0abc'), 'key_0abc');
  assert.equal(normalizeLabel('__name__'), '__name__');
  assert.equal(formatFloatF(0.005), '0.005');
  assert.equal(formatFloatF(1e-7), '0.0000001');
  assert.equal(formatFloatF(1e21), '1000000000000000000000');
  assert.equal(formatFloatF(2.5), '2.5');
});

test('gauges, counters, job/instance, scope labels and target_info', () => {
  const conv = new PromConverter({ ...DEFAULTS });
  const req = metrics(
    {
      'service.name': 'api',
      'service.namespace': 'shop',
      'service.instance.id': 'i-1',
      'k8s.pod.name': 'p1',
    },
    [
      gauge('queue.size', [point(7n, { 'queue.name': 'q1' })], '{item}'),
      sum('http.requests', [point(42, { 'http.method': 'GET', empty: '' })], '1'),
      sum('delta.requests', [point(1)], '1', true, AggregationTemporality.DELTA),
      sum('open.connections', [point(3)], '{connection}', false),
    ],
  );
  const got = samples(conv.convert(req, 1_700_000_000_000));
  const base = 'instance="i-1", job="shop/api", otel_scope_name="meter", otel_scope_version="2.0"';
  assert.deepEqual([...got.keys()].sort(), [
    `{__name__="http_requests_total", http_method="GET", ${base}}`,
    `{__name__="open_connections", ${base}}`,
    `{__name__="queue_size", ${base}, queue_name="q1"}`,
    '{__name__="target_info", instance="i-1", job="shop/api", k8s_pod_name="p1"}',
  ]);
  assert.equal(got.get(`{__name__="queue_size", ${base}, queue_name="q1"}`)!.v, 7);
  assert.equal(
    got.get(`{__name__="http_requests_total", http_method="GET", ${base}}`)!.ts,
    1_700_000_000_000,
  );
  assert.equal(
    got.get('{__name__="target_info", instance="i-1", job="shop/api", k8s_pod_name="p1"}')!.ts,
    1_700_000_000_000,
  );

  // Options: no scope labels, no target_info, no suffixes, resource attributes on every point, keep ids.
  conv.opts = {
    ...DEFAULTS,
    includeScopeLabels: false,
    includeTargetInfo: false,
    addMetricSuffixes: false,
    resourceToTelemetryConversion: true,
  };
  const got2 = samples(
    conv.convert(metrics({ 'service.name': 'api', region: 'eu' }, [gauge('queue.size', [point(1)], 's')])),
  );
  assert.deepEqual([...got2.keys()], ['{__name__="queue_size", job="api", region="eu", service_name="api"}']);
  conv.opts = { ...DEFAULTS, keepIdentifyingResourceAttributes: true, includeScopeInfo: true };
  const got3 = samples(conv.convert(metrics({ 'service.name': 'api' }, [])));
  assert.deepEqual([...got3.keys()].sort(), [
    '{__name__="otel_scope_info", job="api", otel_scope_name="meter", otel_scope_version="2.0"}',
    '{__name__="target_info", job="api", service_name="api"}',
  ]);
});

test('histograms and summaries, staleness, out-of-order and exemplars', () => {
  const conv = new PromConverter({ ...DEFAULTS, includeTargetInfo: false, includeScopeLabels: false });
  const hist: Metric = {
    name: 'rpc.duration',
    description: '',
    unit: 'ms',
    metadata: [],
    histogram: {
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPoints: [
        {
          attributes: [],
          startTimeUnixNano: 0n,
          timeUnixNano: 2_000_000_000n,
          count: 10,
          sum: 123.5,
          bucketCounts: [1, 4, 5, 0],
          explicitBounds: [5, 10, 100],
          exemplars: [
            {
              filteredAttributes: [],
              timeUnixNano: 1_000_000_000n,
              asDouble: 7,
              spanId: hexId('aaaaaaaaaaaaaaaa'),
              traceId: hexId('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'),
            },
          ],
          flags: 0,
        },
      ],
    },
  };
  const summary: Metric = {
    name: 'gc.pause',
    description: '',
    unit: 's',
    metadata: [],
    summary: {
      dataPoints: [
        {
          attributes: [],
          startTimeUnixNano: 0n,
          timeUnixNano: 2_000_000_000n,
          count: 3,
          sum: 0.6,
          quantileValues: [
            { quantile: 0.5, value: 0.2 },
            { quantile: 0.99, value: 0.3 },
          ],
          flags: 1,
        },
      ],
    },
  };
  const b = conv.convert(metrics({}, [hist, summary]));
  const got = samples(b);
  const v = (k: string) => got.get(k)?.v;
  assert.equal(v('{__name__="rpc_duration_milliseconds_bucket", le="5"}'), 1);
  assert.equal(v('{__name__="rpc_duration_milliseconds_bucket", le="10"}'), 5);
  assert.equal(v('{__name__="rpc_duration_milliseconds_bucket", le="100"}'), 10);
  assert.equal(v('{__name__="rpc_duration_milliseconds_bucket", le="+Inf"}'), 10);
  assert.equal(v('{__name__="rpc_duration_milliseconds_sum"}'), 123.5);
  assert.equal(v('{__name__="rpc_duration_milliseconds_count"}'), 10);
  assert.equal(
    got.get('{__name__="gc_pause_seconds", quantile="0.99"}')!.stale,
    true,
    'NO_RECORDED_VALUE → stale',
  );
  assert.equal(got.get('{__name__="gc_pause_seconds_count"}')!.stale, true);
  // The exemplar (value 7) goes to the first bucket whose bound is above it: le="10".
  assert.equal(b!.exemplars!.length, 1);
  const ex = b!.exemplars![0]!;
  assert.equal(labelsKey(b!.series[ex.sample]!), '{__name__="rpc_duration_milliseconds_bucket", le="10"}');
  assert.equal(
    labelsKey(ex.labels),
    '{span_id="aaaaaaaaaaaaaaaa", trace_id="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}',
  );
  assert.equal(ex.timestamp, 1000);
  // Same series again with an older timestamp: skipped.
  const older = conv.convert(
    metrics({}, [gauge('g', [point(1, {}, 3_000_000_000n)]), gauge('g', [point(2, {}, 2_000_000_000n)])]),
  );
  assert.equal(older!.count, 1);
  assert.equal(older!.values[0], 1);
  // The series cache keeps one Labels array per series.
  const again = conv.convert(metrics({}, [gauge('g', [point(5, {}, 4_000_000_000n)])]));
  assert.equal(again!.series[0], older!.series[0]);
  conv.gc(0, Date.now() + 1);
  assert.equal(conv.activeSeries, 0);
});

test('component: converts on input and appends to forward_to', async () => {
  const batches: SampleBatch[] = [];
  let exportsSeen: Record<string, unknown> = {};
  const { opts } = testOptions('otelcol.exporter.prometheus.x', (e) => (exportsSeen = e));
  new ExporterPrometheus(opts, {
    forward_to: [{ append: (b) => batches.push(b) }],
    include_target_info: false,
    include_scope_info: false,
    include_scope_labels: false,
    gc_frequency: 300_000,
    add_metric_suffixes: true,
    resource_to_telemetry_conversion: false,
    honor_metadata: true,
    convert_classic_histograms_to_nhcb: false,
    keep_identifying_resource_attributes: false,
    start_timestamp_zero_ingestion: true,
  });
  const input = (
    exportsSeen.input as { value: { consumeMetrics(r: unknown): Promise<void>; signals: Set<string> } }
  ).value;
  assert.deepEqual([...input.signals], ['metrics']);
  await input.consumeMetrics(
    metrics({}, [sum('c', [point(3, {}, 5_000_000_000n, { startTimeUnixNano: 1_000_000_000n })])]),
  );
  assert.equal(batches.length, 1);
  // start_timestamp_zero_ingestion: a 0 at the start time, then the sample.
  assert.deepEqual([...batches[0]!.timestamps], [1000, 5000]);
  assert.deepEqual([...batches[0]!.values], [0, 3]);
  assert.deepEqual(batches[0]!.metadata, [{ family: 'c_total', type: 'counter', help: '', unit: '' }]);
});

const skip = prometheusSkipReason();

test('OTLP metrics → exporter.prometheus → remote_write → real Prometheus', { skip }, async () => {
  const prom = await startPrometheus();
  const storage = mkdtempSync(join(tmpdir(), 'foundry-otel-prom-'));
  const r = startEngine(
    `
testotel.producer "app" {
  output { metrics = [otelcol.exporter.prometheus.default.input] }
}
otelcol.exporter.prometheus "default" {
  forward_to = [prometheus.remote_write.rw.receiver]
}
prometheus.remote_write "rw" {
  endpoint {
    url = "${prom.url}/api/v1/write"
    queue_config { batch_send_deadline = "50ms" }
  }
}
`,
    { storagePath: storage, components: [...testOtelComponents, promSource, promRecorder] },
  );
  try {
    const now = BigInt(Date.now()) * 1_000_000n;
    const hist: Metric = {
      name: 'http.server.request.duration',
      description: 'Duration of HTTP server requests',
      unit: 's',
      metadata: [],
      histogram: {
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPoints: [
          {
            attributes: [{ key: 'http.route', value: { stringValue: '/users' } }],
            startTimeUnixNano: 0n,
            timeUnixNano: now,
            count: 6,
            sum: 1.5,
            bucketCounts: [2, 3, 1],
            explicitBounds: [0.1, 0.5],
            exemplars: [],
            flags: 0,
          },
        ],
      },
    };
    await producers.get('app')!.metrics(
      metrics(
        {
          'service.name': 'checkout',
          'service.namespace': 'shop',
          'service.instance.id': 'pod-1',
          'deployment.environment': 'prod',
        },
        [
          sum(
            'http.server.requests',
            [point(17, { 'http.method': 'GET', 'http.status_code': 200 }, now)],
            '{request}',
          ),
          gauge('process.memory.usage', [point(1024n, {}, now)], 'By'),
          hist,
        ],
        { name: 'io.opentelemetry.http', version: '1.2.3' },
      ),
    );
    const at = Number(now / 1_000_000n) + 1000;
    const query = async (q: string) => prom.query(q, at);
    let res: Awaited<ReturnType<typeof query>> = [];
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      res = await query('http_server_requests_total');
      if (res.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(res.length, 1, 'counter arrived');
    assert.deepEqual(res[0]!.metric, {
      __name__: 'http_server_requests_total',
      job: 'shop/checkout',
      instance: 'pod-1',
      http_method: 'GET',
      http_status_code: '200',
      otel_scope_name: 'io.opentelemetry.http',
      otel_scope_version: '1.2.3',
    });
    assert.equal(res[0]!.value[1], '17');
    // Wait until the whole batch is there (it is one remote-write request, but be patient).
    const waitFor = async (q: string) => {
      for (
        const stop = Date.now() + 10_000;
        Date.now() < stop;
        await new Promise((r) => setTimeout(r, 100))
      ) {
        const x = await query(q);
        if (x.length) return x;
      }
      return [];
    };
    const mem = await waitFor('process_memory_usage_bytes');
    assert.equal(mem[0]!.value[1], '1024');
    const buckets = await waitFor('http_server_request_duration_seconds_bucket{job="shop/checkout"}');
    assert.deepEqual(buckets.map((b) => [b.metric.le, b.value[1]]).sort(), [
      ['+Inf', '6'],
      ['0.1', '2'],
      ['0.5', '5'],
    ]);
    assert.equal((await waitFor('http_server_request_duration_seconds_count'))[0]!.value[1], '6');
    assert.equal((await waitFor('http_server_request_duration_seconds_sum'))[0]!.value[1], '1.5');
    const ti = await waitFor('target_info');
    assert.deepEqual(ti[0]!.metric, {
      __name__: 'target_info',
      job: 'shop/checkout',
      instance: 'pod-1',
      deployment_environment: 'prod',
    });
  } finally {
    await r.stop();
    await prom.stop();
  }
});
