/**
 * OTTL functions (the collector's `pkg/ottl/ottlfuncs` and the transform processor's extra functions).
 *
 * Editors: set, delete_key, delete_matching_keys, keep_keys, keep_matching_keys, limit, truncate_all,
 * replace_pattern, replace_all_patterns, replace_match, replace_all_matches, merge_maps, append,
 * set_semconv_span_name (the common HTTP/RPC/DB/messaging rules).
 * Converters: IsMatch, IsString, IsInt, IsDouble, IsBool, IsMap, IsList, IsRootSpan, Len, Concat,
 * ConvertCase, ToLowerCase, ToUpperCase, ToSnakeCase, ToCamelCase, Substring, SHA1, SHA256, SHA512, MD5,
 * FNV, Split, Trim, HasPrefix, HasSuffix, Int, Double, String, Hex, ParseJSON, Format, UUID,
 * HasAttrKeyOnDatapoint, HasAttrOnDatapoint.
 *
 * Parameter kinds: `target` (a path: get and set), `getter` (any expression), `string` / `int` literals
 * (as OTTL's plain `string` / `int64` parameters), `stringList` (a literal list of strings), `getterList`
 * (a list of expressions), `func` (a converter name, for the optional hash of the replace functions).
 */
import { createHash, randomUUID } from 'node:crypto';
import { RE2JS } from 're2js';
import type { KeyValue } from '../../../protocols/otlp/index.js';
import { goRegexReplaceAll } from '../../loki/process/gotemplate.js';
import {
  asString,
  attrIndex,
  getAttr,
  goFormatFloatG,
  goJson,
  isEmptyId,
  lv,
  metricDataPoints,
  putAttr,
  removeAttrsIf,
} from '../internal/pdata.js';
import { OttlRuntimeError, type Accessor, type ContextName, type TransformContext } from './contexts.js';
import { fromAnyValue, OttlList, OttlMap, toAnyValue, toRaw, typeName, type OttlValue } from './values.js';

export type Getter = (tc: TransformContext) => OttlValue;

export type ParamKind = 'target' | 'getter' | 'string' | 'int' | 'stringList' | 'getterList' | 'func';

export interface Param {
  name: string;
  kind: ParamKind;
  optional?: boolean;
}

/** Bound arguments, by parameter name. */
export interface BoundArgs {
  targets: Record<string, Accessor>;
  getters: Record<string, Getter>;
  literals: Record<string, string | bigint | string[] | undefined>;
  lists: Record<string, Getter[]>;
  funcs: Record<string, string | undefined>;
}

export interface FunctionDef {
  params: Param[];
  /** Contexts the function is limited to. */
  contexts?: ContextName[];
  /** @throws Error with a configuration message */
  build(a: BoundArgs, fn: string): Getter;
}

const err = (msg: string) => new OttlRuntimeError(msg);

/** StringGetter: the value must be a string. */
function str(v: OttlValue): string {
  if (typeof v === 'string') return v;
  throw err(`expected string but got ${typeName(v)}`);
}

/** StringLikeGetter: strings, numbers, bools, bytes (hex), maps and lists (JSON); nil stays nil. */
export function stringLike(v: OttlValue): string | null {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
      return v;
    case 'bigint':
      return v.toString();
    case 'number':
      return goFormatFloatG(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  try {
    return goJson(toRaw(v));
  } catch (e) {
    throw err((e as Error).message);
  }
}

function intOf(v: OttlValue): bigint {
  if (typeof v === 'bigint') return v;
  throw err(`expected int64 but got ${typeName(v)}`);
}

function mapOf(v: OttlValue): OttlMap {
  if (v instanceof OttlMap) return v;
  throw err(`expected pcommon.Map but got ${typeName(v)}`);
}

function compileRegex(pattern: string, fn: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    throw new Error(
      `the regex pattern supplied to ${fn} '"${pattern}"' is not a valid pattern: ${(e as Error).message}`,
    );
  }
}

/** A glob (`*`, `?`, `[...]`) as an anchored regex (gobwas/glob, no separators). */
function compileGlob(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', 's');
}

