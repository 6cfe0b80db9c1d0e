/**
 * Protobuf decoders for the OTLP export requests and responses (opentelemetry-proto v1.x; field numbers as
 * in docs/reference/protocols.md §2.2 and the model docstrings in `types.ts`).
 *
 * Hand-written on top of the project's {@link ProtoReader}: one cursor over the input, nested messages are
 * decoded by narrowing its `end`. Unknown fields (including the deprecated `instrumentation_library_*` 1000
 * fields and the profiles-only `*_strindex` fields) are skipped; repeated scalars are accepted packed and
 * unpacked. Timestamps come back as exact `bigint` nanoseconds. Byte fields (ids, `bytesValue`) are copied,
 * so the result does not alias the input.
 *
 * Errors: malformed input (truncation, lengths past the end, wrong wire type for a known field, group wire
 * types, trace/span ids that are neither empty nor 16/8 bytes) throws {@link OtlpDecodeError}.
 */
import { ProtoError, ProtoReader } from '../remote-write-proto.js';
import {
  OtlpDecodeError,
  type AnyValue,
  type EntityRef,
  type Exemplar,
  type ExponentialHistogramBuckets,
  type ExponentialHistogramDataPoint,
  type ExportLogsServiceRequest,
  type ExportLogsServiceResponse,
  type ExportMetricsServiceRequest,
  type ExportMetricsServiceResponse,
  type ExportTraceServiceRequest,
  type ExportTraceServiceResponse,
  type HistogramDataPoint,
  type InstrumentationScope,
  type KeyValue,
  type LogRecord,
  type Metric,
  type NumberDataPoint,
  type Resource,
  type ResourceLogs,
  type ResourceMetrics,
  type ResourceSpans,
  type ScopeLogs,
  type ScopeMetrics,
  type ScopeSpans,
  type Span,
  type SpanEvent,
  type SpanLink,
  type SummaryDataPoint,
  type ValueAtQuantile,
} from './types.js';

const TWO_32 = 4294967296;
const EMPTY = new Uint8Array(0);

/** ProtoReader plus OTLP field readers; `msg` names the message being decoded, for error texts. */
class OtlpReader extends ProtoReader {
  /** Checks the wire type of a known field. */
  want(wt: number, expected: number, field: number, msg: string): void {
    if (wt !== expected)
      throw new OtlpDecodeError(`${msg}: field ${field} has wire type ${wt}, expected ${expected}`);
  }

  /** Enters a nested message (wire type 2) and returns the enclosing end to restore with {@link leave}. */
  push(wt: number, field: number, msg: string): number {
    this.want(wt, 2, field, msg);
    const e = this.enter();
    const outer = this.end;
    this.end = e;
    return outer;
  }

  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  str(wt: number, field: number, msg: string): string {
    this.want(wt, 2, field, msg);
    return this.string();
  }

  bytes(wt: number, field: number, msg: string): Uint8Array {
    this.want(wt, 2, field, msg);
    const [s, e] = this.delimited();
    return s === e ? EMPTY : new Uint8Array(this.buf.subarray(s, e));
  }

  id(wt: number, field: number, msg: string, size: number): Uint8Array {
    const b = this.bytes(wt, field, msg);
    if (b.length !== 0 && b.length !== size)
      throw new OtlpDecodeError(`${msg}: field ${field} is ${b.length} bytes, expected ${size}`);
    return b;
  }

  uint(wt: number, field: number, msg: string): number {
    this.want(wt, 0, field, msg);
    return this.varint();
  }

  /** uint32 (wraps like proto: a larger varint keeps its low 32 bits). */
  uint32(wt: number, field: number, msg: string): number {
    this.want(wt, 0, field, msg);
    return this.varint() % TWO_32;
  }

  /** int32 / enum values (negatives arrive as 10-byte varints). */
  int32(wt: number, field: number, msg: string): number {
    this.want(wt, 0, field, msg);
    return this.int64() | 0;
  }

