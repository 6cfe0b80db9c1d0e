/**
 * Protobuf encoders for the OTLP export requests and responses (opentelemetry-proto v1.x; field numbers as
 * in docs/reference/protocols.md §2.2 and the model docstrings in `types.ts`).
 *
 * Hand-written on top of the project's {@link ProtoWriter} (no reflection, one reusable buffer): fields are
 * written in field-number order, proto3 default values (0, '', empty bytes/arrays) are omitted, oneof and
 * `optional` members are written whenever they are set, repeated scalars are packed. Nested messages reserve
 * one length byte and shift their payload only when it turns out to be ≥ 128 bytes. Timestamps are written
 * from `bigint` (fixed64), so nanoseconds stay exact up to 2^64 − 1.
 *
 * Every function returns a fresh `Uint8Array` (a copy, independent of the shared writer).
 */
import { ProtoWriter, varintSize } from '../remote-write-proto.js';
import type {
  AnyValue,
  EntityRef,
  Exemplar,
  ExponentialHistogramBuckets,
  ExponentialHistogramDataPoint,
  ExportLogsServiceRequest,
  ExportLogsServiceResponse,
  ExportMetricsServiceRequest,
  ExportMetricsServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  HistogramDataPoint,
  InstrumentationScope,
  KeyValue,
  LooseAnyValue,
  LogRecord,
  Metric,
  NumberDataPoint,
  Resource,
  Span,
  SummaryDataPoint,
} from './types.js';

const TWO_32 = 4294967296;
const U64 = 0xffffffffffffffffn;

/** ProtoWriter plus the OTLP field helpers (tags > 127, fixed32/fixed64, bigint varints, nesting). */
class OtlpWriter extends ProtoWriter {
  tag(field: number, wireType: number): void {
    this.ensure(5);
    this.varint((field << 3) | wireType);
  }

  /** Opens a length-delimited field; returns the position of its (reserved, 1-byte) length. */
  begin(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    return this.pos++;
  }

  /** Closes a field opened with {@link begin}, widening the length prefix when needed. */
  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    const n = varintSize(len);
    this.ensure(n - 1);
    this.buf.copyWithin(at + n, at + 1, this.pos);
    this.pos = at;
    this.varint(len);
    this.pos = at + n + len;
  }

  str(field: number, s: string): void {
    if (s.length === 0) return;
    this.strAlways(field, s);
  }

  strAlways(field: number, s: string): void {
    const n = Buffer.byteLength(s);
    this.tag(field, 2);
    this.ensure(n + 10);
    this.varint(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  bytes(field: number, b: Uint8Array): void {
    if (b.length === 0) return;
    this.bytesAlways(field, b);
  }

  bytesAlways(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.ensure(10);
    this.varint(b.length);
    this.raw(b);
  }

  /** uint32/uint64/enum (non-negative numbers < 2^53); omitted when 0. */
  uint(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 0);
    this.ensure(10);
    this.varint(v);
  }

  /** int32/int64 enum-like values that may be negative; omitted when 0. */
  int(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 0);
    this.ensure(10);
    this.int64(v);
  }

  sint32(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 0);
    this.ensure(10);
    this.varint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  bool(field: number, v: boolean): void {
    if (!v) return;
    this.tag(field, 0);
    this.ensure(1);
    this.byte(1);
  }

  /** An int64 varint from a bigint (two's complement for negatives). */
  bigVarint(v: bigint): void {
    this.ensure(10);
    if (v >= 0n && v <= 0x1fffffffffffffn) {
      this.varint(Number(v));
      return;
    }
    let x = BigInt.asUintN(64, v);
    while (x > 0x7fn) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
  }

  fixed32(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 5);
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  /** fixed64 from a bigint (timestamps); omitted when 0. */
  fixed64(field: number, v: bigint): void {
    if (v === 0n) return;
    this.tag(field, 1);
    this.ensure(8);
    this.view.setBigUint64(this.pos, v & U64, true);
    this.pos += 8;
  }

  /** sfixed64 from a bigint, always written (oneof member). */
  sfixed64(field: number, v: bigint): void {
    this.tag(field, 1);
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, v), true);
    this.pos += 8;
  }

  /** fixed64 from a non-negative number < 2^53 (counts); omitted when 0. */
  fixed64n(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 1);
    this.ensure(8);
    this.fixed64Num(v);
  }

  fixed64Num(v: number): void {
    this.fixed64Bits((v % TWO_32) >>> 0, Math.floor(v / TWO_32) >>> 0);
  }

  /** A double; written when non-zero, or always when `always` (oneof / optional members). */
  dbl(field: number, v: number, always = false): void {
    if (v === 0 && !always && !Object.is(v, -0)) return;
    this.tag(field, 1);
    this.ensure(8);
    this.double(v);
  }

  packedFixed64(field: number, vs: number[]): void {
    if (vs.length === 0) return;
    this.tag(field, 2);
    this.ensure(10 + vs.length * 8);
    this.varint(vs.length * 8);
    for (const v of vs) this.fixed64Num(v);
  }

  packedDouble(field: number, vs: number[]): void {
    if (vs.length === 0) return;
    this.tag(field, 2);
    this.ensure(10 + vs.length * 8);
    this.varint(vs.length * 8);
    for (const v of vs) this.double(v);
  }

  packedUint(field: number, vs: number[]): void {
    if (vs.length === 0) return;
    const at = this.begin(field);
    this.ensure(vs.length * 10);
    for (const v of vs) this.varint(v);
    this.end(at);
  }
}

