/**
 * The OTLP/JSON mapping (docs/reference/protocols.md §2.3): proto3 JSON with lowerCamelCase keys and these
 * OTLP deviations —
 * - `traceId` / `spanId` / `parentSpanId` are hex strings (32 / 16 chars; decode is case-insensitive and
 *   treats `""` / missing as empty), other bytes (`bytesValue`) are base64;
 * - 64-bit integers (`*UnixNano`, `intValue`, `asInt`, `count`, `bucketCounts`, `zeroCount`, rejected
 *   counts) are written as decimal strings; decode accepts strings or numbers;
 * - enums are written as integers; decode also accepts their proto names (`"SPAN_KIND_SERVER"`);
 * - doubles are numbers, with `"NaN"`, `"Infinity"`, `"-Infinity"` strings for the non-finite ones;
 * - zero values are omitted on output (oneof / `optional` members are written whenever set); missing keys
 *   decode to zero values; unknown keys are ignored.
 *
 * The conversion is driven by one small schema per message (below), so protobuf and JSON cover the same
 * fields. Decoding malformed JSON or values of the wrong type throws {@link OtlpDecodeError}.
 */
import {
  OtlpDecodeError,
  type AnyValue,
  type ExportLogsServiceRequest,
  type ExportLogsServiceResponse,
  type ExportMetricsServiceRequest,
  type ExportMetricsServiceResponse,
  type ExportTraceServiceRequest,
  type ExportTraceServiceResponse,
  type KeyValue,
} from './types.js';

const EMPTY = new Uint8Array(0);

/** Field kinds: scalars by name, `{ m }` an optional sub-message, `{ r }` a repeated one. */
type Kind =
  | 'str'
  | 'strs'
  | 'u32'
  | 'bool'
  | 'ns'
  | 'i64'
  | 'u64'
  | 'u64s'
  | 'dbl'
  | 'dbls'
  | 'dblOpt'
  | 'i64Opt'
  | 'id'
  | 'any'
  | 'anyOpt'
  | 'kvs'
  | { e: Record<string, number> }
  | { m: Schema }
  | { r: Schema };
type Schema = Record<string, Kind>;

function enumNames(names: string[], prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((n, i) => (out[prefix + n] = i));
  return out;
}

const SEVERITY: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((lvl, i) => {
  SEVERITY[`SEVERITY_NUMBER_${lvl}`] = 1 + 4 * i;
  for (let k = 2; k <= 4; k++) SEVERITY[`SEVERITY_NUMBER_${lvl}${k}`] = k + 4 * i;
});
const SPAN_KIND = enumNames(
  ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'],
  'SPAN_KIND_',
);
const STATUS_CODE = enumNames(['UNSET', 'OK', 'ERROR'], 'STATUS_CODE_');
const TEMPORALITY = enumNames(['UNSPECIFIED', 'DELTA', 'CUMULATIVE'], 'AGGREGATION_TEMPORALITY_');

const SCOPE: Schema = { name: 'str', version: 'str', attributes: 'kvs', droppedAttributesCount: 'u32' };
const RESOURCE: Schema = {
  attributes: 'kvs',
  droppedAttributesCount: 'u32',
  entityRefs: { r: { schemaUrl: 'str', type: 'str', idKeys: 'strs', descriptionKeys: 'strs' } },
};

function envelope(itemsKey: string, item: Schema): Schema {
  return {
    resource: { m: RESOURCE },
    [`scope${itemsKey[0]!.toUpperCase()}${itemsKey.slice(1)}`]: {
      r: {
        scope: { m: SCOPE },
        [itemsKey === 'logs' ? 'logRecords' : itemsKey]: { r: item },
        schemaUrl: 'str',
      },
    },
    schemaUrl: 'str',
  };
}

