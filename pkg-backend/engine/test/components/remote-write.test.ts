import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { labelsFromRecord, labelsKey } from '../../src/components/prometheus/labels.js';
import { remoteWriteTuning } from '../../src/components/prometheus/remote_write/component.js';
import {
  makeBatch,
  recorders,
  seriesSet,
  sources,
  startPromEngine,
  waitFor,
} from './prom-test-components.js';
import { FakeEndpoint, freePort, metricValue } from './rw-helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'foundry-rw-'));
remoteWriteTuning.stopGraceMs = 500;

function rwConfig(url: string, extra = '', queue = '') {
  return `
testcomponents.prom_source "src" {
  forward_to = [prometheus.remote_write.rw.receiver]
}

prometheus.remote_write "rw" {
  ${extra}
  endpoint {
    url = ${JSON.stringify(url)}
    queue_config {
      batch_send_deadline = "50ms"
      max_samples_per_send = 100
      min_backoff = "10ms"
      max_backoff = "100ms"
      ${queue}
    }
  }
}
`;
}

describe('prometheus.remote_write → prometheus.receive_http', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const s of stops) await s();
  });

  test('every sample arrives once, with external labels and stale markers', async () => {
    const port = await freePort();
    const r = startPromEngine(
      rwConfig(
        `http://127.0.0.1:${port}/api/v1/metrics/write`,
        'external_labels = { cluster = "c1", job = "ext" }',
      ) +
        `
prometheus.receive_http "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}
  }
  forward_to = [testcomponents.prom_recorder.rec.receiver]
}

testcomponents.prom_recorder "rec" {}
`,
      join(tmp, 'pipeline'),
    );
    stops.push(r.stop);
    const src = sources.get('testcomponents.prom_source.src')!;
    const rec = recorders.get('testcomponents.prom_recorder.rec')!;
    const series = [...seriesSet(150), labelsFromRecord({ __name__: 'with_job', job: 'own' })];
    const t0 = 1_700_000_000_000;
    for (let k = 0; k < 5; k++) {
      src.push(
        makeBatch(
          series,
          t0 + k * 15_000,
          (i) => i * 10 + k,
          (i) => k === 4 && i % 2 === 0,
        ),
      );
    }
    await waitFor(() => rec.samples.length >= 5 * series.length, 15_000, 'all samples');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(rec.samples.length, 5 * series.length, 'no duplicates');
    const byKey = new Map<string, typeof rec.samples>();
    for (const s of rec.samples) {
      const k = labelsKey(s.labels);
      byKey.set(k, [...(byKey.get(k) ?? []), s]);
    }
    assert.equal(byKey.size, series.length);
    const first = byKey.get('{__name__="test_metric", cluster="c1", idx="0", job="ext"}')!;
    assert.ok(first, [...byKey.keys()].slice(0, 3).join(' '));
    assert.deepEqual(
      first.map((s) => s.timestamp),
      [0, 1, 2, 3, 4].map((k) => t0 + k * 15_000),
    );
    assert.deepEqual(
      first.map((s) => s.stale),
      [false, false, false, false, true],
    );
    assert.deepEqual(
      first.slice(0, 4).map((s) => s.value),
      [0, 1, 2, 3],
    );
    const one = byKey.get('{__name__="test_metric", cluster="c1", idx="1", job="ext"}')!;
    assert.deepEqual(
      one.map((s) => s.stale),
      [false, false, false, false, false],
    );
    assert.equal(one[4]!.value, 14);
    assert.ok(byKey.has('{__name__="with_job", cluster="c1", job="own"}'), 'own job label kept');
    // Same series → same Labels array downstream (interned by receive_http).
    assert.equal(first[0]!.labels, first[4]!.labels);
    const metrics = await r.engine.metricsText();
    assert.equal(metricValue(metrics, 'prometheus_remote_storage_samples_total'), 5 * series.length);
    assert.equal(metricValue(metrics, 'prometheus_remote_storage_samples_in_total'), 5 * series.length);
    assert.equal(
      metricValue(metrics, 'prometheus_remote_write_wal_samples_appended_total'),
      5 * series.length,
    );
    assert.equal(metricValue(metrics, 'prometheus_remote_write_wal_storage_active_series'), series.length);
    assert.equal(metricValue(metrics, 'prometheus_remote_storage_samples_pending'), 0);
    assert.equal(metricValue(metrics, 'prometheus_forwarded_samples_total'), 5 * series.length);
    assert.match(
      metrics,
      /prometheus_remote_storage_shards\{[^}]*remote_name="[0-9a-f]{6}"[^}]*url="http:\/\/127/,
    );
    await r.stop();
    stops.pop();
  });
});

