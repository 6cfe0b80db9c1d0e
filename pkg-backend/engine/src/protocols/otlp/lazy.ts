/**
 * Encoded OTLP requests that decode on first use.
 *
 * A receiver → batch → exporter pipeline never needs to look inside spans: it needs item counts (metrics,
 * batch sizes) and the protobuf bytes to send. {@link EncodedTraces} (and the metrics/logs variants) carry
 * the request's wire bytes plus its item count, and implement the decoded model's interface through an own,
 * enumerable accessor (`resourceSpans` / `resourceMetrics` / `resourceLogs`): the first read or write of it
 * materialises the model (decoding the bytes) and **drops the bytes** — whoever looked inside may mutate the
 * model, so from then on only the model is authoritative and an exporter re-encodes it. Code that treats
 * requests as plain data (spread, `structuredClone`, `JSON.stringify`, deep equality of the model) works
 * unchanged, at the cost of a decode.
 *
 * `rawOf(req)` returns the bytes while nobody has looked inside (else undefined). Protobuf repeated fields
 * concatenate, so a batch of encoded requests is the concatenation of their bytes (`concat*`).
 *
 * `scan*` validate a whole request without building it — the checks of the decoders in `decode.ts` (wire
 * types of known fields, lengths, trace/span id sizes, truncation, group wire types), so a scanned request
 * later decodes without error — and count its items (spans; data points of the last data member of each
 * metric, as the decoder keeps; log records). `split*` cut an encoded request after `n` items, repeating the
 * resource and scope envelopes in both halves, without decoding.
 */
import { decodeExportLogsServiceRequest, decodeExportMetricsServiceRequest } from './decode.js';
import { decodeExportTraceServiceRequest } from './decode.js';
import {
  OtlpDecodeError,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
  type ResourceLogs,
  type ResourceMetrics,
  type ResourceSpans,
} from './types.js';

// ------------------------------------------------------------------------------------------ scanner

const K_SKIP = 0;
const K_VARINT = 1;
const K_I64 = 2;
const K_I32 = 3;
const K_LEN = 4;
const K_MSG = 5;
const K_ID16 = 6;
const K_ID8 = 7;
const K_REP_I64 = 8;
const K_REP_VARINT = 9;

/** What to count while scanning a message. */
const C_NONE = 0;
/** Each message of this type is one item. */
const C_ITEM = 1;
/** A Metric: counts the data points of its last data member. */
const C_METRIC = 2;

interface Desc {
  name: string;
  kinds: Uint8Array;
  subs: (Desc | undefined)[];
  count: number;
}

function desc(name: string, fields: Record<number, number | Desc>, count = C_NONE): Desc {
  const max = Math.max(0, ...Object.keys(fields).map(Number));
  const kinds = new Uint8Array(max + 1);
  const subs: (Desc | undefined)[] = new Array(max + 1).fill(undefined);
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'number') kinds[Number(k)] = v;
    else {
      kinds[Number(k)] = K_MSG;
      subs[Number(k)] = v;
    }
  }
  return { name, kinds, subs, count };
}

// AnyValue ↔ ArrayValue/KeyValueList/KeyValue are mutually recursive: patch after creation.
const ANY: Desc = desc('AnyValue', { 1: K_LEN, 2: K_VARINT, 3: K_VARINT, 4: K_I64, 7: K_LEN });
const KV = desc('KeyValue', { 1: K_LEN, 2: ANY });
const ARRAY = desc('ArrayValue', { 1: ANY });
const KVLIST = desc('KeyValueList', { 1: KV });
ANY.kinds[5] = K_MSG;
ANY.subs[5] = ARRAY;
ANY.kinds[6] = K_MSG;
ANY.subs[6] = KVLIST;
const ENTITY_REF = desc('EntityRef', { 1: K_LEN, 2: K_LEN, 3: K_LEN, 4: K_LEN });
const RESOURCE = desc('Resource', { 1: KV, 2: K_VARINT, 3: ENTITY_REF });
const SCOPE = desc('InstrumentationScope', { 1: K_LEN, 2: K_LEN, 3: KV, 4: K_VARINT });

