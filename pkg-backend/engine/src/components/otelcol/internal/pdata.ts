/**
 * Helpers over the decoded OTLP model (`protocols/otlp`) with the collector's pdata semantics: attribute
 * maps (`pcommon.Map`: Get/Put/Remove on a KeyValue list, first key wins on lookup), `Value.AsString()`,
 * `Value.AsRaw()`, Go's `encoding/json` rendering of raw values, hex ids.
 */
import type { AnyValue, KeyValue, LooseAnyValue, Metric } from '../../../protocols/otlp/index.js';

/** Reads an AnyValue through its optional members. */
export function lv(v: AnyValue | undefined): LooseAnyValue | undefined {
  return v as LooseAnyValue | undefined;
}

export type ValueType = 'empty' | 'str' | 'bool' | 'int' | 'double' | 'map' | 'slice' | 'bytes';

/** pcommon.ValueType of an AnyValue. */
export function valueType(av: AnyValue | undefined): ValueType {
  const v = lv(av);
  if (!v) return 'empty';
  if (v.stringValue !== undefined) return 'str';
  if (v.intValue !== undefined) return 'int';
  if (v.doubleValue !== undefined) return 'double';
  if (v.boolValue !== undefined) return 'bool';
  if (v.kvlistValue !== undefined) return 'map';
  if (v.arrayValue !== undefined) return 'slice';
  if (v.bytesValue !== undefined) return 'bytes';
  return 'empty';
}

/** pdata's type names (`Value.Type().String()`). */
export const VALUE_TYPE_NAMES: Record<ValueType, string> = {
  empty: 'Empty',
  str: 'Str',
  bool: 'Bool',
  int: 'Int',
  double: 'Double',
  map: 'Map',
  slice: 'Slice',
  bytes: 'Bytes',
};

export const str = (s: string): AnyValue => ({ stringValue: s });

/** Index of `key` in the attribute list, or -1. */
export function attrIndex(attrs: readonly KeyValue[], key: string): number {
  for (let i = 0; i < attrs.length; i++) if (attrs[i]!.key === key) return i;
  return -1;
}

/** `Map.Get`: the value of `key`, or undefined when absent. */
export function getAttr(attrs: readonly KeyValue[] | undefined, key: string): AnyValue | undefined {
  if (!attrs) return undefined;
  for (let i = 0; i < attrs.length; i++) if (attrs[i]!.key === key) return attrs[i]!.value;
  return undefined;
}

/** The string form (`AsString`) of attribute `key`, or undefined when absent. */
export function getAttrString(attrs: readonly KeyValue[] | undefined, key: string): string | undefined {
  const v = getAttr(attrs, key);
  return v === undefined ? undefined : asString(v);
}

/** `Map.PutX`: replaces the value of `key` or appends it. */
export function putAttr(attrs: KeyValue[], key: string, value: AnyValue): void {
  const i = attrIndex(attrs, key);
  if (i >= 0) attrs[i] = { key, value };
  else attrs.push({ key, value });
}

/** `Map.Remove`: removes `key`; true when it was present. */
export function removeAttr(attrs: KeyValue[], key: string): boolean {
  const i = attrIndex(attrs, key);
  if (i < 0) return false;
  attrs.splice(i, 1);
  return true;
}

/** `Map.RemoveIf`, in place. */
export function removeAttrsIf(attrs: KeyValue[], pred: (kv: KeyValue) => boolean): void {
  let w = 0;
  for (let r = 0; r < attrs.length; r++) {
    const kv = attrs[r]!;
    if (!pred(kv)) attrs[w++] = kv;
  }
  attrs.length = w;
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)` (fmt's `%v` of a float64). */
export function goFormatFloatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const e = f.toExponential(); // shortest round-trip digits: "d.ddde±x"
  const [mant, expStr] = e.split('e') as [string, string];
  const exp = Number(expStr);
  // strconv: with the shortest precision, %e is used when the exponent is < -4 or >= 6.
  if (exp < -4 || exp >= 6) return goExp(mant, exp);
  return String(f);
}

function goExp(mant: string, exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const a = Math.abs(exp);
  return `${mant}e${sign}${a < 10 ? '0' + a : a}`;
}

/** pdata `float64AsString` (the ES6 number-to-string algorithm, as JSON encoders use). */
export function floatAsString(f: number): string {
  if (!Number.isFinite(f)) {
    const g = Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
    return `json: unsupported value: ${g}`;
  }
  return String(f);
}

/** `Value.AsString()`. */
export function asString(av: AnyValue | undefined): string {
  const v = lv(av);
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return v.intValue.toString();
  if (v.doubleValue !== undefined) return floatAsString(v.doubleValue);
  if (v.boolValue !== undefined) return v.boolValue ? 'true' : 'false';
  if (v.kvlistValue !== undefined || v.arrayValue !== undefined) {
    try {
      return goJson(asRaw(av));
    } catch {
      return '';
    }
  }
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue).toString('base64');
  return '';
}

/** A raw value (`Value.AsRaw()`): string, bigint (int64), number, boolean, Uint8Array, array, record, null. */
export type Raw = string | bigint | number | boolean | Uint8Array | Raw[] | { [k: string]: Raw } | null;

export function asRaw(av: AnyValue | undefined): Raw {
  const v = lv(av);
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.kvlistValue !== undefined) return mapAsRaw(v.kvlistValue.values);
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(asRaw);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** `Map.AsRaw()` (later duplicates win, as Go's map building does). */
export function mapAsRaw(attrs: readonly KeyValue[]): { [k: string]: Raw } {
  const out: { [k: string]: Raw } = {};
  for (const kv of attrs) out[kv.key] = asRaw(kv.value);
  return out;
}

/** Go `encoding/json` of a raw value: map keys sorted, HTML characters escaped, bytes as base64. */
export function goJson(v: Raw): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return goJsonString(v);
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${goFormatFloatG(v)}`);
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof Uint8Array) return `"${Buffer.from(v).toString('base64')}"`;
  if (Array.isArray(v)) return '[' + v.map(goJson).join(',') + ']';
  const keys = Object.keys(v).sort();
  return '{' + keys.map((k) => goJsonString(k) + ':' + goJson(v[k]!)).join(',') + '}';
}

