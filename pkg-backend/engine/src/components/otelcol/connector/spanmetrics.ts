/**
 * `otelcol.connector.spanmetrics` (Alloy `connector/spanmetrics`, the collector's spanmetricsconnector):
 * RED metrics from spans, flushed every `metrics_flush_interval`.
 *
 * - `<namespace>.calls` (monotonic Sum, int) and `<namespace>.duration` (histogram in `histogram.unit`,
 *   `ms` or `s`; `explicit { buckets }` or `exponential { max_size }`; `disable` drops it), and with
 *   `events { enabled }` `<namespace>.events` counting span events.
 * - Attributes: `service.name`, `span.name`, `span.kind` (`SPAN_KIND_SERVER`…), `status.code`
 *   (`STATUS_CODE_ERROR`…) minus `exclude_dimensions`, then each `dimension` (span attribute, else scope,
 *   else resource attribute, else its `default`, else left out); `calls_dimension` / `histogram.dimension`
 *   add to one metric only.
 * - One ResourceMetrics per distinct resource (all its attributes, or `resource_metrics_key_attributes`),
 *   carrying the resource's attributes; scope `spanmetricsconnector`.
 * - Cumulative temporality by default (start = first time the series was seen); `DELTA` resets the
 *   series after each flush. `aggregation_cardinality_limit` folds further series into one with
 *   `otel.metric.overflow=true`. Exemplars (`exemplars { enabled max_per_data_point }`) carry trace and span
 *   ids on the duration points.
 *
 * Not honoured: `dimensions_cache_size`, `resource_metrics_cache_size`, `metrics_expiration`,
 * `series_expiration`, `metric_timestamp_cache_size`, `include_instrumentation_scope`.
 */
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../../runtime/component.js';
import { t, type BlockSchema } from '../../../runtime/schema.js';
import type {
  AnyValue,
  Exemplar,
  ExponentialHistogramDataPoint,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  HistogramDataPoint,
  KeyValue,
  Metric,
  NumberDataPoint,
  ResourceMetrics,
} from '../../../protocols/otlp/index.js';
import { AggregationTemporality } from '../../../protocols/otlp/index.js';
import { consumerExports, debugMetricsBlock, outputBlock } from '../../common/otelcol-schema.js';
import { consumerCapsule, type OtelConsumer } from '../consumer.js';
import { NextConsumers, type OutputArgs } from '../internal/next.js';
import { asString, cloneAttrs, getAttr, nowUnixNano, spanKindStr, statusCodeStr } from '../internal/pdata.js';

interface DimensionArgs {
  name: string;
  default?: string;
}

export interface SpanMetricsArgs {
  dimension: DimensionArgs[];
  calls_dimension: DimensionArgs[];
  exclude_dimensions: string[];
  dimensions_cache_size?: number;
  resource_metrics_cache_size?: number;
  resource_metrics_key_attributes: string[];
  aggregation_cardinality_limit: number;
  aggregation_temporality: string;
  histogram: {
    disable: boolean;
    dimension: DimensionArgs[];
    unit: string;
    exponential?: { max_size: number };
    explicit?: { buckets: number[] };
  };
  metrics_flush_interval: number;
  namespace: string;
  exemplars: { enabled: boolean; max_per_data_point: number };
  events: { enabled: boolean; dimension: DimensionArgs[] };
  include_collector_instance_id?: boolean;
  output: OutputArgs;
}

const DEFAULT_BUCKETS_MS = [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10_000, 15_000];

/** A base-2 exponential histogram with automatic down-scaling (the OTel SDK's algorithm). */
class ExpHistogram {
  scale = 20;
  zeroCount = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly buckets = new Map<number, number>();
  constructor(private readonly maxSize: number) {}

  private index(v: number): number {
    return Math.ceil(Math.log2(v) * 2 ** this.scale) - 1;
  }

