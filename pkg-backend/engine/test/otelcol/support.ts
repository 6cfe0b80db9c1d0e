/**
 * Test support for the otelcol processors, connectors and bridges:
 *
 * - `testotel.producer "<label>"` (an `output { traces metrics logs }` block): tests push requests into
 *   its output with `producers.get(label)!.traces(req)` etc.;
 * - `testotel.recorder "<label>"`: exports `input` (all signals) and records every request it gets in
 *   `recorded(label)`;
 * - builders for OTLP requests (`attrs`, `span`, `traces`, `gauge`, `sum`, `metrics`, `logRecord`, `logs`).
 */
import { Registry } from 'prom-client';
import type { ComponentOptions, ComponentRegistration } from '../../src/runtime/component.js';
import { Logger, LogSink } from '../../src/runtime/logger.js';
import { decodeBody, t } from '../../src/runtime/schema.js';
import { parseFile } from '../../src/syntax/parser.js';
import { evaluate, Scope } from '../../src/syntax/eval.js';
import type { Value } from '../../src/syntax/value.js';
import { consumerCapsule, type OtelConsumer } from '../../src/components/otelcol/consumer.js';
import { outputSchema } from '../../src/components/common/otelcol-schema.js';
import { NextConsumers, type OutputArgs } from '../../src/components/otelcol/internal/next.js';
import { lv } from '../../src/components/otelcol/internal/pdata.js';
import type {
  AnyValue,
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  LogRecord,
  Metric,
  NumberDataPoint,
  Span,
} from '../../src/protocols/otlp/index.js';
import { AggregationTemporality } from '../../src/protocols/otlp/index.js';

export { eventually, settle, startEngine } from '../runtime/helpers.js';

export interface Producer {
  traces(req: ExportTraceServiceRequest): Promise<void>;
  metrics(req: ExportMetricsServiceRequest): Promise<void>;
  logs(req: ExportLogsServiceRequest): Promise<void>;
}

export const producers = new Map<string, Producer>();

const idle = (signal: AbortSignal) =>
  new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true }));

export const producer: ComponentRegistration<{ output: OutputArgs }> = {
  name: 'testotel.producer',
  stability: 'experimental',
  args: { blocks: { output: { schema: outputSchema, required: true } } },
  build: (opts, args) => {
    const next = new NextConsumers(opts.logger);
    next.update(args.output);
    producers.set(opts.localID.split('.').pop()!, {
      traces: (r) => next.consumeTraces(r),
      metrics: (r) => next.consumeMetrics(r),
      logs: (r) => next.consumeLogs(r),
    });
    return { run: idle, update: (a) => next.update(a.output) };
  },
};

export interface Recorded {
  traces: ExportTraceServiceRequest[];
  metrics: ExportMetricsServiceRequest[];
  logs: ExportLogsServiceRequest[];
}

const recordings = new Map<string, Recorded>();

export function recorded(label: string): Recorded {
  let r = recordings.get(label);
  if (!r) recordings.set(label, (r = { traces: [], metrics: [], logs: [] }));
  return r;
}

export const recorder: ComponentRegistration<Record<string, never>> = {
  name: 'testotel.recorder',
  stability: 'experimental',
  args: {},
  exports: { input: t.capsule('otelcol.Consumer') },
  build: (opts) => {
    const r = recorded(opts.localID.split('.').pop()!);
    const c: OtelConsumer = {
      signals: new Set(['traces', 'metrics', 'logs']),
      consumeTraces: async (req) => void r.traces.push(req),
      consumeMetrics: async (req) => void r.metrics.push(req),
      consumeLogs: async (req) => void r.logs.push(req),
    };
    opts.onStateChange({ input: consumerCapsule(c) });
    return { run: idle, update: () => undefined };
  },
};

export const testOtelComponents = [producer, recorder];

/** A consumer recording what it gets, for unit tests. */
export function recordingConsumer(): OtelConsumer & Recorded {
  const r: Recorded = { traces: [], metrics: [], logs: [] };
  return Object.assign(r, {
    signals: new Set(['traces', 'metrics', 'logs'] as const),
    consumeTraces: async (req: ExportTraceServiceRequest) => void r.traces.push(req),
    consumeMetrics: async (req: ExportMetricsServiceRequest) => void r.metrics.push(req),
    consumeLogs: async (req: ExportLogsServiceRequest) => void r.logs.push(req),
  });
}

// ------------------------------------------------------------------------------------------- builders

export function value(v: unknown): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'bigint') return { intValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: BigInt(v) } : { doubleValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (v instanceof Uint8Array) return { bytesValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(value) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: attrs(v as Record<string, unknown>) } };
  return {};
}

/** Attributes from a record: strings, integers (int), other numbers (double), booleans, nested. */
export function attrs(rec: Record<string, unknown>): KeyValue[] {
  return Object.entries(rec).map(([key, v]) => ({ key, value: value(v) }));
}

/** Attributes back to a plain record (ints as numbers). */
export function plain(kvs: readonly KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) out[kv.key] = plainValue(kv.value);
  return out;
}

export function plainValue(av: AnyValue | undefined): unknown {
  const v = lv(av);
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return v.arrayValue.values.map(plainValue);
  if (v.kvlistValue) return plain(v.kvlistValue.values);
  if (v.bytesValue) return v.bytesValue;
  return null;
}