  sint32(wt: number, field: number, msg: string): number {
    this.want(wt, 0, field, msg);
    const v = (this.varint() % TWO_32) >>> 0;
    return (v >>> 1) ^ -(v & 1);
  }

  bool(wt: number, field: number, msg: string): boolean {
    this.want(wt, 0, field, msg);
    return this.varint() !== 0;
  }

  /** An int64 varint as an exact bigint. */
  bigInt64(wt: number, field: number, msg: string): bigint {
    this.want(wt, 0, field, msg);
    const start = this.pos;
    const v = this.varint();
    if (this.pos - start <= 7) return BigInt(v);
    let x = 0n;
    for (let i = start, s = 0n; i < this.pos; i++, s += 7n) x |= BigInt(this.buf[i]! & 0x7f) << s;
    return BigInt.asIntN(64, x);
  }

  private room(n: number): void {
    if (this.pos + n > this.end) throw new OtlpDecodeError('unexpected end of fixed-width field');
  }

  fixed32(wt: number, field: number, msg: string): number {
    this.want(wt, 5, field, msg);
    this.room(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64(wt: number, field: number, msg: string): bigint {
    this.want(wt, 1, field, msg);
    this.room(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  sfixed64(wt: number, field: number, msg: string): bigint {
    this.want(wt, 1, field, msg);
    this.room(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A fixed64 count as a number (exact below 2^53). */
  fixed64Num(): number {
    this.room(8);
    const v = this.view.getUint32(this.pos, true) + this.view.getUint32(this.pos + 4, true) * TWO_32;
    this.pos += 8;
    return v;
  }

  count(wt: number, field: number, msg: string): number {
    this.want(wt, 1, field, msg);
    return this.fixed64Num();
  }

  dbl(wt: number, field: number, msg: string): number {
    this.want(wt, 1, field, msg);
    return this.double();
  }

  /** Appends a repeated fixed64 (packed or not) to `out`. */
  repFixed64(wt: number, field: number, msg: string, out: number[]): void {
    if (wt === 1) {
      out.push(this.fixed64Num());
      return;
    }
    const e = this.packed(wt, field, msg, 8);
    while (this.pos < e) out.push(this.fixed64Num());
  }

  repDouble(wt: number, field: number, msg: string, out: number[]): void {
    if (wt === 1) {
      out.push(this.double());
      return;
    }
    const e = this.packed(wt, field, msg, 8);
    while (this.pos < e) out.push(this.double());
  }

  repUint(wt: number, field: number, msg: string, out: number[]): void {
    if (wt === 0) {
      out.push(this.varint());
      return;
    }
    const e = this.packed(wt, field, msg, 1);
    const outer = this.end;
    this.end = e;
    while (this.pos < e) out.push(this.varint());
    this.end = outer;
  }

  private packed(wt: number, field: number, msg: string, unit: number): number {
    this.want(wt, 2, field, msg);
    const e = this.enter();
    if ((e - this.pos) % unit !== 0)
      throw new OtlpDecodeError(`${msg}: packed field ${field} length is not a multiple of ${unit}`);
    return e;
  }
}

// ------------------------------------------------------------------------------------------- common

function anyValue(r: OtlpReader): AnyValue {
  let v: AnyValue = {};
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    switch (f) {
      case 1:
        v = { stringValue: r.str(wt, f, 'AnyValue') };
        break;
      case 2:
        v = { boolValue: r.bool(wt, f, 'AnyValue') };
        break;
      case 3:
        v = { intValue: r.bigInt64(wt, f, 'AnyValue') };
        break;
      case 4:
        v = { doubleValue: r.dbl(wt, f, 'AnyValue') };
        break;
      case 5: {
        const values: AnyValue[] = [];
        const o = r.push(wt, f, 'AnyValue');
        while (r.pos < r.end) {
          const t2 = r.varint();
          if (t2 >>> 3 === 1) {
            const o2 = r.push(t2 & 7, 1, 'ArrayValue');
            values.push(anyValue(r));
            r.leave(o2);
          } else r.skip(t2 & 7);
        }
        r.leave(o);
        v = { arrayValue: { values } };
        break;
      }
      case 6: {
        const values: KeyValue[] = [];
        const o = r.push(wt, f, 'AnyValue');
        while (r.pos < r.end) {
          const t2 = r.varint();
          if (t2 >>> 3 === 1) values.push(keyValue(r, t2 & 7));
          else r.skip(t2 & 7);
        }
        r.leave(o);
        v = { kvlistValue: { values } };
        break;
      }
      case 7:
        v = { bytesValue: r.bytes(wt, f, 'AnyValue') };
        break;
      default:
        r.skip(wt);
    }
  }
  return v;
}

/** Reads one KeyValue field payload (the tag has been read). */
function keyValue(r: OtlpReader, wt: number): KeyValue {
  const o = r.push(wt, 1, 'KeyValue');
  let key = '';
  let value: AnyValue = {};
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    if (f === 1) key = r.str(t & 7, f, 'KeyValue');
    else if (f === 2) {
      const o2 = r.push(t & 7, f, 'KeyValue');
      value = anyValue(r);
      r.leave(o2);
    } else r.skip(t & 7);
  }
  r.leave(o);
  return { key, value };
}

function entityRef(r: OtlpReader): EntityRef {
  const e: EntityRef = { schemaUrl: '', type: '', idKeys: [], descriptionKeys: [] };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 1) e.schemaUrl = r.str(wt, f, 'EntityRef');
    else if (f === 2) e.type = r.str(wt, f, 'EntityRef');
    else if (f === 3) e.idKeys.push(r.str(wt, f, 'EntityRef'));
    else if (f === 4) e.descriptionKeys.push(r.str(wt, f, 'EntityRef'));
    else r.skip(wt);
  }
  return e;
}

function resource(r: OtlpReader): Resource {
  const res: Resource = { attributes: [], droppedAttributesCount: 0, entityRefs: [] };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 1) res.attributes.push(keyValue(r, wt));
    else if (f === 2) res.droppedAttributesCount = r.uint32(wt, f, 'Resource');
    else if (f === 3) {
      const o = r.push(wt, f, 'Resource');
      res.entityRefs.push(entityRef(r));
      r.leave(o);
    } else r.skip(wt);
  }
  return res;
}