  record(v: number): void {
    this.count++;
    this.sum += v;
    this.min = Math.min(this.min, v);
    this.max = Math.max(this.max, v);
    if (v <= 0) {
      this.zeroCount++;
      return;
    }
    let idx = this.index(v);
    this.buckets.set(idx, (this.buckets.get(idx) ?? 0) + 1);
    while (this.span() > this.maxSize && this.scale > -10) {
      this.downscale();
      idx = this.index(v);
    }
  }

  private span(): number {
    if (this.buckets.size === 0) return 0;
    const keys = [...this.buckets.keys()];
    return Math.max(...keys) - Math.min(...keys) + 1;
  }

  private downscale(): void {
    const old = [...this.buckets];
    this.buckets.clear();
    for (const [i, c] of old) {
      const j = Math.floor(i / 2);
      this.buckets.set(j, (this.buckets.get(j) ?? 0) + c);
    }
    this.scale--;
  }

  point(): Pick<
    ExponentialHistogramDataPoint,
    'scale' | 'zeroCount' | 'positive' | 'count' | 'sum' | 'min' | 'max'
  > {
    const keys = [...this.buckets.keys()];
    const lo = keys.length ? Math.min(...keys) : 0;
    const hi = keys.length ? Math.max(...keys) : -1;
    const counts: number[] = [];
    for (let i = lo; i <= hi; i++) counts.push(this.buckets.get(i) ?? 0);
    return {
      scale: this.scale,
      zeroCount: this.zeroCount,
      positive: { offset: lo, bucketCounts: counts },
      count: this.count,
      sum: this.sum,
      min: this.count ? this.min : undefined,
      max: this.count ? this.max : undefined,
    };
  }
}

interface SeriesState {
  attrs: KeyValue[];
  start: bigint;
  calls: number;
  count: number;
  sum: number;
  buckets: number[];
  exp?: ExpHistogram;
  exemplars: Exemplar[];
  updated: boolean;
}

interface ResourceState {
  attrs: KeyValue[];
  calls: Map<string, SeriesState>;
  duration: Map<string, SeriesState>;
  events: Map<string, SeriesState>;
}

function dimensionValue(
  d: DimensionArgs,
  ...maps: (readonly KeyValue[] | undefined)[]
): AnyValue | undefined {
  for (const m of maps) {
    const v = getAttr(m, d.name);
    if (v !== undefined) return v;
  }
  return d.default !== undefined ? { stringValue: d.default } : undefined;
}

export class SpanMetricsConnector implements Component<SpanMetricsArgs> {
  private args!: SpanMetricsArgs;
  private readonly next: NextConsumers;
  private resources = new Map<string, ResourceState>();
  private lastFlush = nowUnixNano();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private bounds: number[] = [];
  private unitDivider = 1e6;

