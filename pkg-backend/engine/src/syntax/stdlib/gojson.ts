/**
 * JSON decoding and encoding with Go `encoding/json` behaviour: the syntax errors carry Go's texts
 * (`invalid character 'x' looking for beginning of value`, `unexpected end of JSON input`), numbers
 * decode to float64 (or, for json_path's ojg, integers stay integers), invalid UTF-8 becomes U+FFFD,
 * and encoding sorts keys and escapes HTML characters as Go does.
 */
import { Capsule, FuncValue, Secret } from '../value.js';
import { GoFloat, GoInt, type GoAny } from './convert.js';
import { compareBytes, goTypeName } from './gofmt.js';
import { formatFloat, goQuote } from './strconv.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Go's quoteChar for scanner errors: the offending byte as a quoted character. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const q = goQuote(String.fromCharCode(c));
  return "'" + q.slice(1, -1) + "'";
}

class JSONSyntaxError extends Error {}

class Parser {
  pos = 0;
  /** Go reports an unrepresentable number only after the whole input proved syntactically valid. */
  numErr: Error | undefined;
  constructor(
    readonly b: Uint8Array,
    readonly intsAsInt: boolean,
  ) {}

  fail(context: string): never {
    if (this.pos >= this.b.length) throw new JSONSyntaxError('unexpected end of JSON input');
    throw new JSONSyntaxError(`invalid character ${quoteChar(this.b[this.pos]!)} ${context}`);
  }

  skipSpace(): void {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  value(): GoAny {
    this.skipSpace();
    const c = this.b[this.pos];
    switch (c) {
      case 0x7b:
        return this.object();
      case 0x5b:
        return this.array();
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
    }
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail('looking for beginning of value');
  }

  literal(word: string, v: GoAny): GoAny {
    for (let i = 0; i < word.length; i++) {
      if (this.b[this.pos] !== word.charCodeAt(i)) {
        if (i === 0) this.fail('looking for beginning of value');
        this.fail(`in literal ${word} (expecting ${quoteChar(word.charCodeAt(i))})`);
      }
      this.pos++;
    }
    return v;
  }

  digits(): number {
    const start = this.pos;
    while (this.pos < this.b.length && this.b[this.pos]! >= 0x30 && this.b[this.pos]! <= 0x39) this.pos++;
    return this.pos - start;
  }

  number(): GoAny {
    const start = this.pos;
    let isInt = true;
    if (this.b[this.pos] === 0x2d) {
      this.pos++;
      const c = this.b[this.pos];
      if (c === undefined || c < 0x30 || c > 0x39) this.fail('in numeric literal');
    }
    if (this.b[this.pos] === 0x30) this.pos++;
    else this.digits();
    if (this.b[this.pos] === 0x2e) {
      isInt = false;
      this.pos++;
      if (this.digits() === 0) this.fail('after decimal point in numeric literal');
    }
    const e = this.b[this.pos];
    if (e === 0x65 || e === 0x45) {
      isInt = false;
      this.pos++;
      const s = this.b[this.pos];
      if (s === 0x2b || s === 0x2d) this.pos++;
      if (this.digits() === 0) this.fail('in exponent of numeric literal');
    }
    const text = decoder.decode(this.b.subarray(start, this.pos));
    if (this.intsAsInt && isInt) {
      const n = BigInt(text);
      if (n >= -(2n ** 63n) && n < 2n ** 63n) return new GoInt(n, 'int');
    }
    const f = Number(text);
    if (!Number.isFinite(f)) {
      this.numErr ??= new Error(`json: cannot unmarshal number ${text} into Go value of type float64`);
    }
    return new GoFloat(f);
  }

  string(): string {
    const b = this.b;
    this.pos++; // opening quote
    const out: number[] = [];
    let s = '';
    const flush = () => {
      if (out.length) {
        s += decoder.decode(new Uint8Array(out));
        out.length = 0;
      }
    };
    for (;;) {
      if (this.pos >= b.length) this.fail('in string literal');
      const c = b[this.pos]!;
      if (c === 0x22) {
        this.pos++;
        flush();
        return s;
      }
      if (c < 0x20) this.fail('in string literal');
      if (c !== 0x5c) {
        out.push(c);
        this.pos++;
        continue;
      }
      this.pos++;
      const e = b[this.pos];
      const simple: Record<number, string> = {
        0x22: '"',
        0x5c: '\\',
        0x2f: '/',
        0x62: '\b',
        0x66: '\f',
        0x6e: '\n',
        0x72: '\r',
        0x74: '\t',
      };
      if (e !== undefined && simple[e] !== undefined) {
        flush();
        s += simple[e];
        this.pos++;
        continue;
      }
      if (e !== 0x75) this.fail('in string escape code');
      this.pos++;
      let cp = this.hex4();
      flush();
      if (cp >= 0xd800 && cp < 0xdc00) {
        // A high surrogate must pair with a following \uDC00-\uDFFF escape, else it decodes to U+FFFD.
        if (b[this.pos] === 0x5c && b[this.pos + 1] === 0x75) {
          const save = this.pos;
          this.pos += 2;
          const lo = this.hex4();
          if (lo >= 0xdc00 && lo < 0xe000) {
            s += String.fromCharCode(cp, lo);
            continue;
          }
          this.pos = save;
        }
        cp = 0xfffd;
      } else if (cp >= 0xdc00 && cp < 0xe000) cp = 0xfffd;
      s += String.fromCharCode(cp);
    }
  }

  hex4(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.b[this.pos];
      let d: number;
      if (c !== undefined && c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c !== undefined && c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c !== undefined && c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return this.fail('in \\u hexadecimal character escape');
      v = v * 16 + d;
      this.pos++;
    }
    return v;
  }

  array(): GoAny[] {
    this.pos++;
    const out: GoAny[] = [];
    this.skipSpace();
    if (this.b[this.pos] === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const c = this.b[this.pos];
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return out;
      }
      this.fail('after array element');
    }
  }

