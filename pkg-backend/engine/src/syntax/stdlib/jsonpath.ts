/**
 * `json_path(json, path)`: Alloy uses ojg (integers stay integers, results are an array of matches).
 * Paths are evaluated with jsonpath-plus; a path without a leading `$` is taken relative to the root,
 * as ojg does (`.a`, `a.b`, `[0]`).
 */
import { JSONPath } from 'jsonpath-plus';
import { GoFloat, GoInt, type GoAny } from './convert.js';
import { parseGoJSON } from './gojson.js';

function toPlain(v: GoAny): unknown {
  if (v instanceof GoInt) return Number(v.v);
  if (v instanceof GoFloat) return v.v;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v)
      Object.defineProperty(o, k, { value: toPlain(x), enumerable: true, writable: true });
    return o;
  }
  return v;
}

function resolvePointer(root: GoAny, pointer: string): GoAny {
  if (pointer === '') return root;
  let cur: GoAny = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)] ?? null;
    else if (cur instanceof Map) cur = cur.get(key) ?? null;
    else return null;
  }
  return cur;
}

/** Evaluates a JSONPath over a JSON document; throws with the parser's message on bad input. */
export function jsonPath(json: string, path: string): GoAny[] {
  const doc = parseGoJSON(json, true);
  let p = path.trim();
  if (!p.startsWith('$')) p = p.startsWith('.') || p.startsWith('[') ? '$' + p : '$.' + p;
  const pointers = JSONPath({ path: p, json: toPlain(doc) as object, resultType: 'pointer', wrap: true }) as
    string[] | undefined;
  return (pointers ?? []).map((ptr) => resolvePointer(doc, ptr));
}