// ------------------------------------------------------------------------------------------- common

function anyValue(w: OtlpWriter, av: AnyValue): void {
  const v = av as LooseAnyValue;
  if (v.stringValue !== undefined) w.strAlways(1, v.stringValue);
  else if (v.boolValue !== undefined) {
    w.tag(2, 0);
    w.ensure(1);
    w.byte(v.boolValue ? 1 : 0);
  } else if (v.intValue !== undefined) {
    w.tag(3, 0);
    w.bigVarint(v.intValue);
  } else if (v.doubleValue !== undefined) w.dbl(4, v.doubleValue, true);
  else if (v.arrayValue !== undefined) {
    const at = w.begin(5);
    for (const e of v.arrayValue.values) {
      const a = w.begin(1);
      anyValue(w, e);
      w.end(a);
    }
    w.end(at);
  } else if (v.kvlistValue !== undefined) {
    const at = w.begin(6);
    attributes(w, 1, v.kvlistValue.values);
    w.end(at);
  } else if (v.bytesValue !== undefined) w.bytesAlways(7, v.bytesValue);
}

function attributes(w: OtlpWriter, field: number, kvs: KeyValue[]): void {
  for (const kv of kvs) {
    const at = w.begin(field);
    w.str(1, kv.key);
    const v = w.begin(2);
    anyValue(w, kv.value);
    w.end(v);
    w.end(at);
  }
}

function entityRef(w: OtlpWriter, e: EntityRef): void {
  w.str(1, e.schemaUrl);
  w.str(2, e.type);
  for (const k of e.idKeys) w.strAlways(3, k);
  for (const k of e.descriptionKeys) w.strAlways(4, k);
}

function resource(w: OtlpWriter, field: number, r: Resource | undefined): void {
  if (r === undefined) return;
  const at = w.begin(field);
  attributes(w, 1, r.attributes);
  w.uint(2, r.droppedAttributesCount);
  for (const e of r.entityRefs) {
    const a = w.begin(3);
    entityRef(w, e);
    w.end(a);
  }
  w.end(at);
}

function scope(w: OtlpWriter, field: number, s: InstrumentationScope | undefined): void {
  if (s === undefined) return;
  const at = w.begin(field);
  w.str(1, s.name);
  w.str(2, s.version);
  attributes(w, 3, s.attributes);
  w.uint(4, s.droppedAttributesCount);
  w.end(at);
}

function partialSuccess(
  w: OtlpWriter,
  ps: { rejected: number; errorMessage: string } | undefined,
): Uint8Array {
  w.reset();
  if (ps !== undefined) {
    const at = w.begin(1);
    w.int(1, ps.rejected);
    w.str(2, ps.errorMessage);
    w.end(at);
  }
  return new Uint8Array(w.finish());
}

const shared = new OtlpWriter(64 * 1024);

function finish(w: OtlpWriter): Uint8Array {
  const out = new Uint8Array(w.finish());
  // Don't keep a huge buffer alive after one outsized request.
  if (w.buf.length > 16 * 1024 * 1024) {
    w.buf = Buffer.allocUnsafe(64 * 1024);
    w.view = new DataView(w.buf.buffer, w.buf.byteOffset, w.buf.byteLength);
  }
  return out;
}

// ------------------------------------------------------------------------------------------- traces

function span(w: OtlpWriter, s: Span): void {
  w.bytes(1, s.traceId);
  w.bytes(2, s.spanId);
  w.str(3, s.traceState);
  w.bytes(4, s.parentSpanId);
  w.str(5, s.name);
  w.int(6, s.kind);
  w.fixed64(7, s.startTimeUnixNano);
  w.fixed64(8, s.endTimeUnixNano);
  attributes(w, 9, s.attributes);
  w.uint(10, s.droppedAttributesCount);
  for (const e of s.events) {
    const at = w.begin(11);
    w.fixed64(1, e.timeUnixNano);
    w.str(2, e.name);
    attributes(w, 3, e.attributes);
    w.uint(4, e.droppedAttributesCount);
    w.end(at);
  }
  w.uint(12, s.droppedEventsCount);
  for (const l of s.links) {
    const at = w.begin(13);
    w.bytes(1, l.traceId);
    w.bytes(2, l.spanId);
    w.str(3, l.traceState);
    attributes(w, 4, l.attributes);
    w.uint(5, l.droppedAttributesCount);
    w.fixed32(6, l.flags);
    w.end(at);
  }
  w.uint(14, s.droppedLinksCount);
  if (s.status !== undefined) {
    const at = w.begin(15);
    w.str(2, s.status.message);
    w.int(3, s.status.code);
    w.end(at);
  }
  w.fixed32(16, s.flags);
}

