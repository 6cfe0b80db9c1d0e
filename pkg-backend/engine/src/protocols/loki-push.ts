/**
 * The Loki push protocol (protocols.md §3): `logproto.PushRequest` in protobuf (sent snappy-compressed, block
 * format) and in its JSON form, plus the LogQL label-set text that streams carry (`{job="api", level="info"}`).
 * Hand-written on the shared protobuf primitives (`remote-write-proto.ts`); no protobufjs objects.
 *
 * Messages (grafana/loki `pkg/push/push.proto`):
 * - PushRequest{1 streams: rep StreamAdapter} (field 2 `format` is internal and ignored);
 * - StreamAdapter{1 labels: string, 2 entries: rep EntryAdapter} (field 3 `hash` is ignored);
 * - EntryAdapter{1 timestamp: google.protobuf.Timestamp{1 seconds int64, 2 nanos int32}, 2 line: string,
 *   3 structuredMetadata: rep LabelPairAdapter{1 name, 2 value}} (field 4 `parsed` is ignored, never sent).
 *
 * Timestamps are **nanoseconds since the epoch as bigint**, exact in both directions (negative values use
 * the proto convention of floor seconds and non-negative nanos). Structured metadata is a flat name/value
 * array in wire order. JSON: `{"streams":[{"stream":{…},"values":[["<ns string>","line",{…}?],…]}]}`.
 *
 * Label text is parsed as Prometheus' `promql/parser.ParseMetric` (what Alloy's loki.source.api uses):
 * an optional metric name, `{`, `name="value"` pairs separated by commas (trailing comma allowed), `}`;
 * values are Go string literals in double quotes, single quotes or backticks; names are `[a-zA-Z_]\w*` or
 * quoted (UTF-8 names, Prometheus 3). Labels are formatted as Alloy's loki client does
 * (`labelsMapToString`): names sorted, `, ` between pairs, values Go-quoted (`strconv.Quote`), names starting
 * with `__` left out.
 */
import type { Labels } from '../components/prometheus/labels.js';
import { compareBytes } from '../components/prometheus/labels.js';
import { ProtoReader, ProtoWriter, int64Size, varintSize } from './remote-write-proto.js';

export { ProtoError } from './remote-write-proto.js';
export { snappyCompress, snappyUncompress } from './remote-write.js';

/** One log line of a stream. */
export interface PushEntry {
  /** Nanoseconds since the epoch. */
  timestamp: bigint;
  line: string;
  /** Flat name/value pairs (wire order); empty when none. */
  structuredMetadata: readonly string[];
}

/** One stream: its label-set text and entries in order. */
export interface PushStream {
  /** LogQL label-set text, e.g. `{job="api"}`. */
  labels: string;
  /** The labels already parsed (JSON requests carry them as an object); undefined for protobuf. */
  parsed?: Labels;
  entries: PushEntry[];
}

/** Headers of a protobuf push as Alloy's loki.write sends it (User-Agent and tenant are added by callers). */
export const PUSH_PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/** Thrown for malformed label text or JSON push bodies; the message is suitable for a 400 body. */
export class PushParseError extends Error {
  override name = 'PushParseError';
}

const NS_PER_S = 1_000_000_000n;

// ---------------------------------------------------------------------------------------------------------
// Protobuf encoding

/** Seconds and nanos of a ns timestamp (floor seconds; nanos in [0, 1e9)). */
function splitTimestamp(ts: bigint): [number, number] {
  let s = ts / NS_PER_S;
  let n = ts - s * NS_PER_S;
  if (n < 0n) {
    s -= 1n;
    n += NS_PER_S;
  }
  return [Number(s), Number(n)];
}

function timestampSize(sec: number, nanos: number): number {
  return (sec !== 0 ? 1 + int64Size(sec) : 0) + (nanos !== 0 ? 1 + varintSize(nanos) : 0);
}

function pairsSize(pairs: readonly string[], lens: number[], at: number): number {
  let size = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const nl = Buffer.byteLength(pairs[i]!);
    const vl = Buffer.byteLength(pairs[i + 1]!);
    lens[at + i] = nl;
    lens[at + i + 1] = vl;
    const body = (nl ? 1 + varintSize(nl) + nl : 0) + (vl ? 1 + varintSize(vl) + vl : 0);
    size += 1 + varintSize(body) + body;
  }
  return size;
}

/** Writes a string whose UTF-8 length `n` is known (tag already written by the caller's layout). */
function writeStr(w: ProtoWriter, tag: number, s: string, n: number): void {
  w.ensure(n + 11);
  w.byte(tag);
  w.varint(n);
  if (n === s.length && n < 64) {
    for (let i = 0; i < n; i++) w.buf[w.pos + i] = s.charCodeAt(i);
  } else w.buf.write(s, w.pos, n, 'utf8');
  w.pos += n;
}

