/**
 * Relabel benchmarks (figures recorded in src/relabel/README.md). Run:
 *   node --conditions=foundry-source --import tsx pkg-backend/engine/bench/relabel.ts
 *
 * 1. RE2 engines on a relabel workload: six typical relabel regexes over realistic label values, each
 *    operation a full-string match plus `$1` extraction (a `replace`), 1M operations per engine.
 * 2. `RelabelRules.apply` (no cache) with a typical metric_relabel rule set over 10k distinct series.
 * 3. prometheus.relabel's receiver on batches of already-seen series (the steady state: cache hits).
 */
import { createRequire } from 'node:module';
import { Registry } from 'prom-client';
import { RE2JS } from 're2js';
import { newBatch, type Appendable } from '../src/components/prometheus/appendable.js';
import { labelsFromRecord, type Labels } from '../src/components/prometheus/labels.js';
import { PrometheusRelabel } from '../src/components/prometheus/relabel.js';
import { Logger, LogSink } from '../src/runtime/logger.js';
import { compileRelabelRegexp, compileRules, type RelabelConfig } from '../src/relabel/index.js';

const N = Number(process.env.N ?? 1_000_000);

const WORK: [string, string[]][] = [
  ['(.*)', ['http_requests_total', 'node_cpu_seconds_total', 'up', 'go_goroutines']],
  [
    '([^:]+)(?::\\d+)?',
    ['10.0.3.17:9100', 'api-server.default.svc:443', 'localhost', 'node-7.example.com:9100'],
  ],
  [
    '__meta_kubernetes_pod_label_(.+)',
    [
      '__meta_kubernetes_pod_label_app',
      '__meta_kubernetes_namespace',
      '__meta_kubernetes_pod_label_tier',
      'job',
    ],
  ],
  ['(?i)(prod|staging)-.*', ['prod-eu-1', 'Staging-us', 'dev-local', 'production']],
  [
    'node_.*|go_.*|process_.*',
    ['node_cpu_seconds_total', 'http_requests_total', 'go_gc_duration_seconds', 'process_open_fds'],
  ],
  ['(.+);(.+)', ['default;web-7f9c', 'kube-system;coredns', ';x', 'a;b']],
];

type Op = (s: string) => string | undefined;