const SPAN: Schema = {
  traceId: 'id',
  spanId: 'id',
  traceState: 'str',
  parentSpanId: 'id',
  flags: 'u32',
  name: 'str',
  kind: { e: SPAN_KIND },
  startTimeUnixNano: 'ns',
  endTimeUnixNano: 'ns',
  attributes: 'kvs',
  droppedAttributesCount: 'u32',
  events: { r: { timeUnixNano: 'ns', name: 'str', attributes: 'kvs', droppedAttributesCount: 'u32' } },
  droppedEventsCount: 'u32',
  links: {
    r: {
      traceId: 'id',
      spanId: 'id',
      traceState: 'str',
      attributes: 'kvs',
      droppedAttributesCount: 'u32',
      flags: 'u32',
    },
  },
  droppedLinksCount: 'u32',
  status: { m: { message: 'str', code: { e: STATUS_CODE } } },
};

const EXEMPLAR: Schema = {
  filteredAttributes: 'kvs',
  timeUnixNano: 'ns',
  asDouble: 'dblOpt',
  asInt: 'i64Opt',
  spanId: 'id',
  traceId: 'id',
};
const POINT_BASE: Schema = { attributes: 'kvs', startTimeUnixNano: 'ns', timeUnixNano: 'ns' };
const NUMBER_POINT: Schema = {
  ...POINT_BASE,
  asDouble: 'dblOpt',
  asInt: 'i64Opt',
  exemplars: { r: EXEMPLAR },
  flags: 'u32',
};
const HISTOGRAM_POINT: Schema = {
  ...POINT_BASE,
  count: 'u64',
  sum: 'dblOpt',
  bucketCounts: 'u64s',
  explicitBounds: 'dbls',
  exemplars: { r: EXEMPLAR },
  flags: 'u32',
  min: 'dblOpt',
  max: 'dblOpt',
};
const BUCKETS: Schema = { offset: 'u32', bucketCounts: 'u64s' };
const EXP_POINT: Schema = {
  ...POINT_BASE,
  count: 'u64',
  sum: 'dblOpt',
  scale: 'u32',
  zeroCount: 'u64',
  positive: { m: BUCKETS },
  negative: { m: BUCKETS },
  flags: 'u32',
  exemplars: { r: EXEMPLAR },
  min: 'dblOpt',
  max: 'dblOpt',
  zeroThreshold: 'dbl',
};
const SUMMARY_POINT: Schema = {
  ...POINT_BASE,
  count: 'u64',
  sum: 'dbl',
  quantileValues: { r: { quantile: 'dbl', value: 'dbl' } },
  flags: 'u32',
};
const METRIC: Schema = {
  name: 'str',
  description: 'str',
  unit: 'str',
  gauge: { m: { dataPoints: { r: NUMBER_POINT } } },
  sum: {
    m: { dataPoints: { r: NUMBER_POINT }, aggregationTemporality: { e: TEMPORALITY }, isMonotonic: 'bool' },
  },
  histogram: { m: { dataPoints: { r: HISTOGRAM_POINT }, aggregationTemporality: { e: TEMPORALITY } } },
  exponentialHistogram: { m: { dataPoints: { r: EXP_POINT }, aggregationTemporality: { e: TEMPORALITY } } },
  summary: { m: { dataPoints: { r: SUMMARY_POINT } } },
  metadata: 'kvs',
};
const LOG_RECORD: Schema = {
  timeUnixNano: 'ns',
  observedTimeUnixNano: 'ns',
  severityNumber: { e: SEVERITY },
  severityText: 'str',
  body: 'anyOpt',
  attributes: 'kvs',
  droppedAttributesCount: 'u32',
  flags: 'u32',
  traceId: 'id',
  spanId: 'id',
  eventName: 'str',
};

const TRACES_REQ: Schema = { resourceSpans: { r: envelope('spans', SPAN) } };
const METRICS_REQ: Schema = { resourceMetrics: { r: envelope('metrics', METRIC) } };
const LOGS_REQ: Schema = { resourceLogs: { r: envelope('logs', LOG_RECORD) } };
const partial = (rejected: string): Schema => ({
  partialSuccess: { m: { [rejected]: 'u64', errorMessage: 'str' } },
});
const TRACES_RES = partial('rejectedSpans');
const METRICS_RES = partial('rejectedDataPoints');
const LOGS_RES = partial('rejectedLogRecords');