describe('prometheus.remote_write retries', () => {
  test('retries 500 and 429 (honouring Retry-After), drops on 400, sends headers', async () => {
    const port = await freePort();
    const ep = new FakeEndpoint(port);
    // 1st and 2nd: 500; 3rd: 429 Retry-After 1s; then success. Batch 2's first attempt: 400.
    ep.respond = (n) =>
      n < 2
        ? { status: 500 }
        : n === 2
          ? { status: 429, headers: { 'Retry-After': '1' } }
          : n === 4
            ? { status: 400 }
            : { status: 204 };
    await ep.start();
    const r = startPromEngine(rwConfig(`http://127.0.0.1:${port}/push`), join(tmp, 'retries'));
    try {
      const src = sources.get('testcomponents.prom_source.src')!;
      const series = seriesSet(10);
      const t0 = Date.now();
      src.push(makeBatch(series, 1000, (i) => i));
      await waitFor(() => ep.samples.length === 10, 10_000, 'first batch delivered');
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 950, `Retry-After honoured (${elapsed}ms)`);
      assert.deepEqual(
        ep.requests.map((q) => q.status),
        [500, 500, 429, 204],
      );
      assert.equal(ep.requests[0]!.headers['content-encoding'], 'snappy');
      assert.equal(ep.requests[0]!.headers['content-type'], 'application/x-protobuf');
      assert.equal(ep.requests[0]!.headers['x-prometheus-remote-write-version'], '0.1.0');
      assert.match(String(ep.requests[0]!.headers['user-agent']), /^Alloy\//);
      assert.equal(ep.requests[1]!.headers['retry-attempt'], '1');
      src.push(makeBatch(series, 2000, (i) => i));
      await waitFor(() => ep.requests.length >= 5, 5000, 'second batch attempted');
      src.push(makeBatch(series, 3000, (i) => i));
      await waitFor(() => ep.samples.length === 20, 5000, 'third batch delivered');
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(ep.requests[4]!.status, 400);
      assert.deepEqual(
        ep.samples.slice(10).map((s) => s.timestamp),
        new Array(10).fill(3000),
      );
      const m = await r.engine.metricsText();
      assert.equal(metricValue(m, 'prometheus_remote_storage_samples_retried_total'), 30);
      assert.equal(metricValue(m, 'prometheus_remote_storage_samples_failed_total'), 10);
      assert.equal(metricValue(m, 'prometheus_remote_storage_samples_total'), 20);
      assert.equal(metricValue(m, 'prometheus_remote_storage_queue_highest_sent_timestamp_seconds'), 3);
    } finally {
      await r.stop();
      await ep.stop();
    }
  });

  test('retry_on_http_429 = false drops on 429', async () => {
    const port = await freePort();
    const ep = new FakeEndpoint(port);
    ep.respond = (n) => (n === 0 ? { status: 429 } : { status: 200 });
    await ep.start();
    const r = startPromEngine(
      rwConfig(`http://127.0.0.1:${port}/push`, '', 'retry_on_http_429 = false'),
      join(tmp, 'no429'),
    );
    try {
      const src = sources.get('testcomponents.prom_source.src')!;
      src.push(makeBatch(seriesSet(3), 1000, (i) => i));
      await waitFor(() => ep.requests.length === 1, 5000, 'first attempt');
      src.push(makeBatch(seriesSet(3), 2000, (i) => i));
      await waitFor(() => ep.samples.length === 3, 5000, 'second batch');
      assert.deepEqual(
        ep.samples.map((s) => s.timestamp),
        [2000, 2000, 2000],
      );
    } finally {
      await r.stop();
      await ep.stop();
    }
  });
});