const HASHES: Record<string, (s: string) => string> = {
  SHA1: (s) => createHash('sha1').update(s).digest('hex'),
  SHA256: (s) => createHash('sha256').update(s).digest('hex'),
  SHA512: (s) => createHash('sha512').update(s).digest('hex'),
  MD5: (s) => createHash('md5').update(s).digest('hex'),
};

function hashFn(a: BoundArgs, fn: string): ((s: string) => string) | undefined {
  const f = a.funcs.function;
  if (f === undefined) return undefined;
  const h = HASHES[f];
  if (!h)
    throw new Error(
      `invalid function name "${f}" for ${fn}: only SHA1, SHA256, SHA512 and MD5 are supported`,
    );
  return h;
}

/** The replacement text (with the optional hash and `replacementFormat` applied to it). */
function replacer(a: BoundArgs, fn: string): (tc: TransformContext, replaced: string) => string {
  const hash = hashFn(a, fn);
  const fmt = a.getters.replacementFormat;
  if (!hash) return (_tc, r) => r;
  return (tc, r) => {
    const h = hash(r);
    if (!fmt) return h;
    const f = str(fmt(tc));
    if (!f.includes('%s')) throw err(`replacementFormat must be format string containing a single %s`);
    return f.replace('%s', h);
  };
}

function snake(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
}

function camel(s: string): string {
  return s
    .split(/[_\s-]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** FNV-1a 64 as a signed int64 (OTTL's FNV). */
function fnv64a(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h);
}

/** Go fmt with the verbs OTTL configs use: %s %d %v %f %q %%. */
function goSprintf(format: string, args: OttlValue[]): string {
  let i = 0;
  return format.replace(/%(\.\d+)?([sdvfqx%])/g, (_m, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const v = args[i++];
    if (v === undefined) return `%!${verb}(MISSING)`;
    if (verb === 'f' && (typeof v === 'number' || typeof v === 'bigint'))
      return Number(v).toFixed(prec ? Number(prec.slice(1)) : 6);
    if (verb === 'q') return JSON.stringify(stringLike(v) ?? '<nil>');
    if (verb === 'x' && typeof v === 'bigint') return v.toString(16);
    return v === null ? '<nil>' : (stringLike(v) ?? '<nil>');
  });
}

function parseJsonValue(v: unknown): OttlValue {
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(parseJsonValue);
  const m = new Map<string, OttlValue>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, parseJsonValue(x));
  return m;
}

function truncateUtf8(s: string, limit: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= limit) return s;
  // As Go's string slicing: cut at the byte limit (an incomplete rune becomes U+FFFD in JS).
  return b.subarray(0, limit).toString('utf8');
}

const target = (name = 'target'): Param => ({ name, kind: 'target' });
const getter = (name: string, optional = false): Param => ({ name, kind: 'getter', optional });
const lit = (name: string, kind: 'string' | 'int' | 'stringList', optional = false): Param => ({
  name,
  kind,
  optional,
});

const bool =
  (pred: (v: OttlValue) => boolean): FunctionDef['build'] =>
  (a) => {
    const g = a.getters.value!;
    return (tc) => pred(g(tc));
  };

