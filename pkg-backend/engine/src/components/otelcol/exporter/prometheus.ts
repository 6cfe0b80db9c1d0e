/**
 * `otelcol.exporter.prometheus` (Alloy `internal/component/otelcol/exporter/prometheus`): accepts OTLP
 * metrics on `input` and appends the converted samples (see `prometheus-convert.ts`) to every
 * `forward_to` receiver, one batch per request. Every `gc_frequency` the series cache forgets series not
 * seen for 5 minutes (Alloy's fixed staleness). Accepts metrics only.
 *
 * Not honoured: `convert_classic_histograms_to_nhcb` (classic series are written; a warning is logged),
 * exponential histograms (dropped and counted: sample batches carry no native histograms).
 */
import { Counter, Gauge } from 'prom-client';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import type { ExportMetricsServiceRequest } from '../../../protocols/otlp/index.js';
import { APPENDABLE, fanout, type Appendable } from '../../prometheus/appendable.js';
import { consumerExports } from '../../common/otelcol-schema.js';
import { consumerCapsule, countDataPoints, type OtelConsumer } from '../consumer.js';
import { PromConverter, type ConvertOptions } from './prometheus-convert.js';

export interface ExporterPrometheusArgs {
  forward_to: Appendable[];
  include_target_info: boolean;
  include_scope_info: boolean;
  include_scope_labels: boolean;
  gc_frequency: number;
  add_metric_suffixes: boolean;
  resource_to_telemetry_conversion: boolean;
  honor_metadata: boolean;
  convert_classic_histograms_to_nhcb: boolean;
  keep_identifying_resource_attributes: boolean;
  start_timestamp_zero_ingestion: boolean;
}

const GC_STALENESS_MS = 5 * 60_000;

function convertOptions(a: ExporterPrometheusArgs): ConvertOptions {
  return {
    includeTargetInfo: a.include_target_info,
    includeScopeInfo: a.include_scope_info,
    includeScopeLabels: a.include_scope_labels,
    addMetricSuffixes: a.add_metric_suffixes,
    resourceToTelemetryConversion: a.resource_to_telemetry_conversion,
    honorMetadata: a.honor_metadata,
    keepIdentifyingResourceAttributes: a.keep_identifying_resource_attributes,
    startTimestampZeroIngestion: a.start_timestamp_zero_ingestion,
  };
}

export class ExporterPrometheus implements Component<ExporterPrometheusArgs> {
  private forwardTo: Appendable[] = [];
  private gcEveryMs = 300_000;
  private timer: NodeJS.Timeout | undefined;
  private exited = false;
  readonly converter: PromConverter;
  private readonly received: Counter;
  private readonly dropped: Counter;

  constructor(
    private readonly opts: ComponentOptions,
    args: ExporterPrometheusArgs,
  ) {
    this.converter = new PromConverter(convertOptions(args));
    const reg = [opts.registry];
    this.received = new Counter({
      name: 'otelcol_exporter_prometheus_data_points_received_total',
      help: 'Data points received by the converter',
      registers: reg,
    });
    this.dropped = new Counter({
      name: 'otelcol_exporter_prometheus_data_points_dropped_total',
      help: 'Data points that could not be converted (exponential histograms)',
      registers: reg,
    });
    const converter = this.converter;
    new Gauge({
      name: 'otelcol_exporter_prometheus_active_series',
      help: 'Series tracked by the converter',
      registers: reg,
      collect() {
        this.set(converter.activeSeries);
      },
    });
    const consumer: OtelConsumer = {
      signals: new Set(['metrics']),
      consumeMetrics: async (req) => this.consume(req),
    };
    this.update(args);
    opts.onStateChange({ input: consumerCapsule(consumer) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.schedule();
    await untilAborted(signal);
    this.exited = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.exited) return;
    this.timer = setTimeout(() => {
      this.converter.gc(GC_STALENESS_MS);
      this.schedule();
    }, this.gcEveryMs);
    this.timer.unref?.();
  }

  update(args: ExporterPrometheusArgs): void {
    if (args.convert_classic_histograms_to_nhcb)
      this.opts.logger.warn(
        'convert_classic_histograms_to_nhcb is not supported by this engine; writing classic histograms',
      );
    this.converter.opts = convertOptions(args);
    this.forwardTo = args.forward_to;
    const changed = this.gcEveryMs !== args.gc_frequency;
    this.gcEveryMs = args.gc_frequency;
    if (changed && this.timer) this.schedule();
  }

  /** Converts and appends one request (synchronously). */
  consume(req: ExportMetricsServiceRequest): void {
    if (this.exited) return;
    this.received.inc(countDataPoints(req));
    const before = this.converter.dropped;
    const batch = this.converter.convert(req);
    if (this.converter.dropped > before) this.dropped.inc(this.converter.dropped - before);
    if (batch) fanout(this.forwardTo, batch);
  }

  debugInfo(): unknown {
    return { active_series: this.converter.activeSeries, dropped_data_points: this.converter.dropped };
  }
}

/** otelcol.exporter.prometheus — arguments as Alloy 1.18 (`internal/component/otelcol/exporter/prometheus/prometheus.go`). */
export const otelcolExporterPrometheus: ComponentRegistration<ExporterPrometheusArgs> = {
  name: 'otelcol.exporter.prometheus',
  stability: 'generally-available',
  args: {
    attrs: {
      forward_to: { type: t.list(t.capsule(APPENDABLE)), required: true },
      include_target_info: { type: t.bool(), default: true },
      include_scope_info: { type: t.bool(), default: false },
      include_scope_labels: { type: t.bool(), default: true },
      gc_frequency: { type: t.duration(), default: 300_000 },
      add_metric_suffixes: { type: t.bool(), default: true },
      resource_to_telemetry_conversion: { type: t.bool(), default: false },
      honor_metadata: { type: t.bool(), default: false },
      convert_classic_histograms_to_nhcb: { type: t.bool(), default: false },
      keep_identifying_resource_attributes: { type: t.bool(), default: false },
      start_timestamp_zero_ingestion: { type: t.bool(), default: false },
    },
    validate: (a: ExporterPrometheusArgs) =>
      a.gc_frequency === 0 ? 'gc_frequency must be greater than 0' : undefined,
  },
  exports: consumerExports,
  build: (opts, args) => new ExporterPrometheus(opts, args),
};
