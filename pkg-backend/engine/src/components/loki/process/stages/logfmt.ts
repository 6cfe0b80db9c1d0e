/**
 * `stage.logfmt`, as Alloy's stage.logfmt (`stages/logfmt.go`, decoding with go-logfmt v0.6): parses the
 * line (or the extracted value `source`) as logfmt and extracts the keys of `mapping` and every key
 * matching `regex`.
 *
 * Decoded shape: `{ mapping?: Record<extracted name, logfmt key ("" = the name itself)>, source?: string,
 * regex?: string (Go regexp, unanchored) }`. Extracted values are strings ("" for a key without value).
 *
 * Each line of the input is a record; pairs are extracted as they are scanned, so a syntax error keeps the
 * pairs before it (as go-logfmt's decoder does).
 *
 * Errors (Alloy's texts): "logfmt mapping or regex is required", Go regexp parse errors.
 */
import type { Stage, StageFactory } from '../stage.js';
import { compileRegexp, tryGetString } from '../values.js';

interface LogfmtArgs {
  mapping?: Record<string, string>;
  source?: string;
  regex?: string;
}

/** One key/value pair; `value` is "" when absent. */
export interface LogfmtPair {
  key: string;
  value: string;
}

/** bufio.Scanner's maximum token size as go-logfmt configures it (1 MiB). */
const MAX_LINE = 1024 * 1024;

/**
 * Decodes logfmt text as go-logfmt's Decoder (records are lines; `"…"` values with JSON escapes), calling
 * `onPair` for every pair scanned. Returns the syntax error text, or undefined.
 */
export function decodeLogfmt(
  input: string,
  onPair: (key: string, value: string) => void,
): string | undefined {
  const lines = input.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let lineNum = 0;
  for (let line of lines) {
    lineNum++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (Buffer.byteLength(line, 'utf8') > MAX_LINE) return 'bufio.Scanner: token too long';
    let pos = 0;
    const n = line.length;
    const syntax = (msg: string, at: number) =>
      `logfmt syntax error at pos ${at + 1} on line ${lineNum}: ${msg}`;
    for (;;) {
      // garbage
      while (pos < n && line.charCodeAt(pos) <= 32) pos++;
      if (pos >= n) break;
      // key
      const start = pos;
      let key: string | undefined;
      let sawEqual = false;
      for (; pos < n; pos++) {
        const c = line.charCodeAt(pos);
        if (c === 61 /* = */) {
          if (pos > start) key = line.slice(start, pos);
          if (key === undefined) return syntax(`unexpected '='`, pos);
          sawEqual = true;
          break;
        }
        if (c === 34 /* " */) return syntax(`unexpected '"'`, pos);
        if (c <= 32) break;
      }
      if (!sawEqual) {
        key = line.slice(start, pos);
        if (key.includes('\uFFFD')) return syntax('invalid key', pos);
        onPair(key, '');
        continue;
      }
      if (key!.includes('\uFFFD')) return syntax('invalid key', pos);
      // equal
      pos++;
      if (pos >= n || line.charCodeAt(pos) <= 32) {
        onPair(key!, '');
        continue;
      }
      if (line.charCodeAt(pos) !== 34) {
        const vstart = pos;
        for (; pos < n; pos++) {
          const c = line.charCodeAt(pos);
          if (c === 61 || c === 34) return syntax(`unexpected '${String.fromCharCode(c)}'`, pos);
          if (c <= 32) break;
        }
        onPair(key!, line.slice(vstart, pos));
        continue;
      }
      // quoted value
      const qstart = pos;
      let hasEsc = false;
      let esc = false;
      let closed = false;
      for (pos = pos + 1; pos < n; pos++) {
        const c = line[pos];
        if (esc) esc = false;
        else if (c === '\\') hasEsc = esc = true;
        else if (c === '"') {
          closed = true;
          pos++;
          break;
        }
      }
      if (!closed) return syntax('unterminated quoted value', n);
      const raw = line.slice(qstart, pos);
      if (!hasEsc) {
        onPair(key!, raw.slice(1, -1));
        continue;
      }
      const v = unquoteJson(raw);
      if (v === undefined) return syntax('invalid quoted value', pos);
      onPair(key!, v);
    }
  }
  return undefined;
}

/** encoding/json's `unquote` as go-logfmt copies it; undefined when invalid. */
function unquoteJson(raw: string): string | undefined {
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const e = raw[++i];
      switch (e) {
        case '"':
        case '\\':
        case '/':
        case "'":
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = raw.slice(i + 1, i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
          const cp = parseInt(hex, 16);
          i += 4;
          if (cp >= 0xd800 && cp < 0xdc00) {
            const m = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(raw.slice(i + 1));
            if (m) {
              out += String.fromCharCode(cp, parseInt(m[1]!, 16));
              i += 6;
            } else out += '\uFFFD';
          } else if (cp >= 0xdc00 && cp < 0xe000) out += '\uFFFD';
          else out += String.fromCharCode(cp);
          break;
        }
        default:
          return undefined;
      }
    } else if (c === '"' || c.charCodeAt(0) < 32) return undefined;
    else out += c;
  }
  return out;
}

export const logfmtStage: StageFactory = (config, ctx) => {
  const a = config as unknown as LogfmtArgs;
  const mapping = Object.entries(a.mapping ?? {});
  if (mapping.length === 0 && !a.regex) throw new Error('logfmt mapping or regex is required');
  // Inverse mapping: logfmt key → extracted name.
  const inverse = new Map<string, string>();
  for (const [k, v] of mapping) inverse.set(v === '' ? k : v, k);
  const re = a.regex ? compileRegexp(a.regex) : undefined;
  const source = a.source ?? '';
  const logger = ctx.logger.child({ stage: 'logfmt' });

  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        let input = e.line;
        if (source !== '') {
          if (!e.extracted.has(source)) continue;
          const s = tryGetString(e.extracted.get(source));
          if (s === undefined) continue;
          input = s;
        }
        const err = decodeLogfmt(input, (key, value) => {
          const name = inverse.get(key);
          if (name !== undefined) e.extracted.set(name, value);
          if (re && re.test(key)) e.extracted.set(key, value);
        });
        if (err) logger.debug('failed to decode logfmt', { err });
      }
      return entries;
    },
  };
  return stage;
};
