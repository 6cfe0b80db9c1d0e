/**
 * The shape shared by the processors (Alloy's `otelcol/processor` wrapper around a collector processor):
 * the component exports `input` (an `otelcol.Consumer` for its signals), processes each request in place
 * and passes it to `output`. A processing hook returning `undefined` drops the request (the collector's
 * ErrSkipProcessingData); a hook that throws rejects the request with a permanent `ConsumerError`.
 *
 * Self-metrics (the collector's processorhelper, `telemetry.ts`): `otelcol_processor_incoming_items_total`
 * and `otelcol_processor_outgoing_items_total` {processor, otel_signal}.
 */
import { untilAborted, type Component, type ComponentOptions } from '../../../runtime/component.js';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
} from '../../../protocols/otlp/index.js';
import {
  ConsumerError,
  consumerCapsule,
  countDataPoints,
  countLogRecords,
  countSpans,
  type ConsumeContext,
  type OtelConsumer,
  type OtelSignal,
} from '../consumer.js';
import { collectorId, ProcessorTelemetry } from '../telemetry.js';
import { NextConsumers, type OutputArgs } from './next.js';

export type Maybe<T> = T | undefined | Promise<T | undefined>;

export abstract class OtelProcessor<A extends { output: OutputArgs }> implements Component<A> {
  protected readonly next: NextConsumers;
  private readonly telemetry: ProcessorTelemetry;
  private readonly consumer: OtelConsumer;

  /** `type` is the collector's processor type (`transform`, `filter`, …), for the `processor` label. */
  constructor(
    protected readonly opts: ComponentOptions,
    signals: OtelSignal[],
    type: string,
  ) {
    this.next = new NextConsumers(opts.logger);
    this.telemetry = new ProcessorTelemetry(opts.registry, collectorId(type, opts.id));
    this.consumer = {
      signals: new Set(signals),
      consumeTraces: (r, c) =>
        this.handle(
          'traces',
          r,
          c,
          countSpans,
          (x, y) => this.processTraces(x, y),
          (x) => this.next.consumeTraces(x, c),
        ),
      consumeMetrics: (r, c) =>
        this.handle(
          'metrics',
          r,
          c,
          countDataPoints,
          (x, y) => this.processMetrics(x, y),
          (x) => this.next.consumeMetrics(x, c),
        ),
      consumeLogs: (r, c) =>
        this.handle(
          'logs',
          r,
          c,
          countLogRecords,
          (x, y) => this.processLogs(x, y),
          (x) => this.next.consumeLogs(x, c),
        ),
    };
  }

  /** Applies the first arguments and publishes `input`; subclasses call it at the end of their constructor. */
  protected init(args: A): void {
    this.update(args);
    this.opts.onStateChange({ input: consumerCapsule(this.consumer) });
  }

  /** Validates and applies arguments (throws on invalid ones). */
  protected abstract configure(args: A): void;

  update(args: A): void {
    this.configure(args);
    this.next.update(args.output);
  }

  run(signal: AbortSignal): Promise<void> {
    return untilAborted(signal);
  }

  protected processTraces(
    req: ExportTraceServiceRequest,
    _ctx?: ConsumeContext,
  ): Maybe<ExportTraceServiceRequest> {
    return req;
  }
  protected processMetrics(
    req: ExportMetricsServiceRequest,
    _ctx?: ConsumeContext,
  ): Maybe<ExportMetricsServiceRequest> {
    return req;
  }
  protected processLogs(
    req: ExportLogsServiceRequest,
    _ctx?: ConsumeContext,
  ): Maybe<ExportLogsServiceRequest> {
    return req;
  }

  private async handle<T>(
    signal: OtelSignal,
    req: T,
    ctx: ConsumeContext | undefined,
    count: (r: T) => number,
    process: (r: T, c?: ConsumeContext) => Maybe<T>,
    forward: (r: T) => Promise<void>,
  ): Promise<void> {
    this.telemetry.incoming[signal].inc(count(req));
    let out: T | undefined;
    try {
      out = await process(req, ctx);
    } catch (err) {
      if (err instanceof ConsumerError) throw err;
      throw new ConsumerError((err as Error).message, false);
    }
    if (out === undefined) return;
    this.telemetry.outgoing[signal].inc(count(out));
    await forward(out);
  }
}
