/**
 * `otelcol.receiver.prometheus` (Alloy `receiver/prometheus`, a copy of the collector's
 * prometheusreceiver transaction): exports `receiver` (a `storage.Appendable`); every batch appended to
 * it (one scrape) becomes one OTLP metrics request sent to `output.metrics`.
 *
 * - Resource per (`job`, `instance`) label pair (samples without both are dropped): `service.name`,
 *   `service.instance.id`, `server.address` / `net.host.name` (unless loopback), `server.port` /
 *   `net.host.port`, `url.scheme` / `http.scheme` (empty: batches carry no target scheme), plus the
 *   labels of a `target_info` sample.
 * - Scope from `otel_scope_name` / `otel_scope_version` / `otel_scope_schema_url` labels (attributes from
 *   `otel_scope_info`), else `otelcol/prometheusreceiver` with the agent's build version.
 * - Families from the batch metadata (cached across batches; suffixes `_total`, `_bucket`, `_count`,
 *   `_sum`, `_created`, `_info` resolved as the receiver does): counter → monotonic cumulative Sum, gauge
 *   and unknown → Gauge, histogram → Histogram (bucket deltas from cumulative `le` series, `+Inf`
 *   folded into the count), summary → Summary; `_created` gives the start time; units map back to UCUM;
 *   `prometheus.type` goes in the metric metadata.
 * - Stale markers become points flagged NO_RECORDED_VALUE; exemplars keep `trace_id` / `span_id`.
 *
 * Samples of one series at several timestamps in one batch become separate points (the collector's
 * transaction would refuse all but the first).
 */
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import type {
  Exemplar,
  ExportMetricsServiceRequest,
  HistogramDataPoint,
  KeyValue,
  Metric,
  NumberDataPoint,
  ScopeMetrics,
  SummaryDataPoint,
} from '../../../protocols/otlp/index.js';
import { AggregationTemporality, DataPointFlags } from '../../../protocols/otlp/index.js';
import {
  APPENDABLE,
  appendableCapsule,
  type Appendable,
  type MetricMetadata,
  type SampleBatch,
} from '../../prometheus/appendable.js';
import type { Labels } from '../../prometheus/labels.js';
import { getBuildVersion } from '../../../syntax/stdlib/index.js';
import { debugMetricsBlock, outputBlock } from '../../common/otelcol-schema.js';
import { NextConsumers, type OutputArgs } from '../internal/next.js';
import { putAttr } from '../internal/pdata.js';
import { unitWordToUCUM } from '../internal/promname.js';

export interface ReceiverPrometheusArgs {
  output: OutputArgs;
}

type PromType = MetricMetadata['type'];
type Kind = 'gauge' | 'sum' | 'histogram' | 'summary';

const SCOPE_NAME = 'otel_scope_name';
const SCOPE_VERSION = 'otel_scope_version';
const SCOPE_SCHEMA_URL = 'otel_scope_schema_url';
const NOT_USEFUL = new Set([
  '__name__',
  'instance',
  '__scheme__',
  '__metrics_path__',
  'job',
  SCOPE_NAME,
  SCOPE_VERSION,
  SCOPE_SCHEMA_URL,
]);
const TRIMMABLE = ['_bucket', '_count', '_sum', '_total', '_info', '_created'];

const INTERNAL: Record<string, { type: PromType; help: string; unit: string }> = {
  up: { type: 'gauge', help: 'The scraping was successful', unit: '' },
  scrape_duration_seconds: { type: 'gauge', help: 'Duration of the scrape', unit: 'seconds' },
  scrape_samples_scraped: { type: 'gauge', help: 'The number of samples the target exposed', unit: '' },
  scrape_series_added: {
    type: 'gauge',
    help: 'The approximate number of new series in this scrape',
    unit: '',
  },
  scrape_samples_post_metric_relabeling: {
    type: 'gauge',
    help: 'The number of samples remaining after metric relabeling was applied',
    unit: '',
  },
};

function normalizeMetricName(name: string): string {
  for (const s of TRIMMABLE) if (name.endsWith(s) && name !== s) return name.slice(0, -s.length);
  return name;
}

