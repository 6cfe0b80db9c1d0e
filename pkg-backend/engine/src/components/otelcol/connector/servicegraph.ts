/**
 * `otelcol.connector.servicegraph` (Alloy `connector/servicegraph`, the collector's servicegraphconnector):
 * pairs client and server spans into edges and emits service-graph metrics.
 *
 * - A CLIENT (or PRODUCER: `messaging_system`) span fills the client side of the edge keyed by its trace
 *   and span id; a SERVER (or CONSUMER) span fills the server side keyed by its trace and parent span id.
 *   A client span with a database name attribute (`database_name_attributes`) completes the edge at once
 *   (`connection_type="database"`, server = the database name). Spans of resources without `service.name`
 *   are ignored.
 * - Complete edges update `traces_service_graph_request_total`, `…_request_failed_total` (either side
 *   with status ERROR) and the latency histograms `traces_service_graph_request_server_seconds` /
 *   `…_client_seconds` (bounds `latency_histogram_buckets`, seconds), labelled `client`, `server`,
 *   `connection_type`, `failed` and `client_<dim>` / `server_<dim>` for `dimensions` (resource, then span
 *   attributes).
 * - `store { ttl max_items }`: edges waiting for their other side expire after `ttl` (checked every
 *   `store_expiration_loop`); an expired edge becomes a `virtual_node` edge — client "user" for a root
 *   server span, server from `virtual_node_peer_attributes` (else "unknown") for a lone client span.
 *   Beyond `max_items` pending edges, new spans are dropped.
 * - Metrics are cumulative (start time = component start) and flushed every `metrics_flush_interval`
 *   (0: after every request); series not updated for 15 minutes are forgotten (checked every `cache_loop`).
 *
 * Not honoured: `exponential_histogram_max_size`, `virtual_node_extra_label`.
 */
import { Counter } from 'prom-client';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import type {
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  Metric,
  Span,
} from '../../../protocols/otlp/index.js';
import { AggregationTemporality, SpanKind, StatusCode } from '../../../protocols/otlp/index.js';
import { consumerExports, debugMetricsBlock, outputBlock } from '../../common/otelcol-schema.js';
import { consumerCapsule, type OtelConsumer } from '../consumer.js';
import { NextConsumers, type OutputArgs } from '../internal/next.js';
import { asString, getAttr, idHex, isEmptyId, nowUnixNano } from '../internal/pdata.js';

export interface ServiceGraphArgs {
  latency_histogram_buckets: number[];
  dimensions: string[];
  store: { max_items: number; ttl: number };
  cache_loop: number;
  store_expiration_loop: number;
  virtual_node_peer_attributes: string[];
  virtual_node_extra_label?: boolean;
  metrics_flush_interval: number;
  database_name_attributes: string[];
  exponential_histogram_max_size?: number;
  output: OutputArgs;
}

interface Edge {
  key: string;
  created: number;
  connectionType: string;
  client: string;
  server: string;
  clientLatency: number;
  serverLatency: number;
  failed: boolean;
  dims: Map<string, string>;
  peer: Map<string, string>;
  /** The edge was keyed by an empty parent span id (a root server span). */
  rootKey: boolean;
}

interface Series {
  attrs: KeyValue[];
  lastUpdated: number;
  total: number;
  failed: number;
  server: { count: number; sum: number; buckets: number[] };
  client: { count: number; sum: number; buckets: number[] };
}

const durationSeconds = (s: Span) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e9;