  constructor(
    private readonly opts: ComponentOptions,
    args: SpanMetricsArgs,
  ) {
    this.next = new NextConsumers(opts.logger);
    this.update(args);
    const consumer: OtelConsumer = {
      signals: new Set(['traces']),
      consumeTraces: async (r) => this.aggregate(r),
    };
    opts.onStateChange({ input: consumerCapsule(consumer) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.schedule();
    await untilAborted(signal);
    this.running = false;
    clearInterval(this.timer);
  }

  private schedule(): void {
    clearInterval(this.timer);
    if (!this.running) return;
    this.timer = setInterval(() => {
      this.flush().catch((err: Error) =>
        this.opts.logger.error('failed to flush metrics', { err: err.message }),
      );
    }, this.args.metrics_flush_interval);
    this.timer.unref?.();
  }

  update(args: SpanMetricsArgs): void {
    const changed = this.args && this.args.metrics_flush_interval !== args.metrics_flush_interval;
    this.args = args;
    this.unitDivider = args.histogram.unit === 's' ? 1e9 : 1e6;
    const ms = args.histogram.explicit?.buckets ?? DEFAULT_BUCKETS_MS;
    this.bounds = ms.map((b) => (args.histogram.unit === 's' ? b / 1000 : b));
    this.next.update(args.output);
    if (changed) this.schedule();
  }

  private baseAttrs(
    svc: AnyValue | undefined,
    spanName: string,
    kind: number,
    code: number | undefined,
  ): KeyValue[] {
    const ex = new Set(this.args.exclude_dimensions);
    const out: KeyValue[] = [];
    if (!ex.has('service.name'))
      out.push({ key: 'service.name', value: { stringValue: svc === undefined ? '' : asString(svc) } });
    if (!ex.has('span.name')) out.push({ key: 'span.name', value: { stringValue: spanName } });
    if (!ex.has('span.kind')) out.push({ key: 'span.kind', value: { stringValue: spanKindStr(kind) } });
    if (!ex.has('status.code')) out.push({ key: 'status.code', value: { stringValue: statusCodeStr(code) } });
    return out;
  }

  private state(map: Map<string, SeriesState>, attrs: KeyValue[], start: bigint): SeriesState {
    let key = attrs.map((kv) => `${kv.key}\xff${asString(kv.value)}`).join('\xfe');
    const limit = this.args.aggregation_cardinality_limit;
    if (limit > 0 && !map.has(key) && map.size >= limit) {
      attrs = [{ key: 'otel.metric.overflow', value: { boolValue: true } }];
      key = '\0overflow';
    }
    let s = map.get(key);
    if (!s) {
      s = {
        attrs,
        start,
        calls: 0,
        count: 0,
        sum: 0,
        buckets: new Array<number>(this.bounds.length + 1).fill(0),
        exemplars: [],
        updated: false,
      };
      if (this.args.histogram.exponential) s.exp = new ExpHistogram(this.args.histogram.exponential.max_size);
      map.set(key, s);
    }
    s.updated = true;
    return s;
  }

  /** Aggregates the spans of a request (exposed for tests). */
  aggregate(req: ExportTraceServiceRequest): void {
    const a = this.args;
    const now = nowUnixNano();
    const start = a.aggregation_temporality === 'DELTA' ? this.lastFlush : now;
    for (const rs of req.resourceSpans) {
      const rattrs = rs.resource?.attributes ?? [];
      const rkAttrs = a.resource_metrics_key_attributes.length
        ? rattrs.filter((kv) => a.resource_metrics_key_attributes.includes(kv.key))
        : rattrs;
      const rkey = [...rkAttrs]
        .map((kv) => `${kv.key}\xff${asString(kv.value)}`)
        .sort()
        .join('\xfe');
      let res = this.resources.get(rkey);
      if (!res)
        this.resources.set(
          rkey,
          (res = { attrs: cloneAttrs(rattrs), calls: new Map(), duration: new Map(), events: new Map() }),
        );
      const svc = getAttr(rattrs, 'service.name');
      for (const ss of rs.scopeSpans) {
        const sattrs = ss.scope?.attributes;
        for (const span of ss.spans) {
          const base = this.baseAttrs(svc, span.name, span.kind, span.status?.code);
          const dims = (list: DimensionArgs[], extra: readonly KeyValue[] = span.attributes) => {
            const out: KeyValue[] = [];
            for (const d of list) {
              const v = dimensionValue(d, extra, sattrs, rattrs);
              if (v !== undefined) out.push({ key: d.name, value: { stringValue: asString(v) } });
            }
            return out;
          };
          const common = [...base, ...dims(a.dimension)];
          const calls = this.state(res.calls, [...common, ...dims(a.calls_dimension)], start);
          calls.calls++;
          if (!a.histogram.disable) {
            const d = this.state(res.duration, [...common, ...dims(a.histogram.dimension)], start);
            const v = Number(span.endTimeUnixNano - span.startTimeUnixNano) / this.unitDivider;
            d.count++;
            d.sum += v;
            if (d.exp) d.exp.record(v);
            else {
              let i = 0;
              while (i < this.bounds.length && this.bounds[i]! < v) i++;
              d.buckets[i]!++;
            }
            if (
              a.exemplars.enabled &&
              (a.exemplars.max_per_data_point <= 0 || d.exemplars.length < a.exemplars.max_per_data_point)
            )
              d.exemplars.push({
                filteredAttributes: [],
                timeUnixNano: now,
                asDouble: v,
                spanId: span.spanId,
                traceId: span.traceId,
              });
          }
          if (a.events.enabled) {
            for (const ev of span.events) {
              const e = this.state(
                res.events,
                [
                  ...common,
                  { key: 'event.name', value: { stringValue: ev.name } },
                  ...dims(a.events.dimension, ev.attributes),
                ],
                start,
              );
              e.calls++;
            }
          }
        }
      }
    }
  }

  /** The metrics for the current state; resets the series in delta mode. */
  buildMetrics(): ExportMetricsServiceRequest | undefined {
    const a = this.args;
    const now = nowUnixNano();
    const delta = a.aggregation_temporality === 'DELTA';
    const temporality = delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
    const name = (n: string) => (a.namespace ? `${a.namespace}.${n}` : n);
    const out: ResourceMetrics[] = [];
    for (const res of this.resources.values()) {
      const pick = (m: Map<string, SeriesState>) => [...m.values()].filter((s) => !delta || s.updated);
      const metrics: Metric[] = [];
      const sumMetric = (n: string, list: SeriesState[]) => {
        if (!list.length) return;
        const dps: NumberDataPoint[] = list.map((s) => ({
          attributes: cloneAttrs(s.attrs),
          startTimeUnixNano: s.start,
          timeUnixNano: now,
          asInt: BigInt(s.calls),
          exemplars: [],
          flags: 0,
        }));
        metrics.push({
          name: name(n),
          description: '',
          unit: '',
          metadata: [],
          sum: { dataPoints: dps, aggregationTemporality: temporality, isMonotonic: true },
        });
      };
      sumMetric('calls', pick(res.calls));
      const dur = pick(res.duration);
      if (dur.length) {
        const m: Metric = { name: name('duration'), description: '', unit: a.histogram.unit, metadata: [] };
        if (a.histogram.exponential) {
          m.exponentialHistogram = {
            aggregationTemporality: temporality,
            dataPoints: dur.map((s) => ({
              attributes: cloneAttrs(s.attrs),
              startTimeUnixNano: s.start,
              timeUnixNano: now,
              ...s.exp!.point(),
              flags: 0,
              exemplars: s.exemplars,
              zeroThreshold: 0,
            })),
          };
        } else {
          m.histogram = {
            aggregationTemporality: temporality,
            dataPoints: dur.map((s): HistogramDataPoint => ({
              attributes: cloneAttrs(s.attrs),
              startTimeUnixNano: s.start,
              timeUnixNano: now,
              count: s.count,
              sum: s.sum,
              bucketCounts: [...s.buckets],
              explicitBounds: [...this.bounds],
              exemplars: s.exemplars,
              flags: 0,
            })),
          };
        }
        metrics.push(m);
      }
      if (a.events.enabled) sumMetric('events', pick(res.events));
      for (const m of [res.calls, res.duration, res.events]) for (const s of m.values()) s.exemplars = [];
      if (metrics.length)
        out.push({
          resource: { attributes: cloneAttrs(res.attrs), droppedAttributesCount: 0, entityRefs: [] },
          scopeMetrics: [
            {
              scope: { name: 'spanmetricsconnector', version: '', attributes: [], droppedAttributesCount: 0 },
              metrics,
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        });
    }
    if (delta) this.resources = new Map();
    else
      for (const res of this.resources.values())
        for (const m of [res.calls, res.duration, res.events]) for (const s of m.values()) s.updated = false;
    this.lastFlush = now;
    return out.length ? { resourceMetrics: out } : undefined;
  }

  async flush(): Promise<void> {
    const md = this.buildMetrics();
    if (md) await this.next.consumeMetrics(md);
  }
}

const dimensionSchema: BlockSchema = {
  attrs: { name: { type: t.string() }, default: { type: t.string() }, glob: { type: t.string() } },
};

/** otelcol.connector.spanmetrics — arguments as Alloy 1.18 (`internal/component/otelcol/connector/spanmetrics`). */
export const otelcolConnectorSpanmetrics: ComponentRegistration<SpanMetricsArgs> = {
  name: 'otelcol.connector.spanmetrics',
  stability: 'generally-available',
  args: {
    attrs: {
      exclude_dimensions: { type: t.list(t.string()), default: [] },
      dimensions_cache_size: { type: t.int() },
      resource_metrics_cache_size: { type: t.int(), default: 1000 },
      resource_metrics_key_attributes: { type: t.list(t.string()), default: [] },
      aggregation_cardinality_limit: { type: t.int(), default: 0 },
      aggregation_temporality: { type: t.string(), default: 'CUMULATIVE' },
      metrics_flush_interval: { type: t.duration(), default: 60_000 },
      metrics_expiration: { type: t.duration(), default: 0 },
      series_expiration: { type: t.duration(), default: 0 },
      metric_timestamp_cache_size: { type: t.int(), default: 1000 },
      namespace: { type: t.string(), default: 'traces.span.metrics' },
      include_instrumentation_scope: { type: t.list(t.string()) },
      include_collector_instance_id: { type: t.bool() },
    },
    blocks: {
      dimension: { schema: dimensionSchema, multiple: true },
      calls_dimension: { schema: dimensionSchema, multiple: true },
      histogram: {
        required: true,
        schema: {
          attrs: { disable: { type: t.bool(), default: false }, unit: { type: t.string(), default: 'ms' } },
          blocks: {
            dimension: { schema: dimensionSchema, multiple: true },
            exponential: {
              schema: {
                attrs: { max_size: { type: t.int(), default: 160 } },
                validate: (e) => (e.max_size <= 0 ? 'max_size must be greater than 0' : undefined),
              },
            },
            explicit: {
              schema: { attrs: { buckets: { type: t.list(t.duration()), default: DEFAULT_BUCKETS_MS } } },
            },
          },
          validate: (h) => {
            if (h.unit !== 'ms' && h.unit !== 's')
              return `unknown unit "${h.unit}", allowed units are "ms" and "s"`;
            if (h.exponential && h.explicit)
              return 'only one of exponential or explicit histogram configuration can be specified';
            if (!h.exponential && !h.explicit)
              return 'either exponential or explicit histogram configuration must be specified';
            return undefined;
          },
        },
      },
      exemplars: {
        schema: {
          attrs: {
            enabled: { type: t.bool(), default: false },
            max_per_data_point: { type: t.int(), default: 5 },
          },
        },
        defaultIfAbsent: true,
      },
      events: {
        schema: {
          attrs: { enabled: { type: t.bool(), default: false } },
          blocks: { dimension: { schema: dimensionSchema, multiple: true } },
        },
        defaultIfAbsent: true,
      },
      output: outputBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate: (a: SpanMetricsArgs) => {
      if (a.metrics_flush_interval <= 0) return 'metrics_flush_interval must be greater than 0';
      if (a.aggregation_temporality !== 'CUMULATIVE' && a.aggregation_temporality !== 'DELTA')
        return `invalid aggregation_temporality: ${a.aggregation_temporality}`;
      const seen = new Set(
        ['service.name', 'span.name', 'span.kind', 'status.code'].filter(
          (d) => !a.exclude_dimensions.includes(d),
        ),
      );
      for (const d of [...a.dimension, ...a.calls_dimension]) {
        if (seen.has(d.name)) return `failed validating dimensions: duplicate dimension name ${d.name}`;
        seen.add(d.name);
      }
      if (a.aggregation_cardinality_limit < 0) return 'invalid aggregation_cardinality_limit: must be >= 0';
      return undefined;
    },
  },
  exports: consumerExports,
  build: (opts, args) => new SpanMetricsConnector(opts, args),
};