function envelope(names: [string, string, string], item: Desc): Desc {
  const scopeX = desc(names[1], { 1: SCOPE, 2: item, 3: K_LEN });
  const resourceX = desc(names[0], { 1: RESOURCE, 2: scopeX, 3: K_LEN });
  return desc(names[2], { 1: resourceX });
}

const SPAN_EVENT = desc('Span.Event', { 1: K_I64, 2: K_LEN, 3: KV, 4: K_VARINT });
const SPAN_LINK = desc('Span.Link', { 1: K_ID16, 2: K_ID8, 3: K_LEN, 4: KV, 5: K_VARINT, 6: K_I32 });
const STATUS = desc('Status', { 2: K_LEN, 3: K_VARINT });
const SPAN = desc(
  'Span',
  {
    1: K_ID16,
    2: K_ID8,
    3: K_LEN,
    4: K_ID8,
    5: K_LEN,
    6: K_VARINT,
    7: K_I64,
    8: K_I64,
    9: KV,
    10: K_VARINT,
    11: SPAN_EVENT,
    12: K_VARINT,
    13: SPAN_LINK,
    14: K_VARINT,
    15: STATUS,
    16: K_I32,
  },
  C_ITEM,
);
const TRACES = envelope(['ResourceSpans', 'ScopeSpans', 'ExportTraceServiceRequest'], SPAN);

const EXEMPLAR = desc('Exemplar', { 7: KV, 2: K_I64, 3: K_I64, 6: K_I64, 4: K_ID8, 5: K_ID16 });
const NUMBER_POINT = desc(
  'NumberDataPoint',
  { 7: KV, 2: K_I64, 3: K_I64, 4: K_I64, 6: K_I64, 5: EXEMPLAR, 8: K_VARINT },
  C_ITEM,
);
const HISTOGRAM_POINT = desc(
  'HistogramDataPoint',
  {
    9: KV,
    2: K_I64,
    3: K_I64,
    4: K_I64,
    5: K_I64,
    6: K_REP_I64,
    7: K_REP_I64,
    8: EXEMPLAR,
    10: K_VARINT,
    11: K_I64,
    12: K_I64,
  },
  C_ITEM,
);
const BUCKETS = desc('Buckets', { 1: K_VARINT, 2: K_REP_VARINT });
const EXP_POINT = desc(
  'ExponentialHistogramDataPoint',
  {
    1: KV,
    2: K_I64,
    3: K_I64,
    4: K_I64,
    5: K_I64,
    6: K_VARINT,
    7: K_I64,
    8: BUCKETS,
    9: BUCKETS,
    10: K_VARINT,
    11: EXEMPLAR,
    12: K_I64,
    13: K_I64,
    14: K_I64,
  },
  C_ITEM,
);
const QUANTILE = desc('ValueAtQuantile', { 1: K_I64, 2: K_I64 });
const SUMMARY_POINT = desc(
  'SummaryDataPoint',
  { 7: KV, 2: K_I64, 3: K_I64, 4: K_I64, 5: K_I64, 6: QUANTILE, 8: K_VARINT },
  C_ITEM,
);
const container = (point: Desc) => desc('Metric data', { 1: point, 2: K_VARINT, 3: K_VARINT });
const METRIC = desc(
  'Metric',
  {
    1: K_LEN,
    2: K_LEN,
    3: K_LEN,
    5: container(NUMBER_POINT),
    7: container(NUMBER_POINT),
    9: container(HISTOGRAM_POINT),
    10: container(EXP_POINT),
    11: container(SUMMARY_POINT),
    12: KV,
  },
  C_METRIC,
);
const METRICS = envelope(['ResourceMetrics', 'ScopeMetrics', 'ExportMetricsServiceRequest'], METRIC);