/** Encodes an `ExportTraceServiceRequest` (also valid as `TracesData`). */
export function encodeExportTraceServiceRequest(req: ExportTraceServiceRequest): Uint8Array {
  const w = shared;
  w.reset();
  for (const rs of req.resourceSpans) {
    const a = w.begin(1);
    resource(w, 1, rs.resource);
    for (const ss of rs.scopeSpans) {
      const b = w.begin(2);
      scope(w, 1, ss.scope);
      for (const s of ss.spans) {
        const c = w.begin(2);
        span(w, s);
        w.end(c);
      }
      w.str(3, ss.schemaUrl);
      w.end(b);
    }
    w.str(3, rs.schemaUrl);
    w.end(a);
  }
  return finish(w);
}

/** Encodes an `ExportTraceServiceResponse`; full success (no `partialSuccess`) is the empty message. */
export function encodeExportTraceServiceResponse(res: ExportTraceServiceResponse): Uint8Array {
  const ps = res.partialSuccess;
  return partialSuccess(shared, ps && { rejected: ps.rejectedSpans, errorMessage: ps.errorMessage });
}

// ------------------------------------------------------------------------------------------ metrics

function exemplars(w: OtlpWriter, field: number, es: Exemplar[]): void {
  for (const e of es) {
    const at = w.begin(field);
    w.fixed64(2, e.timeUnixNano);
    if (e.asDouble !== undefined) w.dbl(3, e.asDouble, true);
    w.bytes(4, e.spanId);
    w.bytes(5, e.traceId);
    if (e.asInt !== undefined && e.asDouble === undefined) w.sfixed64(6, e.asInt);
    attributes(w, 7, e.filteredAttributes);
    w.end(at);
  }
}

function numberPoints(w: OtlpWriter, dps: NumberDataPoint[]): void {
  for (const p of dps) {
    const at = w.begin(1);
    w.fixed64(2, p.startTimeUnixNano);
    w.fixed64(3, p.timeUnixNano);
    if (p.asDouble !== undefined) w.dbl(4, p.asDouble, true);
    exemplars(w, 5, p.exemplars);
    if (p.asInt !== undefined && p.asDouble === undefined) w.sfixed64(6, p.asInt);
    attributes(w, 7, p.attributes);
    w.uint(8, p.flags);
    w.end(at);
  }
}

function histogramPoint(w: OtlpWriter, p: HistogramDataPoint): void {
  w.fixed64(2, p.startTimeUnixNano);
  w.fixed64(3, p.timeUnixNano);
  w.fixed64n(4, p.count);
  if (p.sum !== undefined) w.dbl(5, p.sum, true);
  w.packedFixed64(6, p.bucketCounts);
  w.packedDouble(7, p.explicitBounds);
  exemplars(w, 8, p.exemplars);
  attributes(w, 9, p.attributes);
  w.uint(10, p.flags);
  if (p.min !== undefined) w.dbl(11, p.min, true);
  if (p.max !== undefined) w.dbl(12, p.max, true);
}

function buckets(w: OtlpWriter, field: number, b: ExponentialHistogramBuckets | undefined): void {
  if (b === undefined) return;
  const at = w.begin(field);
  w.sint32(1, b.offset);
  w.packedUint(2, b.bucketCounts);
  w.end(at);
}

function expHistogramPoint(w: OtlpWriter, p: ExponentialHistogramDataPoint): void {
  attributes(w, 1, p.attributes);
  w.fixed64(2, p.startTimeUnixNano);
  w.fixed64(3, p.timeUnixNano);
  w.fixed64n(4, p.count);
  if (p.sum !== undefined) w.dbl(5, p.sum, true);
  w.sint32(6, p.scale);
  w.fixed64n(7, p.zeroCount);
  buckets(w, 8, p.positive);
  buckets(w, 9, p.negative);
  w.uint(10, p.flags);
  exemplars(w, 11, p.exemplars);
  if (p.min !== undefined) w.dbl(12, p.min, true);
  if (p.max !== undefined) w.dbl(13, p.max, true);
  w.dbl(14, p.zeroThreshold);
}