/** `sort.SearchFloat64s`: the first index whose bound is ≥ v. */
function bucketIndex(bounds: number[], v: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ServiceGraphConnector implements Component<ServiceGraphArgs> {
  private args!: ServiceGraphArgs;
  private bounds: number[] = [];
  private readonly next: NextConsumers;
  private readonly edges = new Map<string, Edge>();
  private readonly series = new Map<string, Series>();
  private readonly startTime = nowUnixNano();
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private readonly droppedSpans: Counter;
  private readonly totalEdges: Counter;
  private readonly expiredEdges: Counter;

  constructor(
    private readonly opts: ComponentOptions,
    args: ServiceGraphArgs,
  ) {
    this.next = new NextConsumers(opts.logger);
    const reg = [opts.registry];
    this.droppedSpans = new Counter({
      name: 'otelcol_connector_servicegraph_dropped_spans_total',
      help: 'Number of spans dropped when trying to add edges',
      registers: reg,
    });
    this.totalEdges = new Counter({
      name: 'otelcol_connector_servicegraph_total_edges_total',
      help: 'Total number of unique edges',
      registers: reg,
    });
    this.expiredEdges = new Counter({
      name: 'otelcol_connector_servicegraph_expired_edges_total',
      help: 'Number of edges that expired before finding its matching span',
      registers: reg,
    });
    this.update(args);
    const consumer: OtelConsumer = { signals: new Set(['traces']), consumeTraces: (r) => this.consume(r) };
    opts.onStateChange({ input: consumerCapsule(consumer) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.startTimers();
    await untilAborted(signal);
    this.running = false;
    this.stopTimers();
  }

  private startTimers(): void {
    this.stopTimers();
    if (!this.running) return;
    const every = (ms: number, fn: () => void) => {
      const h = setInterval(fn, ms);
      h.unref?.();
      this.timers.push(h);
    };
    every(this.args.store_expiration_loop, () => this.expire(Date.now()));
    every(this.args.cache_loop, () => this.cleanCache(Date.now()));
    if (this.args.metrics_flush_interval > 0)
      every(this.args.metrics_flush_interval, () => void this.flush());
  }

  private stopTimers(): void {
    for (const h of this.timers) clearInterval(h);
    this.timers = [];
  }

  update(args: ServiceGraphArgs): void {
    this.args = args;
    this.bounds = args.latency_histogram_buckets.map((ms) => ms / 1000);
    this.next.update(args.output);
    if (this.running) this.startTimers();
  }

  private dims(
    kind: 'client' | 'server',
    e: Edge,
    resource: readonly KeyValue[],
    span: readonly KeyValue[],
  ): void {
    for (const d of this.args.dimensions) {
      const v = getAttr(resource, d) ?? getAttr(span, d);
      if (v !== undefined) e.dims.set(`${kind}_${d}`, asString(v));
    }
  }

  private upsert(key: string, now: number, fill: (e: Edge) => void): boolean {
    let e = this.edges.get(key);
    if (!e) {
      if (this.edges.size >= this.args.store.max_items) return false;
      e = {
        key,
        created: now,
        connectionType: '',
        client: '',
        server: '',
        clientLatency: 0,
        serverLatency: 0,
        failed: false,
        dims: new Map(),
        peer: new Map(),
        rootKey: key.endsWith(':' + '0'.repeat(16)),
      };
      this.edges.set(key, e);
      this.totalEdges.inc();
    }
    fill(e);
    if (e.client !== '' && e.server !== '') {
      this.edges.delete(key);
      this.complete(e, now);
    }
    return true;
  }

  /** Pairs the spans of a request (exposed for tests). */
  aggregate(req: ExportTraceServiceRequest, now = Date.now()): void {
    for (const rs of req.resourceSpans) {
      const rattrs = rs.resource?.attributes ?? [];
      const svcV = getAttr(rattrs, 'service.name');
      if (svcV === undefined) continue;
      const svc = asString(svcV);
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          let ok = true;
          const traceId = idHex(span.traceId, 16);
          const failed = span.status?.code === StatusCode.ERROR;
          switch (span.kind) {
            case SpanKind.PRODUCER:
            case SpanKind.CLIENT: {
              const ct = span.kind === SpanKind.PRODUCER ? 'messaging_system' : '';
              ok = this.upsert(`${traceId}:${idHex(span.spanId, 8)}`, now, (e) => {
                e.connectionType = ct;
                e.client = svc;
                e.clientLatency = durationSeconds(span);
                e.failed ||= failed;
                this.dims('client', e, rattrs, span.attributes);
                for (const p of this.args.virtual_node_peer_attributes) {
                  const v = getAttr(span.attributes, p);
                  if (v !== undefined) {
                    e.peer.set(p, asString(v));
                    break;
                  }
                }
                for (const dbAttr of this.args.database_name_attributes) {
                  const v = getAttr(rattrs, dbAttr) ?? getAttr(span.attributes, dbAttr);
                  if (v !== undefined) {
                    e.connectionType = 'database';
                    e.server = asString(v);
                    e.serverLatency = durationSeconds(span);
                    break;
                  }
                }
              });
              break;
            }
            case SpanKind.CONSUMER:
            case SpanKind.SERVER: {
              const ct = span.kind === SpanKind.CONSUMER ? 'messaging_system' : '';
              const parent = isEmptyId(span.parentSpanId) ? '0'.repeat(16) : idHex(span.parentSpanId, 8);
              ok = this.upsert(`${traceId}:${parent}`, now, (e) => {
                e.connectionType = ct;
                e.server = svc;
                e.serverLatency = durationSeconds(span);
                e.failed ||= failed;
                this.dims('server', e, rattrs, span.attributes);
              });
              break;
            }
            default:
              continue;
          }
          if (!ok) this.droppedSpans.inc();
        }
      }
    }
  }

  private async consume(req: ExportTraceServiceRequest): Promise<void> {
    this.aggregate(req);
    if (this.args.metrics_flush_interval <= 0) {
      try {
        await this.flush();
      } catch (err) {
        this.opts.logger.error('failed to flush metrics', { err: (err as Error).message });
      }
    }
  }

  /** Expires edges older than the store TTL (virtual nodes). */
  expire(now: number): void {
    for (const [key, e] of this.edges) {
      if (now - e.created < this.args.store.ttl) continue;
      this.edges.delete(key);
      this.expiredEdges.inc();
      e.connectionType = 'virtual_node';
      if (e.client === '' && e.rootKey) {
        e.client = 'user';
        this.complete(e, now);
      }
      if (e.server === '') {
        let peer = 'unknown';
        for (const p of this.args.virtual_node_peer_attributes) {
          const v = e.peer.get(p);
          if (v !== undefined) {
            peer = v;
            break;
          }
        }
        e.server = peer;
        this.complete(e, now);
      }
    }
  }

  private complete(e: Edge, now: number): void {
    let key = `${e.client}\0${e.server}\0${e.connectionType}`;
    for (const d of this.args.dimensions)
      for (const k of ['client_', 'server_']) {
        const v = e.dims.get(k + d);
        if (v !== undefined) key += `\0${k}${d}=${v}`;
      }
    const attrs: KeyValue[] = [
      { key: 'client', value: { stringValue: e.client } },
      { key: 'server', value: { stringValue: e.server } },
      { key: 'connection_type', value: { stringValue: e.connectionType } },
      { key: 'failed', value: { boolValue: e.failed } },
      ...[...e.dims].map(([k, v]) => ({ key: k, value: { stringValue: v } })),
    ];
    let s = this.series.get(key);
    if (!s) {
      const n = this.bounds.length + 1;
      s = {
        attrs,
        lastUpdated: now,
        total: 0,
        failed: 0,
        server: { count: 0, sum: 0, buckets: new Array<number>(n).fill(0) },
        client: { count: 0, sum: 0, buckets: new Array<number>(n).fill(0) },
      };
      this.series.set(key, s);
    }
    s.attrs = attrs;
    s.lastUpdated = now;
    s.total++;
    if (e.failed) s.failed++;
    for (const [h, v] of [
      [s.server, e.serverLatency],
      [s.client, e.clientLatency],
    ] as const) {
      h.count++;
      h.sum += v;
      h.buckets[bucketIndex(this.bounds, v)]!++;
    }
  }

  /** Forgets series not updated for 15 minutes. */
  cleanCache(now: number): void {
    for (const [k, s] of this.series) if (s.lastUpdated + 15 * 60_000 < now) this.series.delete(k);
  }

  /** The current metrics (cumulative). */
  buildMetrics(): ExportMetricsServiceRequest | undefined {
    if (this.series.size === 0) return undefined;
    const now = nowUnixNano();
    const metrics: Metric[] = [];
    const sum = (name: string, pick: (s: Series) => number, only: (s: Series) => boolean) => {
      const dps = [...this.series.values()].filter(only).map((s) => ({
        attributes: s.attrs.map((kv) => ({ ...kv })),
        startTimeUnixNano: this.startTime,
        timeUnixNano: now,
        asInt: BigInt(pick(s)),
        exemplars: [],
        flags: 0,
      }));
      if (dps.length)
        metrics.push({
          name,
          description: '',
          unit: '',
          metadata: [],
          sum: {
            dataPoints: dps,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            isMonotonic: true,
          },
        });
    };
    sum(
      'traces_service_graph_request_total',
      (s) => s.total,
      () => true,
    );
    sum(
      'traces_service_graph_request_failed_total',
      (s) => s.failed,
      (s) => s.failed > 0,
    );
    for (const side of ['server', 'client'] as const) {
      metrics.push({
        name: `traces_service_graph_request_${side}_seconds`,
        description: '',
        unit: '',
        metadata: [],
        histogram: {
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPoints: [...this.series.values()].map((s) => ({
            attributes: s.attrs.map((kv) => ({ ...kv })),
            startTimeUnixNano: this.startTime,
            timeUnixNano: now,
            count: s[side].count,
            sum: s[side].sum,
            bucketCounts: [...s[side].buckets],
            explicitBounds: [...this.bounds],
            exemplars: [],
            flags: 0,
          })),
        },
      });
    }
    return {
      resourceMetrics: [
        {
          resource: { attributes: [], droppedAttributesCount: 0, entityRefs: [] },
          scopeMetrics: [
            {
              scope: { name: 'traces_service_graph', version: '', attributes: [], droppedAttributesCount: 0 },
              metrics,
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    };
  }

  async flush(): Promise<void> {
    const md = this.buildMetrics();
    if (md) await this.next.consumeMetrics(md);
  }
}

const DEFAULT_BUCKETS_MS = [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10_000, 15_000];

/** otelcol.connector.servicegraph — arguments as Alloy 1.18 (`internal/component/otelcol/connector/servicegraph`). */
export const otelcolConnectorServicegraph: ComponentRegistration<ServiceGraphArgs> = {
  name: 'otelcol.connector.servicegraph',
  stability: 'generally-available',
  args: {
    attrs: {
      latency_histogram_buckets: { type: t.list(t.duration()), default: DEFAULT_BUCKETS_MS },
      dimensions: { type: t.list(t.string()), default: [] },
      cache_loop: { type: t.duration(), default: 60_000 },
      store_expiration_loop: { type: t.duration(), default: 2000 },
      virtual_node_peer_attributes: {
        type: t.list(t.string()),
        default: ['peer.service', 'db.name', 'db.system'],
      },
      virtual_node_extra_label: { type: t.bool() },
      metrics_flush_interval: { type: t.duration(), default: 60_000 },
      database_name_attributes: { type: t.list(t.string()), default: ['db.name'] },
      exponential_histogram_max_size: { type: t.int() },
    },
    blocks: {
      store: {
        schema: {
          attrs: { max_items: { type: t.int(), default: 1000 }, ttl: { type: t.duration(), default: 2000 } },
        },
        defaultIfAbsent: true,
      },
      output: outputBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate: (a: ServiceGraphArgs) => {
      if (a.cache_loop <= 0) return 'cache_loop must be greater than 0';
      if (a.store_expiration_loop <= 0) return 'store_expiration_loop must be greater than 0';
      if (a.store.max_items <= 0) return 'store.max_items must be greater than 0';
      if (a.store.ttl <= 0) return 'store.ttl must be greater than 0';
      return undefined;
    },
  },
  exports: consumerExports,
  build: (opts, args) => new ServiceGraphConnector(opts, args),
};
