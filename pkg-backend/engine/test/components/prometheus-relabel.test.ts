/**
 * prometheus.relabel through a real Engine, fed batches by hand and forwarding to a recording Appendable:
 * keep/drop, relabeled series identity, staleness markers, exemplars and metadata, the series cache and
 * Alloy's metrics, reloads and argument validation.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Exemplar, MetricMetadata, SampleBatch } from '../../src/components/prometheus/appendable.js';
import { labelsFromRecord, labelsToRecord, type Labels } from '../../src/components/prometheus/labels.js';
import { LruCache, TtlCache } from '../../src/components/prometheus/relabel.js';
import { RelabelRules } from '../../src/relabel/index.js';
import { Capsule } from '../../src/syntax/value.js';
import { receiverOf, recorded, runEngine, type RunningEngine } from '../relabel/support.js';

const ID = 'prometheus.relabel.r';

const pipeline = (rules: string, extra = '') => `
testrelabel.recorder "out" {}

prometheus.relabel "r" {
  forward_to = [testrelabel.recorder.out.receiver]
${extra}${rules}}
`;

const RULES = `
  rule {
    source_labels = ["__name__"]
    regex         = "go_.*"
    action        = "drop"
  }

  rule {
    source_labels = ["instance"]
    regex         = "([^:]+):\\\\d+"
    target_label  = "host"
  }
`;

const series = (rec: Record<string, string>) => labelsFromRecord(rec);
const up = series({ __name__: 'up', instance: 'node-1:9100', job: 'node' });
const goGc = series({ __name__: 'go_gc_duration_seconds', instance: 'node-1:9100', job: 'node' });
const reqs = series({ __name__: 'http_requests_total', instance: 'web:80', job: 'web', code: '200' });

function batch(
  s: Labels[],
  opts: { stale?: number[]; exemplars?: Exemplar[]; metadata?: MetricMetadata[]; t0?: number } = {},
): SampleBatch {
  const n = s.length;
  const b: SampleBatch = {
    count: n,
    series: [...s, s[0]!], // longer than count: only `count` entries count
    timestamps: new Float64Array(n + 1),
    values: new Float64Array(n + 1),
    stale: new Uint8Array(n + 1),
    exemplars: opts.exemplars,
    metadata: opts.metadata,
  };
  for (let i = 0; i < n; i++) {
    b.timestamps[i] = (opts.t0 ?? 1000) + i;
    b.values[i] = i + 0.5;
  }
  for (const i of opts.stale ?? []) b.stale[i] = 1;
  return b;
}

async function metric(r: RunningEngine, name: string): Promise<number> {
  const text = await r.engine.metricsText();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`component_id="${ID}"`));
  assert.ok(line, `metric ${name} for ${ID} is exposed`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

const out = () => recorded.get('testrelabel.recorder.out')!;
const plain = (l: Labels) => ({ ...labelsToRecord(l) });

describe('prometheus.relabel', () => {
  let r: RunningEngine | undefined;
  beforeEach(() => recorded.clear());
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  test('relabels and drops series, keeping timestamps, values and staleness with their samples', () => {
    r = runEngine(pipeline(RULES));
    receiverOf(r, ID).append(batch([up, goGc, reqs], { stale: [2] }));
    assert.equal(out().length, 1);
    const [b] = out();
    assert.deepEqual(
      b!.samples.map((s) => ({ ...s, labels: plain(s.labels) })),
      [
        {
          labels: { __name__: 'up', instance: 'node-1:9100', job: 'node', host: 'node-1' },
          t: 1000,
          v: 0.5,
          stale: false,
        },
        {
          labels: {
            __name__: 'http_requests_total',
            instance: 'web:80',
            job: 'web',
            code: '200',
            host: 'web',
          },
          t: 1002,
          v: 2.5,
          stale: true,
        },
      ],
    );
  });

  test('relabels each series once: later batches hit the cache and reuse the same Labels arrays', async () => {
    r = runEngine(pipeline(RULES));
    const recv = receiverOf(r, ID);
    recv.append(batch([up, goGc, reqs]));
    recv.append(batch([up, goGc, reqs], { t0: 2000 }));
    recv.append(batch([reqs, up], { t0: 3000 }));
    assert.equal(out().length, 3);
    assert.equal(out()[0]!.samples[0]!.labels, out()[1]!.samples[0]!.labels, 'same output array for `up`');
    assert.equal(out()[2]!.samples[1]!.labels, out()[0]!.samples[0]!.labels);
    assert.equal(await metric(r, 'alloy_prometheus_relabel_metrics_processed'), 8);
    assert.equal(await metric(r, 'alloy_prometheus_relabel_metrics_written'), 6);
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_misses'), 3);
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_hits'), 5);
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_size'), 3);
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_deletes'), 0);
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_ttl_evictions'), 0);
  });

  test('a staleness marker passes through and evicts its series from the cache', async () => {
    r = runEngine(pipeline(RULES));
    const recv = receiverOf(r, ID);
    recv.append(batch([up, reqs]));
    recv.append(batch([up], { stale: [0] }));
    assert.deepEqual(
      out()[1]!.samples.map((s) => s.stale),
      [true],
    );
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_deletes'), 1);
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_size'), 1);
    recv.append(batch([up]));
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_misses'), 3);
    // Dropped series pass their staleness markers nowhere.
    recv.append(batch([goGc], { stale: [0] }));
    assert.equal(out().length, 3);
  });

  test('exemplars follow their samples; metadata is forwarded', () => {
    r = runEngine(pipeline(RULES));
    const md: MetricMetadata[] = [{ family: 'up', type: 'gauge', help: 'h', unit: '' }];
    const exemplars: Exemplar[] = [
      { sample: 0, labels: series({ trace_id: 'a' }), value: 1, timestamp: 0 },
      { sample: 1, labels: series({ trace_id: 'b' }), value: 2, timestamp: 0 },
      { sample: 2, labels: series({ trace_id: 'c' }), value: 3, timestamp: 0 },
    ];
    receiverOf(r, ID).append(batch([up, goGc, reqs], { exemplars, metadata: md }));
    assert.deepEqual(out()[0]!.exemplars, [
      { sample: 0, value: 1 },
      { sample: 1, value: 3 },
    ]);
    assert.deepEqual(out()[0]!.metadata, ['up']);
  });

  test('a batch that relabeling leaves unchanged is forwarded as is', () => {
    r = runEngine(
      pipeline(`
  rule {
    source_labels = ["__name__"]
    regex         = "nothing"
    action        = "drop"
  }
`),
    );
    const b = batch([up, reqs]);
    receiverOf(r, ID).append(b);
    assert.equal(out()[0]!.ref, b, 'the same batch object');
    assert.equal(out()[0]!.samples[1]!.labels, reqs, 'input Labels pass through untouched');
    const dropping = batch([up, series({ __name__: 'nothing' })]);
    receiverOf(r, ID).append(dropping);
    assert.notEqual(out()[1]!.ref, dropping, 'a batch with drops is a new one');
    assert.equal(out()[1]!.samples.length, 1);
  });

  test('max_cache_size bounds the cache (LRU)', async () => {
    r = runEngine(pipeline(RULES, '  max_cache_size = 2\n'));
    const recv = receiverOf(r, ID);
    recv.append(batch([up, goGc, reqs]));
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_size'), 2);
    recv.append(batch([up])); // evicted as least recently used
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_misses'), 4);
    recv.append(batch([reqs])); // still cached
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_hits'), 1);
  });

  test('expanded targets must be legacy label names (as Alloy’s prometheus.relabel)', () => {
    r = runEngine(
      pipeline(`
  rule {
    source_labels = ["k"]
    regex         = "(.*)"
    target_label  = "$1"
    replacement   = "v"
  }
`),
    );
    receiverOf(r, ID).append(batch([series({ k: 'a.b' }), series({ k: 'a_b' })]));
    assert.deepEqual(
      out()[0]!.samples.map((s) => plain(s.labels)),
      [{ k: 'a.b' }, { k: 'a_b', a_b: 'v' }],
    );
  });

  test('exports a stable receiver and the rules; a reload with new rules clears the cache', async () => {
    r = runEngine(pipeline(RULES));
    const receiver = r.exports(ID).get('receiver');
    const rules = r.exports(ID).get('rules');
    assert.ok(rules instanceof Capsule && rules.value instanceof RelabelRules);
    assert.equal(rules.typeName, 'relabel.Rules');
    assert.equal(rules.value.configs.length, 2);
    receiverOf(r, ID).append(batch([up]));
    const res = r.load(pipeline(RULES.replace('go_.*', 'up')));
    assert.deepEqual(res.diagnostics, []);
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(r.exports(ID).get('receiver'), receiver, 'receiver capsule unchanged');
    assert.notEqual(r.exports(ID).get('rules'), rules);
    receiverOf(r, ID).append(batch([up, goGc]));
    assert.deepEqual(
      out()[1]!.samples.map((s) => s.labels[1]),
      ['go_gc_duration_seconds'],
    );
    assert.equal(await metric(r, 'alloy_prometheus_relabel_cache_misses'), 3);
  });

  test('cache arguments are validated as Alloy validates them', () => {
    r = runEngine('');
    const cases: [string, string][] = [
      ['max_cache_size = -1', 'max_cache_size must be >= 0; got -1'],
      ['max_cache_size = 0', 'one of max_cache_size or cache_ttl must be set'],
      [
        'cache_ttl = "5m"',
        'max_cache_size and cache_ttl are mutually exclusive: set max_cache_size = 0 to use cache_ttl, or unset cache_ttl to keep the bounded LRU cache',
      ],
      ['max_cache_size = 0\n  cache_ttl = "30s"', 'cache_ttl must be at least 1m0s when set; got 30s'],
    ];
    for (const [attrs, msg] of cases) {
      const res = r.load(`prometheus.relabel "x" {\n  forward_to = []\n  ${attrs}\n}`);
      assert.deepEqual(
        res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
        [msg],
      );
    }
    const ok = r.load(
      `prometheus.relabel "x" {\n  forward_to = []\n  max_cache_size = 0\n  cache_ttl = "1m"\n}`,
    );
    assert.deepEqual(ok.diagnostics, []);
  });
});

describe('relabel caches', () => {
  test('LruCache evicts the least recently used entry', () => {
    const c = new LruCache(2);
    const [a, b, d] = [series({ a: '1' }), series({ b: '1' }), series({ d: '1' })];
    c.add(a, a);
    c.add(b, null);
    assert.equal(c.get(a), a); // a is now most recent
    c.add(d, d); // evicts b
    assert.equal(c.size, 2);
    assert.equal(c.get(b), undefined);
    assert.equal(c.get(a), a);
    assert.equal(c.get(d), d);
    c.remove(a);
    assert.equal(c.size, 1);
    assert.equal(c.get(a), undefined);
  });

  test('TtlCache expires entries not used within the TTL and counts them', () => {
    let evicted = 0;
    const c = new TtlCache(60_000, (n) => (evicted += n));
    const [a, b] = [series({ a: '1' }), series({ b: '1' })];
    c.now = 0;
    c.add(a, a);
    c.add(b, null);
    c.now = 50_000;
    assert.equal(c.get(a), a); // refreshed: expires at 110 s
    assert.equal(c.scan(70_000), 1); // b expired at 60 s
    assert.equal(evicted, 1);
    assert.equal(c.get(b), undefined);
    assert.equal(c.size, 1);
    assert.equal(c.scan(111_000), 1);
    assert.equal(c.size, 0);
    c.close();
  });
});