const LOG_RECORD = desc(
  'LogRecord',
  {
    1: K_I64,
    11: K_I64,
    2: K_VARINT,
    3: K_LEN,
    5: ANY,
    6: KV,
    7: K_VARINT,
    8: K_I32,
    9: K_ID16,
    10: K_ID8,
    12: K_LEN,
  },
  C_ITEM,
);
const LOGS = envelope(['ResourceLogs', 'ScopeLogs', 'ExportLogsServiceRequest'], LOG_RECORD);

function fail(msg: string): never {
  throw new OtlpDecodeError(msg);
}

/** Validating walker; `items` accumulates the count. */
class Scanner {
  pos = 0;
  items = 0;

  constructor(readonly buf: Uint8Array) {}

  varint(end: number): number {
    const b = this.buf;
    let p = this.pos;
    if (p < end) {
      const c0 = b[p]!;
      if (c0 < 0x80) {
        this.pos = p + 1;
        return c0;
      }
    }
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= end) fail('unexpected end of varint');
      const c = b[p++]!;
      v += (c & 0x7f) * mul;
      mul *= 128;
      if (c < 0x80) {
        this.pos = p;
        return v;
      }
    }
    return fail('varint too long');
  }

  /** Walks one message occupying [pos, end). Hot path: tags and lengths of one or two bytes inline. */
  message(d: Desc, end: number, what: string): void {
    const kinds = d.kinds;
    const nk = kinds.length;
    const buf = this.buf;
    let metricPoints = 0;
    let p = this.pos;
    while (p < end) {
      // tag
      let t = buf[p]!;
      if (t < 0x80) p++;
      else {
        this.pos = p;
        t = this.varint(end);
        p = this.pos;
      }
      const f = t >>> 3;
      const wt = t & 7;
      const k = f < nk ? kinds[f]! : K_SKIP;
      if (k === K_LEN || k === K_MSG || k === K_ID16 || k === K_ID8) {
        if (wt !== 2) this.wrongType(d, f, wt, 2);
        // length
        let n: number;
        if (p + 1 < end && buf[p]! < 0x80) n = buf[p++]!;
        else if (p + 2 < end && buf[p + 1]! < 0x80) {
          n = (buf[p]! & 0x7f) | (buf[p + 1]! << 7);
          p += 2;
        } else {
          this.pos = p;
          n = this.varint(end);
          p = this.pos;
        }
        const e = p + n;
        if (e > end) fail('length-delimited field exceeds message');
        if (k === K_MSG) {
          const sub = d.subs[f]!;
          if (sub === KV) {
            this.keyValue(p, e);
            p = e;
            continue;
          }
          if (sub === SPAN) {
            this.items++;
            this.span(p, e);
            p = e;
            continue;
          }
          this.pos = p;
          if (d.count === C_METRIC && f !== 12) {
            // Data members (5, 7, 9, 10, 11) replace each other: count the last one only.
            const before = this.items;
            this.message(sub, e, what);
            metricPoints = this.items - before;
            this.items = before;
          } else {
            if (sub.count === C_ITEM) this.items++;
            this.message(sub, e, what);
          }
        } else if (k !== K_LEN && n !== 0 && n !== (k === K_ID16 ? 16 : 8)) {
          fail(`${d.name}: field ${f} is ${n} bytes, expected ${k === K_ID16 ? 16 : 8}`);
        }
        p = e;
        continue;
      }
      this.pos = p;
      switch (k) {
        case K_SKIP:
          this.skip(wt, end);
          break;
        case K_VARINT:
          if (wt !== 0) this.wrongType(d, f, wt, 0);
          this.varint(end);
          break;
        case K_I64:
          if (wt !== 1) this.wrongType(d, f, wt, 1);
          if ((this.pos += 8) > end) fail('unexpected end of fixed-width field');
          break;
        case K_I32:
          if (wt !== 5) this.wrongType(d, f, wt, 5);
          if ((this.pos += 4) > end) fail('unexpected end of fixed-width field');
          break;
        case K_REP_I64:
          if (wt === 1) {
            if ((this.pos += 8) > end) fail('unexpected end of fixed-width field');
          } else if (wt === 2) {
            const e = this.len(end);
            if ((e - this.pos) % 8 !== 0) fail(`${d.name}: packed field ${f} length is not a multiple of 8`);
            this.pos = e;
          } else this.wrongType(d, f, wt, 2);
          break;
        case K_REP_VARINT:
          if (wt === 0) this.varint(end);
          else if (wt === 2) {
            const e = this.len(end);
            while (this.pos < e) this.varint(e);
          } else this.wrongType(d, f, wt, 2);
          break;
      }
      p = this.pos;
    }
    this.pos = p;
    if (d.count === C_METRIC) this.items += metricPoints;
  }

  /**
   * A Span in [p, end): ids, strings, varints, timestamps and attributes inline; anything else (events,
   * links, status, unusual encodings) hands the rest of the message to the generic walker.
   */
  span(p: number, end: number): void {
    const buf = this.buf;
    while (p < end) {
      const t = buf[p]!;
      switch (t) {
        case 0x0a: // trace_id
        case 0x12: // span_id
        case 0x22: // parent_span_id
        case 0x1a: // trace_state
        case 0x2a: // name
        case 0x4a: {
          // attributes
          let n = buf[p + 1]!;
          if (n < 0x80 && p + 1 < end) p += 2;
          else {
            this.pos = p + 1;
            n = this.varint(end);
            p = this.pos;
          }
          const e = p + n;
          if (e > end) fail('length-delimited field exceeds message');
          if (t === 0x4a) this.keyValue(p, e);
          else if (t === 0x0a ? n !== 0 && n !== 16 : t !== 0x1a && t !== 0x2a && n !== 0 && n !== 8)
            fail(`Span: field ${t >>> 3} is ${n} bytes, expected ${t === 0x0a ? 16 : 8}`);
          p = e;
          break;
        }
        case 0x39: // start_time_unix_nano
        case 0x41: // end_time_unix_nano
          p += 9;
          if (p > end) fail('unexpected end of fixed-width field');
          break;
        case 0x30: // kind
        case 0x50: // dropped_attributes_count
          this.pos = p + 1;
          this.varint(end);
          p = this.pos;
          break;
        default:
          this.pos = p;
          this.message(SPAN, end, 'Span');
          return;
      }
    }
  }

  /** A KeyValue in [p, end) (the hottest message): 1 key string, 2 AnyValue; others skipped. */
  keyValue(p: number, end: number): void {
    const buf = this.buf;
    while (p < end) {
      const t = buf[p]!;
      if (t === 0x0a || t === 0x12) {
        // field 1 or 2, wire type 2
        let n = buf[p + 1]!;
        if (n < 0x80 && p + 1 < end) p += 2;
        else {
          this.pos = p + 1;
          n = this.varint(end);
          p = this.pos;
        }
        const e = p + n;
        if (e > end) fail('length-delimited field exceeds message');
        if (t === 0x12) this.anyValue(p, e);
        p = e;
        continue;
      }
      this.pos = p;
      this.message(KV, end, 'KeyValue');
      return;
    }
  }

  /** An AnyValue in [p, end): scalar members inline, arrays and maps through the generic walker. */
  anyValue(p: number, end: number): void {
    const buf = this.buf;
    while (p < end) {
      const t = buf[p]!;
      if (t === 0x0a || t === 0x3a) {
        // string_value / bytes_value
        let n = buf[p + 1]!;
        if (n < 0x80 && p + 1 < end) p += 2;
        else {
          this.pos = p + 1;
          n = this.varint(end);
          p = this.pos;
        }
        p += n;
        if (p > end) fail('length-delimited field exceeds message');
      } else if (t === 0x21) {
        // double_value
        p += 9;
        if (p > end) fail('unexpected end of fixed-width field');
      } else if (t === 0x10 || t === 0x18) {
        // bool_value / int_value
        this.pos = p + 1;
        this.varint(end);
        p = this.pos;
      } else {
        this.pos = p;
        this.message(ANY, end, 'AnyValue');
        return;
      }
    }
  }

  /** Reads a length prefix; returns the payload end (pos at its start). */
  len(end: number): number {
    const n = this.varint(end);
    const e = this.pos + n;
    if (e > end) fail('length-delimited field exceeds message');
    return e;
  }

  skip(wt: number, end: number): void {
    switch (wt) {
      case 0:
        this.varint(end);
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.len(end);
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        fail(`unsupported wire type ${wt}`);
    }
    if (this.pos > end) fail('unexpected end of field');
  }

  wrongType(d: Desc, f: number, wt: number, expected: number): never {
    return fail(`${d.name}: field ${f} has wire type ${wt}, expected ${expected}`);
  }
}