/**
 * Encodes streams into a reusable writer: each label text and line is measured once and copied once.
 * Returns a view of the writer's buffer, valid until its next use.
 */
export class PushRequestEncoder {
  readonly w: ProtoWriter;
  private lens: number[] = [];

  constructor(initialSize = 256 * 1024) {
    this.w = new ProtoWriter(initialSize);
  }

  encode(streams: Iterable<PushStream>): Buffer {
    const w = this.w;
    w.reset();
    const lens = this.lens;
    for (const st of streams) {
      // Pass 1: sizes. lens layout per entry: [bodySize, lineLen, sec, nanos, smPairLens...].
      lens.length = 0;
      const labelLen = Buffer.byteLength(st.labels);
      let body = labelLen ? 1 + varintSize(labelLen) + labelLen : 0;
      for (const e of st.entries) {
        const at = lens.length;
        const [sec, nanos] = splitTimestamp(e.timestamp);
        const lineLen = Buffer.byteLength(e.line);
        lens.push(0, lineLen, sec, nanos);
        const tsSize = timestampSize(sec, nanos);
        let eb = 1 + varintSize(tsSize) + tsSize;
        if (lineLen) eb += 1 + varintSize(lineLen) + lineLen;
        eb += pairsSize(e.structuredMetadata, lens, at + 4);
        lens[at] = eb;
        body += 1 + varintSize(eb) + eb;
      }
      // Pass 2: bytes.
      w.ensure(11);
      w.byte(0x0a);
      w.varint(body);
      if (labelLen) writeStr(w, 0x0a, st.labels, labelLen);
      let k = 0;
      for (const e of st.entries) {
        const eb = lens[k]!;
        const lineLen = lens[k + 1]!;
        const sec = lens[k + 2]!;
        const nanos = lens[k + 3]!;
        w.ensure(44);
        w.byte(0x12);
        w.varint(eb);
        const tsSize = timestampSize(sec, nanos);
        w.byte(0x0a);
        w.varint(tsSize);
        if (sec !== 0) {
          w.byte(0x08);
          w.int64(sec);
        }
        if (nanos !== 0) {
          w.byte(0x10);
          w.varint(nanos);
        }
        if (lineLen) writeStr(w, 0x12, e.line, lineLen);
        const sm = e.structuredMetadata;
        for (let i = 0; i < sm.length; i += 2) {
          const nl = lens[k + 4 + i]!;
          const vl = lens[k + 5 + i]!;
          const pb = (nl ? 1 + varintSize(nl) + nl : 0) + (vl ? 1 + varintSize(vl) + vl : 0);
          w.ensure(11);
          w.byte(0x1a);
          w.varint(pb);
          if (nl) writeStr(w, 0x0a, sm[i]!, nl);
          if (vl) writeStr(w, 0x12, sm[i + 1]!, vl);
        }
        k += 4 + sm.length;
      }
    }
    return w.finish();
  }
}

/** Encodes a PushRequest (uncompressed protobuf). Returns a copy. */
export function encodePushRequest(streams: readonly PushStream[]): Buffer {
  return Buffer.from(new PushRequestEncoder(4096).encode(streams));
}

// ---------------------------------------------------------------------------------------------------------
// Protobuf decoding

/**
 * Decodes an uncompressed `logproto.PushRequest`. Label texts are returned as sent (parse them with
 * `parseLabelText`, ideally through a `LabelTextCache`). Throws ProtoError on malformed protobuf.
 */
export function decodePushRequest(buf: Uint8Array): PushStream[] {
  const r = new ProtoReader(buf);
  const out: PushStream[] = [];
  const sr = new ProtoReader(buf);
  const er = new ProtoReader(buf);
  while (!r.done()) {
    const tag = r.varint();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      continue;
    }
    const se = r.enter();
    sr.pos = r.pos;
    sr.end = se;
    r.pos = se;
    const stream: PushStream = { labels: '', entries: [] };
    while (sr.pos < se) {
      const t = sr.varint();
      if (t === 0x0a) stream.labels = sr.string();
      else if (t === 0x12) {
        const ee = sr.enter();
        er.pos = sr.pos;
        er.end = ee;
        sr.pos = ee;
        stream.entries.push(readEntry(er, ee));
      } else sr.skip(t & 7);
    }
    out.push(stream);
  }
  return out;
}