describe('prometheus.remote_write durability (in process)', () => {
  test('an endpoint outage across an engine restart loses nothing and sends nothing twice', async () => {
    const port = await freePort();
    const storage = join(tmp, 'durable');
    const ep = new FakeEndpoint(port);
    const series = seriesSet(50);
    // Phase 1: endpoint down.
    let r = startPromEngine(rwConfig(`http://127.0.0.1:${port}/push`), storage);
    let src = sources.get('testcomponents.prom_source.src')!;
    for (let k = 0; k < 20; k++) src.push(makeBatch(series, 1000 + k, (i) => i + k));
    await new Promise((res) => setTimeout(res, 300));
    await r.stop();
    // Phase 2: restart, endpoint up, more data.
    await ep.start();
    try {
      r = startPromEngine(rwConfig(`http://127.0.0.1:${port}/push`), storage);
      src = sources.get('testcomponents.prom_source.src')!;
      for (let k = 20; k < 30; k++) src.push(makeBatch(series, 1000 + k, (i) => i + k));
      await waitFor(() => ep.samples.length >= 30 * 50, 15_000, 'all samples');
      await new Promise((res) => setTimeout(res, 200));
      await r.stop();
      // Phase 3: a restart after full delivery resends nothing.
      r = startPromEngine(rwConfig(`http://127.0.0.1:${port}/push`), storage);
      await new Promise((res) => setTimeout(res, 500));
      await r.stop();
      assert.equal(ep.samples.length, 30 * 50);
      const counts = ep.checkOrderedUnique();
      assert.equal(counts.size, 50);
      for (const c of counts.values()) assert.equal(c, 30);
    } finally {
      await ep.stop();
    }
  });
});

describe('prometheus.remote_write shards and positions', () => {
  test('a stuck shard does not hold back the others, and a restart resends only its samples', async () => {
    const port = await freePort();
    const storage = join(tmp, 'shards');
    const ep = new FakeEndpoint(port);
    let failing = true;
    // Every request holding series idx="0" fails while `failing`.
    ep.respond = (_n, keys) =>
      failing && keys.some((k) => k.includes('idx="0"')) ? { status: 503 } : { status: 204 };
    await ep.start();
    const cfg = rwConfig(`http://127.0.0.1:${port}/push`, '', 'min_shards = 4\nmax_shards = 4');
    const series = seriesSet(40);
    try {
      let r = startPromEngine(cfg, storage);
      let src = sources.get('testcomponents.prom_source.src')!;
      for (let k = 0; k < 10; k++) src.push(makeBatch(series, 1000 + k, (i) => i));
      // 3 of 4 shards deliver everything; the shard of idx="0" is stuck.
      await waitFor(() => ep.samples.length >= 300, 10_000, 'three shards delivered');
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(ep.samples.length, 300);
      assert.ok(!ep.samples.some((s) => s.key.includes('idx="0"')));
      await r.stop();
      // Restart with a healthy endpoint: only the stuck shard's samples are sent.
      failing = false;
      r = startPromEngine(cfg, storage);
      src = sources.get('testcomponents.prom_source.src')!;
      src.push(makeBatch(series, 2000, (i) => i));
      await waitFor(() => ep.samples.length >= 440, 10_000, 'all delivered');
      await new Promise((res) => setTimeout(res, 300));
      await r.stop();
      assert.equal(ep.samples.length, 440);
      const counts = ep.checkOrderedUnique();
      for (const c of counts.values()) assert.equal(c, 11);
    } finally {
      await ep.stop();
    }
  });
});

describe('prometheus.remote_write WAL bounds', () => {
  test('past the size bound the oldest undelivered segments are dropped and counted', async () => {
    const port = await freePort(); // nothing listens: the endpoint is down
    const saved = { ...remoteWriteTuning };
    remoteWriteTuning.segmentSize = 4096;
    remoteWriteTuning.maxWalBytes = 16_384;
    const r = startPromEngine(rwConfig(`http://127.0.0.1:${port}/push`), join(tmp, 'bounded'));
    try {
      const src = sources.get('testcomponents.prom_source.src')!;
      const series = seriesSet(50);
      for (let k = 0; k < 100; k++) src.push(makeBatch(series, 1000 + k, (i) => i));
      const m = await r.engine.metricsText();
      const size = metricValue(m, 'prometheus_remote_write_wal_size_bytes')!;
      assert.ok(size <= 16_384 + 4096 + 2048, `WAL bounded (${size} bytes)`);
      const dropped = metricValue(m, 'prometheus_remote_storage_samples_dropped_total', [
        'reason="wal_size_limit"',
      ]);
      assert.ok(dropped !== undefined && dropped > 0, `drops counted (${dropped})`);
    } finally {
      await r.stop();
      Object.assign(remoteWriteTuning, saved);
    }
  });
});