function scan(buf: Uint8Array, d: Desc): number {
  const s = new Scanner(buf);
  try {
    s.message(d, buf.length, d.name);
  } catch (e) {
    if (e instanceof OtlpDecodeError) {
      e.message = `${d.name}: ${e.message}`;
      throw e;
    }
    throw e;
  }
  return s.items;
}

/** Validates an encoded `ExportTraceServiceRequest`; returns its span count. Throws {@link OtlpDecodeError}. */
export function scanExportTraceServiceRequest(buf: Uint8Array): number {
  return scan(buf, TRACES);
}

/** Validates an encoded `ExportMetricsServiceRequest`; returns its data point count. */
export function scanExportMetricsServiceRequest(buf: Uint8Array): number {
  return scan(buf, METRICS);
}

/** Validates an encoded `ExportLogsServiceRequest`; returns its log record count. */
export function scanExportLogsServiceRequest(buf: Uint8Array): number {
  return scan(buf, LOGS);
}

// ---------------------------------------------------------------------------------- lazy requests

/** Shared state of an encoded request: bytes until someone looks inside, then the model. */
interface LazyState<M> {
  bytes: Uint8Array | undefined;
  model: M[] | undefined;
  count: number;
  decode: (b: Uint8Array) => M[];
}

const STATE = Symbol('otlp.lazy');

