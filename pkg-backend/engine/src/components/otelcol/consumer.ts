/**
 * The in-process contract of the OpenTelemetry signals (Alloy's `otelcol.Consumer` capsule): a
 * component that accepts OTLP data (processor, exporter, connector) exports `input`, a capsule of type
 * `otelcol.Consumer` whose payload implements `OtelConsumer`; producers list consumers in their
 * `output { traces = [...] metrics = [...] logs = [...] }` block and call them.
 *
 * Data is the decoded OTLP model of `protocols/otlp` (ExportTraceServiceRequest etc.). A consumer may
 * not keep or mutate a request it was given after its promise settles unless it owns it: producers that
 * fan out to several consumers pass each one a deep copy except the last (`fanout*` below), as the
 * collector's fan-out consumer clones for mutating consumers.
 *
 * Back-pressure and errors: `consume*` resolves when the data is accepted (queued or sent) and rejects
 * with a `ConsumerError`; `retryable` tells receivers whether to answer a retryable status (gRPC
 * UNAVAILABLE / HTTP 503, with Retry-After when `retryAfterSeconds` is set) or a permanent one (the
 * collector's otlpreceiver since v0.94 answers INTERNAL / 500 for a permanent consumer error; malformed
 * requests get INVALID_ARGUMENT / 400), as the collector's `consumererror.IsPermanent`.
 *
 * Encoded requests: receivers may pass `EncodedTraces` / `EncodedMetrics` / `EncodedLogs`
 * (`protocols/otlp/lazy.ts`), which implement the same interfaces and decode on first access of
 * `resourceSpans` etc.; nothing changes for a consumer that reads the model. `count*` and `copy*` below
 * are cheap for such requests (no decode) and work on plain ones too.
 */
import { Capsule } from '../../syntax/value.js';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  Metric,
} from '../../protocols/otlp/index.js';
import { EncodedLogs, EncodedMetrics, EncodedTraces, rawCountOf, rawOf } from '../../protocols/otlp/lazy.js';

export const OTELCOL_CONSUMER = 'otelcol.Consumer';

export type OtelSignal = 'traces' | 'metrics' | 'logs';

/** Request metadata a receiver passes on (`include_metadata`): lower-cased header/metadata keys. */
export interface ConsumeContext {
  metadata?: Readonly<Record<string, readonly string[]>>;
  /** Auth data set by an auth extension on the receiver side (e.g. `subject`). */
  auth?: Readonly<Record<string, string>>;
}

export interface OtelConsumer {
  /** Signals this consumer accepts; producers skip consumers without the signal (as Alloy, with a warning). */
  readonly signals: ReadonlySet<OtelSignal>;
  consumeTraces?(req: ExportTraceServiceRequest, ctx?: ConsumeContext): Promise<void>;
  consumeMetrics?(req: ExportMetricsServiceRequest, ctx?: ConsumeContext): Promise<void>;
  consumeLogs?(req: ExportLogsServiceRequest, ctx?: ConsumeContext): Promise<void>;
}

/** Rejection of `consume*`: `retryable` false means the data is dropped for good (permanent error). */
export class ConsumerError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** Suggested wait before retrying, seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Wraps a consumer as the `input` export value. */
export function consumerCapsule(c: OtelConsumer): Capsule<OtelConsumer> {
  return new Capsule(OTELCOL_CONSUMER, c);
}

// ------------------------------------------------------------------------------- item counting