export function hexId(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function span(p: Partial<Span> & { attrs?: Record<string, unknown> } = {}): Span {
  const { attrs: a, ...rest } = p;
  return {
    traceId: hexId('0102030405060708090a0b0c0d0e0f10'),
    spanId: hexId('0102030405060708'),
    traceState: '',
    parentSpanId: new Uint8Array(0),
    flags: 0,
    name: 'span',
    kind: 2,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_250_000_000n,
    attributes: a ? attrs(a) : [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
    ...rest,
  };
}

export function traces(
  resource: Record<string, unknown>,
  spans: Span[],
  scope = { name: 'lib', version: '1.0' },
): ExportTraceServiceRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: attrs(resource), droppedAttributesCount: 0, entityRefs: [] },
        scopeSpans: [
          { scope: { ...scope, attributes: [], droppedAttributesCount: 0 }, spans, schemaUrl: '' },
        ],
        schemaUrl: '',
      },
    ],
  };
}

export function point(
  v: number | bigint,
  a: Record<string, unknown> = {},
  timeUnixNano = 1_700_000_000_000_000_000n,
  extra: Partial<NumberDataPoint> = {},
): NumberDataPoint {
  return {
    attributes: attrs(a),
    startTimeUnixNano: 0n,
    timeUnixNano,
    ...(typeof v === 'bigint' ? { asInt: v } : { asDouble: v }),
    exemplars: [],
    flags: 0,
    ...extra,
  };
}

export function gauge(name: string, points: NumberDataPoint[], unit = '', description = ''): Metric {
  return { name, description, unit, gauge: { dataPoints: points }, metadata: [] };
}

export function sum(
  name: string,
  points: NumberDataPoint[],
  unit = '',
  monotonic = true,
  temporality: number = AggregationTemporality.CUMULATIVE,
): Metric {
  return {
    name,
    description: '',
    unit,
    sum: { dataPoints: points, aggregationTemporality: temporality, isMonotonic: monotonic },
    metadata: [],
  };
}

export function metrics(
  resource: Record<string, unknown>,
  ms: Metric[],
  scope = { name: 'meter', version: '2.0' },
): ExportMetricsServiceRequest {
  return {
    resourceMetrics: [
      {
        resource: { attributes: attrs(resource), droppedAttributesCount: 0, entityRefs: [] },
        scopeMetrics: [
          { scope: { ...scope, attributes: [], droppedAttributesCount: 0 }, metrics: ms, schemaUrl: '' },
        ],
        schemaUrl: '',
      },
    ],
  };
}

export function logRecord(
  p: Partial<LogRecord> & { attrs?: Record<string, unknown>; text?: string } = {},
): LogRecord {
  const { attrs: a, text, ...rest } = p;
  return {
    timeUnixNano: 1_700_000_000_123_456_789n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: text === undefined ? undefined : { stringValue: text },
    attributes: a ? attrs(a) : [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: new Uint8Array(0),
    spanId: new Uint8Array(0),
    eventName: '',
    ...rest,
  };
}

export function logs(
  resource: Record<string, unknown>,
  records: LogRecord[],
  scope = { name: '', version: '' },
): ExportLogsServiceRequest {
  return {
    resourceLogs: [
      {
        resource: { attributes: attrs(resource), droppedAttributesCount: 0, entityRefs: [] },
        scopeLogs: [
          {
            scope: { ...scope, attributes: [], droppedAttributesCount: 0 },
            logRecords: records,
            schemaUrl: '',
          },
        ],
        schemaUrl: '',
      },
    ],
  };
}

/** All spans of a request, flattened. */
export function allSpans(reqs: ExportTraceServiceRequest[]): Span[] {
  return reqs.flatMap((r) => r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
}

export function allLogs(reqs: ExportLogsServiceRequest[]): LogRecord[] {
  return reqs.flatMap((r) => r.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)));
}

export function allMetrics(reqs: ExportMetricsServiceRequest[]): Metric[] {
  return reqs.flatMap((r) => r.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)));
}

/** Component options for building a component directly in a unit test. */
export function testOptions(id = 'test', onState: (e: Record<string, unknown>) => void = () => undefined) {
  const logs: string[] = [];
  const opts: ComponentOptions = {
    id,
    localID: id,
    logger: new Logger(new LogSink({ level: 'debug', write: (l) => logs.push(l) })),
    registry: new Registry(),
    dataPath: '/nonexistent',
    onStateChange: onState,
    httpAddress: '127.0.0.1:0',
    selfMetrics: async () => '',
  };
  return { opts, logs };
}

/**
 * Builds a component directly from an Alloy body (decoded with its schema; `OUT` names a recording
 * consumer), returning its `input` consumer and the recorder.
 */
export function buildFromBody(reg: ComponentRegistration, body: string) {
  const rec = recordingConsumer();
  const scope = new Scope(new Map<string, Value>([['OUT', consumerCapsule(rec)]]));
  const file = parseFile('test.alloy', body);
  const { value, diagnostics } = decodeBody(file.body, reg.args, {
    file: file.source,
    evaluate: (e) => evaluate(e, scope),
    rangeStart: 0,
    rangeEnd: body.length,
  });
  if (diagnostics.length) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  let exportsSeen: Record<string, unknown> = {};
  const { opts, logs } = testOptions(reg.name, (e) => (exportsSeen = e));
  const component = reg.build!(opts, value);
  const input = (exportsSeen.input as { value: OtelConsumer } | undefined)?.value;
  return { component, input: input!, out: rec, logs, exports: () => exportsSeen, args: value };
}

/** The decode errors of an Alloy body against a registration's schema. */
export function decodeErrors(reg: ComponentRegistration, body: string): string[] {
  const scope = new Scope(new Map<string, Value>([['OUT', consumerCapsule(recordingConsumer())]]));
  const file = parseFile('test.alloy', body);
  const { diagnostics } = decodeBody(file.body, reg.args, {
    file: file.source,
    evaluate: (e) => evaluate(e, scope),
    rangeStart: 0,
    rangeEnd: body.length,
  });
  return diagnostics.map((d) => d.message);
}