type Lazy = { [STATE]: LazyState<unknown> };

/** One accessor descriptor per model key, shared by every instance (the state lives on the instance). */
function descriptor(): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: Lazy): unknown[] {
      const s = this[STATE];
      if (s.model === undefined) s.model = s.decode(s.bytes!);
      s.bytes = undefined;
      return s.model;
    },
    set(this: Lazy, v: unknown[]) {
      const s = this[STATE];
      s.model = v;
      s.bytes = undefined;
    },
  };
}

const TRACES_DESC = descriptor();
const METRICS_DESC = descriptor();
const LOGS_DESC = descriptor();
const decodeTraces = (b: Uint8Array) => decodeExportTraceServiceRequest(b).resourceSpans;
const decodeMetrics = (b: Uint8Array) => decodeExportMetricsServiceRequest(b).resourceMetrics;
const decodeLogs = (b: Uint8Array) => decodeExportLogsServiceRequest(b).resourceLogs;

/** An `ExportTraceServiceRequest` kept encoded until its `resourceSpans` is used. */
export class EncodedTraces implements ExportTraceServiceRequest {
  declare resourceSpans: ResourceSpans[];
  declare private readonly [STATE]: LazyState<ResourceSpans>;
  /**
   * @param bytes a valid encoded request (see {@link scanExportTraceServiceRequest}); never mutated.
   * @param count its span count.
   * @param model the decoded form when already known (returned instead of decoding).
   */
  constructor(bytes: Uint8Array, count: number, model?: ResourceSpans[]) {
    Object.defineProperty(this, STATE, { value: { bytes, model, count, decode: decodeTraces } });
    Object.defineProperty(this, 'resourceSpans', TRACES_DESC);
  }
}