  object(): Map<string, GoAny> {
    this.pos++;
    const out = new Map<string, GoAny>();
    this.skipSpace();
    if (this.b[this.pos] === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.b[this.pos] !== 0x22) this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipSpace();
      if (this.b[this.pos] !== 0x3a) this.fail('after object key');
      this.pos++;
      out.set(key, this.value());
      this.skipSpace();
      const c = this.b[this.pos];
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return out;
      }
      this.fail('after object key:value pair');
    }
  }
}

/**
 * Go `json.Unmarshal(text, &any)`. Throws an Error with Go's message on invalid input. With
 * `intsAsInt`, integer literals stay integers (as ojg, used by json_path, parses them).
 */
export function parseGoJSON(text: string, intsAsInt = false): GoAny {
  const p = new Parser(new TextEncoder().encode(text), intsAsInt);
  try {
    const v = p.value();
    p.skipSpace();
    if (p.pos < p.b.length) p.fail('after top-level value');
    if (p.numErr) throw p.numErr;
    return v;
  } catch (e) {
    if (e instanceof JSONSyntaxError) throw new Error(e.message);
    throw e;
  }
}

const HEX = '0123456789abcdef';

/** Go encoding/json string encoding with HTML escaping (as json.Marshal). */
export function encodeJSONString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26) {
        out += ch;
        continue;
      }
      switch (c) {
        case 0x22:
        case 0x5c:
          out += '\\' + ch;
          continue;
        case 0x08:
          out += '\\b';
          continue;
        case 0x0c:
          out += '\\f';
          continue;
        case 0x0a:
          out += '\\n';
          continue;
        case 0x0d:
          out += '\\r';
          continue;
        case 0x09:
          out += '\\t';
          continue;
      }
      out += '\\u00' + HEX[c >> 4] + HEX[c & 15];
      continue;
    }
    if (c === 0x2028 || c === 0x2029) out += '\\u202' + HEX[c & 15];
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Go encoding/json float64 encoding ('f' unless the magnitude needs 'e'). */
export function encodeJSONFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  const fmt = abs !== 0 && (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f';
  let s = formatFloat(f, fmt, -1);
  if (fmt === 'e') s = s.replace(/e-0(\d)$/, 'e-$1');
  return s;
}

/** Go `json.Marshal` of a decoded `any` value (compact, map keys sorted). */
export function marshalGoJSON(v: GoAny): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return encodeJSONString(v);
  if (v instanceof GoInt) return v.v.toString();
  if (v instanceof GoFloat) return encodeJSONFloat(v.v);
  if (Array.isArray(v)) return '[' + v.map(marshalGoJSON).join(',') + ']';
  if (v instanceof Map) {
    const keys = [...v.keys()].sort(compareBytes);
    return '{' + keys.map((k) => encodeJSONString(k) + ':' + marshalGoJSON(v.get(k)!)).join(',') + '}';
  }
  if (v instanceof Secret) return encodeJSONString(v.value);
  if (v instanceof FuncValue) throw new Error(`json: unsupported type: ${goTypeName(v)}`);
  const c = v as Capsule;
  const s = c.toStringValue();
  if (s !== undefined) return encodeJSONString(s);
  throw new Error(`json: unsupported type: ${c.typeName}`);
}
