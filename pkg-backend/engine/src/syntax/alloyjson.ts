/**
 * JSON encoding of Alloy values for the web API, as Alloy's `syntax/encoding/alloyjson`:
 * `{"type": T, "value": V}`; arrays hold typed values, objects are `[{key, value}]` sorted by key,
 * functions are `"function"`, secrets `"(secret)"`, other capsules their display text, and capsules
 * that convert to an object are encoded as that object.
 */
import { compareBytes } from './stdlib/gofmt.js';
import { Capsule, FuncValue, Num, Secret, type ObjectValue, type Value } from './value.js';

export interface JSONValue {
  type: 'null' | 'number' | 'string' | 'bool' | 'array' | 'object' | 'function' | 'capsule';
  value: unknown;
}

export interface JSONObjectField {
  key: string;
  value: JSONValue;
}

export interface JSONAttr {
  name: string;
  type: 'attr';
  value: JSONValue;
}

export interface JSONBlock {
  name: string;
  type: 'block';
  label?: string;
  body: JSONStatement[];
}

export type JSONStatement = JSONAttr | JSONBlock;

function encodeObject(obj: ObjectValue): JSONValue {
  const keys = [...obj.keys()].sort(compareBytes);
  return {
    type: 'object',
    value: keys.map((key): JSONObjectField => ({ key, value: encodeValue(obj.get(key)!) })),
  };
}

/** Encodes one value (recursively) as Alloy's API does. Numbers become JS numbers (float64). */
export function encodeValue(v: Value): JSONValue {
  if (v === null) return { type: 'null', value: null };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (v instanceof Num) return { type: 'number', value: v.toNumber() };
  if (Array.isArray(v)) return { type: 'array', value: v.map(encodeValue) };
  if (v instanceof Map) return encodeObject(v);
  if (v instanceof FuncValue) return { type: 'function', value: 'function' };
  if (v instanceof Secret) return { type: 'capsule', value: '(secret)' };
  const c = v as Capsule;
  const obj = c.toObject();
  if (obj) return encodeObject(obj);
  return { type: 'capsule', value: c.display() };
}

/** An attribute statement of an encoded body. */
export function encodeAttr(name: string, v: Value): JSONAttr {
  return { name, type: 'attr', value: encodeValue(v) };
}

/** A block statement of an encoded body; an empty label is omitted as Alloy does. */
export function encodeBlock(name: string, label: string | undefined, body: JSONStatement[]): JSONBlock {
  return label ? { name, type: 'block', label, body } : { name, type: 'block', body };
}