/** An `ExportMetricsServiceRequest` kept encoded until its `resourceMetrics` is used. */
export class EncodedMetrics implements ExportMetricsServiceRequest {
  declare resourceMetrics: ResourceMetrics[];
  declare private readonly [STATE]: LazyState<ResourceMetrics>;
  constructor(bytes: Uint8Array, count: number, model?: ResourceMetrics[]) {
    Object.defineProperty(this, STATE, { value: { bytes, model, count, decode: decodeMetrics } });
    Object.defineProperty(this, 'resourceMetrics', METRICS_DESC);
  }
}

/** An `ExportLogsServiceRequest` kept encoded until its `resourceLogs` is used. */
export class EncodedLogs implements ExportLogsServiceRequest {
  declare resourceLogs: ResourceLogs[];
  declare private readonly [STATE]: LazyState<ResourceLogs>;
  constructor(bytes: Uint8Array, count: number, model?: ResourceLogs[]) {
    Object.defineProperty(this, STATE, { value: { bytes, model, count, decode: decodeLogs } });
    Object.defineProperty(this, 'resourceLogs', LOGS_DESC);
  }
}

function stateOf(req: object): LazyState<unknown> | undefined {
  return (req as Partial<Lazy>)[STATE];
}

/** The encoded bytes of a request nobody has looked inside yet (else undefined). */
export function rawOf(req: object): Uint8Array | undefined {
  return stateOf(req)?.bytes;
}

/** The item count of a request that is still encoded (else undefined). */
export function rawCountOf(req: object): number | undefined {
  const s = stateOf(req);
  return s?.bytes ? s.count : undefined;
}