function scope(r: OtlpReader): InstrumentationScope {
  const s: InstrumentationScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 1) s.name = r.str(wt, f, 'InstrumentationScope');
    else if (f === 2) s.version = r.str(wt, f, 'InstrumentationScope');
    else if (f === 3) s.attributes.push(keyValue(r, wt));
    else if (f === 4) s.droppedAttributesCount = r.uint32(wt, f, 'InstrumentationScope');
    else r.skip(wt);
  }
  return s;
}

/**
 * Decodes the three `Resource<X>` → `Scope<X>` → item envelopes shared by all signals: `item` decodes one
 * item message (cursor bounded to it).
 */
function envelopes<T>(
  r: OtlpReader,
  names: [string, string],
  item: (r: OtlpReader) => T,
): {
  resource?: Resource;
  scopes: { scope?: InstrumentationScope; items: T[]; schemaUrl: string }[];
  schemaUrl: string;
}[] {
  const out = [];
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 !== 1) {
      r.skip(t & 7);
      continue;
    }
    const o = r.push(t & 7, 1, 'Export request');
    const rs: {
      resource?: Resource;
      scopes: { scope?: InstrumentationScope; items: T[]; schemaUrl: string }[];
      schemaUrl: string;
    } = { scopes: [], schemaUrl: '' };
    while (r.pos < r.end) {
      const t2 = r.varint();
      const f = t2 >>> 3;
      const wt = t2 & 7;
      if (f === 1) {
        const o2 = r.push(wt, f, names[0]);
        rs.resource = resource(r);
        r.leave(o2);
      } else if (f === 2) {
        const o2 = r.push(wt, f, names[0]);
        const ss: { scope?: InstrumentationScope; items: T[]; schemaUrl: string } = {
          items: [],
          schemaUrl: '',
        };
        while (r.pos < r.end) {
          const t3 = r.varint();
          const f3 = t3 >>> 3;
          const wt3 = t3 & 7;
          if (f3 === 1) {
            const o3 = r.push(wt3, f3, names[1]);
            ss.scope = scope(r);
            r.leave(o3);
          } else if (f3 === 2) {
            const o3 = r.push(wt3, f3, names[1]);
            ss.items.push(item(r));
            r.leave(o3);
          } else if (f3 === 3) ss.schemaUrl = r.str(wt3, f3, names[1]);
          else r.skip(wt3);
        }
        r.leave(o2);
        rs.scopes.push(ss);
      } else if (f === 3) rs.schemaUrl = r.str(wt, f, names[0]);
      else r.skip(wt);
    }
    r.leave(o);
    out.push(rs);
  }
  return out;
}

