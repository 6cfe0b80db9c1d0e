/**
 * otelcol.receiver.prometheus (samples → OTLP metrics) and otelcol.receiver.loki (entries → OTLP logs),
 * unit and through the engine, including the round trips back through the exporters.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PromToOtlp, createResource } from '../../src/components/otelcol/receiver/prometheus.js';
import { lokiEntryToLogRecord } from '../../src/components/otelcol/receiver/loki.js';
import type { SampleBatch } from '../../src/components/prometheus/appendable.js';
import { labelsFromRecord, labelsKey } from '../../src/components/prometheus/labels.js';
import { promRecorder, promSource, recorders, sources } from '../components/prom-test-components.js';
import { feeders, recordedBy, testLokiComponents } from '../loki/loki-helpers.js';
import {
  allLogs,
  allMetrics,
  eventually,
  plain,
  recorded,
  startEngine,
  testOtelComponents,
} from './support.js';

function batch(
  samples: [Record<string, string>, number, boolean?][],
  ts = 1_700_000_000_000,
  metadata?: SampleBatch['metadata'],
): SampleBatch {
  return {
    count: samples.length,
    series: samples.map(([l]) => labelsFromRecord(l)),
    timestamps: new Float64Array(samples.length).fill(ts),
    values: Float64Array.from(samples.map(([, v, s]) => (s ? NaN : v))),
    stale: Uint8Array.from(samples.map(([, , s]) => (s ? 1 : 0))),
    metadata,
  };
}

const T = { job: 'app', instance: '10.0.0.1:8080' };

test('prometheus → OTLP: resource, families from metadata, histograms, summaries, staleness', () => {
  const conv = new PromToOtlp();
  const req = conv.convert(
    batch(
      [
        [{ __name__: 'http_requests_total', code: '200', ...T }, 10],
        [{ __name__: 'temp_celsius', ...T }, 21.5],
        [{ __name__: 'lat_seconds_bucket', le: '0.1', ...T }, 2],
        [{ __name__: 'lat_seconds_bucket', le: '1', ...T }, 5],
        [{ __name__: 'lat_seconds_bucket', le: '+Inf', ...T }, 6],
        [{ __name__: 'lat_seconds_sum', ...T }, 3.5],
        [{ __name__: 'lat_seconds_count', ...T }, 6],
        [{ __name__: 'rpc_seconds', quantile: '0.5', ...T }, 0.2],
        [{ __name__: 'rpc_seconds_sum', ...T }, 10],
        [{ __name__: 'rpc_seconds_count', ...T }, 50],
        [{ __name__: 'gone', ...T }, 0, true],
        [{ __name__: 'target_info', env: 'prod', ...T }, 1],
        [{ __name__: 'no_job', instance: 'x' }, 1],
      ],
      1_700_000_000_000,
      [
        { family: 'http_requests', type: 'counter', help: 'Requests', unit: '' },
        { family: 'temp_celsius', type: 'gauge', help: '', unit: 'celsius' },
        { family: 'lat_seconds', type: 'histogram', help: 'Latency', unit: 'seconds' },
        { family: 'rpc_seconds', type: 'summary', help: '', unit: '' },
      ],
    ),
  )!;
  assert.equal(conv.dropped, 1);
  const rm = req.resourceMetrics[0]!;
  assert.deepEqual(plain(rm.resource!.attributes), {
    ...plain(createResource('app', '10.0.0.1:8080')),
    env: 'prod',
  });
  assert.deepEqual(plain(rm.resource!.attributes)['server.address'], '10.0.0.1');
  assert.equal(rm.scopeMetrics[0]!.scope!.name, 'otelcol/prometheusreceiver');
  const byName = new Map(allMetrics([req]).map((m) => [m.name, m]));
  const c = byName.get('http_requests_total')!;
  assert.equal(c.sum!.isMonotonic, true);
  assert.equal(c.sum!.aggregationTemporality, 2);
  assert.equal(c.sum!.dataPoints[0]!.asDouble, 10);
  assert.equal(c.sum!.dataPoints[0]!.timeUnixNano, 1_700_000_000_000_000_000n);
  assert.deepEqual(plain(c.sum!.dataPoints[0]!.attributes), { code: '200' });
  assert.equal(c.description, 'Requests');
  assert.deepEqual(plain(c.metadata), { 'prometheus.type': 'counter' });
  assert.equal(byName.get('temp_celsius')!.unit, 'Cel');
  const h = byName.get('lat_seconds')!;
  assert.equal(h.unit, 's');
  assert.deepEqual(h.histogram!.dataPoints[0]!.explicitBounds, [0.1, 1]);
  assert.deepEqual(h.histogram!.dataPoints[0]!.bucketCounts, [2, 3, 1]);
  assert.equal(h.histogram!.dataPoints[0]!.count, 6);
  assert.equal(h.histogram!.dataPoints[0]!.sum, 3.5);
  const s = byName.get('rpc_seconds')!;
  assert.deepEqual(s.summary!.dataPoints[0]!.quantileValues, [{ quantile: 0.5, value: 0.2 }]);
  assert.equal(s.summary!.dataPoints[0]!.count, 50);
  const gone = byName.get('gone')!;
  assert.equal(gone.gauge!.dataPoints[0]!.flags, 1);
  assert.equal(gone.gauge!.dataPoints[0]!.asDouble, undefined);
});

test('prometheus → OTLP → prometheus round trip keeps names and labels', async () => {
  const r = startEngine(
    `
testcomponents.prom_source "src" { forward_to = [otelcol.receiver.prometheus.r.receiver] }
otelcol.receiver.prometheus "r" {
  output { metrics = [otelcol.exporter.prometheus.e.input, testotel.recorder.rp.input] }
}
otelcol.exporter.prometheus "e" {
  include_target_info  = false
  include_scope_labels = false
  forward_to           = [testcomponents.prom_recorder.back.receiver]
}
testcomponents.prom_recorder "back" {}
testotel.recorder "rp" {}
`,
    { components: [...testOtelComponents, promSource, promRecorder] },
  );
  try {
    sources
      .get('testcomponents.prom_source.src')!
      .push(
        batch([[{ __name__: 'jobs_done_total', queue: 'q1', ...T }, 5]], 1_700_000_000_000, [
          { family: 'jobs_done', type: 'counter', help: '', unit: '' },
        ]),
      );
    sources
      .get('testcomponents.prom_source.src')!
      .push(batch([[{ __name__: 'jobs_done_total', queue: 'q1', ...T }, 0, true]], 1_700_000_015_000));
    const back = recorders.get('testcomponents.prom_recorder.back')!;
    await eventually(() => back.samples.length === 2);
    assert.equal(
      labelsKey(back.samples[0]!.labels),
      '{__name__="jobs_done_total", instance="10.0.0.1:8080", job="app", queue="q1"}',
    );
    assert.equal(back.samples[0]!.value, 5);
    assert.equal(back.samples[0]!.timestamp, 1_700_000_000_000);
    assert.equal(back.samples[1]!.stale, true, 'staleness survives the round trip');
    assert.equal(recorded('rp').metrics.length, 2);
  } finally {
    await r.stop();
  }
});

test('loki entries → OTLP log records; round trip through exporter.loki', async () => {
  const lr = lokiEntryToLogRecord(
    {
      labels: labelsFromRecord({ filename: '/var/log/app/x.log', job: 'varlogs' }),
      timestamp: 1_700_000_000_123_456_789n,
      line: 'hello',
      structuredMetadata: ['trace_id', 'abc'],
    },
    42n,
  );
  assert.deepEqual(plain(lr.attributes), {
    'log.file.path': '/var/log/app/x.log',
    'log.file.name': 'x.log',
    'loki.attribute.labels': 'filename,job',
    filename: '/var/log/app/x.log',
    job: 'varlogs',
    trace_id: 'abc',
  });
  assert.equal(lr.timeUnixNano, 1_700_000_000_123_456_789n);
  assert.equal(lr.observedTimeUnixNano, 42n);

  const r = startEngine(
    `
testloki.feeder "in" { forward_to = [otelcol.receiver.loki.r.receiver] }
otelcol.receiver.loki "r" {
  output { logs = [otelcol.exporter.loki.e.input, testotel.recorder.rl.input] }
}
otelcol.exporter.loki "e" { forward_to = [testloki.recorder.back.receiver] }
testloki.recorder "back" {}
testotel.recorder "rl" {}
`,
    { components: [...testOtelComponents, ...testLokiComponents] },
  );
  try {
    feeders.get('in')!([
      {
        labels: labelsFromRecord({ job: 'varlogs', env: 'dev' }),
        timestamp: 1_700_000_000_000_000_007n,
        line: 'line one',
        structuredMetadata: [],
      },
    ]);
    const back = recordedBy('back');
    await eventually(() => back.length === 1);
    assert.equal(labelsKey(back[0]!.labels), '{env="dev", exporter="OTLP", job="varlogs"}');
    assert.equal(back[0]!.line, '{"body":"line one"}');
    assert.equal(back[0]!.timestamp, 1_700_000_000_000_000_007n);
    assert.equal(allLogs(recorded('rl').logs).length, 1);
  } finally {
    await r.stop();
  }
});