function concatBytes(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * One request holding every item of `reqs` in order (the batch processor's merge): the concatenated bytes
 * when all are still encoded, else the concatenated models (decoding the encoded ones). Takes ownership.
 */
export function concatTraces(reqs: ExportTraceServiceRequest[]): ExportTraceServiceRequest {
  if (reqs.length === 1) return reqs[0]!;
  const raw = concatRaw(reqs);
  if (raw) return new EncodedTraces(raw.bytes, raw.count);
  return { resourceSpans: reqs.flatMap((r) => r.resourceSpans) };
}

export function concatMetrics(reqs: ExportMetricsServiceRequest[]): ExportMetricsServiceRequest {
  if (reqs.length === 1) return reqs[0]!;
  const raw = concatRaw(reqs);
  if (raw) return new EncodedMetrics(raw.bytes, raw.count);
  return { resourceMetrics: reqs.flatMap((r) => r.resourceMetrics) };
}

export function concatLogs(reqs: ExportLogsServiceRequest[]): ExportLogsServiceRequest {
  if (reqs.length === 1) return reqs[0]!;
  const raw = concatRaw(reqs);
  if (raw) return new EncodedLogs(raw.bytes, raw.count);
  return { resourceLogs: reqs.flatMap((r) => r.resourceLogs) };
}

function concatRaw(reqs: object[]): { bytes: Uint8Array; count: number } | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  let count = 0;
  for (const r of reqs) {
    const s = stateOf(r);
    if (!s?.bytes) return undefined;
    parts.push(s.bytes);
    total += s.bytes.length;
    count += s.count;
  }
  return { bytes: concatBytes(parts, total), count };
}

// -------------------------------------------------------------------------------------- splitting

/** A protobuf field header (tag + length) for a length-delimited field. */
function header(field: number, len: number): Uint8Array {
  const out: number[] = [];
  let t = (field << 3) | 2;
  while (t >= 0x80) {
    out.push((t & 0x7f) | 0x80);
    t >>>= 7;
  }
  out.push(t);
  let n = len;
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

/** Byte ranges of one message's fields: [field, start, end) with start at the tag. */
function fields(buf: Uint8Array, start: number, end: number): [number, number, number, number][] {
  const s = new Scanner(buf);
  s.pos = start;
  const out: [number, number, number, number][] = [];
  while (s.pos < end) {
    const at = s.pos;
    const t = s.varint(end);
    const wt = t & 7;
    let payload = -1;
    if (wt === 2) {
      const e = s.len(end);
      payload = s.pos;
      s.pos = e;
    } else s.skip(wt, end);
    out.push([t >>> 3, at, s.pos, payload]);
  }
  return out;
}

class Parts {
  chunks: Uint8Array[] = [];
  size = 0;
  add(c: Uint8Array): void {
    this.chunks.push(c);
    this.size += c.length;
  }
  /** Wraps the parts as length-delimited field `field` of the enclosing message. */
  wrapInto(out: Parts, field: number): void {
    out.add(header(field, this.size));
    for (const c of this.chunks) out.add(c);
  }
  bytes(): Uint8Array {
    return concatBytes(this.chunks, this.size);
  }
}

/**
 * Splits an encoded traces/logs request (Resource → Scope → item envelopes, items in field 2 of the scope
 * message) after `n` items. Returns the head and tail bytes; both keep every non-item field of the
 * envelopes they share.
 */
function splitEnvelopes(buf: Uint8Array, n: number): [Uint8Array, Uint8Array] {
  const head = new Parts();
  const tail = new Parts();
  let left = n;
  for (const [f, s, e, p] of fields(buf, 0, buf.length)) {
    const whole = buf.subarray(s, e);
    if (f !== 1 || p < 0) {
      head.add(whole);
      continue;
    }
    if (left === 0) {
      tail.add(whole);
      continue;
    }
    const rf = fields(buf, p, e);
    const headR = new Parts();
    const tailR = new Parts();
    let tailHasScopes = false;
    for (const [f2, s2, e2, p2] of rf) {
      const w2 = buf.subarray(s2, e2);
      if (f2 !== 2 || p2 < 0) {
        headR.add(w2);
        tailR.add(w2);
        continue;
      }
      if (left === 0) {
        tailR.add(w2);
        tailHasScopes = true;
        continue;
      }
      const sf = fields(buf, p2, e2);
      let items = 0;
      for (const x of sf) if (x[0] === 2) items++;
      if (items <= left) {
        headR.add(w2);
        left -= items;
        continue;
      }
      const headS = new Parts();
      const tailS = new Parts();
      for (const [f3, s3, e3] of sf) {
        const w3 = buf.subarray(s3, e3);
        if (f3 !== 2) {
          headS.add(w3);
          tailS.add(w3);
        } else if (left > 0) {
          headS.add(w3);
          left--;
        } else tailS.add(w3);
      }
      headS.wrapInto(headR, 2);
      tailS.wrapInto(tailR, 2);
      tailHasScopes = true;
    }
    headR.wrapInto(head, 1);
    if (tailHasScopes) tailR.wrapInto(tail, 1);
  }
  return [head.bytes(), tail.bytes()];
}

/** Splits an encoded traces request after `n` spans (0 < n < count): [first n, rest]. */
export function splitEncodedTraces(req: EncodedTraces, n: number): [EncodedTraces, EncodedTraces] {
  const s = stateOf(req)!;
  const [a, b] = splitEnvelopes(s.bytes!, n);
  return [new EncodedTraces(a, n), new EncodedTraces(b, s.count - n)];
}

/** Splits an encoded logs request after `n` log records (0 < n < count). */
export function splitEncodedLogs(req: EncodedLogs, n: number): [EncodedLogs, EncodedLogs] {
  const s = stateOf(req)!;
  const [a, b] = splitEnvelopes(s.bytes!, n);
  return [new EncodedLogs(a, n), new EncodedLogs(b, s.count - n)];
}
