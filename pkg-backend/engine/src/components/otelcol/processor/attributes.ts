/**
 * `otelcol.processor.attributes` (Alloy `processor/attributes`, the collector's attributesprocessor): runs
 * the `action` blocks (see `internal/attraction.ts`) on the attributes of spans, log records and metric
 * data points that pass the `include` / `exclude` matching (`internal/filterconfig.ts`). `from_context`
 * reads the request metadata a receiver passed on (`include_metadata`; `metadata.<key>`, `auth.<attr>`).
 */
import type { ComponentOptions, ComponentRegistration } from '../../../runtime/component.js';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
} from '../../../protocols/otlp/index.js';
import { consumerExports, debugMetricsBlock, outputBlock } from '../../common/otelcol-schema.js';
import type { ConsumeContext } from '../consumer.js';
import {
  actionSchema,
  compileActions,
  processAttributes,
  validateActions,
  type ActionArgs,
  type CompiledActions,
} from '../internal/attraction.js';
import {
  logSkip,
  matchPropertiesSchema,
  metricSkip,
  spanSkip,
  type LogMatcher,
  type MatchPropertiesArgs,
  type MetricMatcher,
  type SpanMatcher,
} from '../internal/filterconfig.js';
import type { OutputArgs } from '../internal/next.js';
import { metricDataPoints } from '../internal/pdata.js';
import { OtelProcessor } from '../internal/processor.js';

export interface AttributesArgs {
  action: ActionArgs[];
  include?: MatchPropertiesArgs;
  exclude?: MatchPropertiesArgs;
  output: OutputArgs;
}

export class AttributesProcessor extends OtelProcessor<AttributesArgs> {
  private actions: CompiledActions = [];
  private skipSpan: SpanMatcher | undefined;
  private skipLog: LogMatcher | undefined;
  private skipMetric: MetricMatcher | undefined;

  constructor(opts: ComponentOptions, args: AttributesArgs) {
    super(opts, ['traces', 'metrics', 'logs'], 'attributes');
    this.init(args);
  }

  protected configure(args: AttributesArgs): void {
    this.actions = compileActions(args.action);
    const m = { include: args.include, exclude: args.exclude };
    // As Alloy, a processor is built per signal that has consumers in `output`, so matching that does not
    // fit a signal (e.g. `services` for logs) is an error only when that signal is wired.
    this.skipSpan = args.output.traces?.length ? spanSkip(m) : undefined;
    this.skipLog = args.output.logs?.length ? logSkip(m) : undefined;
    this.skipMetric = args.output.metrics?.length ? metricSkip(m) : undefined;
  }

  protected override processTraces(
    req: ExportTraceServiceRequest,
    ctx?: ConsumeContext,
  ): ExportTraceServiceRequest {
    for (const rs of req.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const span of ss.spans) {
          if (this.skipSpan?.(span, rs.resource, ss.scope)) continue;
          processAttributes(this.actions, span.attributes, ctx);
        }
    return req;
  }

  protected override processLogs(
    req: ExportLogsServiceRequest,
    ctx?: ConsumeContext,
  ): ExportLogsServiceRequest {
    for (const rl of req.resourceLogs)
      for (const sl of rl.scopeLogs)
        for (const lr of sl.logRecords) {
          if (this.skipLog?.(lr, rl.resource, sl.scope)) continue;
          processAttributes(this.actions, lr.attributes, ctx);
        }
    return req;
  }

  protected override processMetrics(
    req: ExportMetricsServiceRequest,
    ctx?: ConsumeContext,
  ): ExportMetricsServiceRequest {
    for (const rm of req.resourceMetrics)
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics) {
          if (this.skipMetric?.(m)) continue;
          for (const dp of metricDataPoints(m)) processAttributes(this.actions, dp.attributes, ctx);
        }
    return req;
  }
}

/** otelcol.processor.attributes — arguments as Alloy 1.18 (`internal/component/otelcol/processor/attributes`). */
export const otelcolProcessorAttributes: ComponentRegistration<AttributesArgs> = {
  name: 'otelcol.processor.attributes',
  stability: 'generally-available',
  args: {
    blocks: {
      action: { schema: actionSchema, multiple: true },
      include: { schema: matchPropertiesSchema },
      exclude: { schema: matchPropertiesSchema },
      output: outputBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate: (a: AttributesArgs) => validateActions(a.action),
  },
  exports: consumerExports,
  build: (opts, args) => new AttributesProcessor(opts, args),
};