/** Runs a decoder over `buf`, turning reader errors into {@link OtlpDecodeError}. */
function run<T>(buf: Uint8Array, what: string, fn: (r: OtlpReader) => T): T {
  const r = new OtlpReader(buf);
  try {
    return fn(r);
  } catch (e) {
    if (e instanceof OtlpDecodeError) {
      e.message = `${what}: ${e.message}`;
      throw e;
    }
    if (e instanceof ProtoError || e instanceof RangeError)
      throw new OtlpDecodeError(`${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

function partialSuccess(r: OtlpReader, msg: string): { rejected: number; errorMessage: string } | undefined {
  let ps: { rejected: number; errorMessage: string } | undefined;
  while (r.pos < r.end) {
    const t = r.varint();
    if (t >>> 3 !== 1) {
      r.skip(t & 7);
      continue;
    }
    const o = r.push(t & 7, 1, msg);
    ps = { rejected: 0, errorMessage: '' };
    while (r.pos < r.end) {
      const t2 = r.varint();
      const f = t2 >>> 3;
      if (f === 1) {
        r.want(t2 & 7, 0, f, 'partial_success');
        ps.rejected = r.int64();
      } else if (f === 2) ps.errorMessage = r.str(t2 & 7, f, 'partial_success');
      else r.skip(t2 & 7);
    }
    r.leave(o);
  }
  return ps;
}

// ------------------------------------------------------------------------------------------- traces

function spanEvent(r: OtlpReader): SpanEvent {
  const e: SpanEvent = { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 1) e.timeUnixNano = r.fixed64(wt, f, 'Span.Event');
    else if (f === 2) e.name = r.str(wt, f, 'Span.Event');
    else if (f === 3) e.attributes.push(keyValue(r, wt));
    else if (f === 4) e.droppedAttributesCount = r.uint32(wt, f, 'Span.Event');
    else r.skip(wt);
  }
  return e;
}

function spanLink(r: OtlpReader): SpanLink {
  const l: SpanLink = {
    traceId: EMPTY,
    spanId: EMPTY,
    traceState: '',
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 1) l.traceId = r.id(wt, f, 'Span.Link', 16);
    else if (f === 2) l.spanId = r.id(wt, f, 'Span.Link', 8);
    else if (f === 3) l.traceState = r.str(wt, f, 'Span.Link');
    else if (f === 4) l.attributes.push(keyValue(r, wt));
    else if (f === 5) l.droppedAttributesCount = r.uint32(wt, f, 'Span.Link');
    else if (f === 6) l.flags = r.fixed32(wt, f, 'Span.Link');
    else r.skip(wt);
  }
  return l;
}

function span(r: OtlpReader): Span {
  const s: Span = {
    traceId: EMPTY,
    spanId: EMPTY,
    traceState: '',
    parentSpanId: EMPTY,
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: undefined,
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    switch (f) {
      case 1:
        s.traceId = r.id(wt, f, 'Span', 16);
        break;
      case 2:
        s.spanId = r.id(wt, f, 'Span', 8);
        break;
      case 3:
        s.traceState = r.str(wt, f, 'Span');
        break;
      case 4:
        s.parentSpanId = r.id(wt, f, 'Span', 8);
        break;
      case 5:
        s.name = r.str(wt, f, 'Span');
        break;
      case 6:
        s.kind = r.int32(wt, f, 'Span');
        break;
      case 7:
        s.startTimeUnixNano = r.fixed64(wt, f, 'Span');
        break;
      case 8:
        s.endTimeUnixNano = r.fixed64(wt, f, 'Span');
        break;
      case 9:
        s.attributes.push(keyValue(r, wt));
        break;
      case 10:
        s.droppedAttributesCount = r.uint32(wt, f, 'Span');
        break;
      case 11: {
        const o = r.push(wt, f, 'Span');
        s.events.push(spanEvent(r));
        r.leave(o);
        break;
      }
      case 12:
        s.droppedEventsCount = r.uint32(wt, f, 'Span');
        break;
      case 13: {
        const o = r.push(wt, f, 'Span');
        s.links.push(spanLink(r));
        r.leave(o);
        break;
      }
      case 14:
        s.droppedLinksCount = r.uint32(wt, f, 'Span');
        break;
      case 15: {
        const o = r.push(wt, f, 'Span');
        const st = { message: '', code: 0 };
        while (r.pos < r.end) {
          const t2 = r.varint();
          const f2 = t2 >>> 3;
          if (f2 === 2) st.message = r.str(t2 & 7, f2, 'Status');
          else if (f2 === 3) st.code = r.int32(t2 & 7, f2, 'Status');
          else r.skip(t2 & 7);
        }
        r.leave(o);
        s.status = st;
        break;
      }
      case 16:
        s.flags = r.fixed32(wt, f, 'Span');
        break;
      default:
        r.skip(wt);
    }
  }
  if (s.status === undefined) delete s.status;
  return s;
}

/** Decodes an `ExportTraceServiceRequest` (or `TracesData`). Throws {@link OtlpDecodeError}. */
export function decodeExportTraceServiceRequest(buf: Uint8Array): ExportTraceServiceRequest {
  return run(buf, 'ExportTraceServiceRequest', (r) => ({
    resourceSpans: envelopes(r, ['ResourceSpans', 'ScopeSpans'], span).map((e): ResourceSpans => ({
      ...(e.resource && { resource: e.resource }),
      scopeSpans: e.scopes.map((s): ScopeSpans => ({
        ...(s.scope && { scope: s.scope }),
        spans: s.items,
        schemaUrl: s.schemaUrl,
      })),
      schemaUrl: e.schemaUrl,
    })),
  }));
}

/** Decodes an `ExportTraceServiceResponse`. Throws {@link OtlpDecodeError}. */
export function decodeExportTraceServiceResponse(buf: Uint8Array): ExportTraceServiceResponse {
  return run(buf, 'ExportTraceServiceResponse', (r) => {
    const ps = partialSuccess(r, 'ExportTraceServiceResponse');
    return ps ? { partialSuccess: { rejectedSpans: ps.rejected, errorMessage: ps.errorMessage } } : {};
  });
}

// ------------------------------------------------------------------------------------------ metrics

function exemplar(r: OtlpReader): Exemplar {
  const e: Exemplar = { filteredAttributes: [], timeUnixNano: 0n, spanId: EMPTY, traceId: EMPTY };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 7) e.filteredAttributes.push(keyValue(r, wt));
    else if (f === 2) e.timeUnixNano = r.fixed64(wt, f, 'Exemplar');
    else if (f === 3) {
      e.asDouble = r.dbl(wt, f, 'Exemplar');
      delete e.asInt;
    } else if (f === 6) {
      e.asInt = r.sfixed64(wt, f, 'Exemplar');
      delete e.asDouble;
    } else if (f === 4) e.spanId = r.id(wt, f, 'Exemplar', 8);
    else if (f === 5) e.traceId = r.id(wt, f, 'Exemplar', 16);
    else r.skip(wt);
  }
  return e;
}

function pushExemplar(r: OtlpReader, wt: number, f: number, msg: string, out: Exemplar[]): void {
  const o = r.push(wt, f, msg);
  out.push(exemplar(r));
  r.leave(o);
}

function numberPoint(r: OtlpReader): NumberDataPoint {
  const p: NumberDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    exemplars: [],
    flags: 0,
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 7) p.attributes.push(keyValue(r, wt));
    else if (f === 2) p.startTimeUnixNano = r.fixed64(wt, f, 'NumberDataPoint');
    else if (f === 3) p.timeUnixNano = r.fixed64(wt, f, 'NumberDataPoint');
    else if (f === 4) {
      p.asDouble = r.dbl(wt, f, 'NumberDataPoint');
      delete p.asInt;
    } else if (f === 6) {
      p.asInt = r.sfixed64(wt, f, 'NumberDataPoint');
      delete p.asDouble;
    } else if (f === 5) pushExemplar(r, wt, f, 'NumberDataPoint', p.exemplars);
    else if (f === 8) p.flags = r.uint32(wt, f, 'NumberDataPoint');
    else r.skip(wt);
  }
  return p;
}

function histogramPoint(r: OtlpReader): HistogramDataPoint {
  const M = 'HistogramDataPoint';
  const p: HistogramDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    bucketCounts: [],
    explicitBounds: [],
    exemplars: [],
    flags: 0,
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 9) p.attributes.push(keyValue(r, wt));
    else if (f === 2) p.startTimeUnixNano = r.fixed64(wt, f, M);
    else if (f === 3) p.timeUnixNano = r.fixed64(wt, f, M);
    else if (f === 4) p.count = r.count(wt, f, M);
    else if (f === 5) p.sum = r.dbl(wt, f, M);
    else if (f === 6) r.repFixed64(wt, f, M, p.bucketCounts);
    else if (f === 7) r.repDouble(wt, f, M, p.explicitBounds);
    else if (f === 8) pushExemplar(r, wt, f, M, p.exemplars);
    else if (f === 10) p.flags = r.uint32(wt, f, M);
    else if (f === 11) p.min = r.dbl(wt, f, M);
    else if (f === 12) p.max = r.dbl(wt, f, M);
    else r.skip(wt);
  }
  return p;
}

function buckets(r: OtlpReader, wt: number, f: number): ExponentialHistogramBuckets {
  const o = r.push(wt, f, 'ExponentialHistogramDataPoint');
  const b: ExponentialHistogramBuckets = { offset: 0, bucketCounts: [] };
  while (r.pos < r.end) {
    const t = r.varint();
    const f2 = t >>> 3;
    if (f2 === 1) b.offset = r.sint32(t & 7, f2, 'Buckets');
    else if (f2 === 2) r.repUint(t & 7, f2, 'Buckets', b.bucketCounts);
    else r.skip(t & 7);
  }
  r.leave(o);
  return b;
}

function expHistogramPoint(r: OtlpReader): ExponentialHistogramDataPoint {
  const M = 'ExponentialHistogramDataPoint';
  const p: ExponentialHistogramDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    scale: 0,
    zeroCount: 0,
    flags: 0,
    exemplars: [],
    zeroThreshold: 0,
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 1) p.attributes.push(keyValue(r, wt));
    else if (f === 2) p.startTimeUnixNano = r.fixed64(wt, f, M);
    else if (f === 3) p.timeUnixNano = r.fixed64(wt, f, M);
    else if (f === 4) p.count = r.count(wt, f, M);
    else if (f === 5) p.sum = r.dbl(wt, f, M);
    else if (f === 6) p.scale = r.sint32(wt, f, M);
    else if (f === 7) p.zeroCount = r.count(wt, f, M);
    else if (f === 8) p.positive = buckets(r, wt, f);
    else if (f === 9) p.negative = buckets(r, wt, f);
    else if (f === 10) p.flags = r.uint32(wt, f, M);
    else if (f === 11) pushExemplar(r, wt, f, M, p.exemplars);
    else if (f === 12) p.min = r.dbl(wt, f, M);
    else if (f === 13) p.max = r.dbl(wt, f, M);
    else if (f === 14) p.zeroThreshold = r.dbl(wt, f, M);
    else r.skip(wt);
  }
  return p;
}

function summaryPoint(r: OtlpReader): SummaryDataPoint {
  const M = 'SummaryDataPoint';
  const p: SummaryDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    sum: 0,
    quantileValues: [],
    flags: 0,
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 7) p.attributes.push(keyValue(r, wt));
    else if (f === 2) p.startTimeUnixNano = r.fixed64(wt, f, M);
    else if (f === 3) p.timeUnixNano = r.fixed64(wt, f, M);
    else if (f === 4) p.count = r.count(wt, f, M);
    else if (f === 5) p.sum = r.dbl(wt, f, M);
    else if (f === 6) {
      const o = r.push(wt, f, M);
      const q: ValueAtQuantile = { quantile: 0, value: 0 };
      while (r.pos < r.end) {
        const t2 = r.varint();
        const f2 = t2 >>> 3;
        if (f2 === 1) q.quantile = r.dbl(t2 & 7, f2, 'ValueAtQuantile');
        else if (f2 === 2) q.value = r.dbl(t2 & 7, f2, 'ValueAtQuantile');
        else r.skip(t2 & 7);
      }
      r.leave(o);
      p.quantileValues.push(q);
    } else if (f === 8) p.flags = r.uint32(wt, f, M);
    else r.skip(wt);
  }
  return p;
}

/** Decodes the data-point container at the cursor: `points` for field 1, temporality (2), monotonic (3). */
function dataContainer<P>(
  r: OtlpReader,
  wt: number,
  f: number,
  point: (r: OtlpReader) => P,
): { dataPoints: P[]; aggregationTemporality: number; isMonotonic: boolean } {
  const o = r.push(wt, f, 'Metric');
  const d = { dataPoints: [] as P[], aggregationTemporality: 0, isMonotonic: false };
  while (r.pos < r.end) {
    const t = r.varint();
    const f2 = t >>> 3;
    if (f2 === 1) {
      const o2 = r.push(t & 7, f2, 'Metric data');
      d.dataPoints.push(point(r));
      r.leave(o2);
    } else if (f2 === 2) d.aggregationTemporality = r.int32(t & 7, f2, 'Metric data');
    else if (f2 === 3) d.isMonotonic = r.bool(t & 7, f2, 'Metric data');
    else r.skip(t & 7);
  }
  r.leave(o);
  return d;
}

function metric(r: OtlpReader): Metric {
  const m: Metric = { name: '', description: '', unit: '', metadata: [] };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    switch (f) {
      case 1:
        m.name = r.str(wt, f, 'Metric');
        break;
      case 2:
        m.description = r.str(wt, f, 'Metric');
        break;
      case 3:
        m.unit = r.str(wt, f, 'Metric');
        break;
      case 5:
        clearData(m);
        m.gauge = { dataPoints: dataContainer(r, wt, f, numberPoint).dataPoints };
        break;
      case 7: {
        clearData(m);
        const d = dataContainer(r, wt, f, numberPoint);
        m.sum = d;
        break;
      }
      case 9: {
        clearData(m);
        const d = dataContainer(r, wt, f, histogramPoint);
        m.histogram = { dataPoints: d.dataPoints, aggregationTemporality: d.aggregationTemporality };
        break;
      }
      case 10: {
        clearData(m);
        const d = dataContainer(r, wt, f, expHistogramPoint);
        m.exponentialHistogram = {
          dataPoints: d.dataPoints,
          aggregationTemporality: d.aggregationTemporality,
        };
        break;
      }
      case 11:
        clearData(m);
        m.summary = { dataPoints: dataContainer(r, wt, f, summaryPoint).dataPoints };
        break;
      case 12:
        m.metadata.push(keyValue(r, wt));
        break;
      default:
        r.skip(wt);
    }
  }
  return m;
}

/** A later oneof member replaces an earlier one (proto semantics). */
function clearData(m: Metric): void {
  delete m.gauge;
  delete m.sum;
  delete m.histogram;
  delete m.exponentialHistogram;
  delete m.summary;
}

/** Decodes an `ExportMetricsServiceRequest` (or `MetricsData`). Throws {@link OtlpDecodeError}. */
export function decodeExportMetricsServiceRequest(buf: Uint8Array): ExportMetricsServiceRequest {
  return run(buf, 'ExportMetricsServiceRequest', (r) => ({
    resourceMetrics: envelopes(r, ['ResourceMetrics', 'ScopeMetrics'], metric).map((e): ResourceMetrics => ({
      ...(e.resource && { resource: e.resource }),
      scopeMetrics: e.scopes.map((s): ScopeMetrics => ({
        ...(s.scope && { scope: s.scope }),
        metrics: s.items,
        schemaUrl: s.schemaUrl,
      })),
      schemaUrl: e.schemaUrl,
    })),
  }));
}

/** Decodes an `ExportMetricsServiceResponse`. Throws {@link OtlpDecodeError}. */
export function decodeExportMetricsServiceResponse(buf: Uint8Array): ExportMetricsServiceResponse {
  return run(buf, 'ExportMetricsServiceResponse', (r) => {
    const ps = partialSuccess(r, 'ExportMetricsServiceResponse');
    return ps ? { partialSuccess: { rejectedDataPoints: ps.rejected, errorMessage: ps.errorMessage } } : {};
  });
}

// --------------------------------------------------------------------------------------------- logs

function logRecord(r: OtlpReader): LogRecord {
  const M = 'LogRecord';
  const l: LogRecord = {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY,
    spanId: EMPTY,
    eventName: '',
  };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const wt = t & 7;
    switch (f) {
      case 1:
        l.timeUnixNano = r.fixed64(wt, f, M);
        break;
      case 11:
        l.observedTimeUnixNano = r.fixed64(wt, f, M);
        break;
      case 2:
        l.severityNumber = r.int32(wt, f, M);
        break;
      case 3:
        l.severityText = r.str(wt, f, M);
        break;
      case 5: {
        const o = r.push(wt, f, M);
        l.body = anyValue(r);
        r.leave(o);
        break;
      }
      case 6:
        l.attributes.push(keyValue(r, wt));
        break;
      case 7:
        l.droppedAttributesCount = r.uint32(wt, f, M);
        break;
      case 8:
        l.flags = r.fixed32(wt, f, M);
        break;
      case 9:
        l.traceId = r.id(wt, f, M, 16);
        break;
      case 10:
        l.spanId = r.id(wt, f, M, 8);
        break;
      case 12:
        l.eventName = r.str(wt, f, M);
        break;
      default:
        r.skip(wt);
    }
  }
  return l;
}

/** Decodes an `ExportLogsServiceRequest` (or `LogsData`). Throws {@link OtlpDecodeError}. */
export function decodeExportLogsServiceRequest(buf: Uint8Array): ExportLogsServiceRequest {
  return run(buf, 'ExportLogsServiceRequest', (r) => ({
    resourceLogs: envelopes(r, ['ResourceLogs', 'ScopeLogs'], logRecord).map((e): ResourceLogs => ({
      ...(e.resource && { resource: e.resource }),
      scopeLogs: e.scopes.map((s): ScopeLogs => ({
        ...(s.scope && { scope: s.scope }),
        logRecords: s.items,
        schemaUrl: s.schemaUrl,
      })),
      schemaUrl: e.schemaUrl,
    })),
  }));
}

/** Decodes an `ExportLogsServiceResponse`. Throws {@link OtlpDecodeError}. */
export function decodeExportLogsServiceResponse(buf: Uint8Array): ExportLogsServiceResponse {
  return run(buf, 'ExportLogsServiceResponse', (r) => {
    const ps = partialSuccess(r, 'ExportLogsServiceResponse');
    return ps ? { partialSuccess: { rejectedLogRecords: ps.rejected, errorMessage: ps.errorMessage } } : {};
  });
}