function kindOf(type: PromType): [Kind, boolean] {
  switch (type) {
    case 'counter':
      return ['sum', true];
    case 'histogram':
      return ['histogram', true];
    case 'summary':
      return ['summary', true];
    case 'info':
    case 'stateset':
      return ['sum', false];
    default:
      return ['gauge', false];
  }
}

interface Group {
  ts: number;
  labels: Labels;
  count?: number;
  countStale: boolean;
  sum?: number;
  sumStale: boolean;
  created?: number;
  value: number;
  stale: boolean;
  complex: { bound: number; value: number }[];
  exemplars: Exemplar[];
}

interface Family {
  name: string;
  meta: { type: PromType; help: string; unit: string; family: string };
  kind: Kind;
  monotonic: boolean;
  groups: Map<string, Group>;
}

interface ScopeAcc {
  name: string;
  version: string;
  schemaUrl: string;
  families: Map<string, Family>;
}

interface ResourceAcc {
  job: string;
  instance: string;
  extra: KeyValue[];
  scopes: Map<string, ScopeAcc>;
  scopeAttrs: Map<string, KeyValue[]>;
}

function get(l: Labels, name: string): string {
  for (let i = 0; i < l.length; i += 2) if (l[i] === name) return l[i + 1]!;
  return '';
}

function isDiscernibleHost(host: string): boolean {
  if (host === 'localhost') return false;
  if (/^127\./.test(host) || host === '::1' || host === '0.0.0.0' || host === '::') return false;
  return true;
}

function splitHostPort(instance: string): [string, string] {
  const m = /^\[([^\]]*)\]:(\d*)$/.exec(instance) ?? /^([^:]*):(\d*)$/.exec(instance);
  return m ? [m[1]!, m[2]!] : [instance, ''];
}

/** The resource attributes of a (job, instance) target (`CreateResource`). */
export function createResource(job: string, instance: string, scheme = ''): KeyValue[] {
  const [host, port] = splitHostPort(instance);
  const out: KeyValue[] = [];
  const put = (k: string, v: string) => putAttr(out, k, { stringValue: v });
  put('service.name', job);
  if (isDiscernibleHost(host)) {
    put('net.host.name', host);
    put('server.address', host);
  }
  put('service.instance.id', instance);
  put('net.host.port', port);
  put('http.scheme', scheme);
  put('server.port', port);
  put('url.scheme', scheme);
  return out;
}

const msToNs = (ms: number) => BigInt(Math.round(ms)) * 1_000_000n;
const secondsToNs = (s: number) =>
  BigInt(Math.trunc(s)) * 1_000_000_000n + BigInt(Math.trunc((s - Math.trunc(s)) * 1e9));

function attributesOf(l: Labels, kind: Kind): KeyValue[] {
  const out: KeyValue[] = [];
  for (let i = 0; i < l.length; i += 2) {
    const n = l[i]!;
    if (NOT_USEFUL.has(n) || l[i + 1] === '') continue;
    if ((kind === 'histogram' && n === 'le') || (kind === 'summary' && n === 'quantile')) continue;
    out.push({ key: n, value: { stringValue: l[i + 1]! } });
  }
  return out;
}

function groupKey(l: Labels, kind: Kind, ts: number): string {
  let k = '';
  for (let i = 0; i < l.length; i += 2) {
    const n = l[i]!;
    if (n === '__name__' || n === 'instance' || n === 'job' || n === '__scheme__' || n === '__metrics_path__')
      continue;
    if ((kind === 'histogram' && n === 'le') || (kind === 'summary' && n === 'quantile')) continue;
    if (n === SCOPE_NAME || n === SCOPE_VERSION || n === SCOPE_SCHEMA_URL) continue;
    k += n + '\xff' + l[i + 1] + '\xff';
  }
  return k + ts;
}

