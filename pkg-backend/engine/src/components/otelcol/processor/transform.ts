/**
 * `otelcol.processor.transform` (Alloy `processor/transform`, the collector's transformprocessor): runs
 * OTTL statements over traces, metrics and logs.
 *
 * `trace_statements` / `metric_statements` / `log_statements` blocks run in order; each names its
 * `context` (traces: resource, scope, span, spanevent; metrics: resource, scope, metric, datapoint;
 * logs: resource, scope, log), optional `conditions` (any must hold for the item) and its `statements`,
 * each applied to every item of the context before the next block. The flat `statements { trace metric
 * log }` block is one group whose context is inferred from the path prefixes of its statements. `error_mode` (per block or global):
 * `ignore` logs a failing statement and goes on, `silent` goes on quietly, `propagate` rejects the
 * request. Statements are compiled when the configuration is decoded, so a bad statement is a
 * configuration error naming the statement.
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
  compileStatement,
  inferContext,
  OttlError,
  OttlRuntimeError,
  type Condition,
  type ContextName,
  type Statement,
  type TransformContext,
} from '../ottl/index.js';
import { forEachLogContext, forEachMetricContext, forEachTraceContext } from '../ottl/exec.js';

export type ErrorMode = 'ignore' | 'silent' | 'propagate';

interface ContextStatementsArgs {
  context: string;
  conditions?: string[];
  statements: string[];
  error_mode?: string;
}

export interface TransformArgs {
  error_mode: string;
  statements?: { trace?: string[]; metric?: string[]; log?: string[] };
  trace_statements: ContextStatementsArgs[];
  metric_statements: ContextStatementsArgs[];
  log_statements: ContextStatementsArgs[];
  output: OutputArgs;
}

type Signal = 'trace' | 'metric' | 'log';

const ALLOWED: Record<Signal, ContextName[]> = {
  trace: ['resource', 'scope', 'span', 'spanevent'],
  metric: ['resource', 'scope', 'metric', 'datapoint'],
  log: ['resource', 'scope', 'log'],
};

const CONTEXTS = ['resource', 'scope', 'span', 'spanevent', 'metric', 'datapoint', 'log'];

export function checkErrorMode(mode: string): ErrorMode {
  const m = mode.toLowerCase();
  if (m !== 'ignore' && m !== 'silent' && m !== 'propagate') throw new OttlError(`unknown error mode ${m}`);
  return m;
}

/** One compiled block: statements for one context. */
export interface CompiledGroup {
  context: ContextName;
  conditions: Condition[];
  statements: Statement[];
  errorMode: ErrorMode;
}

function compileGroups(
  signal: Signal,
  blocks: ContextStatementsArgs[],
  flat: string[] | undefined,
  globalMode: ErrorMode,
): CompiledGroup[] {
  const out: CompiledGroup[] = [];
  for (const b of blocks) {
    const ctx = b.context.toLowerCase();
    if (!CONTEXTS.includes(ctx)) throw new OttlError(`unknown context ${ctx}`);
    if (!ALLOWED[signal].includes(ctx as ContextName))
      throw new OttlError(
        `context "${ctx}" is not valid for ${signal}_statements (valid: ${ALLOWED[signal].join(', ')})`,
      );
    out.push({
      context: ctx as ContextName,
      conditions: (b.conditions ?? []).map((c) => compileCondition(c, ctx as ContextName)),
      statements: b.statements.map((s) => compileStatement(s, ctx as ContextName)),
      errorMode: b.error_mode ? checkErrorMode(b.error_mode) : globalMode,
    });
  }
  if (flat?.length) {
    // As Alloy's context-less block: one group whose context is inferred from all its statements.
    const ctx = inferContext(flat, ALLOWED[signal]);
    out.push({
      context: ctx,
      conditions: [],
      statements: flat.map((s) => compileStatement(s, ctx)),
      errorMode: globalMode,
    });
  }
  return out;
}

export interface CompiledTransform {
  traces: CompiledGroup[];
  metrics: CompiledGroup[];
  logs: CompiledGroup[];
}

