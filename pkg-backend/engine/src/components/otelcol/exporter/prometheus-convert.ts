/**
 * OTLP metrics → Prometheus samples, as Alloy's `otelcol/exporter/prometheus/internal/convert`:
 *
 * - every ResourceMetrics gives `target_info{job, instance, <resource attributes>} 1` at the current time
 *   (`include_target_info`; service.name/namespace/instance.id become job=`namespace/name` and instance,
 *   and are dropped from target_info unless `keep_identifying_resource_attributes`);
 * - every ScopeMetrics gives `otel_scope_info{…}` when `include_scope_info`; `include_scope_labels` adds
 *   `otel_scope_name` / `otel_scope_version` to every series;
 * - names follow `BuildCompliantName` (`add_metric_suffixes`: unit words, `_total`, `_ratio`); attribute
 *   names go through `NormalizeLabel`, later settings win (labels.Builder), empty values drop the label;
 * - gauges and cumulative sums (monotonic → counter, else gauge) give one sample per point; delta sums and
 *   non-cumulative histograms are dropped; histograms give `_bucket{le}` (cumulative, bounds sorted,
 *   `+Inf` = count), `_sum`, `_count`; summaries give `{quantile}`, `_sum`, `_count`;
 * - a point flagged NO_RECORDED_VALUE becomes a staleness marker; a point older than the last one written
 *   for its series is skipped; exemplars of counters and histogram buckets carry `trace_id` / `span_id`;
 * - `resource_to_telemetry_conversion` copies resource attributes onto every point first (as Alloy, into
 *   the request itself).
 *
 * Not converted (counted in `dropped`): exponential histograms (this engine's sample batches have no
 * native histograms), `convert_classic_histograms_to_nhcb`.
 *
 * Series are tracked in a cache (one frozen Labels array per series, reused across batches) that `gc`
 * empties of series not seen for the given age, as Alloy's converter.
 */
import type {
  Exemplar as OtlpExemplar,
  ExportMetricsServiceRequest,
  InstrumentationScope,
  KeyValue,
  Metric,
  NumberDataPoint,
  Resource,
} from '../../../protocols/otlp/index.js';
import { AggregationTemporality, DataPointFlags } from '../../../protocols/otlp/index.js';
import type { Exemplar, MetricMetadata, MetricType, SampleBatch } from '../../prometheus/appendable.js';
import { labelsFromPairs, type Labels } from '../../prometheus/labels.js';
import { asString, getAttr, idHexOrEmpty, isEmptyId } from '../internal/pdata.js';
import { buildCompliantName, formatFloatF, normalizeLabel } from '../internal/promname.js';

export interface ConvertOptions {
  includeTargetInfo: boolean;
  includeScopeInfo: boolean;
  includeScopeLabels: boolean;
  addMetricSuffixes: boolean;
  resourceToTelemetryConversion: boolean;
  honorMetadata: boolean;
  keepIdentifyingResourceAttributes: boolean;
  startTimestampZeroIngestion: boolean;
}

interface MemSeries {
  labels: Labels;
  /** Timestamp (ms) of the last sample written; -Infinity before the first. */
  ts: number;
  exemplarTs: number;
  lastSeen: number;
}

const NS_PER_MS = 1_000_000n;

function nsToMs(ns: bigint): number {
  return Number(ns / NS_PER_MS);
}

/** Collects samples into one batch (growable parallel arrays). */
class BatchBuilder {
  series: Labels[] = [];
  ts: number[] = [];
  values: number[] = [];
  stale: number[] = [];
  exemplars: Exemplar[] = [];
  metadata: MetricMetadata[] = [];

  add(labels: Labels, ts: number, value: number, stale: boolean): number {
    this.series.push(labels);
    this.ts.push(ts);
    this.values.push(value);
    this.stale.push(stale ? 1 : 0);
    return this.series.length - 1;
  }

  build(): SampleBatch | undefined {
    const n = this.series.length;
    if (n === 0 && this.metadata.length === 0) return undefined;
    const b: SampleBatch = {
      count: n,
      series: this.series,
      timestamps: Float64Array.from(this.ts),
      values: Float64Array.from(this.values),
      stale: Uint8Array.from(this.stale),
    };
    if (this.exemplars.length) b.exemplars = this.exemplars;
    if (this.metadata.length) b.metadata = this.metadata;
    return b;
  }
}