function run(name: string, make: (re: string) => Op): void {
  const ops = WORK.map(([re, inputs]) => ({ f: make(re), inputs }));
  for (let i = 0; i < 20_000; i++) ops[i % ops.length]!.f(ops[i % ops.length]!.inputs[i & 3]!);
  const t0 = process.hrtime.bigint();
  let matched = 0;
  for (let i = 0; i < N; i++) {
    const o = ops[i % ops.length]!;
    if (o.f(o.inputs[(i >> 3) & 3]!) !== undefined) matched++;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(
    `${name.padEnd(44)} ${(N / ms / 1000).toFixed(2).padStart(6)} M ops/s  ${((ms * 1e6) / N).toFixed(0).padStart(5)} ns/op  (${matched} matched)`,
  );
}

const group1 = (s: string, m: ArrayLike<number> | null) =>
  m === null ? undefined : m[2]! >= 0 ? s.slice(m[2], m[3]) : '';

console.log(`1. RE2 engines, ${N} match+$1 operations`);
run('re2js findSubmatchIndex (chosen engine)', (re) => {
  const r = RE2JS.compile(`^(?s:${re})$`).re2();
  return (s) => group1(s, r.findSubmatchIndex(s) as number[] | null);
});
run('re2js exec (RegExp-like API)', (re) => {
  const r = RE2JS.compile(`^(?s:${re})$`);
  return (s) => {
    const m = r.exec(s);
    return m ? (m[1] ?? '') : undefined;
  };
});
try {
  const require = createRequire(import.meta.url);
  const { RE2 } = require('re2-wasm') as {
    RE2: new (p: string, f: string) => { exec(s: string): (string | undefined)[] | null };
  };
  run('re2-wasm exec', (re) => {
    const r = new RE2(`^(?s:${re})$`, 'u');
    return (s) => {
      const m = r.exec(s);
      return m ? (m[1] ?? '') : undefined;
    };
  });
} catch {
  console.log('re2-wasm not installed (devDependency): skipped');
}
run('src/relabel compileRelabelRegexp (+shortcuts)', (re) => {
  const r = compileRelabelRegexp(re);
  return (s) => group1(s, r.exec(s));
});
run('JS RegExp (baseline only: not RE2 syntax)', (re) => {
  const r = new RegExp(`^(?:${re.replace('(?i)', '')})$`, re.startsWith('(?i)') ? 'sui' : 'su');
  return (s) => {
    const m = r.exec(s);
    return m ? (m[1] ?? '') : undefined;
  };
});

// 2. Rules on uncached series.
const rules: RelabelConfig[] = [
  {
    source_labels: ['__name__'],
    separator: ';',
    regex: 'go_.*|process_.*',
    replacement: '$1',
    action: 'drop',
  },
  {
    separator: ';',
    regex: 'pod_template_hash|controller_revision_hash',
    replacement: '$1',
    action: 'labeldrop',
  },
  {
    source_labels: ['instance'],
    separator: ';',
    regex: '([^:]+):\\d+',
    target_label: 'host',
    replacement: '$1',
    action: 'replace',
  },
  {
    source_labels: ['namespace', 'pod'],
    separator: '/',
    regex: '(.*)',
    target_label: 'workload',
    replacement: '$1',
    action: 'replace',
  },
  { separator: ';', regex: '(.*)', target_label: 'cluster', replacement: 'eu-1', action: 'replace' },
];
const names = [
  'http_requests_total',
  'go_goroutines',
  'node_cpu_seconds_total',
  'process_open_fds',
  'container_memory_rss',
];
const series: Labels[] = [];
for (let i = 0; i < 10_000; i++) {
  series.push(
    labelsFromRecord({
      __name__: names[i % names.length]!,
      instance: `10.0.${(i >> 8) & 255}.${i & 255}:9100`,
      job: 'kubernetes-pods',
      namespace: `ns-${i % 20}`,
      pod: `web-${i}`,
      pod_template_hash: 'abc123',
      code: String(200 + (i % 5)),
    }),
  );
}
const compiled = compileRules(rules, { nameValidation: 'legacy' });
for (let i = 0; i < 20_000; i++) compiled.apply(series[i % series.length]!);
{
  const n = 500_000;
  const t0 = process.hrtime.bigint();
  let kept = 0;
  for (let i = 0; i < n; i++) if (compiled.apply(series[i % series.length]!)) kept++;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(
    `\n2. RelabelRules.apply, 5 rules, 7-label series, uncached: ${(n / ms / 1000).toFixed(2)} M series/s (${((ms * 1e6) / n).toFixed(0)} ns/series, ${kept} kept)`,
  );
}

// 3. prometheus.relabel steady state.
{
  const sink: Appendable = { append: () => undefined };
  const c = new PrometheusRelabel(
    {
      id: 'prometheus.relabel.bench',
      localID: 'prometheus.relabel.bench',
      logger: new Logger(new LogSink({ write: () => undefined })),
      registry: new Registry(),
      dataPath: '',
      onStateChange: () => undefined,
      httpAddress: '127.0.0.1:0',
      selfMetrics: async () => '',
    },
    { forward_to: [sink], rule: rules, max_cache_size: 100_000, cache_ttl: 0 },
  );
  const b = newBatch(series.length);
  b.count = series.length;
  for (let i = 0; i < series.length; i++) {
    b.series[i] = series[i]!;
    b.values[i] = i;
    b.timestamps[i] = 1e12;
  }
  c.append(b);
  const rounds = 100;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) c.append(b);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const samples = rounds * series.length;
  console.log(
    `3. prometheus.relabel append, cached series (batches of ${series.length}): ${(samples / ms / 1000).toFixed(2)} M samples/s (${((ms * 1e6) / samples).toFixed(0)} ns/sample)`,
  );
}
