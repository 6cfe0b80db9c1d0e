/** prometheus.remote_write against a real Prometheus (Debian's /usr/bin/prometheus). */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { remoteWriteTuning } from '../../src/components/prometheus/remote_write/component.js';
import { makeBatch, seriesSet, sources, startPromEngine } from './prom-test-components.js';
import { prometheusSkipReason, startPrometheus } from './prometheus-server.js';

remoteWriteTuning.stopGraceMs = 500;
const skip = prometheusSkipReason();

test('remote_write into a real Prometheus: counts, external labels, stale markers', { skip }, async () => {
  const prom = await startPrometheus();
  const storage = mkdtempSync(join(tmpdir(), 'foundry-rw-prom-'));
  const r = startPromEngine(
    `
testcomponents.prom_source "src" {
  forward_to = [prometheus.remote_write.rw.receiver]
}

prometheus.remote_write "rw" {
  external_labels = { cluster = "c1" }
  endpoint {
    url = "${prom.url}/api/v1/write"
    queue_config {
      batch_send_deadline = "50ms"
      max_samples_per_send = 500
    }
  }
}
`,
    storage,
  );
  try {
    const src = sources.get('testcomponents.prom_source.src')!;
    const series = seriesSet(20);
    const base = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;
    // 10 samples per series 15 s apart; the last one is a stale marker for even series.
    for (let k = 0; k < 10; k++) {
      src.push(
        makeBatch(
          series,
          base + k * 15_000,
          (i) => i * 100 + k,
          (i) => k === 9 && i % 2 === 0,
        ),
      );
    }
    const last = base + 9 * 15_000;
    const count = async () => {
      const res = await prom.query('sum(count_over_time(test_metric{cluster="c1"}[1h]))', last + 1000);
      return res.length ? Number(res[0]!.value[1]) : 0;
    };
    // Stale markers are not counted by count_over_time: 20×9 + 10 non-stale last samples.
    let n = 0;
    const end = Date.now() + 20_000;
    while ((n = await count()) !== 190 && Date.now() < end) await new Promise((res) => setTimeout(res, 200));
    assert.equal(n, 190);
    // Values and labels round-trip.
    const v = await prom.query('test_metric{idx="3"}', base + 5 * 15_000);
    assert.equal(v.length, 1);
    assert.equal(v[0]!.metric.cluster, 'c1');
    assert.equal(v[0]!.value[1], '305');
    // A stale marker ends the series at once; a non-stale series is still visible (5 m lookback).
    assert.equal((await prom.query('test_metric{idx="2"}', last + 1000)).length, 0, 'stale series gone');
    assert.equal((await prom.query('test_metric{idx="3"}', last + 1000)).length, 1);
  } finally {
    await r.stop();
    await prom.stop();
  }
});