/** Compiles every block. @throws OttlError */
export function compileTransform(a: TransformArgs): CompiledTransform {
  const mode = checkErrorMode(a.error_mode);
  return {
    traces: compileGroups('trace', a.trace_statements, a.statements?.trace, mode),
    metrics: compileGroups('metric', a.metric_statements, a.statements?.metric, mode),
    logs: compileGroups('log', a.log_statements, a.statements?.log, mode),
  };
}

/** Runs a group's statements on one item, handling errors per the error mode. */
export function runGroup(g: CompiledGroup, tc: TransformContext, opts: ComponentOptions): void {
  if (g.conditions.length) {
    let any = false;
    for (const c of g.conditions) {
      try {
        if (c(tc)) {
          any = true;
          break;
        }
      } catch (err) {
        if (!(err instanceof OttlRuntimeError) || g.errorMode === 'propagate') throw err;
        if (g.errorMode === 'ignore') opts.logger.warn('failed evaluating condition', { error: err.message });
      }
    }
    if (!any) return;
  }
  for (const s of g.statements) {
    try {
      s.execute(tc);
    } catch (err) {
      if (!(err instanceof OttlRuntimeError)) throw err;
      if (g.errorMode === 'propagate')
        throw new Error(`failed to execute statement: ${s.text}, ${err.message}`);
      if (g.errorMode === 'ignore')
        opts.logger.warn('failed to execute statement', { error: err.message, statement: s.text });
    }
  }
}

export class TransformProcessor extends OtelProcessor<TransformArgs> {
  private compiled!: CompiledTransform;

  constructor(opts: ComponentOptions, args: TransformArgs) {
    super(opts, ['traces', 'metrics', 'logs'], 'transform');
    this.init(args);
  }

  protected configure(args: TransformArgs): void {
    this.compiled = compileTransform(args);
  }

  protected override processTraces(req: ExportTraceServiceRequest): ExportTraceServiceRequest {
    for (const g of this.compiled.traces)
      forEachTraceContext(req, g.context, (tc) => runGroup(g, tc, this.opts));
    return req;
  }

  protected override processMetrics(req: ExportMetricsServiceRequest): ExportMetricsServiceRequest {
    for (const g of this.compiled.metrics)
      forEachMetricContext(req, g.context, (tc) => runGroup(g, tc, this.opts));
    return req;
  }

  protected override processLogs(req: ExportLogsServiceRequest): ExportLogsServiceRequest {
    for (const g of this.compiled.logs) forEachLogContext(req, g.context, (tc) => runGroup(g, tc, this.opts));
    return req;
  }
}

const contextStatementsSchema: BlockSchema = {
  attrs: {
    context: { type: t.string(), required: true },
    conditions: { type: t.list(t.string()) },
    statements: { type: t.list(t.string()), required: true },
    error_mode: { type: t.string() },
  },
};

/** Runs a compile step inside `validate`, turning its error into a decode diagnostic. */
export function validateWith(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof OttlError) return err.message;
    throw err;
  }
}

/** otelcol.processor.transform — arguments as Alloy 1.18 (`internal/component/otelcol/processor/transform/transform.go`). */
export const otelcolProcessorTransform: ComponentRegistration<TransformArgs> = {
  name: 'otelcol.processor.transform',
  stability: 'generally-available',
  args: {
    attrs: { error_mode: { type: t.string(), default: 'ignore' } },
    blocks: {
      statements: {
        schema: {
          attrs: {
            trace: { type: t.list(t.string()) },
            metric: { type: t.list(t.string()) },
            log: { type: t.list(t.string()) },
          },
        },
      },
      trace_statements: { schema: contextStatementsSchema, multiple: true },
      metric_statements: { schema: contextStatementsSchema, multiple: true },
      log_statements: { schema: contextStatementsSchema, multiple: true },
      output: outputBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate: (a: TransformArgs) => validateWith(() => compileTransform(a)),
  },
  exports: consumerExports,
  build: (opts, args) => new TransformProcessor(opts, args),
};
