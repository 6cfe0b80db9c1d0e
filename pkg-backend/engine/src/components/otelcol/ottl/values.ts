/**
 * OTTL runtime values and the collector's comparison rules (`pkg/ottl/compare.go`).
 *
 * Values: `null` (nil), `string`, `bigint` (int64), `number` (float64), `boolean`, `Uint8Array` (bytes and
 * ids), `OttlMap` (a live attribute map: `pcommon.Map`), `OttlList` (a live `pcommon.Slice`), plain arrays
 * and `Map`s (list / map literals and converter results).
 */
import type { AnyValue, KeyValue } from '../../../protocols/otlp/index.js';
import { asRaw, cloneValue, lv, mapAsRaw, valuesEqual, type Raw } from '../internal/pdata.js';

/** A live attribute map (the KeyValue list of a resource, span, …). */
export class OttlMap {
  constructor(readonly kvs: KeyValue[]) {}
}

/** A live list (the values of an ArrayValue). */
export class OttlList {
  constructor(readonly values: AnyValue[]) {}
}

export type OttlValue =
  | null
  | string
  | bigint
  | number
  | boolean
  | Uint8Array
  | OttlMap
  | OttlList
  | OttlValue[]
  | Map<string, OttlValue>;

/** An OTTL value read from an AnyValue (maps and lists stay live). */
export function fromAnyValue(av: AnyValue | undefined): OttlValue {
  const v = lv(av);
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.kvlistValue !== undefined) return new OttlMap(v.kvlistValue.values);
  if (v.arrayValue !== undefined) return new OttlList(v.arrayValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** An AnyValue holding a copy of `v` (`SetValue`). */
export function toAnyValue(v: OttlValue): AnyValue {
  if (v === null) return {};
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'bigint':
      return { intValue: v };
    case 'number':
      return { doubleValue: v };
    case 'boolean':
      return { boolValue: v };
  }
  if (v instanceof Uint8Array) return { bytesValue: v.slice() };
  if (v instanceof OttlMap)
    return { kvlistValue: { values: v.kvs.map((kv) => ({ key: kv.key, value: cloneValue(kv.value) })) } };
  if (v instanceof OttlList) return { arrayValue: { values: v.values.map(cloneValue) } };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(toAnyValue) } };
  return { kvlistValue: { values: [...v].map(([key, x]) => ({ key, value: toAnyValue(x) })) } };
}

/** Go-ish type name of a value, for error messages. */
export function typeName(v: OttlValue): string {
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
  }
  if (v instanceof Uint8Array) return '[]uint8';
  if (v instanceof OttlMap) return 'pcommon.Map';
  if (v instanceof OttlList) return 'pcommon.Slice';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** A raw (plain data) form of a value, for deep comparison and JSON. */
export function toRaw(v: OttlValue): Raw {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v as Raw;
  if (v instanceof OttlMap) return mapAsRaw(v.kvs);
  if (v instanceof OttlList) return v.values.map(asRaw);
  if (Array.isArray(v)) return v.map(toRaw);
  const out: { [k: string]: Raw } = {};
  for (const [k, x] of v) out[k] = toRaw(x);
  return out;
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

function prim<T extends string | number | bigint>(a: T, b: T, op: CompareOp): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function bytesCmp(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

const invalid = (op: CompareOp) => op === '!=';

function deepEq(a: Raw, b: Raw): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (typeof a !== 'object') return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesCmp(a, b) === 0;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEq(x, b[i]!));
  if (Array.isArray(b) || b instanceof Uint8Array) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => k in (b as object) && deepEq(a[k]!, (b as { [k: string]: Raw })[k]!))
  );
}

/** OTTL comparison of two values. */
export function compare(a: OttlValue, b: OttlValue, op: CompareOp): boolean {
  if (a === null && b === null) return op === '==' || op === '<=' || op === '>=';
  if (a === null || b === null) return invalid(op);
  switch (typeof a) {
    case 'boolean':
      if (typeof b !== 'boolean') return invalid(op);
      switch (op) {
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return !a && b;
        case '<=':
          return !a || b;
        case '>=':
          return a || !b;
        case '>':
          return a && !b;
      }
      break;
    case 'bigint':
      if (typeof b === 'bigint') return prim(a, b, op);
      if (typeof b === 'number') return prim(Number(a), b, op);
      return invalid(op);
    case 'number':
      if (typeof b === 'number') return prim(a, b, op);
      if (typeof b === 'bigint') return prim(a, Number(b), op);
      return invalid(op);
    case 'string':
      if (typeof b === 'string') return prim(a, b, op);
      return invalid(op);
  }
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array)) return invalid(op);
    return prim(bytesCmp(a, b), 0, op);
  }
  // Maps and lists: equality only.
  const aMap = a instanceof OttlMap || a instanceof Map;
  const bMap = b instanceof OttlMap || b instanceof Map;
  const aList = a instanceof OttlList || Array.isArray(a);
  const bList = b instanceof OttlList || Array.isArray(b);
  if ((aMap && bMap) || (aList && bList)) {
    let eq: boolean;
    if (a instanceof OttlMap && b instanceof OttlMap)
      eq = valuesEqual({ kvlistValue: { values: a.kvs } }, { kvlistValue: { values: b.kvs } });
    else eq = deepEq(toRaw(a), toRaw(b));
    if (op === '==') return eq;
    if (op === '!=') return !eq;
    return false;
  }
  return invalid(op);
}
