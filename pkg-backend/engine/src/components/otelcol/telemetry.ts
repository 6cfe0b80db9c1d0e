/**
 * The collector's self-telemetry as Alloy exposes it (OTel SDK → Prometheus exporter into the component's
 * registry: counters get `_total`, every series carries `component_path` / `component_id` from the engine):
 *
 * - receiverhelper: `otelcol_receiver_{accepted,refused}_{spans,metric_points,log_records}_total`
 *   {receiver, transport};
 * - exporterhelper: `otelcol_exporter_{sent,send_failed,enqueue_failed}_{…}_total` {exporter},
 *   `otelcol_exporter_queue_size` / `…_queue_capacity` {exporter, data_type},
 *   `otelcol_exporter_in_flight_requests` {exporter, data_type};
 * - batch processor: `otelcol_processor_batch_batch_send_size` (+`_bytes`) histograms,
 *   `…_batch_size_trigger_send_total`, `…_timeout_trigger_send_total`, `…_metadata_cardinality` {processor};
 * - processorhelper: `otelcol_processor_{incoming,outgoing}_items_total` {processor, otel_signal}; memory
 *   limiter: `otelcol_processor_memory_limiter_{accepted,refused}_{…}_total` {processor}.
 *
 * The `receiver` / `exporter` / `processor` label is the collector component ID Alloy builds:
 * `<type>/<component id>` (e.g. `otlp/otelcol.receiver.otlp.default`). Not exported: the
 * `otel_scope_name` / `otel_scope_version` labels of the OTel Prometheus exporter.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OtelSignal } from './consumer.js';

/** Metric-name item suffix per signal. */
export const ITEM_NAME: Record<OtelSignal, string> = {
  traces: 'spans',
  metrics: 'metric_points',
  logs: 'log_records',
};

const SIGNALS: OtelSignal[] = ['traces', 'metrics', 'logs'];

const ITEM_HELP: Record<OtelSignal, string> = {
  traces: 'spans',
  metrics: 'metric points',
  logs: 'log records',
};

/** The collector component ID Alloy uses for a component (`<type>/<id>`). */
export function collectorId(type: string, componentId: string): string {
  return `${type}/${componentId}`;
}

type Inc = { inc(n?: number): void };

function perSignal(
  reg: Registry,
  name: (item: string) => string,
  help: (item: string) => string,
  labels: Record<string, string>,
): Record<OtelSignal, Inc> {
  const out = {} as Record<OtelSignal, Inc>;
  for (const s of SIGNALS) {
    const c = new Counter({
      name: name(ITEM_NAME[s]),
      help: help(ITEM_HELP[s]),
      labelNames: Object.keys(labels),
      registers: [reg],
    });
    out[s] = c.labels(labels);
  }
  return out;
}

/** receiverhelper metrics of one receiver. */
export class ReceiverTelemetry {
  private readonly acc = new Map<OtelSignal, Counter>();
  private readonly ref = new Map<OtelSignal, Counter>();

  constructor(
    reg: Registry,
    private readonly receiver: string,
    transports: string[],
  ) {
    for (const s of SIGNALS) {
      const c = (kind: string, help: string) =>
        new Counter({
          name: `otelcol_receiver_${kind}_${ITEM_NAME[s]}_total`,
          help,
          labelNames: ['receiver', 'transport'],
          registers: [reg],
        });
      this.acc.set(s, c('accepted', `Number of ${ITEM_HELP[s]} successfully pushed into the pipeline.`));
      this.ref.set(s, c('refused', `Number of ${ITEM_HELP[s]} that could not be pushed into the pipeline.`));
    }
    for (const t of transports) for (const s of SIGNALS) this.count(s, t, 0, 0);
  }

  private readonly children = new Map<string, [Inc, Inc]>();

  /** Records the outcome of one request: `accepted` and `refused` items. */
  count(signal: OtelSignal, transport: string, accepted: number, refused: number): void {
    const key = signal + transport;
    let c = this.children.get(key);
    if (!c) {
      const l = { receiver: this.receiver, transport };
      c = [this.acc.get(signal)!.labels(l), this.ref.get(signal)!.labels(l)];
      this.children.set(key, c);
    }
    if (accepted) c[0].inc(accepted);
    if (refused) c[1].inc(refused);
    if (!accepted && !refused) {
      c[0].inc(0);
      c[1].inc(0);
    }
  }
}

/** exporterhelper metrics of one exporter. */
export class ExporterTelemetry {
  readonly sent: Record<OtelSignal, Inc>;
  readonly sendFailed: Record<OtelSignal, Inc>;
  readonly enqueueFailed: Record<OtelSignal, Inc>;
  private readonly queueCapacity: Gauge;
  private readonly inFlight: Gauge;
  private readonly sizeFns = new Map<OtelSignal, () => number>();