export const FUNCTIONS: Record<string, FunctionDef> = {
  // ------------------------------------------------------------------------------------------ editors
  set: {
    params: [target(), getter('value')],
    build: (a) => {
      const t = a.targets.target!;
      const v = a.getters.value!;
      if (!t.set) throw new Error('the target of set must be a settable path');
      return (tc) => {
        const x = v(tc);
        // No field supports nil: setting nil does nothing.
        if (x !== null) t.set!(tc, x);
        return null;
      };
    },
  },
  delete_key: {
    params: [target(), lit('key', 'string')],
    build: (a) => {
      const t = a.targets.target!;
      const key = a.literals.key as string;
      return (tc) => {
        const m = t.get(tc);
        if (m === null) return null;
        removeAttrsIf(mapOf(m).kvs, (kv) => kv.key === key);
        return null;
      };
    },
  },
  delete_matching_keys: {
    params: [target(), lit('pattern', 'string')],
    build: (a, fn) => {
      const t = a.targets.target!;
      const re = compileRegex(a.literals.pattern as string, fn);
      return (tc) => {
        const m = t.get(tc);
        if (m !== null) removeAttrsIf(mapOf(m).kvs, (kv) => re.test(kv.key));
        return null;
      };
    },
  },
  keep_keys: {
    params: [target(), lit('keys', 'stringList')],
    build: (a) => {
      const t = a.targets.target!;
      const keys = new Set(a.literals.keys as string[]);
      return (tc) => {
        const m = t.get(tc);
        if (m !== null) removeAttrsIf(mapOf(m).kvs, (kv) => !keys.has(kv.key));
        return null;
      };
    },
  },
  keep_matching_keys: {
    params: [target(), lit('pattern', 'string')],
    build: (a, fn) => {
      const t = a.targets.target!;
      const re = compileRegex(a.literals.pattern as string, fn);
      return (tc) => {
        const m = t.get(tc);
        if (m !== null) removeAttrsIf(mapOf(m).kvs, (kv) => !re.test(kv.key));
        return null;
      };
    },
  },
  limit: {
    params: [target(), lit('limit', 'int'), lit('priority_keys', 'stringList')],
    build: (a) => {
      const t = a.targets.target!;
      const limit = Number(a.literals.limit as bigint);
      const prio = a.literals.priority_keys as string[];
      if (limit < 0) throw new Error(`invalid limit for limit function, ${limit} cannot be negative`);
      if (limit < prio.length)
        throw new Error(
          `invalid limit for limit function, ${limit} cannot be less than number of priority attributes ${prio.length}`,
        );
      const prioSet = new Set(prio);
      return (tc) => {
        const v = t.get(tc);
        if (v === null) return null;
        const kvs = mapOf(v).kvs;
        if (kvs.length <= limit) return null;
        let count = prio.filter((k) => attrIndex(kvs, k) >= 0).length;
        removeAttrsIf(kvs, (kv) => {
          if (prioSet.has(kv.key)) return false;
          if (count < limit) {
            count++;
            return false;
          }
          return true;
        });
        return null;
      };
    },
  },
  truncate_all: {
    params: [target(), lit('limit', 'int')],
    build: (a) => {
      const t = a.targets.target!;
      const limit = Number(a.literals.limit as bigint);
      if (limit < 0) throw new Error(`invalid limit for truncate_all function, ${limit} cannot be negative`);
      return (tc) => {
        const v = t.get(tc);
        if (v === null) return null;
        for (const kv of mapOf(v).kvs) {
          const s = lv(kv.value)?.stringValue;
          if (s !== undefined) kv.value = { stringValue: truncateUtf8(s, limit) };
        }
        return null;
      };
    },
  },
  replace_pattern: {
    params: [
      target(),
      lit('regex', 'string'),
      getter('replacement'),
      { name: 'function', kind: 'func', optional: true },
      getter('replacementFormat', true),
    ],
    build: (a, fn) => {
      const t = a.targets.target!;
      const re = compileRegex(a.literals.regex as string, fn);
      const repl = a.getters.replacement!;
      const post = replacer(a, fn);
      return (tc) => {
        const v = t.get(tc);
        if (typeof v !== 'string') return null;
        const r = str(repl(tc));
        if (!re.test(v)) return null;
        const out = a.funcs.function
          ? replaceWithFunc(re, v, r, (x) => post(tc, x))
          : goRegexReplaceAll(re, v, r, false);
        if (out !== v) t.set!(tc, out);
        return null;
      };
    },
  },
  replace_all_patterns: {
    params: [
      target(),
      lit('mode', 'string'),
      lit('regex', 'string'),
      getter('replacement'),
      { name: 'function', kind: 'func', optional: true },
      getter('replacementFormat', true),
    ],
    build: (a, fn) => {
      const t = a.targets.target!;
      const mode = a.literals.mode as string;
      if (mode !== 'key' && mode !== 'value')
        throw new Error(`invalid mode ${mode}, must be either 'key' or 'value'`);
      const re = compileRegex(a.literals.regex as string, fn);
      const repl = a.getters.replacement!;
      const post = replacer(a, fn);
      const apply = (tc: TransformContext, s: string, r: string) =>
        a.funcs.function ? replaceWithFunc(re, s, r, (x) => post(tc, x)) : goRegexReplaceAll(re, s, r, false);
      return (tc) => {
        const v = t.get(tc);
        if (v === null) return null;
        const kvs = mapOf(v).kvs;
        const r = str(repl(tc));
        if (mode === 'value') {
          for (const kv of kvs) {
            const s = lv(kv.value)?.stringValue;
            if (s !== undefined && re.test(s)) kv.value = { stringValue: apply(tc, s, r) };
          }
        } else {
          const out: KeyValue[] = [];
          for (const kv of kvs) {
            const k = re.test(kv.key) ? apply(tc, kv.key, r) : kv.key;
            const i = out.findIndex((x) => x.key === k);
            if (i >= 0) out[i] = { key: k, value: kv.value };
            else out.push({ key: k, value: kv.value });
          }
          kvs.length = 0;
          kvs.push(...out);
        }
        return null;
      };
    },
  },
  replace_match: {
    params: [
      target(),
      lit('pattern', 'string'),
      getter('replacement'),
      { name: 'function', kind: 'func', optional: true },
      getter('replacementFormat', true),
    ],
    build: (a, fn) => {
      const t = a.targets.target!;
      const glob = compileGlob(a.literals.pattern as string);
      const repl = a.getters.replacement!;
      const post = replacer(a, fn);
      return (tc) => {
        const v = t.get(tc);
        if (typeof v !== 'string' || !glob.test(v)) return null;
        t.set!(tc, post(tc, str(repl(tc))));
        return null;
      };
    },
  },
  replace_all_matches: {
    params: [
      target(),
      lit('pattern', 'string'),
      getter('replacement'),
      { name: 'function', kind: 'func', optional: true },
      getter('replacementFormat', true),
    ],
    build: (a, fn) => {
      const t = a.targets.target!;
      const glob = compileGlob(a.literals.pattern as string);
      const repl = a.getters.replacement!;
      const post = replacer(a, fn);
      return (tc) => {
        const v = t.get(tc);
        if (v === null) return null;
        const r = str(repl(tc));
        for (const kv of mapOf(v).kvs) {
          const s = lv(kv.value)?.stringValue;
          if (s !== undefined && glob.test(s)) kv.value = { stringValue: post(tc, r) };
        }
        return null;
      };
    },
  },
  merge_maps: {
    params: [target(), getter('source'), lit('strategy', 'string')],
    build: (a) => {
      const t = a.targets.target!;
      const src = a.getters.source!;
      const strategy = a.literals.strategy as string;
      if (!['insert', 'update', 'upsert'].includes(strategy))
        throw new Error(`invalid value for strategy, ${strategy}, must be 'insert', 'update' or 'upsert'`);
      return (tc) => {
        const v = t.get(tc);
        const s = src(tc);
        if (v === null || s === null) return null;
        const kvs = mapOf(v).kvs;
        const entries: [string, OttlValue][] =
          s instanceof OttlMap
            ? s.kvs.map((kv) => [kv.key, fromAnyValue(kv.value)])
            : s instanceof Map
              ? [...s]
              : [];
        for (const [k, x] of entries) {
          const has = attrIndex(kvs, k) >= 0;
          if ((strategy === 'insert' && !has) || (strategy === 'update' && has) || strategy === 'upsert')
            putAttr(kvs, k, toAnyValue(x));
        }
        return null;
      };
    },
  },
  append: {
    params: [target(), getter('value', true), { name: 'values', kind: 'getterList', optional: true }],
    build: (a) => {
      const t = a.targets.target!;
      const one = a.getters.value;
      const many = a.lists.values;
      if (!one && !many)
        throw new Error('at least one of the optional arguments ("value" or "values") must be provided');
      return (tc) => {
        const cur = t.get(tc);
        const items: OttlValue[] = [];
        if (cur instanceof OttlList) items.push(...cur.values.map(fromAnyValue));
        else if (Array.isArray(cur)) items.push(...cur);
        else if (cur !== null) items.push(cur);
        if (one) items.push(one(tc));
        if (many) items.push(...many.map((g) => g(tc)));
        t.set!(tc, items);
        return null;
      };
    },
  },
  set_semconv_span_name: {
    params: [lit('semconvVersion', 'string'), lit('originalSpanNameAttribute', 'string', true)],
    contexts: ['span'],
    build: (a) => {
      const keep = a.literals.originalSpanNameAttribute as string | undefined;
      return (tc) => {
        const span = tc.span!;
        const name = semconvSpanName(span.kind, span.attributes, span.name);
        if (name !== span.name) {
          if (keep) putAttr(span.attributes, keep, { stringValue: span.name });
          span.name = name;
        }
        return null;
      };
    },
  },

  // --------------------------------------------------------------------------------------- converters
  IsMatch: {
    params: [getter('target'), lit('pattern', 'string')],
    build: (a, fn) => {
      const g = a.getters.target!;
      const re = compileRegex(a.literals.pattern as string, fn);
      return (tc) => {
        const s = stringLike(g(tc));
        return s === null ? false : re.test(s);
      };
    },
  },
  IsString: { params: [getter('value')], build: bool((v) => typeof v === 'string') },
  IsInt: { params: [getter('value')], build: bool((v) => typeof v === 'bigint') },
  IsDouble: { params: [getter('value')], build: bool((v) => typeof v === 'number') },
  IsBool: { params: [getter('value')], build: bool((v) => typeof v === 'boolean') },
  IsMap: { params: [getter('value')], build: bool((v) => v instanceof OttlMap || v instanceof Map) },
  IsList: { params: [getter('value')], build: bool((v) => v instanceof OttlList || Array.isArray(v)) },
  IsRootSpan: {
    params: [],
    contexts: ['span'],
    build: () => (tc) => isEmptyId(tc.span!.parentSpanId),
  },
  Len: {
    params: [getter('target')],
    build: (a) => {
      const g = a.getters.target!;
      return (tc) => {
        const v = g(tc);
        if (typeof v === 'string') return BigInt(Buffer.byteLength(v, 'utf8'));
        if (v instanceof OttlMap) return BigInt(v.kvs.length);
        if (v instanceof OttlList) return BigInt(v.values.length);
        if (Array.isArray(v)) return BigInt(v.length);
        if (v instanceof Map) return BigInt(v.size);
        if (v instanceof Uint8Array) return BigInt(v.length);
        throw err(`unsupported type provided to Len function: ${typeName(v)}`);
      };
    },
  },
  Concat: {
    params: [{ name: 'vals', kind: 'getterList' }, lit('delimiter', 'string')],
    build: (a) => {
      const vals = a.lists.vals!;
      const delim = a.literals.delimiter as string;
      return (tc) => vals.map((g) => stringLike(g(tc)) ?? '<nil>').join(delim);
    },
  },
  ConvertCase: {
    params: [getter('target'), lit('toCase', 'string')],
    build: (a) => {
      const g = a.getters.target!;
      const to = a.literals.toCase as string;
      const conv: Record<string, (s: string) => string> = {
        lower: (s) => s.toLowerCase(),
        upper: (s) => s.toUpperCase(),
        snake: snake,
        camel: camel,
      };
      const f = conv[to];
      if (!f) throw new Error(`invalid case: ${to}, allowed cases are: lower, upper, snake, camel`);
      return (tc) => {
        const v = g(tc);
        return v === null ? null : f(str(v));
      };
    },
  },
  ToLowerCase: { params: [getter('target')], build: (a) => (tc) => str(a.getters.target!(tc)).toLowerCase() },
  ToUpperCase: { params: [getter('target')], build: (a) => (tc) => str(a.getters.target!(tc)).toUpperCase() },
  ToSnakeCase: { params: [getter('target')], build: (a) => (tc) => snake(str(a.getters.target!(tc))) },
  ToCamelCase: { params: [getter('target')], build: (a) => (tc) => camel(str(a.getters.target!(tc))) },
  Substring: {
    params: [getter('target'), getter('start'), getter('length')],
    build: (a) => {
      const g = a.getters.target!;
      return (tc) => {
        const s = str(g(tc));
        const start = Number(intOf(a.getters.start!(tc)));
        const length = Number(intOf(a.getters.length!(tc)));
        if (start < 0) throw err(`invalid start for substring function, ${start} cannot be negative`);
        if (length <= 0)
          throw err(`invalid length for substring function, ${length} cannot be negative or zero`);
        const b = Buffer.from(s, 'utf8');
        if (start + length > b.length)
          throw err(
            `invalid range for substring function, ${start + length} cannot be greater than the length of target string(${b.length})`,
          );
        return b.subarray(start, start + length).toString('utf8');
      };
    },
  },
  SHA1: { params: [getter('value')], build: (a) => (tc) => HASHES.SHA1!(str(a.getters.value!(tc))) },
  SHA256: { params: [getter('value')], build: (a) => (tc) => HASHES.SHA256!(str(a.getters.value!(tc))) },
  SHA512: { params: [getter('value')], build: (a) => (tc) => HASHES.SHA512!(str(a.getters.value!(tc))) },
  MD5: { params: [getter('value')], build: (a) => (tc) => HASHES.MD5!(str(a.getters.value!(tc))) },
  FNV: { params: [getter('value')], build: (a) => (tc) => fnv64a(str(a.getters.value!(tc))) },
  Split: {
    params: [getter('target'), lit('delimiter', 'string')],
    build: (a) => {
      const g = a.getters.target!;
      const d = a.literals.delimiter as string;
      return (tc) => {
        const v = g(tc);
        if (v === null) return null;
        const s = str(v);
        return d === '' ? [...s] : s.split(d);
      };
    },
  },
  Trim: {
    params: [getter('target'), lit('replacement', 'string', true)],
    build: (a) => {
      const cut = (a.literals.replacement as string | undefined) ?? ' ';
      return (tc) => {
        let s = str(a.getters.target!(tc));
        while (cut && [...cut].some((c) => s.startsWith(c))) s = s.slice(1);
        while (cut && [...cut].some((c) => s.endsWith(c))) s = s.slice(0, -1);
        return s;
      };
    },
  },
  HasPrefix: {
    params: [getter('target'), lit('prefix', 'string')],
    build: (a) => (tc) => str(a.getters.target!(tc)).startsWith(a.literals.prefix as string),
  },
  HasSuffix: {
    params: [getter('target'), lit('suffix', 'string')],
    build: (a) => (tc) => str(a.getters.target!(tc)).endsWith(a.literals.suffix as string),
  },
  Int: {
    params: [getter('value')],
    build: (a) => (tc) => {
      const v = a.getters.value!(tc);
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : null;
      if (typeof v === 'boolean') return v ? 1n : 0n;
      if (typeof v === 'string') return /^[-+]?\d+$/.test(v.trim()) && v.trim() === v ? BigInt(v) : null;
      return null;
    },
  },
  Double: {
    params: [getter('value')],
    build: (a) => (tc) => {
      const v = a.getters.value!(tc);
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string') {
        const n = Number(v);
        return v.trim() !== '' && v.trim() === v && !Number.isNaN(n) ? n : null;
      }
      return null;
    },
  },
  String: { params: [getter('value')], build: (a) => (tc) => stringLike(a.getters.value!(tc)) },
  Hex: {
    params: [getter('value')],
    build: (a) => (tc) => {
      const v = a.getters.value!(tc);
      if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
      if (typeof v === 'bigint') {
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(v);
        return b.toString('hex');
      }
      if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
      throw err(`unsupported type provided to Hex function: ${typeName(v)}`);
    },
  },
  ParseJSON: {
    params: [getter('target')],
    build: (a) => (tc) => {
      const s = str(a.getters.target!(tc));
      try {
        return parseJsonValue(JSON.parse(s));
      } catch (e) {
        throw err(`could not parse JSON: ${(e as Error).message}`);
      }
    },
  },
  Format: {
    params: [lit('format', 'string'), { name: 'vals', kind: 'getterList' }],
    build: (a) => {
      const f = a.literals.format as string;
      const vals = a.lists.vals!;
      return (tc) =>
        goSprintf(
          f,
          vals.map((g) => g(tc)),
        );
    },
  },
  UUID: { params: [], build: () => () => randomUUID() },
  HasAttrKeyOnDatapoint: {
    params: [lit('key', 'string')],
    contexts: ['metric'],
    build: (a) => {
      const key = a.literals.key as string;
      return (tc) => metricDataPoints(tc.metric!).some((dp) => getAttr(dp.attributes, key) !== undefined);
    },
  },
  HasAttrOnDatapoint: {
    params: [lit('key', 'string'), lit('expectedVal', 'string')],
    contexts: ['metric'],
    build: (a) => {
      const key = a.literals.key as string;
      const want = a.literals.expectedVal as string;
      return (tc) =>
        metricDataPoints(tc.metric!).some((dp) => {
          const v = getAttr(dp.attributes, key);
          return v !== undefined && lv(v)?.stringValue === want;
        });
    },
  },
};