function readEntry(r: ProtoReader, end: number): PushEntry {
  let sec = 0;
  let nanos = 0;
  let line = '';
  let sm: string[] | undefined;
  while (r.pos < end) {
    const t = r.varint();
    switch (t) {
      case 0x0a: {
        const te = r.enter();
        const saved = r.end;
        r.end = te;
        while (r.pos < te) {
          const t2 = r.varint();
          if (t2 === 0x08) sec = r.int64();
          else if (t2 === 0x10) nanos = r.int64();
          else r.skip(t2 & 7);
        }
        r.end = saved;
        break;
      }
      case 0x12:
        line = r.string();
        break;
      case 0x1a: {
        const pe = r.enter();
        const saved = r.end;
        r.end = pe;
        let name = '';
        let value = '';
        while (r.pos < pe) {
          const t2 = r.varint();
          if (t2 === 0x0a) name = r.string();
          else if (t2 === 0x12) value = r.string();
          else r.skip(t2 & 7);
        }
        r.end = saved;
        (sm ??= []).push(name, value);
        break;
      }
      default:
        r.skip(t & 7);
    }
  }
  return {
    timestamp: BigInt(sec) * NS_PER_S + BigInt(nanos),
    line,
    structuredMetadata: sm ?? EMPTY,
  };
}

const EMPTY: readonly string[] = Object.freeze([]);

// ---------------------------------------------------------------------------------------------------------
// JSON form

/** Encodes streams in the JSON push form (ns timestamps as strings, metadata object when present). */
export function encodePushJSON(streams: readonly PushStream[]): string {
  return JSON.stringify({
    streams: streams.map((s) => {
      const labels = s.parsed ?? parseLabelText(s.labels);
      const stream: Record<string, string> = {};
      for (let i = 0; i < labels.length; i += 2) stream[labels[i]!] = labels[i + 1]!;
      return {
        stream,
        values: s.entries.map((e) => {
          const v: unknown[] = [e.timestamp.toString(), e.line];
          if (e.structuredMetadata.length) {
            const md: Record<string, string> = {};
            for (let i = 0; i < e.structuredMetadata.length; i += 2)
              md[e.structuredMetadata[i]!] = e.structuredMetadata[i + 1]!;
            v.push(md);
          }
          return v;
        }),
      };
    }),
  });
}

const NS_RE = /^-?\d{1,19}$/;

/**
 * Decodes a JSON push body. Throws PushParseError for invalid JSON or shapes (a stream that is not an
 * object of strings, a value that is not `[ns string, line, metadata?]`, a timestamp that is not an
 * integer ns string, invalid label names).
 */