function convertExemplar(e: { labels: Labels; value: number; timestamp: number }): Exemplar {
  const out: Exemplar = {
    filteredAttributes: [],
    timeUnixNano: msToNs(e.timestamp),
    asDouble: e.value,
    spanId: new Uint8Array(0),
    traceId: new Uint8Array(0),
  };
  for (let i = 0; i < e.labels.length; i += 2) {
    const n = e.labels[i]!;
    const v = e.labels[i + 1]!;
    const lower = n.toLowerCase();
    const size = lower === 'trace_id' ? 16 : lower === 'span_id' ? 8 : 0;
    if (size && /^[0-9a-fA-F]*$/.test(v) && v.length % 2 === 0) {
      const bytes = Buffer.from(v.slice(0, size * 2), 'hex');
      const id = new Uint8Array(size);
      id.set(bytes, size - bytes.length);
      if (size === 16) out.traceId = id;
      else out.spanId = id;
    } else out.filteredAttributes.push({ key: n, value: { stringValue: v } });
  }
  return out;
}

/** Converts appended batches to OTLP requests, remembering family metadata across batches. */
export class PromToOtlp {
  readonly metadata = new Map<string, MetricMetadata>();
  /** Samples dropped because they had no job or instance. */
  dropped = 0;

  constructor(private readonly scopeVersion = '') {}

  private lookup(name: string): MetricMetadata | undefined {
    return this.metadata.get(name);
  }

  private metadataFor(name: string): { meta: Family['meta']; family: string } {
    const internal = INTERNAL[name];
    if (internal) return { meta: { ...internal, family: name }, family: name };
    const m = this.lookup(name);
    if (m) return { meta: { type: m.type, help: m.help, unit: m.unit, family: m.family }, family: name };
    const norm = normalizeMetricName(name);
    const n = this.lookup(norm);
    if (n)
      return {
        meta: { type: n.type, help: n.help, unit: n.unit, family: n.family },
        family: n.type === 'counter' ? name : norm,
      };
    return { meta: { type: 'unknown', help: '', unit: '', family: name }, family: name };
  }

  private family(scope: ScopeAcc, name: string): Family {
    const existing = scope.families.get(name);
    if (existing) return existing;
    const fn = this.lookup(name) ? name : normalizeMetricName(name);
    const byNorm = scope.families.get(fn);
    if (
      byNorm &&
      (byNorm.kind !== 'gauge' ? normalizeMetricName(name) === byNorm.name : name === byNorm.name)
    )
      return byNorm;
    const { meta, family } = this.metadataFor(name);
    const [kind, monotonic] = kindOf(meta.type);
    const f: Family = { name: family, meta, kind, monotonic, groups: new Map() };
    scope.families.set(family, f);
    return f;
  }