/** Replaces every match of `re` in `s` by `post(expanded replacement)` (replace_* with a function). */
function replaceWithFunc(re: RE2JS, s: string, r: string, post: (x: string) => string): string {
  const matches = re.re2().findAllSubmatchIndex(s, -1) as number[][] | null;
  if (!matches) return s;
  let out = '';
  let last = 0;
  for (const m of matches) {
    const piece = s.slice(m[0], m[1]);
    out += s.slice(last, m[0]) + post(goRegexReplaceAll(re, piece, r, false));
    last = m[1]!;
  }
  return out + s.slice(last);
}

/**
 * The span name the semantic conventions give (set_semconv_span_name): `{method} {route}` for HTTP servers,
 * `{method}` for HTTP clients (or with `url.template`), `{rpc.service}/{rpc.method}`, `{db.operation.name}
 * {collection}` / `{db.system}`, `{operation} {destination}` for messaging; otherwise the name unchanged.
 */
export function semconvSpanName(kind: number, attrs: readonly KeyValue[], name: string): string {
  const s = (k: string) => {
    const v = getAttr(attrs, k);
    return v === undefined ? undefined : asString(v);
  };
  const method = s('http.request.method') ?? s('http.method');
  if (method !== undefined) {
    const m = method === '_OTHER' ? 'HTTP' : method;
    const target = kind === 3 ? s('url.template') : (s('http.route') ?? undefined);
    return target ? `${m} ${target}` : m;
  }
  const rpcService = s('rpc.service');
  const rpcMethod = s('rpc.method');
  if (s('rpc.system') !== undefined && rpcService && rpcMethod) return `${rpcService}/${rpcMethod}`;
  const dbSystem = s('db.system.name') ?? s('db.system');
  if (dbSystem !== undefined) {
    const summary = s('db.query.summary');
    if (summary) return summary;
    const op = s('db.operation.name') ?? s('db.operation');
    const coll = s('db.collection.name') ?? s('db.sql.table');
    if (op && coll) return `${op} ${coll}`;
    if (op) return op;
    return s('db.namespace') ?? s('db.name') ?? dbSystem;
  }
  const msgOp = s('messaging.operation.name') ?? s('messaging.operation');
  if (s('messaging.system') !== undefined && msgOp) {
    const dest = s('messaging.destination.template') ?? s('messaging.destination.name');
    return dest ? `${msgOp} ${dest}` : msgOp;
  }
  return name;
}

export { toAnyValue };
