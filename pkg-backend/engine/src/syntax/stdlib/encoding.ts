/**
 * Go `encoding/base64`, `net/url` query escaping and `gopkg.in/yaml.v3` decoding, reproduced closely:
 * base64 ignores CR/LF and reports `illegal base64 data at input byte N`; YAML integers follow yaml.v3
 * (Go ParseInt base 0 after dropping underscores, so `010` is 8) and stay integers.
 */
import { parseAllDocuments, type ScalarTag } from 'yaml';
import { GoFloat, GoInt, type GoAny } from './convert.js';
import { goQuote } from './strconv.js';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** Bytes to a JS string as Go's string([]byte) would be shown: invalid UTF-8 becomes U+FFFD. */
export function bytesToString(b: Uint8Array): string {
  return textDecoder.decode(b);
}

/** Go base64 `EncodeToString` with padding. */
export function base64Encode(s: string, url = false): string {
  const alphabet = url ? URL : STD;
  const b = new TextEncoder().encode(s);
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + alphabet[v & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const v = b[i]! << 16;
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8);
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + '=';
  }
  return out;
}

function corrupt(offset: number): Error {
  return new Error(`illegal base64 data at input byte ${offset}`);
}

/** Go base64 `DecodeString` (padded, non-strict): decoded bytes, or Go's CorruptInputError text. */
export function base64Decode(s: string, url = false): Uint8Array {
  const alphabet = url ? URL : STD;
  const map = new Int16Array(256).fill(-1);
  for (let i = 0; i < 64; i++) map[alphabet.charCodeAt(i)] = i;
  const src = new TextEncoder().encode(s);
  const out: number[] = [];
  let si = 0;
  const isNL = (c: number | undefined) => c === 0x0a || c === 0x0d;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: Error | undefined;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return new Uint8Array(out);
        throw corrupt(si - j);
      }
      const c = src[si]!;
      si++;
      const v = map[c]!;
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (isNL(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d) throw corrupt(si - 1);
      if (j === 0 || j === 1) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNL(src[si])) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNL(src[si])) si++;
      if (si < src.length) trailing = corrupt(si);
      dlen = j;
      break;
    }
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    const bytes = [(val >> 16) & 255, (val >> 8) & 255, val & 255];
    for (let k = 0; k < dlen - 1; k++) out.push(bytes[k]!);
    if (trailing) throw trailing;
  }
  return new Uint8Array(out);
}

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x7e
  );
}

/** Go `url.QueryEscape`: spaces become '+', everything but [A-Za-z0-9-_.~] is %XX-escaped. */
export function queryEscape(s: string): string {
  let out = '';
  for (const c of new TextEncoder().encode(s)) {
    if (isUnreserved(c)) out += String.fromCharCode(c);
    else if (c === 0x20) out += '+';
    else out += '%' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Go `url.QueryUnescape`: '+' is a space; a bad escape gives `invalid URL escape "%zz"`. */
export function queryUnescape(s: string): string {
  const b = new TextEncoder().encode(s);
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x25) {
      const h = i + 2 < b.length ? unhex(b[i + 1]!) : -1;
      const l = i + 2 < b.length ? unhex(b[i + 2]!) : -1;
      if (h < 0 || l < 0) {
        const bad = bytesToString(b.subarray(i, Math.min(i + 3, b.length)));
        throw new Error(`invalid URL escape ${goQuote(bad)}`);
      }
      out.push(h * 16 + l);
      i += 2;
    } else if (c === 0x2b) out.push(0x20);
    else out.push(c);
  }
  return bytesToString(new Uint8Array(out));
}

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go `strconv.ParseInt(s, 0, 64)`-style syntax check and value (no range check); undefined if invalid. */
export function parseGoIntBase0(s: string): bigint | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt('0o' + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

/** yaml.v3's resolution of plain scalars that look like integers. */
const goIntTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^[-+]?(?:0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*)$/,
  resolve(str: string) {
    const plain = str.replace(/_/g, '');
    const v = parseGoIntBase0(plain);
    if (v !== undefined && v >= -(2n ** 63n) && v < 2n ** 64n) return v;
    if (YAML_FLOAT.test(plain)) return Number(plain);
    return str;
  },
};

function fromYAML(v: unknown): GoAny {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return v;
    case 'bigint':
      return v < 2n ** 63n ? new GoInt(v, 'int') : new GoInt(v, 'uint64');
    case 'number':
      return new GoFloat(v);
  }
  if (Array.isArray(v)) return v.map(fromYAML);
  if (v instanceof Map) {
    const m = new Map<string, GoAny>();
    // yaml.v3 would give map[interface{}]interface{} for non-string keys; we stringify them instead.
    for (const [k, x] of v) m.set(typeof k === 'string' ? k : String(k), fromYAML(x));
    return m;
  }
  if (v instanceof Uint8Array) return textDecoder.decode(v);
  if (v instanceof Set) return [...v].map(fromYAML);
  return String(v);
}

/** yaml.v3 `Unmarshal(text, &any)`: the first document; errors are prefixed `yaml: `. */
export function parseYAML(text: string): GoAny {
  const docs = parseAllDocuments(text, {
    intAsBigInt: true,
    merge: true,
    uniqueKeys: true,
    customTags: (tags) => [
      goIntTag,
      ...tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:int'),
    ],
  });
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    const errs = (docs as { errors?: { message: string }[] }).errors;
    if (errs?.length) throw new Error('yaml: ' + errs[0]!.message.split('\n')[0]);
  }
  const doc = list[0];
  if (!doc) return null;
  if (doc.errors.length) throw new Error('yaml: ' + doc.errors[0]!.message.split('\n')[0]);
  return fromYAML(doc.toJS({ mapAsMap: true, maxAliasCount: 10000 }));
}