  constructor(
    reg: Registry,
    readonly exporter: string,
  ) {
    const l = { exporter };
    this.sent = perSignal(
      reg,
      (i) => `otelcol_exporter_sent_${i}_total`,
      (i) => `Number of ${i} successfully sent to destination.`,
      l,
    );
    this.sendFailed = perSignal(
      reg,
      (i) => `otelcol_exporter_send_failed_${i}_total`,
      (i) => `Number of ${i} in failed attempts to send to destination.`,
      l,
    );
    this.enqueueFailed = perSignal(
      reg,
      (i) => `otelcol_exporter_enqueue_failed_${i}_total`,
      (i) => `Number of ${i} failed to be added to the sending queue.`,
      l,
    );
    const g = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: ['exporter', 'data_type'], registers: [reg] });
    const sizeFns = this.sizeFns;
    new Gauge({
      name: 'otelcol_exporter_queue_size',
      help: 'Current size of the retry queue (in batches).',
      labelNames: ['exporter', 'data_type'],
      registers: [reg],
      collect() {
        for (const [s, fn] of sizeFns) this.set({ exporter, data_type: s }, fn());
      },
    });
    this.queueCapacity = g(
      'otelcol_exporter_queue_capacity',
      'Fixed capacity of the retry queue (in batches).',
    );
    this.inFlight = g(
      'otelcol_exporter_in_flight_requests',
      'Number of export requests currently in-flight (including retry backoff).',
    );
  }

  /** Queue gauges of a signal (`size()` is read at scrape time). */
  queue(signal: OtelSignal, size: () => number, capacity: number): void {
    this.queueCapacity.set({ exporter: this.exporter, data_type: signal }, capacity);
    this.sizeFns.set(signal, size);
  }

  inFlightAdd(signal: OtelSignal, d: number): void {
    this.inFlight.inc({ exporter: this.exporter, data_type: signal }, d);
  }
}

const SIZE_BUCKETS = [
  10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000,
  30000, 50000, 100000,
];
const BYTES_BUCKETS = [
  128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152,
  4194304, 8388608, 16777216,
];

/** Batch processor metrics. */
export class BatchTelemetry {
  private readonly sizeH;
  private readonly bytesH;
  private readonly sizeTrigger;
  private readonly timeoutTrigger;

  constructor(reg: Registry, processor: string, cardinality: () => number) {
    const l = { processor };
    this.sizeH = new Histogram({
      name: 'otelcol_processor_batch_batch_send_size',
      help: 'Number of units in the batch',
      labelNames: ['processor'],
      buckets: SIZE_BUCKETS,
      registers: [reg],
    }).labels(l);
    this.bytesH = new Histogram({
      name: 'otelcol_processor_batch_batch_send_size_bytes',
      help: 'Number of bytes in batch that was sent. Only available on detailed level.',
      labelNames: ['processor'],
      buckets: BYTES_BUCKETS,
      registers: [reg],
    }).labels(l);
    this.sizeTrigger = new Counter({
      name: 'otelcol_processor_batch_batch_size_trigger_send_total',
      help: 'Number of times the batch was sent due to a size trigger',
      labelNames: ['processor'],
      registers: [reg],
    }).labels(l);
    this.timeoutTrigger = new Counter({
      name: 'otelcol_processor_batch_timeout_trigger_send_total',
      help: 'Number of times the batch was sent due to a timeout trigger',
      labelNames: ['processor'],
      registers: [reg],
    }).labels(l);
    const card = new Gauge({
      name: 'otelcol_processor_batch_metadata_cardinality',
      help: 'Number of distinct metadata value combinations being processed',
      labelNames: ['processor'],
      registers: [reg],
      collect() {
        this.set(l, cardinality());
      },
    });
    card.set(l, cardinality());
  }

  record(trigger: 'size' | 'timeout', items: number, bytes: number): void {
    if (trigger === 'size') this.sizeTrigger.inc();
    else this.timeoutTrigger.inc();
    this.sizeH.observe(items);
    this.bytesH.observe(bytes);
  }
}

/** processorhelper and memory limiter metrics. */
export class ProcessorTelemetry {
  readonly incoming: Record<OtelSignal, Inc>;
  readonly outgoing: Record<OtelSignal, Inc>;

  constructor(reg: Registry, processor: string) {
    const inc = new Counter({
      name: 'otelcol_processor_incoming_items_total',
      help: 'Number of items passed to the processor.',
      labelNames: ['processor', 'otel_signal'],
      registers: [reg],
    });
    const out = new Counter({
      name: 'otelcol_processor_outgoing_items_total',
      help: 'Number of items emitted from the processor.',
      labelNames: ['processor', 'otel_signal'],
      registers: [reg],
    });
    this.incoming = {} as Record<OtelSignal, Inc>;
    this.outgoing = {} as Record<OtelSignal, Inc>;
    for (const s of SIGNALS) {
      this.incoming[s] = inc.labels({ processor, otel_signal: s });
      this.outgoing[s] = out.labels({ processor, otel_signal: s });
    }
  }
}

export class MemoryLimiterTelemetry {
  readonly accepted: Record<OtelSignal, Inc>;
  readonly refused: Record<OtelSignal, Inc>;

  constructor(reg: Registry, processor: string) {
    const l = { processor };
    this.accepted = perSignal(
      reg,
      (i) => `otelcol_processor_memory_limiter_accepted_${i}_total`,
      (i) => `Number of ${i} successfully pushed into the next component in the pipeline.`,
      l,
    );
    this.refused = perSignal(
      reg,
      (i) => `otelcol_processor_memory_limiter_refused_${i}_total`,
      (i) => `Number of ${i} that were rejected by the next component in the pipeline.`,
      l,
    );
  }
}