/** A JSON string as Go's encoder writes it (`<`, `>`, `&`, U+2028, U+2029 escaped). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** Converts a raw value back to an AnyValue (`Value.FromRaw`). */
export function fromRaw(v: unknown): AnyValue {
  if (v === null || v === undefined) return {};
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'bigint':
      return { intValue: v };
    case 'number':
      return Number.isInteger(v) ? { intValue: BigInt(v) } : { doubleValue: v };
    case 'boolean':
      return { boolValue: v };
  }
  if (v instanceof Uint8Array) return { bytesValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(fromRaw) } };
  if (typeof v === 'object') {
    return {
      kvlistValue: {
        values: Object.entries(v as Record<string, unknown>).map(([key, x]) => ({ key, value: fromRaw(x) })),
      },
    };
  }
  return { stringValue: String(v) };
}

/** Deep copy of an AnyValue. */
export function cloneValue(av: AnyValue): AnyValue {
  const v = lv(av)!;
  if (v.kvlistValue) return { kvlistValue: { values: cloneAttrs(v.kvlistValue.values) } };
  if (v.arrayValue) return { arrayValue: { values: v.arrayValue.values.map(cloneValue) } };
  if (v.bytesValue) return { bytesValue: v.bytesValue.slice() };
  return { ...v } as AnyValue;
}

export function cloneAttrs(attrs: readonly KeyValue[]): KeyValue[] {
  return attrs.map((kv) => ({ key: kv.key, value: cloneValue(kv.value) }));
}

/** Whether two values are equal (`Value.Equal`). */
export function valuesEqual(x: AnyValue | undefined, y: AnyValue | undefined): boolean {
  const ta = valueType(x);
  if (ta !== valueType(y)) return false;
  const a = lv(x);
  const b = lv(y);
  switch (ta) {
    case 'empty':
      return true;
    case 'str':
      return a!.stringValue === b!.stringValue;
    case 'int':
      return a!.intValue === b!.intValue;
    case 'double':
      return a!.doubleValue === b!.doubleValue;
    case 'bool':
      return a!.boolValue === b!.boolValue;
    case 'bytes':
      return Buffer.from(a!.bytesValue!).equals(Buffer.from(b!.bytesValue!));
    case 'slice': {
      const xs = a!.arrayValue!.values;
      const ys = b!.arrayValue!.values;
      return xs.length === ys.length && xs.every((v, i) => valuesEqual(v, ys[i]));
    }
    case 'map': {
      const xs = a!.kvlistValue!.values;
      const ys = b!.kvlistValue!.values;
      if (xs.length !== ys.length) return false;
      return xs.every((kv) => {
        const o = getAttr(ys, kv.key);
        return o !== undefined && valuesEqual(kv.value, o);
      });
    }
  }
}

/** Lower-case hex of an id; '' for an empty (all-zero or absent) id, as `TraceIDToHexOrEmptyString`. */
export function idHexOrEmpty(id: Uint8Array | undefined): string {
  if (!id || id.length === 0 || id.every((b) => b === 0)) return '';
  return Buffer.from(id).toString('hex');
}

/** Lower-case hex of an id (`TraceID.String()`: all zeros when unset, as pdata prints). */
export function idHex(id: Uint8Array | undefined, size: number): string {
  if (!id || id.length === 0) return '0'.repeat(size * 2);
  return Buffer.from(id).toString('hex');
}

export function isEmptyId(id: Uint8Array | undefined): boolean {
  return !id || id.length === 0 || id.every((b) => b === 0);
}

/** The data type of a metric (pmetric.MetricType) and its numeric OTTL enum value. */
export type MetricType = 'Empty' | 'Gauge' | 'Sum' | 'Histogram' | 'ExponentialHistogram' | 'Summary';

export function metricType(m: Metric): MetricType {
  if (m.gauge) return 'Gauge';
  if (m.sum) return 'Sum';
  if (m.histogram) return 'Histogram';
  if (m.exponentialHistogram) return 'ExponentialHistogram';
  if (m.summary) return 'Summary';
  return 'Empty';
}

/** Data points of a metric, whatever its type. */
export function metricDataPoints(m: Metric): { attributes: KeyValue[] }[] {
  return (
    m.gauge?.dataPoints ??
    m.sum?.dataPoints ??
    m.histogram?.dataPoints ??
    m.exponentialHistogram?.dataPoints ??
    m.summary?.dataPoints ??
    []
  );
}

/** `traceutil.SpanKindStr`. */
export const SPAN_KIND_STR = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];

/** `ptrace.SpanKind.String()`. */
export const SPAN_KIND_NAMES = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];

/** `traceutil.StatusCodeStr`. */
export const STATUS_CODE_STR = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** `ptrace.StatusCode.String()`. */
export const STATUS_CODE_NAMES = ['Unset', 'Ok', 'Error'];

export function spanKindStr(kind: number): string {
  return SPAN_KIND_STR[kind] ?? SPAN_KIND_STR[0]!;
}

export function statusCodeStr(code: number | undefined): string {
  return STATUS_CODE_STR[code ?? 0] ?? STATUS_CODE_STR[0]!;
}

/** Current time in ns since the epoch. */
export function nowUnixNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
