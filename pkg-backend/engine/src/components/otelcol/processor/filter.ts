/**
 * `otelcol.processor.filter` (Alloy `processor/filter`, the collector's filterprocessor): drops telemetry
 * matching OTTL conditions. Conditions of one kind are ORed: an item matching any is dropped.
 *
 * - `traces { span spanevent }`: spans, then the events of the remaining spans;
 * - `metrics { metric datapoint }`: whole metrics, then data points (a metric left without points goes);
 * - `logs { log_record }`;
 * - `trace_conditions` / `metric_conditions` / `log_conditions { context conditions }` (the newer form,
 *   contexts resource, scope, span, spanevent, metric, datapoint, log; a context-less block infers it).
 *
 * Scopes and resources left empty are removed; a request left empty is not passed on. `error_mode`:
 * a condition that fails to evaluate counts as false (`ignore` logs it, `silent` does not); `propagate`
 * rejects the request. Conditions are compiled when the configuration is decoded.
 */
import type { ComponentOptions, ComponentRegistration } from '../../../runtime/component.js';
import { t, type BlockSchema } from '../../../runtime/schema.js';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
} from '../../../protocols/otlp/index.js';
import { consumerExports, debugMetricsBlock, outputBlock } from '../../common/otelcol-schema.js';
import type { OutputArgs } from '../internal/next.js';
import { OtelProcessor } from '../internal/processor.js';
import {
  compileCondition,
  inferContext,
  OttlError,
  OttlRuntimeError,
  type Condition,
  type ContextName,
  type TransformContext,
} from '../ottl/index.js';
import { dataPointsOf, ensureResource, ensureScope } from '../ottl/exec.js';
import { checkErrorMode, validateWith, type ErrorMode } from './transform.js';

interface ContextConditionsArgs {
  context?: string;
  conditions: string[];
}

export interface FilterArgs {
  error_mode: string;
  traces?: { span?: string[]; spanevent?: string[] };
  metrics?: { metric?: string[]; datapoint?: string[] };
  logs?: { log_record?: string[] };
  trace_conditions: ContextConditionsArgs[];
  metric_conditions: ContextConditionsArgs[];
  log_conditions: ContextConditionsArgs[];
  output: OutputArgs;
}

type ByContext = Partial<Record<ContextName, Condition[]>>;

export interface CompiledFilter {
  traces: ByContext;
  metrics: ByContext;
  logs: ByContext;
  errorMode: ErrorMode;
}

const ALLOWED: Record<'trace' | 'metric' | 'log', ContextName[]> = {
  trace: ['resource', 'scope', 'span', 'spanevent'],
  metric: ['resource', 'scope', 'metric', 'datapoint'],
  log: ['resource', 'scope', 'log'],
};

function add(into: ByContext, ctx: ContextName, texts: string[] | undefined): void {
  if (!texts?.length) return;
  (into[ctx] ??= []).push(...texts.map((c) => compileCondition(c, ctx)));
}

function addBlocks(
  into: ByContext,
  signal: 'trace' | 'metric' | 'log',
  blocks: ContextConditionsArgs[],
): void {
  for (const b of blocks) {
    let ctx: ContextName;
    if (b.context) {
      const c = b.context.toLowerCase();
      if (!ALLOWED[signal].includes(c as ContextName))
        throw new OttlError(
          `context "${c}" is not valid for ${signal}_conditions (valid: ${ALLOWED[signal].join(', ')})`,
        );
      ctx = c as ContextName;
    } else ctx = inferContext(b.conditions, ALLOWED[signal], 'condition');
    add(into, ctx, b.conditions);
  }
}

/** Compiles every condition. @throws OttlError */
export function compileFilter(a: FilterArgs): CompiledFilter {
  const out: CompiledFilter = { traces: {}, metrics: {}, logs: {}, errorMode: checkErrorMode(a.error_mode) };
  add(out.traces, 'span', a.traces?.span);
  add(out.traces, 'spanevent', a.traces?.spanevent);
  add(out.metrics, 'metric', a.metrics?.metric);
  add(out.metrics, 'datapoint', a.metrics?.datapoint);
  add(out.logs, 'log', a.logs?.log_record);
  addBlocks(out.traces, 'trace', a.trace_conditions);
  addBlocks(out.metrics, 'metric', a.metric_conditions);
  addBlocks(out.logs, 'log', a.log_conditions);
  return out;
}

/** In-place RemoveIf. */
function removeIf<T>(arr: T[], pred: (x: T) => boolean): void {
  let w = 0;
  for (let r = 0; r < arr.length; r++) {
    const x = arr[r]!;
    if (!pred(x)) arr[w++] = x;
  }
  arr.length = w;
}

export class FilterProcessor extends OtelProcessor<FilterArgs> {
  private compiled!: CompiledFilter;

  constructor(opts: ComponentOptions, args: FilterArgs) {
    super(opts, ['traces', 'metrics', 'logs'], 'filter');
    this.init(args);
  }