interface ResourceInfo {
  job: string;
  instance: string;
}

interface ScopeInfo {
  name: string;
  version: string;
}

export class PromConverter {
  private readonly series = new Map<string, MemSeries>();
  /** Points that could not be converted (exponential histograms). */
  dropped = 0;

  constructor(public opts: ConvertOptions) {}

  get activeSeries(): number {
    return this.series.size;
  }

  /** Converts a request into one batch (undefined when nothing was produced). */
  convert(req: ExportMetricsServiceRequest, now = Date.now()): SampleBatch | undefined {
    const out = new BatchBuilder();
    for (const rm of req.resourceMetrics) {
      const res = this.resource(rm.resource, out, now);
      const resAttrs = rm.resource?.attributes ?? [];
      for (const sm of rm.scopeMetrics) {
        const scope = this.scope(res, sm.scope, out, now);
        for (const m of sm.metrics) this.metric(m, res, scope, resAttrs, out, now);
      }
    }
    return out.build();
  }

  /** Forgets series not seen for `maxAgeMs` (Alloy's GC). */
  gc(maxAgeMs: number, now = Date.now()): void {
    for (const [k, s] of this.series) if (now - s.lastSeen > maxAgeMs) this.series.delete(k);
  }

  private resource(res: Resource | undefined, out: BatchBuilder, now: number): ResourceInfo {
    const attrs = res?.attributes ?? [];
    let job = '';
    const name = getAttr(attrs, 'service.name');
    if (name !== undefined) {
      const ns = getAttr(attrs, 'service.namespace');
      job = ns !== undefined ? `${asString(ns)}/${asString(name)}` : asString(name);
    }
    const inst = getAttr(attrs, 'service.instance.id');
    const instance = inst !== undefined ? asString(inst) : '';
    if (this.opts.includeTargetInfo) {
      const b = new LabelBuilder();
      b.set('__name__', 'target_info');
      b.set('job', job);
      b.set('instance', instance);
      for (const kv of attrs) {
        if (
          !this.opts.keepIdentifyingResourceAttributes &&
          (kv.key === 'service.name' || kv.key === 'service.namespace' || kv.key === 'service.instance.id')
        )
          continue;
        b.set(normalizeLabel(kv.key), asString(kv.value));
      }
      const s = this.getSeries(b, now);
      out.add(s.labels, now, 1, false);
      if (this.opts.honorMetadata)
        out.metadata.push({ family: 'target_info', type: 'gauge', help: 'Target metadata', unit: '' });
    }
    return { job, instance };
  }

  private scope(
    res: ResourceInfo,
    scope: InstrumentationScope | undefined,
    out: BatchBuilder,
    now: number,
  ): ScopeInfo {
    const info = { name: scope?.name ?? '', version: scope?.version ?? '' };
    if (this.opts.includeScopeInfo) {
      const b = new LabelBuilder();
      b.set('__name__', 'otel_scope_info');
      b.set('job', res.job);
      b.set('instance', res.instance);
      b.set('otel_scope_name', info.name);
      b.set('otel_scope_version', info.version);
      for (const kv of scope?.attributes ?? []) b.set(normalizeLabel(kv.key), asString(kv.value));
      const s = this.getSeries(b, now);
      out.add(s.labels, now, 1, false);
      if (this.opts.honorMetadata)
        out.metadata.push({ family: 'otel_scope_info', type: 'gauge', help: '', unit: '' });
    }
    return info;
  }

  private seriesFor(
    res: ResourceInfo,
    scope: ScopeInfo,
    name: string,
    attrs: readonly KeyValue[],
    now: number,
    extra?: [string, string],
  ): MemSeries {
    const b = new LabelBuilder();
    b.set('__name__', name);
    b.set('job', res.job);
    b.set('instance', res.instance);
    if (extra) b.set(extra[0], extra[1]);
    if (this.opts.includeScopeLabels) {
      b.set('otel_scope_name', scope.name);
      b.set('otel_scope_version', scope.version);
    }
    for (const kv of attrs) b.set(normalizeLabel(kv.key), asString(kv.value));
    return this.getSeries(b, now);
  }