export function decodePushJSON(body: string): PushStream[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new PushParseError(`invalid JSON push request: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new PushParseError('invalid JSON push request: expected an object');
  const streams = doc.streams;
  if (streams === undefined || streams === null) return [];
  if (!Array.isArray(streams))
    throw new PushParseError('invalid JSON push request: streams must be an array');
  const out: PushStream[] = [];
  for (const s of streams) {
    if (!isObject(s)) throw new PushParseError('invalid JSON push request: stream must be an object');
    const pairs: string[] = [];
    if (s.stream !== undefined && s.stream !== null) {
      if (!isObject(s.stream))
        throw new PushParseError('invalid JSON push request: stream labels must be an object');
      for (const [k, v] of Object.entries(s.stream)) {
        if (typeof v !== 'string')
          throw new PushParseError(`invalid JSON push request: label ${JSON.stringify(k)} must be a string`);
        if (!isLabelName(k)) throw new PushParseError(`invalid label name ${JSON.stringify(k)}`);
        pairs.push(k, v);
      }
    }
    const parsed = sortPairs(pairs);
    const entries: PushEntry[] = [];
    const values = s.values ?? [];
    if (!Array.isArray(values))
      throw new PushParseError('invalid JSON push request: values must be an array');
    for (const v of values) {
      if (!Array.isArray(v) || v.length < 2 || v.length > 3)
        throw new PushParseError('invalid JSON push request: a value must be [timestamp, line, metadata?]');
      const [ts, line, md] = v as unknown[];
      if (typeof ts !== 'string' || !NS_RE.test(ts))
        throw new PushParseError(
          `invalid JSON push request: timestamp must be a string of integer nanoseconds, got ${JSON.stringify(ts)}`,
        );
      if (typeof line !== 'string')
        throw new PushParseError('invalid JSON push request: line must be a string');
      let sm: readonly string[] = EMPTY;
      if (md !== undefined && md !== null) {
        if (!isObject(md))
          throw new PushParseError('invalid JSON push request: structured metadata must be an object');
        const list: string[] = [];
        for (const [k, mv] of Object.entries(md)) {
          if (typeof mv !== 'string')
            throw new PushParseError(
              `invalid JSON push request: structured metadata ${JSON.stringify(k)} must be a string`,
            );
          list.push(k, mv);
        }
        if (list.length) sm = list;
      }
      entries.push({ timestamp: BigInt(ts), line, structuredMetadata: sm });
    }
    out.push({ labels: formatLabelText(parsed, false), parsed, entries });
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------------
// Label-set text

const NAME_START = /[a-zA-Z_]/;
const NAME_CHAR = /[a-zA-Z0-9_]/;

function isLabelName(s: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s);
}

/** Sorts pairs by name and freezes; rejects duplicate names. Empty values are kept (Loki keeps them). */
function sortPairs(pairs: string[]): Labels {
  let sorted = true;
  for (let i = 2; i < pairs.length; i += 2) {
    if (compareBytes(pairs[i - 2]!, pairs[i]!) >= 0) {
      sorted = false;
      break;
    }
  }
  if (sorted) return Object.freeze(pairs);
  const idx: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) idx.push(i);
  idx.sort((a, b) => compareBytes(pairs[a]!, pairs[b]!));
  const out: string[] = [];
  for (const i of idx) {
    if (out.length && out[out.length - 2] === pairs[i])
      throw new PushParseError(`duplicate label name ${JSON.stringify(pairs[i])}`);
    out.push(pairs[i]!, pairs[i + 1]!);
  }
  return Object.freeze(out);
}

/**
 * Parses LogQL/PromQL label-set text (`{a="b", c='d'}` or `metric{a="b"}`, the metric name becoming
 * `__name__`) into sorted Labels. Throws PushParseError (`1:<col>: parse error: …`, as Prometheus) on
 * invalid text or duplicate names.
 */
export function parseLabelText(text: string): Labels {
  const p = new LabelParser(text);
  return sortPairs(p.parse());
}

class LabelParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(msg: string): never {
    throw new PushParseError(`1:${this.i + 1}: parse error: ${msg}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  private ident(): string {
    const s = this.s;
    const start = this.i;
    if (this.i >= s.length || !NAME_START.test(s[this.i]!)) return '';
    this.i++;
    while (this.i < s.length && NAME_CHAR.test(s[this.i]!)) this.i++;
    return s.slice(start, this.i);
  }

  parse(): string[] {
    const s = this.s;
    const pairs: string[] = [];
    this.ws();
    if (this.i < s.length && s[this.i] !== '{') {
      // Metric name: identifier characters plus ':' (recording-rule names).
      const start = this.i;
      while (this.i < s.length && /[a-zA-Z0-9_:]/.test(s[this.i]!)) this.i++;
      const name = s.slice(start, this.i);
      if (!name || /^\d/.test(name)) this.fail(`unexpected character: ${JSON.stringify(s[start] ?? '')}`);
      pairs.push('__name__', name);
      this.ws();
      if (this.i >= s.length) return pairs;
    }
    if (s[this.i] !== '{') this.fail(`unexpected end of input, expected "{"`);
    this.i++;
    for (;;) {
      this.ws();
      if (this.i >= s.length) this.fail('unexpected end of input inside braces');
      if (s[this.i] === '}') {
        this.i++;
        break;
      }
      let name: string;
      const c = s[this.i];
      if (c === '"' || c === "'" || c === '`') name = this.string();
      else {
        name = this.ident();
        if (!name) this.fail(`unexpected character inside braces: ${JSON.stringify(c)}`);
      }
      this.ws();
      if (s[this.i] !== '=')
        this.fail(`unexpected character after label name ${JSON.stringify(name)}, expected "="`);
      this.i++;
      if (s[this.i] === '~') this.fail('unexpected "=~" in label set, expected "="');
      this.ws();
      const q = s[this.i];
      if (q !== '"' && q !== "'" && q !== '`')
        this.fail(`unexpected character, expected a quoted label value`);
      const value = this.string();
      pairs.push(name, value);
      this.ws();
      if (s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (s[this.i] === '}') {
        this.i++;
        break;
      }
      this.fail(
        this.i >= s.length
          ? 'unexpected end of input inside braces'
          : `unexpected character: ${JSON.stringify(s[this.i])}`,
      );
    }
    this.ws();
    if (this.i < s.length) this.fail(`unexpected character after label set: ${JSON.stringify(s[this.i])}`);
    return pairs;
  }

  /** A Go string literal at `i` (double, single or back quotes). */
  private string(): string {
    const s = this.s;
    const q = s[this.i]!;
    const start = ++this.i;
    if (q === '`') {
      const end = s.indexOf('`', start);
      if (end < 0) this.fail('unterminated raw string');
      this.i = end + 1;
      return s.slice(start, end);
    }
    // Fast path: no escapes.
    let j = start;
    while (j < s.length) {
      const c = s[j];
      if (c === q) {
        this.i = j + 1;
        return s.slice(start, j);
      }
      if (c === '\\' || c === '\n') break;
      j++;
    }
    let out = s.slice(start, j);
    this.i = j;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === q) {
        this.i++;
        return out;
      }
      if (c === '\n') this.fail('unterminated quoted string');
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      const e = s[this.i + 1];
      this.i += 2;
      switch (e) {
        case 'a':
          out += '\x07';
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
        case 'v':
          out += '\v';
          break;
        case '\\':
          out += '\\';
          break;
        case '"':
        case "'":
          if (e !== q) this.fail(`unknown escape sequence \\${e}`);
          out += e;
          break;
        case 'x':
          out += String.fromCharCode(this.hex(2));
          break;
        case 'u':
          out += String.fromCodePoint(this.hex(4));
          break;
        case 'U': {
          const cp = this.hex(8);
          if (cp > 0x10ffff) this.fail('invalid unicode code point');
          out += String.fromCodePoint(cp);
          break;
        }
        default:
          if (e !== undefined && e >= '0' && e <= '7') {
            const oct = s.slice(this.i - 1, this.i + 2);
            if (!/^[0-7]{3}$/.test(oct)) this.fail('invalid octal escape');
            const v = parseInt(oct, 8);
            if (v > 255) this.fail('octal escape value > 255');
            out += String.fromCharCode(v);
            this.i += 2;
            break;
          }
          this.fail(`unknown escape sequence \\${e ?? ''}`);
      }
    }
    return this.fail('unterminated quoted string');
  }

  private hex(n: number): number {
    const h = this.s.slice(this.i, this.i + n);
    if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) this.fail('invalid escape sequence');
    this.i += n;
    return parseInt(h, 16);
  }
}