function summaryPoint(w: OtlpWriter, p: SummaryDataPoint): void {
  w.fixed64(2, p.startTimeUnixNano);
  w.fixed64(3, p.timeUnixNano);
  w.fixed64n(4, p.count);
  w.dbl(5, p.sum);
  for (const q of p.quantileValues) {
    const at = w.begin(6);
    w.dbl(1, q.quantile);
    w.dbl(2, q.value);
    w.end(at);
  }
  attributes(w, 7, p.attributes);
  w.uint(8, p.flags);
}

function metric(w: OtlpWriter, m: Metric): void {
  w.str(1, m.name);
  w.str(2, m.description);
  w.str(3, m.unit);
  if (m.gauge !== undefined) {
    const at = w.begin(5);
    numberPoints(w, m.gauge.dataPoints);
    w.end(at);
  } else if (m.sum !== undefined) {
    const at = w.begin(7);
    numberPoints(w, m.sum.dataPoints);
    w.int(2, m.sum.aggregationTemporality);
    w.bool(3, m.sum.isMonotonic);
    w.end(at);
  } else if (m.histogram !== undefined) {
    const at = w.begin(9);
    for (const p of m.histogram.dataPoints) {
      const d = w.begin(1);
      histogramPoint(w, p);
      w.end(d);
    }
    w.int(2, m.histogram.aggregationTemporality);
    w.end(at);
  } else if (m.exponentialHistogram !== undefined) {
    const at = w.begin(10);
    for (const p of m.exponentialHistogram.dataPoints) {
      const d = w.begin(1);
      expHistogramPoint(w, p);
      w.end(d);
    }
    w.int(2, m.exponentialHistogram.aggregationTemporality);
    w.end(at);
  } else if (m.summary !== undefined) {
    const at = w.begin(11);
    for (const p of m.summary.dataPoints) {
      const d = w.begin(1);
      summaryPoint(w, p);
      w.end(d);
    }
    w.end(at);
  }
  attributes(w, 12, m.metadata);
}

/** Encodes an `ExportMetricsServiceRequest` (also valid as `MetricsData`). */
export function encodeExportMetricsServiceRequest(req: ExportMetricsServiceRequest): Uint8Array {
  const w = shared;
  w.reset();
  for (const rm of req.resourceMetrics) {
    const a = w.begin(1);
    resource(w, 1, rm.resource);
    for (const sm of rm.scopeMetrics) {
      const b = w.begin(2);
      scope(w, 1, sm.scope);
      for (const m of sm.metrics) {
        const c = w.begin(2);
        metric(w, m);
        w.end(c);
      }
      w.str(3, sm.schemaUrl);
      w.end(b);
    }
    w.str(3, rm.schemaUrl);
    w.end(a);
  }
  return finish(w);
}

/** Encodes an `ExportMetricsServiceResponse`; full success is the empty message. */
export function encodeExportMetricsServiceResponse(res: ExportMetricsServiceResponse): Uint8Array {
  const ps = res.partialSuccess;
  return partialSuccess(shared, ps && { rejected: ps.rejectedDataPoints, errorMessage: ps.errorMessage });
}

// --------------------------------------------------------------------------------------------- logs

function logRecord(w: OtlpWriter, r: LogRecord): void {
  w.fixed64(1, r.timeUnixNano);
  w.int(2, r.severityNumber);
  w.str(3, r.severityText);
  if (r.body !== undefined) {
    const at = w.begin(5);
    anyValue(w, r.body);
    w.end(at);
  }
  attributes(w, 6, r.attributes);
  w.uint(7, r.droppedAttributesCount);
  w.fixed32(8, r.flags);
  w.bytes(9, r.traceId);
  w.bytes(10, r.spanId);
  w.fixed64(11, r.observedTimeUnixNano);
  w.str(12, r.eventName);
}

/** Encodes an `ExportLogsServiceRequest` (also valid as `LogsData`). */
export function encodeExportLogsServiceRequest(req: ExportLogsServiceRequest): Uint8Array {
  const w = shared;
  w.reset();
  for (const rl of req.resourceLogs) {
    const a = w.begin(1);
    resource(w, 1, rl.resource);
    for (const sl of rl.scopeLogs) {
      const b = w.begin(2);
      scope(w, 1, sl.scope);
      for (const r of sl.logRecords) {
        const c = w.begin(2);
        logRecord(w, r);
        w.end(c);
      }
      w.str(3, sl.schemaUrl);
      w.end(b);
    }
    w.str(3, rl.schemaUrl);
    w.end(a);
  }
  return finish(w);
}

/** Encodes an `ExportLogsServiceResponse`; full success is the empty message. */
export function encodeExportLogsServiceResponse(res: ExportLogsServiceResponse): Uint8Array {
  const ps = res.partialSuccess;
  return partialSuccess(shared, ps && { rejected: ps.rejectedLogRecords, errorMessage: ps.errorMessage });
}