/** Spans in a request (`ptrace.Traces.SpanCount`); no decode for an encoded request. */
export function countSpans(req: ExportTraceServiceRequest): number {
  const raw = rawCountOf(req);
  if (raw !== undefined) return raw;
  let n = 0;
  for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/** Data points of one metric (all data types). */
export function metricPointCount(m: Metric): number {
  return (
    m.gauge?.dataPoints.length ??
    m.sum?.dataPoints.length ??
    m.histogram?.dataPoints.length ??
    m.exponentialHistogram?.dataPoints.length ??
    m.summary?.dataPoints.length ??
    0
  );
}

/** Metric data points in a request (`pmetric.Metrics.DataPointCount`). */
export function countDataPoints(req: ExportMetricsServiceRequest): number {
  const raw = rawCountOf(req);
  if (raw !== undefined) return raw;
  let n = 0;
  for (const rm of req.resourceMetrics)
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += metricPointCount(m);
  return n;
}

/** Log records in a request (`plog.Logs.LogRecordCount`). */
export function countLogRecords(req: ExportLogsServiceRequest): number {
  const raw = rawCountOf(req);
  if (raw !== undefined) return raw;
  let n = 0;
  for (const rl of req.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  return n;
}

/** Items of a request of `signal` (spans, data points or log records). */
export function countItems(signal: OtelSignal, req: object): number {
  if (signal === 'traces') return countSpans(req as ExportTraceServiceRequest);
  if (signal === 'metrics') return countDataPoints(req as ExportMetricsServiceRequest);
  return countLogRecords(req as ExportLogsServiceRequest);
}

// -------------------------------------------------------------------------------------- copies

/** A deep copy; an encoded request is copied without decoding (its bytes are immutable and shared). */
export function copyTraces(req: ExportTraceServiceRequest): ExportTraceServiceRequest {
  const raw = rawOf(req);
  return raw ? new EncodedTraces(raw, rawCountOf(req)!) : structuredClone(req);
}

export function copyMetrics(req: ExportMetricsServiceRequest): ExportMetricsServiceRequest {
  const raw = rawOf(req);
  return raw ? new EncodedMetrics(raw, rawCountOf(req)!) : structuredClone(req);
}

export function copyLogs(req: ExportLogsServiceRequest): ExportLogsServiceRequest {
  const raw = rawOf(req);
  return raw ? new EncodedLogs(raw, rawCountOf(req)!) : structuredClone(req);
}

// ------------------------------------------------------------------------------------- fan-out

/**
 * Passes `req` to every consumer in `list` that accepts `signal` (the others are skipped), each but the
 * last receiving a `copy*`, and waits for all of them. When some reject, rejects with one ConsumerError
 * whose `retryable` is true only if every rejection was retryable (the collector treats a joined error as
 * permanent when any part is), with the largest `retryAfterSeconds`.
 */
export async function fanout(
  signal: OtelSignal,
  list: readonly OtelConsumer[],
  req: object,
  ctx?: ConsumeContext,
): Promise<void> {
  const targets = list.filter((c) => c.signals.has(signal));
  if (targets.length === 0) return;
  const call = (c: OtelConsumer, r: object): Promise<void> =>
    signal === 'traces'
      ? c.consumeTraces!(r as ExportTraceServiceRequest, ctx)
      : signal === 'metrics'
        ? c.consumeMetrics!(r as ExportMetricsServiceRequest, ctx)
        : c.consumeLogs!(r as ExportLogsServiceRequest, ctx);
  if (targets.length === 1) return call(targets[0]!, req);
  const copy = (r: object): object =>
    signal === 'traces'
      ? copyTraces(r as ExportTraceServiceRequest)
      : signal === 'metrics'
        ? copyMetrics(r as ExportMetricsServiceRequest)
        : copyLogs(r as ExportLogsServiceRequest);
  const copies = targets.map((_, i) => (i === targets.length - 1 ? req : copy(req)));
  const results = await Promise.allSettled(targets.map((c, i) => call(c, copies[i]!)));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length === 0) return;
  if (errors.length === 1) throw errors[0];
  throw joinConsumerErrors(errors);
}

/** One ConsumerError for several rejections (retryable only when all are). */
export function joinConsumerErrors(errors: unknown[]): ConsumerError {
  let retryable = true;
  let after: number | undefined;
  for (const e of errors) {
    if (!(e instanceof ConsumerError) || !e.retryable) retryable = false;
    if (e instanceof ConsumerError && e.retryAfterSeconds !== undefined)
      after = Math.max(after ?? 0, e.retryAfterSeconds);
  }
  const msg = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  return new ConsumerError(msg, retryable, after);
}

/** Whether an error from `consume*` may be retried (a non-ConsumerError counts as retryable, as the collector). */
export function isRetryable(err: unknown): boolean {
  return !(err instanceof ConsumerError) || err.retryable;
}