  convert(b: SampleBatch): ExportMetricsServiceRequest | undefined {
    for (const m of b.metadata ?? []) this.metadata.set(m.family, m);
    const resources = new Map<string, ResourceAcc>();
    const exemplarsBySample = new Map<number, Exemplar[]>();
    for (const e of b.exemplars ?? []) {
      let l = exemplarsBySample.get(e.sample);
      if (!l) exemplarsBySample.set(e.sample, (l = []));
      l.push(convertExemplar(e));
    }
    for (let i = 0; i < b.count; i++) {
      const l = b.series[i]!;
      const job = get(l, 'job');
      const instance = get(l, 'instance');
      const name = get(l, '__name__');
      if (!job || !instance || !name) {
        this.dropped++;
        continue;
      }
      const rk = job + '\xff' + instance;
      let res = resources.get(rk);
      if (!res)
        resources.set(rk, (res = { job, instance, extra: [], scopes: new Map(), scopeAttrs: new Map() }));
      if (name === 'target_info') {
        for (let j = 0; j < l.length; j += 2)
          if (l[j] !== 'job' && l[j] !== 'instance' && l[j] !== '__name__')
            putAttr(res.extra, l[j]!, { stringValue: l[j + 1]! });
        continue;
      }
      const scopeKey =
        get(l, SCOPE_NAME) + '\xff' + get(l, SCOPE_VERSION) + '\xff' + get(l, SCOPE_SCHEMA_URL);
      if (name === 'otel_scope_info') {
        const attrs: KeyValue[] = [];
        for (let j = 0; j < l.length; j += 2) {
          const n = l[j]!;
          if (
            n === 'job' ||
            n === 'instance' ||
            n === '__name__' ||
            n === SCOPE_NAME ||
            n === SCOPE_VERSION ||
            n === SCOPE_SCHEMA_URL
          )
            continue;
          putAttr(attrs, n, { stringValue: l[j + 1]! });
        }
        res.scopeAttrs.set(scopeKey, attrs);
        continue;
      }
      let scope = res.scopes.get(scopeKey);
      if (!scope)
        res.scopes.set(
          scopeKey,
          (scope = {
            name: get(l, SCOPE_NAME),
            version: get(l, SCOPE_VERSION),
            schemaUrl: get(l, SCOPE_SCHEMA_URL),
            families: new Map(),
          }),
        );
      const fam = this.family(scope, name);
      const ts = b.timestamps[i]!;
      const key = groupKey(l, fam.kind, ts);
      let g = fam.groups.get(key);
      if (!g) {
        g = {
          ts,
          labels: l,
          countStale: false,
          sumStale: false,
          value: 0,
          stale: false,
          complex: [],
          exemplars: [],
        };
        fam.groups.set(key, g);
      }
      const v = b.values[i]!;
      const stale = b.stale[i] === 1;
      const ex = exemplarsBySample.get(i);
      if (ex) g.exemplars.push(...ex);
      if (fam.kind === 'histogram' || fam.kind === 'summary') {
        if (name.endsWith('_sum')) {
          g.sum = v;
          g.sumStale = stale;
        } else if (name.endsWith('_count')) {
          g.count = v;
          g.countStale = stale;
        } else if (name === fam.meta.family + '_created') g.created = v;
        else {
          const b = get(l, fam.kind === 'histogram' ? 'le' : 'quantile');
          const bound = b === '' ? NaN : Number(b === '+Inf' ? Infinity : b);
          if (!Number.isNaN(bound)) g.complex.push({ bound, value: v });
        }
      } else if (fam.kind === 'sum' && name === fam.meta.family + '_created') g.created = v;
      else {
        g.value = v;
        g.stale = stale;
      }
    }
    const req: ExportMetricsServiceRequest = { resourceMetrics: [] };
    for (const res of resources.values()) {
      const scopeMetrics: ScopeMetrics[] = [];
      for (const [key, s] of res.scopes) {
        const metrics = [...s.families.values()]
          .map((f) => this.metric(f))
          .filter((m): m is Metric => m !== undefined);
        if (!metrics.length) continue;
        const empty = s.name === '' && s.version === '' && s.schemaUrl === '';
        scopeMetrics.push({
          scope: {
            name: empty ? 'otelcol/prometheusreceiver' : s.name,
            version: empty ? this.scopeVersion : s.version,
            attributes: empty ? [] : (res.scopeAttrs.get(key) ?? []),
            droppedAttributesCount: 0,
          },
          metrics,
          schemaUrl: s.schemaUrl,
        });
      }
      if (!scopeMetrics.length) continue;
      const attrs = createResource(res.job, res.instance);
      for (const kv of res.extra) putAttr(attrs, kv.key, kv.value);
      req.resourceMetrics.push({
        resource: { attributes: attrs, droppedAttributesCount: 0, entityRefs: [] },
        scopeMetrics,
        schemaUrl: '',
      });
    }
    return req.resourceMetrics.length ? req : undefined;
  }

  private metric(f: Family): Metric | undefined {
    const m: Metric = {
      name: f.name,
      description: f.meta.help,
      unit: unitWordToUCUM(f.meta.unit),
      metadata: [{ key: 'prometheus.type', value: { stringValue: f.meta.type } }],
    };
    const groups = [...f.groups.values()];
    switch (f.kind) {
      case 'gauge':
      case 'sum': {
        const dps = groups.map((g) => numberPoint(g, f.kind));
        if (!dps.length) return undefined;
        if (f.kind === 'gauge') m.gauge = { dataPoints: dps };
        else
          m.sum = {
            dataPoints: dps,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            isMonotonic: f.monotonic,
          };
        return m;
      }
      case 'histogram': {
        const dps = groups.map(histogramPoint).filter((p): p is HistogramDataPoint => p !== undefined);
        if (!dps.length) return undefined;
        m.histogram = { dataPoints: dps, aggregationTemporality: AggregationTemporality.CUMULATIVE };
        return m;
      }
      case 'summary': {
        const dps = groups.map(summaryPoint).filter((p): p is SummaryDataPoint => p !== undefined);
        if (!dps.length) return undefined;
        m.summary = { dataPoints: dps };
        return m;
      }
    }
  }
}