  private getSeries(b: LabelBuilder, now: number): MemSeries {
    const pairs = b.pairs();
    const labels = labelsFromPairs(pairs);
    const key = labels.join('\xff');
    let s = this.series.get(key);
    if (!s) {
      s = { labels, ts: -Infinity, exemplarTs: -Infinity, lastSeen: now };
      this.series.set(key, s);
    }
    s.lastSeen = now;
    return s;
  }

  /** Writes a sample unless it is older than the series' last one (Alloy's writeSeries). */
  private write(out: BatchBuilder, s: MemSeries, tsNs: bigint, flags: number, value: number): number {
    const ts = nsToMs(tsNs);
    if (ts < s.ts) return -1;
    s.ts = ts;
    const stale = (flags & DataPointFlags.NO_RECORDED_VALUE_MASK) !== 0;
    return out.add(s.labels, ts, stale ? NaN : value, stale);
  }

  /** A zero at the start timestamp before a cumulative sample (`start_timestamp_zero_ingestion`). */
  private stZero(out: BatchBuilder, s: MemSeries, tsNs: bigint, startNs: bigint): void {
    if (!this.opts.startTimestampZeroIngestion || startNs === 0n) return;
    const t = nsToMs(tsNs);
    const st = nsToMs(startNs);
    if (st >= t || st <= s.ts) return;
    out.add(s.labels, st, 0, false);
    s.ts = st;
  }

  private exemplar(out: BatchBuilder, s: MemSeries, sample: number, e: OtlpExemplar): void {
    if (sample < 0) return;
    const ts = nsToMs(e.timeUnixNano);
    if (ts < s.exemplarTs) return;
    s.exemplarTs = ts;
    const pairs: string[] = [];
    if (!isEmptyId(e.spanId)) pairs.push('span_id', idHexOrEmpty(e.spanId));
    if (!isEmptyId(e.traceId)) pairs.push('trace_id', idHexOrEmpty(e.traceId));
    out.exemplars.push({ sample, labels: labelsFromPairs(pairs), value: exemplarValue(e), timestamp: ts });
  }

  private metadata(out: BatchBuilder, family: string, type: MetricType, m: Metric): void {
    if (this.opts.honorMetadata) out.metadata.push({ family, type, help: m.description, unit: m.unit });
  }