  protected configure(args: FilterArgs): void {
    this.compiled = compileFilter(args);
  }

  /** Whether any condition matches; evaluation errors per the error mode. */
  private matches(conds: Condition[] | undefined, tc: TransformContext): boolean {
    if (!conds) return false;
    for (const c of conds) {
      try {
        if (c(tc)) return true;
      } catch (err) {
        if (!(err instanceof OttlRuntimeError)) throw err;
        if (this.compiled.errorMode === 'propagate') throw err;
        if (this.compiled.errorMode === 'ignore')
          this.opts.logger.warn('failed evaluating condition', { error: err.message });
      }
    }
    return false;
  }

  protected override processTraces(req: ExportTraceServiceRequest): ExportTraceServiceRequest | undefined {
    const c = this.compiled.traces;
    if (!c.resource && !c.scope && !c.span && !c.spanevent) return req;
    removeIf(req.resourceSpans, (rs) => {
      const resource = ensureResource(rs);
      const empty = ensureScope({});
      if (this.matches(c.resource, { resource, scope: empty, cache: [] })) return true;
      removeIf(rs.scopeSpans, (ss) => {
        const scope = ensureScope(ss);
        if (this.matches(c.scope, { resource, scope, cache: [] })) return true;
        removeIf(ss.spans, (span) => {
          if (this.matches(c.span, { resource, scope, span, cache: [] })) return true;
          if (c.spanevent)
            removeIf(span.events, (spanEvent) =>
              this.matches(c.spanevent, { resource, scope, span, spanEvent, cache: [] }),
            );
          return false;
        });
        return ss.spans.length === 0;
      });
      return rs.scopeSpans.length === 0;
    });
    return req.resourceSpans.length ? req : undefined;
  }

  protected override processMetrics(
    req: ExportMetricsServiceRequest,
  ): ExportMetricsServiceRequest | undefined {
    const c = this.compiled.metrics;
    if (!c.resource && !c.scope && !c.metric && !c.datapoint) return req;
    removeIf(req.resourceMetrics, (rm) => {
      const resource = ensureResource(rm);
      if (this.matches(c.resource, { resource, scope: ensureScope({}), cache: [] })) return true;
      removeIf(rm.scopeMetrics, (sm) => {
        const scope = ensureScope(sm);
        if (this.matches(c.scope, { resource, scope, cache: [] })) return true;
        removeIf(sm.metrics, (metric) => {
          if (this.matches(c.metric, { resource, scope, metric, cache: [] })) return true;
          if (!c.datapoint) return false;
          const dps = dataPointsOf(metric);
          removeIf(dps, (dataPoint) =>
            this.matches(c.datapoint, { resource, scope, metric, dataPoint, cache: [] }),
          );
          return dps.length === 0;
        });
        return sm.metrics.length === 0;
      });
      return rm.scopeMetrics.length === 0;
    });
    return req.resourceMetrics.length ? req : undefined;
  }

  protected override processLogs(req: ExportLogsServiceRequest): ExportLogsServiceRequest | undefined {
    const c = this.compiled.logs;
    if (!c.resource && !c.scope && !c.log) return req;
    removeIf(req.resourceLogs, (rl) => {
      const resource = ensureResource(rl);
      if (this.matches(c.resource, { resource, scope: ensureScope({}), cache: [] })) return true;
      removeIf(rl.scopeLogs, (sl) => {
        const scope = ensureScope(sl);
        if (this.matches(c.scope, { resource, scope, cache: [] })) return true;
        removeIf(sl.logRecords, (log) => this.matches(c.log, { resource, scope, log, cache: [] }));
        return sl.logRecords.length === 0;
      });
      return rl.scopeLogs.length === 0;
    });
    return req.resourceLogs.length ? req : undefined;
  }
}

const contextConditions: BlockSchema = {
  attrs: { context: { type: t.string() }, conditions: { type: t.list(t.string()), required: true } },
};

/** otelcol.processor.filter — arguments as Alloy 1.18 (`internal/component/otelcol/processor/filter`). */
export const otelcolProcessorFilter: ComponentRegistration<FilterArgs> = {
  name: 'otelcol.processor.filter',
  stability: 'generally-available',
  args: {
    attrs: { error_mode: { type: t.string(), default: 'ignore' } },
    blocks: {
      traces: {
        schema: { attrs: { span: { type: t.list(t.string()) }, spanevent: { type: t.list(t.string()) } } },
      },
      metrics: {
        schema: { attrs: { metric: { type: t.list(t.string()) }, datapoint: { type: t.list(t.string()) } } },
      },
      logs: { schema: { attrs: { log_record: { type: t.list(t.string()) } } } },
      trace_conditions: { schema: contextConditions, multiple: true },
      metric_conditions: { schema: contextConditions, multiple: true },
      log_conditions: { schema: contextConditions, multiple: true },
      output: outputBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate: (a: FilterArgs) => validateWith(() => compileFilter(a)),
  },
  exports: consumerExports,
  build: (opts, args) => new FilterProcessor(opts, args),
};
