/**
 * The `output { traces metrics logs }` of a processor or connector (Alloy's fanoutconsumer), on top of
 * `consumer.ts`'s `fanout` (a copy per consumer but the last; rejections joined). Consumers listed under a
 * signal they do not accept are skipped with a warning (once per update).
 */
import type { Logger } from '../../../runtime/logger.js';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
} from '../../../protocols/otlp/index.js';
import { fanout, type ConsumeContext, type OtelConsumer, type OtelSignal } from '../consumer.js';

export interface OutputArgs {
  traces?: OtelConsumer[];
  metrics?: OtelConsumer[];
  logs?: OtelConsumer[];
}

export class NextConsumers {
  private traces: OtelConsumer[] = [];
  private metrics: OtelConsumer[] = [];
  private logs: OtelConsumer[] = [];

  constructor(private readonly logger?: Logger) {}

  update(output: OutputArgs | undefined): void {
    this.traces = this.pick('traces', output?.traces);
    this.metrics = this.pick('metrics', output?.metrics);
    this.logs = this.pick('logs', output?.logs);
  }

  private pick(signal: OtelSignal, list: OtelConsumer[] | undefined): OtelConsumer[] {
    const out: OtelConsumer[] = [];
    for (const c of list ?? []) {
      if (c.signals.has(signal)) out.push(c);
      else this.logger?.warn(`a consumer in output.${signal} does not accept ${signal}; skipping it`);
    }
    return out;
  }

  has(signal: OtelSignal): boolean {
    return (signal === 'traces' ? this.traces : signal === 'metrics' ? this.metrics : this.logs).length > 0;
  }

  consumeTraces(req: ExportTraceServiceRequest, ctx?: ConsumeContext): Promise<void> {
    return fanout('traces', this.traces, req, ctx);
  }

  consumeMetrics(req: ExportMetricsServiceRequest, ctx?: ConsumeContext): Promise<void> {
    return fanout('metrics', this.metrics, req, ctx);
  }

  consumeLogs(req: ExportLogsServiceRequest, ctx?: ConsumeContext): Promise<void> {
    return fanout('logs', this.logs, req, ctx);
  }
}