/** Characters Go's `unicode.IsPrint` accepts (letters, marks, numbers, punctuation, symbols, ASCII space). */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's `strconv.Quote`: double-quoted with Go escapes for non-printable characters. */
export function goQuote(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff)
      out += '\\ufffd'; // a lone surrogate: invalid UTF-8 in Go terms
    else if (cp >= 0x80 && PRINTABLE.test(ch)) out += ch;
    else {
      switch (cp) {
        case 7:
          out += '\\a';
          break;
        case 8:
          out += '\\b';
          break;
        case 12:
          out += '\\f';
          break;
        case 10:
          out += '\\n';
          break;
        case 13:
          out += '\\r';
          break;
        case 9:
          out += '\\t';
          break;
        case 11:
          out += '\\v';
          break;
        default:
          if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
          else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
          else out += '\\U' + cp.toString(16).padStart(8, '0');
      }
    }
  }
  return out + '"';
}

/**
 * Formats Labels (sorted flat pairs) as label-set text the way Alloy's loki client does: `{a="1", b="2"}`,
 * Go-quoted values; with `skipInternal` (default) names starting with `__` are left out.
 */
export function formatLabelText(labels: Labels, skipInternal = true): string {
  let s = '{';
  let first = true;
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i]!;
    if (skipInternal && name.charCodeAt(0) === 95 && name.charCodeAt(1) === 95) continue;
    if (!first) s += ', ';
    first = false;
    s += isLabelName(name) ? name : goQuote(name);
    s += '=';
    s += goQuote(labels[i + 1]!);
  }
  return s + '}';
}

/**
 * A bounded cache of parsed label texts, so a stream that arrives in every request is parsed once and
 * keeps one frozen Labels array (consumers can cache per array identity). Errors are cached too.
 * Two generations of `maxSize` entries each.
 */
export class LabelTextCache {
  private cur = new Map<string, Labels | PushParseError>();
  private prev = new Map<string, Labels | PushParseError>();

  constructor(private readonly maxSize = 10_000) {}

  /** Parsed labels of `text`; throws the (cached) PushParseError for invalid text. */
  get(text: string): Labels {
    let v = this.cur.get(text);
    if (v === undefined) {
      v = this.prev.get(text);
      if (v === undefined) {
        try {
          v = parseLabelText(text);
        } catch (err) {
          if (!(err instanceof PushParseError)) throw err;
          v = err;
        }
      }
      if (this.cur.size >= this.maxSize) {
        this.prev = this.cur;
        this.cur = new Map();
      }
      this.cur.set(text, v);
    }
    if (v instanceof PushParseError) throw v;
    return v;
  }
}
