/**
 * go-logfmt's `MarshalKeyvals` for the values the collector passes it (strings, []byte, int64, float64,
 * bool, nil; maps and slices are "unsupported value type"). Keys that are empty or contain a space, `=`,
 * `"` or a control character make the whole line fail (ErrInvalidKey), as go-logfmt v0.6.
 */
import { goFormatFloatG } from './pdata.js';

/** Raw bytes (a value scanned by the logfmt decoder): written like a string but never as `"null"`. */
export class LogfmtBytes {
  constructor(readonly value: string) {}
}

export type LogfmtValue = string | bigint | number | boolean | null | undefined | LogfmtBytes | object;

export class LogfmtKeyError extends Error {}

const NEEDS_QUOTE = /[\x00-\x20="\uFFFD]/;

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function stringValue(s: string, nullSpecial: boolean): string {
  if (nullSpecial && s === 'null') return '"null"';
  return NEEDS_QUOTE.test(s) ? quote(s) : s;
}

function value(v: LogfmtValue): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof LogfmtBytes) return stringValue(v.value, false);
  switch (typeof v) {
    case 'string':
      return stringValue(v, true);
    case 'bigint':
      return v.toString();
    case 'number':
      return stringValue(goFormatFloatG(v), false);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof Uint8Array) return stringValue(Buffer.from(v).toString('latin1'), false);
  return stringValue('unsupported value type', false);
}

/** Encodes key/value pairs as one logfmt line (no trailing newline). @throws LogfmtKeyError */
export function marshalKeyvals(kvs: readonly [string, LogfmtValue][]): string {
  const parts: string[] = [];
  for (const [k, v] of kvs) {
    if (k === '' || NEEDS_QUOTE.test(k)) throw new LogfmtKeyError('invalid key');
    parts.push(`${k}=${value(v)}`);
  }
  return parts.join(' ');
}