  private metric(
    m: Metric,
    res: ResourceInfo,
    scope: ScopeInfo,
    resAttrs: readonly KeyValue[],
    out: BatchBuilder,
    now: number,
  ): void {
    const name = buildCompliantName(m, '', this.opts.addMetricSuffixes);
    const join = (attrs: KeyValue[]) => {
      if (this.opts.resourceToTelemetryConversion) {
        for (const kv of resAttrs) {
          const i = attrs.findIndex((a) => a.key === kv.key);
          if (i >= 0) attrs[i] = { key: kv.key, value: kv.value };
          else attrs.push({ key: kv.key, value: kv.value });
        }
      }
      return attrs;
    };
    if (m.gauge) {
      for (const dp of m.gauge.dataPoints) {
        const s = this.seriesFor(res, scope, name, join(dp.attributes), now);
        this.write(out, s, dp.timeUnixNano, dp.flags, numberValue(dp));
      }
      this.metadata(out, name, 'gauge', m);
    } else if (m.sum) {
      const cumulative = m.sum.aggregationTemporality === AggregationTemporality.CUMULATIVE;
      if (!cumulative) return;
      const counter = m.sum.isMonotonic;
      for (const dp of m.sum.dataPoints) {
        const s = this.seriesFor(res, scope, name, join(dp.attributes), now);
        if (counter) this.stZero(out, s, dp.timeUnixNano, dp.startTimeUnixNano);
        const i = this.write(out, s, dp.timeUnixNano, dp.flags, numberValue(dp));
        if (counter) for (const e of dp.exemplars) this.exemplar(out, s, i, e);
      }
      this.metadata(out, name, counter ? 'counter' : 'gauge', m);
    } else if (m.histogram) {
      if (m.histogram.aggregationTemporality !== AggregationTemporality.CUMULATIVE) return;
      for (const dp of m.histogram.dataPoints) {
        const attrs = join(dp.attributes);
        if (dp.sum !== undefined) {
          const s = this.seriesFor(res, scope, name + '_sum', attrs, now);
          this.stZero(out, s, dp.timeUnixNano, dp.startTimeUnixNano);
          this.write(out, s, dp.timeUnixNano, dp.flags, dp.sum);
        }
        const c = this.seriesFor(res, scope, name + '_count', attrs, now);
        this.stZero(out, c, dp.timeUnixNano, dp.startTimeUnixNano);
        this.write(out, c, dp.timeUnixNano, dp.flags, dp.count);

        const n = Math.min(dp.explicitBounds.length, dp.bucketCounts.length);
        const byBound = new Map<number, number>();
        const bounds: number[] = [];
        for (let i = 0; i < n; i++) {
          byBound.set(dp.explicitBounds[i]!, dp.bucketCounts[i]!);
          bounds.push(dp.explicitBounds[i]!);
        }
        bounds.sort((a, b) => a - b);
        let acc = 0;
        for (const b of bounds) {
          acc += byBound.get(b)!;
          byBound.set(b, acc);
        }
        const exemplars = [...dp.exemplars].sort((a, b) => exemplarValue(a) - exemplarValue(b));
        let ei = 0;
        for (let i = 0; i < n; i++) {
          const bound = dp.explicitBounds[i]!;
          const count = byBound.get(bound) ?? dp.bucketCounts[i]!;
          const s = this.seriesFor(res, scope, name + '_bucket', attrs, now, ['le', formatFloatF(bound)]);
          this.stZero(out, s, dp.timeUnixNano, dp.startTimeUnixNano);
          const at = this.write(out, s, dp.timeUnixNano, dp.flags, count);
          for (; ei < exemplars.length && exemplarValue(exemplars[ei]!) < bound; ei++)
            this.exemplar(out, s, at, exemplars[ei]!);
        }
        const inf = this.seriesFor(res, scope, name + '_bucket', attrs, now, ['le', '+Inf']);
        this.stZero(out, inf, dp.timeUnixNano, dp.startTimeUnixNano);
        const at = this.write(out, inf, dp.timeUnixNano, dp.flags, dp.count);
        for (; ei < exemplars.length; ei++) this.exemplar(out, inf, at, exemplars[ei]!);
      }
      this.metadata(out, name, 'histogram', m);
    } else if (m.summary) {
      for (const dp of m.summary.dataPoints) {
        const attrs = join(dp.attributes);
        const s = this.seriesFor(res, scope, name + '_sum', attrs, now);
        this.stZero(out, s, dp.timeUnixNano, dp.startTimeUnixNano);
        this.write(out, s, dp.timeUnixNano, dp.flags, dp.sum);
        const c = this.seriesFor(res, scope, name + '_count', attrs, now);
        this.stZero(out, c, dp.timeUnixNano, dp.startTimeUnixNano);
        this.write(out, c, dp.timeUnixNano, dp.flags, dp.count);
        for (const q of dp.quantileValues) {
          const qs = this.seriesFor(res, scope, name, attrs, now, ['quantile', formatFloatF(q.quantile)]);
          this.write(out, qs, dp.timeUnixNano, dp.flags, q.value);
        }
      }
      this.metadata(out, name, 'summary', m);
    } else if (m.exponentialHistogram) {
      if (m.exponentialHistogram.aggregationTemporality === AggregationTemporality.CUMULATIVE)
        this.dropped += m.exponentialHistogram.dataPoints.length;
    }
  }
}

function numberValue(dp: NumberDataPoint): number {
  if (dp.asDouble !== undefined) return dp.asDouble;
  if (dp.asInt !== undefined) return Number(dp.asInt);
  return 0;
}

function exemplarValue(e: OtlpExemplar): number {
  if (e.asDouble !== undefined) return e.asDouble;
  if (e.asInt !== undefined) return Number(e.asInt);
  return 0;
}

/** Prometheus' labels.Builder: `set` replaces, an empty value deletes. */
class LabelBuilder {
  private readonly m = new Map<string, string>();
  set(name: string, value: string): void {
    if (value === '') this.m.delete(name);
    else this.m.set(name, value);
  }
  pairs(): string[] {
    const out: string[] = [];
    for (const [k, v] of this.m) out.push(k, v);
    return out;
  }
}