// ---------------------------------------------------------------------------------------------- encode

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function dblOut(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function anyOut(v: AnyValue): Json {
  const x = v as Record<string, unknown>;
  if (x.stringValue !== undefined) return { stringValue: x.stringValue as string };
  if (x.boolValue !== undefined) return { boolValue: x.boolValue as boolean };
  if (x.intValue !== undefined) return { intValue: String(x.intValue) };
  if (x.doubleValue !== undefined) return { doubleValue: dblOut(x.doubleValue as number) };
  if (x.arrayValue !== undefined)
    return { arrayValue: { values: (x.arrayValue as { values: AnyValue[] }).values.map(anyOut) } };
  if (x.kvlistValue !== undefined)
    return { kvlistValue: { values: kvsOut((x.kvlistValue as { values: KeyValue[] }).values) } };
  if (x.bytesValue !== undefined)
    return { bytesValue: Buffer.from(x.bytesValue as Uint8Array).toString('base64') };
  return {};
}

function kvsOut(kvs: KeyValue[]): Json[] {
  return kvs.map((kv) => ({ key: kv.key, value: anyOut(kv.value) }));
}

function toJson(schema: Schema, obj: Record<string, unknown>): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const key in schema) {
    const kind = schema[key]!;
    const v = obj[key];
    if (v === undefined) continue;
    if (typeof kind === 'object') {
      if ('m' in kind) out[key] = toJson(kind.m, v as Record<string, unknown>);
      else if ('r' in kind) {
        const arr = v as Record<string, unknown>[];
        if (arr.length) out[key] = arr.map((e) => toJson(kind.r, e));
      } else if (v !== 0) out[key] = v as number;
      continue;
    }
    switch (kind) {
      case 'str':
      case 'u32':
      case 'bool':
        if (v) out[key] = v as string | number | boolean;
        break;
      case 'strs':
        if ((v as string[]).length) out[key] = v as string[];
        break;
      case 'ns':
      case 'i64':
      case 'u64':
        if (v !== 0n && v !== 0) out[key] = String(v);
        break;
      case 'i64Opt':
        out[key] = String(v);
        break;
      case 'u64s':
        if ((v as number[]).length) out[key] = (v as number[]).map(String);
        break;
      case 'dbl':
        if (v !== 0) out[key] = dblOut(v as number);
        break;
      case 'dblOpt':
        out[key] = dblOut(v as number);
        break;
      case 'dbls':
        if ((v as number[]).length) out[key] = (v as number[]).map(dblOut);
        break;
      case 'id':
        if ((v as Uint8Array).length) out[key] = Buffer.from(v as Uint8Array).toString('hex');
        break;
      case 'any':
      case 'anyOpt':
        out[key] = anyOut(v as AnyValue);
        break;
      case 'kvs':
        if ((v as KeyValue[]).length) out[key] = kvsOut(v as KeyValue[]);
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- decode

function fail(path: string, what: string): never {
  throw new OtlpDecodeError(`${path}: ${what}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bigIn(v: unknown, path: string): bigint {
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return fail(path, `expected a 64-bit integer (decimal string or number), got ${JSON.stringify(v)}`);
}

function numIn(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return fail(path, `expected an integer, got ${JSON.stringify(v)}`);
}

function dblIn(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return fail(path, `expected a number, got ${JSON.stringify(v)}`);
}

function strIn(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  return fail(path, `expected a string, got ${JSON.stringify(v)}`);
}

function arrIn(v: unknown, path: string): unknown[] {
  if (Array.isArray(v)) return v;
  return fail(path, 'expected an array');
}

function idIn(v: unknown, path: string): Uint8Array {
  const s = strIn(v, path);
  if (s.length === 0) return EMPTY;
  if ((s.length !== 32 && s.length !== 16) || !/^[0-9a-fA-F]*$/.test(s))
    fail(path, `expected a 16- or 32-digit hex id, got ${JSON.stringify(s)}`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

function anyIn(v: unknown, path: string): AnyValue {
  if (!isObj(v)) return fail(path, 'expected an AnyValue object');
  if (v.stringValue !== undefined) return { stringValue: strIn(v.stringValue, `${path}.stringValue`) };
  if (v.boolValue !== undefined) {
    if (typeof v.boolValue !== 'boolean') fail(`${path}.boolValue`, 'expected a boolean');
    return { boolValue: v.boolValue };
  }
  if (v.intValue !== undefined) return { intValue: bigIn(v.intValue, `${path}.intValue`) };
  if (v.doubleValue !== undefined) return { doubleValue: dblIn(v.doubleValue, `${path}.doubleValue`) };
  if (v.arrayValue !== undefined) {
    const a = v.arrayValue;
    const vals = isObj(a) && a.values !== undefined ? arrIn(a.values, `${path}.arrayValue.values`) : [];
    return { arrayValue: { values: vals.map((e, i) => anyIn(e, `${path}.arrayValue.values[${i}]`)) } };
  }
  if (v.kvlistValue !== undefined) {
    const a = v.kvlistValue;
    const vals = isObj(a) && a.values !== undefined ? a.values : [];
    return { kvlistValue: { values: kvsIn(vals, `${path}.kvlistValue.values`) } };
  }
  if (v.bytesValue !== undefined)
    return { bytesValue: new Uint8Array(Buffer.from(strIn(v.bytesValue, `${path}.bytesValue`), 'base64')) };
  return {};
}

function kvsIn(v: unknown, path: string): KeyValue[] {
  return arrIn(v, path).map((e, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(e)) return fail(p, 'expected a KeyValue object');
    return {
      key: e.key === undefined ? '' : strIn(e.key, `${p}.key`),
      value: e.value === undefined || e.value === null ? {} : anyIn(e.value, `${p}.value`),
    };
  });
}

function fromJson(schema: Schema, obj: unknown, path: string): Record<string, unknown> {
  if (!isObj(obj)) return fail(path, 'expected an object');
  const out: Record<string, unknown> = {};
  for (const key in schema) {
    const kind = schema[key]!;
    let v = obj[key];
    if (v === null) v = undefined;
    const p = `${path}.${key}`;
    if (typeof kind === 'object') {
      if ('m' in kind) {
        if (v !== undefined) out[key] = fromJson(kind.m, v, p);
      } else if ('r' in kind)
        out[key] = v === undefined ? [] : arrIn(v, p).map((e, i) => fromJson(kind.r, e, `${p}[${i}]`));
      else if (v === undefined) out[key] = 0;
      else if (typeof v === 'string' && kind.e[v] !== undefined) out[key] = kind.e[v];
      else out[key] = numIn(v, p);
      continue;
    }
    switch (kind) {
      case 'str':
        out[key] = v === undefined ? '' : strIn(v, p);
        break;
      case 'strs':
        out[key] = v === undefined ? [] : arrIn(v, p).map((e, i) => strIn(e, `${p}[${i}]`));
        break;
      case 'u32':
      case 'u64':
        out[key] = v === undefined ? 0 : numIn(v, p);
        break;
      case 'bool':
        if (v !== undefined && typeof v !== 'boolean') fail(p, 'expected a boolean');
        out[key] = v ?? false;
        break;
      case 'ns':
      case 'i64':
        out[key] = v === undefined ? 0n : bigIn(v, p);
        break;
      case 'i64Opt':
        if (v !== undefined) out[key] = bigIn(v, p);
        break;
      case 'u64s':
        out[key] = v === undefined ? [] : arrIn(v, p).map((e, i) => numIn(e, `${p}[${i}]`));
        break;
      case 'dbl':
        out[key] = v === undefined ? 0 : dblIn(v, p);
        break;
      case 'dblOpt':
        if (v !== undefined) out[key] = dblIn(v, p);
        break;
      case 'dbls':
        out[key] = v === undefined ? [] : arrIn(v, p).map((e, i) => dblIn(e, `${p}[${i}]`));
        break;
      case 'id':
        out[key] = v === undefined ? EMPTY : idIn(v, p);
        break;
      case 'any':
        out[key] = v === undefined ? {} : anyIn(v, p);
        break;
      case 'anyOpt':
        if (v !== undefined) out[key] = anyIn(v, p);
        break;
      case 'kvs':
        out[key] = v === undefined ? [] : kvsIn(v, p);
        break;
    }
  }
  // Oneof value members: the proto encoding keeps only one (as_double wins like the last-seen field would).
  if (out.asDouble !== undefined) delete out.asInt;
  return out;
}

function parse(input: string | Uint8Array, what: string): unknown {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(`${what}: invalid JSON: ${(e as Error).message}`, { cause: e });
  }
}

function decoder<T>(schema: Schema, what: string) {
  return (input: string | Uint8Array): T => {
    const obj = parse(input, what);
    try {
      return fromJson(schema, obj, what) as T;
    } catch (e) {
      if (e instanceof RangeError) throw new OtlpDecodeError(`${what}: ${e.message}`, { cause: e });
      throw e;
    }
  };
}

function encoder<T>(schema: Schema) {
  return (msg: T): string => JSON.stringify(toJson(schema, msg as Record<string, unknown>));
}

/** `ExportTraceServiceRequest` → OTLP/JSON text. */
export const encodeExportTraceServiceRequestJson = encoder<ExportTraceServiceRequest>(TRACES_REQ);
/** OTLP/JSON text (or its UTF-8 bytes) → `ExportTraceServiceRequest`. Throws {@link OtlpDecodeError}. */
export const decodeExportTraceServiceRequestJson = decoder<ExportTraceServiceRequest>(
  TRACES_REQ,
  'ExportTraceServiceRequest',
);
/** `ExportTraceServiceResponse` → OTLP/JSON text (`{}` on full success). */
export const encodeExportTraceServiceResponseJson = encoder<ExportTraceServiceResponse>(TRACES_RES);
/** OTLP/JSON → `ExportTraceServiceResponse`. Throws {@link OtlpDecodeError}. */
export const decodeExportTraceServiceResponseJson = decoder<ExportTraceServiceResponse>(
  TRACES_RES,
  'ExportTraceServiceResponse',
);
/** `ExportMetricsServiceRequest` → OTLP/JSON text. */
export const encodeExportMetricsServiceRequestJson = encoder<ExportMetricsServiceRequest>(METRICS_REQ);
/** OTLP/JSON → `ExportMetricsServiceRequest`. Throws {@link OtlpDecodeError}. */
export const decodeExportMetricsServiceRequestJson = decoder<ExportMetricsServiceRequest>(
  METRICS_REQ,
  'ExportMetricsServiceRequest',
);
/** `ExportMetricsServiceResponse` → OTLP/JSON text. */
export const encodeExportMetricsServiceResponseJson = encoder<ExportMetricsServiceResponse>(METRICS_RES);
/** OTLP/JSON → `ExportMetricsServiceResponse`. Throws {@link OtlpDecodeError}. */
export const decodeExportMetricsServiceResponseJson = decoder<ExportMetricsServiceResponse>(
  METRICS_RES,
  'ExportMetricsServiceResponse',
);
/** `ExportLogsServiceRequest` → OTLP/JSON text. */
export const encodeExportLogsServiceRequestJson = encoder<ExportLogsServiceRequest>(LOGS_REQ);
/** OTLP/JSON → `ExportLogsServiceRequest`. Throws {@link OtlpDecodeError}. */
export const decodeExportLogsServiceRequestJson = decoder<ExportLogsServiceRequest>(
  LOGS_REQ,
  'ExportLogsServiceRequest',
);
/** `ExportLogsServiceResponse` → OTLP/JSON text. */
export const encodeExportLogsServiceResponseJson = encoder<ExportLogsServiceResponse>(LOGS_RES);
/** OTLP/JSON → `ExportLogsServiceResponse`. Throws {@link OtlpDecodeError}. */
export const decodeExportLogsServiceResponseJson = decoder<ExportLogsServiceResponse>(
  LOGS_RES,
  'ExportLogsServiceResponse',
);