function numberPoint(g: Group, kind: Kind): NumberDataPoint {
  const p: NumberDataPoint = {
    attributes: attributesOf(g.labels, kind),
    startTimeUnixNano: kind === 'sum' && g.created ? secondsToNs(g.created) : 0n,
    timeUnixNano: msToNs(g.ts),
    exemplars: g.exemplars,
    flags: g.stale ? DataPointFlags.NO_RECORDED_VALUE_MASK : 0,
  };
  if (!g.stale) p.asDouble = g.value;
  return p;
}

function histogramPoint(g: Group): HistogramDataPoint | undefined {
  if (g.count === undefined) return undefined;
  const pts = [...g.complex].sort((a, b) => a.bound - b.bound);
  const stale = g.sumStale || g.countStale;
  let n = pts.length + 1;
  if (n > 1 && pts[n - 2]!.bound === Infinity) n--;
  const bounds: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    bounds.push(pts[i]!.bound);
    counts.push(stale ? 0 : Math.max(0, Math.trunc(pts[i]!.value - (i ? pts[i - 1]!.value : 0))));
  }
  counts.push(stale ? 0 : Math.max(0, Math.trunc(g.count - (n > 1 ? pts[n - 2]!.value : 0))));
  const p: HistogramDataPoint = {
    attributes: attributesOf(g.labels, 'histogram'),
    startTimeUnixNano: g.created ? secondsToNs(g.created) : 0n,
    timeUnixNano: msToNs(g.ts),
    count: stale ? 0 : Math.trunc(g.count),
    bucketCounts: counts,
    explicitBounds: bounds,
    exemplars: g.exemplars,
    flags: stale ? DataPointFlags.NO_RECORDED_VALUE_MASK : 0,
  };
  if (!stale && g.sum !== undefined) p.sum = g.sum;
  return p;
}

function summaryPoint(g: Group): SummaryDataPoint | undefined {
  if (g.count === undefined) return undefined;
  const stale = g.sumStale || g.countStale;
  const pts = [...g.complex].sort((a, b) => a.bound - b.bound);
  return {
    attributes: attributesOf(g.labels, 'summary'),
    startTimeUnixNano: g.created ? secondsToNs(g.created) : 0n,
    timeUnixNano: msToNs(g.ts),
    count: stale ? 0 : Math.trunc(g.count),
    sum: stale ? 0 : (g.sum ?? 0),
    quantileValues: pts.map((q) => ({ quantile: q.bound, value: stale ? 0 : q.value })),
    flags: stale ? DataPointFlags.NO_RECORDED_VALUE_MASK : 0,
  };
}

export class ReceiverPrometheus implements Component<ReceiverPrometheusArgs> {
  private readonly next: NextConsumers;
  readonly converter = new PromToOtlp(getBuildVersion());

  constructor(
    private readonly opts: ComponentOptions,
    args: ReceiverPrometheusArgs,
  ) {
    this.next = new NextConsumers(opts.logger);
    this.update(args);
    const appendable: Appendable = { append: (b) => this.append(b) };
    opts.onStateChange({ receiver: appendableCapsule(appendable) });
  }

  run(signal: AbortSignal): Promise<void> {
    return untilAborted(signal);
  }

  update(args: ReceiverPrometheusArgs): void {
    this.next.update(args.output);
  }

  append(b: SampleBatch): void {
    const req = this.converter.convert(b);
    if (!req || !this.next.has('metrics')) return;
    this.next
      .consumeMetrics(req)
      .catch((err: Error) => this.opts.logger.error('failed to consume metrics', { err: err.message }));
  }
}

/** otelcol.receiver.prometheus — arguments as Alloy 1.18 (`internal/component/otelcol/receiver/prometheus`). */
export const otelcolReceiverPrometheus: ComponentRegistration<ReceiverPrometheusArgs> = {
  name: 'otelcol.receiver.prometheus',
  stability: 'generally-available',
  args: { blocks: { output: outputBlock, debug_metrics: debugMetricsBlock } },
  exports: { receiver: t.capsule(APPENDABLE) },
  build: (opts, args) => new ReceiverPrometheus(opts, args),
};
