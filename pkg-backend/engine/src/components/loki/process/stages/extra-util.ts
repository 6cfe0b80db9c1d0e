/**
 * Helpers shared by the "extra" loki.process stages (match, drop, multiline, …): Go value conversions
 * (`getString`, `getFloat` of Alloy's stages/util.go and metric.go), unanchored RE2 regexps, UTF-8 byte
 * lengths, Go JSON string encoding and RFC 3339 timestamps in nanoseconds.
 */
import { RE2JS } from 're2js';
import { parseDuration } from '../../../../runtime/duration.js';
import { parseBase2Bytes } from '../../stages/stages.js';
import { formatFloatF } from '../../../../syntax/value.js';
import { tryGetString } from '../values.js';

/** A compiled, unanchored Go regexp (`regexp.Compile`): `test` is Go's `MatchString`. */
export interface GoRegexp {
  readonly source: string;
  test(s: string): boolean;
  /** Go's `ReplaceAllString(s, "")` with a literal replacement (no `$` expansion). */
  replaceAllLiteral(s: string, repl: string): string;
  /** Go's `FindAllStringIndex(s, -1)` as UTF-16 index pairs. */
  findAllIndex(s: string): [number, number][];
}

/**
 * Compiles `pattern` with Go's `regexp` syntax (RE2, unanchored, `.` does not match `\n`).
 * @throws Error with Go's message, e.g. "error parsing regexp: missing closing ]: `[]`".
 */
export function compileGoRegexp(pattern: string): GoRegexp {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new Error((err as Error).message);
  }
  return {
    source: pattern,
    test: (s) => re.test(s),
    replaceAllLiteral: (s, repl) => re.matcher(s).replaceAll(RE2JS.quoteReplacement(repl)),
    findAllIndex: (s) => {
      const out: [number, number][] = [];
      const m = re.matcher(s);
      while (m.find()) out.push([m.start(), m.end()]);
      return out;
    },
  };
}

/** Go `fmt` `%v` of an extracted value, for error texts. */
function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Alloy's `getString`: strings as they are, numbers as Go `'f'` formatting, booleans as "true"/"false".
 * @throws Error "can't convert <v> to string" for anything else (null, objects).
 */
export function getString(v: unknown): string {
  const s = tryGetString(v);
  if (s === undefined) throw new Error(`can't convert ${goV(v)} to string`);
  return s;
}

/** Go `strconv.ParseFloat(s, 64)` for decimal forms, `inf`/`infinity`/`nan` (any case, signed); undefined if invalid. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/.test(s) && !s.includes('_'))
    return Number(s);
  const l = s.toLowerCase();
  const sign = l.startsWith('-') ? -1 : 1;
  const body = l.replace(/^[+-]/, '');
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (l === 'nan') return NaN;
  if (/^[+-]?0x[0-9a-f]*\.?[0-9a-f]*p[+-]?\d+$/.test(l)) {
    const m = /^([+-]?)0x([0-9a-f]*)\.?([0-9a-f]*)p([+-]?\d+)$/.exec(l)!;
    if (m[2] === '' && m[3] === '') return undefined;
    const mant = parseInt((m[2] || '0') + m[3], 16) / 16 ** m[3]!.length;
    return (m[1] === '-' ? -1 : 1) * mant * 2 ** Number(m[4]);
  }
  return undefined;
}

/**
 * Alloy's `getFloat` (stage.metrics): numbers as they are, booleans 1/0, strings as a float or a Go
 * duration in seconds ("0.5ms" → 0.0005).
 * @throws Error when the value has no float form.
 */
export function getFloat(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return v;
    case 'bigint':
      return Number(v);
    case 'boolean':
      return v ? 1 : 0;
    case 'string': {
      const f = parseGoFloat(v);
      if (f !== undefined) return f;
      return parseDuration(v) / 1000;
    }
    default:
      throw new Error(`can't convert ${goV(v)} to float64`);
  }
}

const encoder = new TextEncoder();

/** Length of `s` in UTF-8 bytes (Go's `len(string)`). */
export function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Go's `s[:limit]` on a string's UTF-8 bytes. A character cut in the middle is dropped whole (Go would
 * keep its leading bytes, an invalid UTF-8 tail a JS string cannot hold).
 */
export function truncateBytes(s: string, limit: number): string {
  if (s.length <= limit / 3) return s;
  if (byteLength(s) <= limit) return s;
  const bytes = encoder.encode(s);
  let end = Math.max(0, Math.floor(limit));
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/**
 * A size argument (`units.Base2Bytes`: "10B", "1KiB", "512") in bytes.
 * @throws Error when the size does not parse.
 */
export function parseSize(s: string, what: string): number {
  const n = parseBase2Bytes(s);
  if (n === undefined) throw new Error(`invalid ${what}: ${JSON.stringify(s)}`);
  return n;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Go `encoding/json` (and json-iterator's default) encoding of a string: HTML-safe, U+2028/9 escaped. */
export function goJSONString(s: string): string {
  return JSON.stringify(s.replace(LONE_SURROGATE, '\uFFFD')).replace(/[<>&\u2028\u2029]/g, (c) => {
    return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
  });
}

/** A map key for a label set (model.LabelSet's fingerprint): sorted name/value pairs. */
export function labelSetKey(labels: Map<string, string>): string {
  const names = [...labels.keys()].sort();
  let key = '';
  for (const n of names) key += n + '\xff' + labels.get(n)! + '\xfe';
  return key;
}

/** The current time in nanoseconds since the epoch. */
export function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Go `time.Parse(time.RFC3339Nano, s)` → nanoseconds since the epoch, or undefined when `s` is not
 * RFC 3339 (`2019-01-01T01:00:00.000000001Z`, `…+02:00`; up to 9 fractional digits).
 */
export function parseRFC3339Nano(s: string): bigint | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)
    return undefined;
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysIn) return undefined;
  if (frac !== undefined && frac.length > 9) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const zh = Number(zone!.slice(1, 3));
    const zm = Number(zone!.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    offsetMin = (zone![0] === '-' ? -1 : 1) * (zh * 60 + zm);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(Number(h), Number(mi), Number(sec), 0);
  const ms = date.getTime() - offsetMin * 60_000;
  const nanos = frac ? BigInt(frac.padEnd(9, '0')) : 0n;
  return BigInt(ms) * 1_000_000n + nanos;
}

export { formatFloatF };
