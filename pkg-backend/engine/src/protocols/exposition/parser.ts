/**
 * Streaming parsers of the Prometheus text format 0.0.4 (also 1.0.0 with quoted UTF-8 names) and
 * OpenMetrics 1.0, accepting and rejecting input as Prometheus' `model/textparse` (PromParser,
 * OpenMetricsParser) does, with the same error texts (`expected label name, got "…" while parsing: "…"`)
 * prefixed by the line number.
 *
 * It is a cursor: `next()` advances to the next entry and returns its kind; after a `SERIES` entry
 * `series` holds the raw series text (metric name and label block exactly as written — the key of a
 * scrape cache), `value`, and `timestamp` (**milliseconds**, NaN when absent). Labels are only built on
 * demand with `labels()` (when the series is new to the cache), so the per-line cost is a scan, one
 * string slice and a number parse. Nothing is allocated per sample besides that slice.
 *
 * Options:
 * - `strict` (Prometheus text only): additionally apply the checks of prometheus/common `expfmt`'s
 *   TextParser, which Prometheus' scrape does not: a final line break is required, HELP/TYPE may appear
 *   once per family and TYPE not after the family's samples, only `\\ \" \n` escapes in label values (no raw
 *   line breaks), only `\\ \n` in HELP, no `__name__` label, `le`/`quantile` of histograms/summaries must be
 *   floats; `# HELP`/`# TYPE` without a metric name are comments.
 * - `skipCreatedSeries` (OpenMetrics): skip `_created` series of counters, summaries and histograms
 *   (Prometheus' `WithOMParserSTSeriesSkipped`, used with start-timestamp ingestion). By default they are
 *   ordinary samples, as in Prometheus' scrape.
 */
import type { Labels } from '../../components/prometheus/labels.js';
import type { MetricType } from '../../components/prometheus/appendable.js';
import { formatOpenMetricsFloat, goQuote, NumberSyntaxError, parseGoFloat, parseGoInt } from './float.js';

export const enum Entry {
  EOF = 0,
  SERIES = 1,
  HELP = 2,
  TYPE = 3,
  UNIT = 4,
  COMMENT = 5,
}

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface ParserOptions {
  strict?: boolean;
  skipCreatedSeries?: boolean;
}

/** A rejected exposition; `line` is 1-based. */
export class ExpositionError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const PROM_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};
const OM_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  unknown: 'unknown',
};

// Character classes of the lexers.
const isM = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
const isMD = (c: number) => isM(c) || (c >= 48 && c <= 57);
const isL = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isLD = (c: number) => isL(c) || (c >= 48 && c <= 57);
const isBlank = (c: number) => c === 32 || c === 9;

const NL = 10;
const QUOTE = 34;
const BACKSLASH = 92;

/** Decodes a UTF-8 payload; `lossy` when it held invalid sequences (then replaced by U+FFFD). */
export function decodeUtf8(buf: Uint8Array): { text: string; lossy: boolean } {
  try {
    return { text: FATAL.decode(buf), lossy: false };
  } catch {
    return { text: LOSSY.decode(buf), lossy: true };
  }
}
const FATAL = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LOSSY = new TextDecoder('utf-8', { ignoreBOM: true });

/** Go `strings.NewReplacer` of textparse: `\"`→`"`, `\\`→`\`, `\n`→newline (others kept); HELP of the text format omits `\"`. */
export function unescape(s: string, quotes = true): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  let last = 0;
  for (let k = 0; k < s.length - 1; k++) {
    if (s.charCodeAt(k) !== BACKSLASH) continue;
    const n = s.charCodeAt(k + 1);
    const rep = n === BACKSLASH ? '\\' : n === 110 ? '\n' : n === QUOTE && quotes ? '"' : undefined;
    if (rep === undefined) continue;
    out += s.slice(last, k) + rep;
    k++;
    last = k + 1;
  }
  return out + s.slice(last);
}

/**
 * The parser. Construct with the decoded text (see `decodeUtf8`; pass `lossy` so label values and HELP
 * holding replaced invalid UTF-8 are rejected as Prometheus does).
 */
export class ExpositionParser {
  readonly om: boolean;
  private readonly s: string;
  private readonly n: number;
  private i = 0;
  private lineNo = 1;
  private lineStartNo = 1;
  private readonly strict: boolean;
  private readonly skipCreated: boolean;
  private readonly lossy: boolean;

  // ---- current entry ----
  /**
   * Set before `next()`: the series text expected on the next sample line (the scrape cache's entry at the
   * same position last time). Consumed by the next sample line; see `fastMatched`.
   */
  expect: string | undefined = undefined;
  /** True when the current series matched `expect` (its label block was not scanned; `labels()` throws). */
  fastMatched = false;

  /** Offsets of the current series text in the input (start inclusive, end exclusive). */
  seriesStart = 0;
  seriesEnd = 0;

  /** Raw series text (name and label block as written): the scrape-cache key. Sliced on demand. */
  get series(): string {
    return this.s.slice(this.seriesStart, this.seriesEnd);
  }

  /**
   * Whether the current series text equals `key`, compared without hashing: the scrape
   * cache's fast path when a target exposes its series in the same order as last time.
   */
  seriesIs(key: string | undefined): boolean {
    // A slice compared with === is a flat memory comparison in V8 (≈10× faster than startsWith here).
    return (
      key !== undefined &&
      key.length === this.seriesEnd - this.seriesStart &&
      this.s.slice(this.seriesStart, this.seriesEnd) === key
    );
  }
  /** Sample value (NaN for NaN). */
  value = 0;
  /** Sample timestamp in milliseconds, NaN when absent. */
  timestamp = NaN;
  /** Family name of the last HELP/TYPE/UNIT entry. */
  metaName = '';
  /** HELP text (unescaped) or UNIT of the last HELP/UNIT entry. */
  metaText = '';
  /** Type of the last TYPE entry, which also applies to the following series (as Prometheus' `mtype`). */
  mtype: MetricType = 'unknown';
  /** Text of the last comment entry. */
  comment = '';
  /** True when the current series carries an exemplar (OpenMetrics). */
  hasExemplar = false;
  exemplarValue = 0;
  /** Exemplar timestamp in milliseconds, NaN when absent. */
  exemplarTimestamp = NaN;

  // Offsets into `s` of the current series: [nameStart, nameEnd, (lnS, lnE, lvS, lvE)*]; -1 = unset.
  private offs: number[] = [];
  /** Number of valid entries in `offs` (the array is reused and may be longer). */
  private no = 0;
  private eoffs: number[] = [];
  private nameQuoted = false;
  // expfmt (strict) bookkeeping per family.
  private fams: Map<string, number> | undefined;

  constructor(text: string, format: ExpositionFormat, opts: ParserOptions & { lossy?: boolean } = {}) {
    this.om = format === 'openmetrics';
    this.s = text;
    this.n = text.length;
    this.strict = !!opts.strict && !this.om;
    this.skipCreated = !!opts.skipCreatedSeries;
    this.lossy = !!opts.lossy;
    if (this.strict) this.fams = new Map();
  }

  /** Line number (1-based) of the current entry. */
  get line(): number {
    return this.lineStartNo;
  }

  /** Advances to the next entry. @throws ExpositionError on invalid input. */
  next(): Entry {
    try {
      return this.om ? this.nextOM() : this.nextProm();
    } catch (err) {
      if (err instanceof NumberSyntaxError)
        throw new ExpositionError(
          `${err.message} while parsing: ${goQuote(this.lineText())}`,
          this.lineStartNo,
        );
      throw err;
    }
  }

  /** Metric name of the current series (unescaped). */
  metricName(): string {
    const a = this.offs[0]!;
    const b = this.offs[1]!;
    const raw = this.s.slice(a, b);
    return this.nameQuoted ? unescape(raw) : raw;
  }

  /**
   * Sorted Labels of the current series: `__name__` plus its labels, unescaped, `le`/`quantile` of
   * histograms/summaries normalised as Prometheus (`1` → `1.0`). Empty values are dropped.
   */
  labels(): Labels {
    if (this.no < 0)
      throw new Error('labels() of a series matched by `expect` are not scanned; use the cached labels');
    const pairs: string[] = ['__name__', this.metricName()];
    const o = this.offs;
    const mt = this.mtype;
    for (let k = 2; k < this.no; k += 4) {
      const name = unescape(this.s.slice(o[k]!, o[k + 1]!));
      let value = unescape(this.s.slice(o[k + 2]!, o[k + 3]!));
      if ((mt === 'summary' && name === 'quantile') || (mt === 'histogram' && name === 'le')) {
        value = normalizeFloat(value);
      }
      pairs.push(name, value);
    }
    return sortPairs(pairs);
  }

  /** Labels of the current exemplar (sorted), or an empty array. */
  exemplarLabels(): Labels {
    const pairs: string[] = [];
    const o = this.eoffs;
    for (let k = 0; k < o.length; k += 4) {
      pairs.push(unescape(this.s.slice(o[k]!, o[k + 1]!)), unescape(this.s.slice(o[k + 2]!, o[k + 3]!)));
    }
    return sortPairs(pairs);
  }

  // ------------------------------------------------------------------------------------------------
  // Prometheus text format (promlex.l / promparse.go)

  private fail(reason: string): never {
    throw new ExpositionError(reason, this.lineStartNo);
  }

  /** `exp, got "tok" (KIND) while parsing: "line so far"` as textparse's parseError. */
  private parseError(exp: string, tokStart: number, kind: string): never {
    const e = Math.min(this.n, this.i + 1);
    const got = tokStart >= this.n ? '\n' : this.s.slice(tokStart, e);
    this.fail(
      `${exp}, got ${goQuote(got)} (${goQuote(kind)}) while parsing: ${goQuote(this.s.slice(this.start, e))}`,
    );
  }

  private start = 0;

  private lineText(): string {
    let e = this.s.indexOf('\n', this.start);
    if (e < 0) e = this.n;
    return this.s.slice(this.start, e);
  }

  private skipBlanks(): void {
    const s = this.s;
    while (this.i < this.n && isBlank(s.charCodeAt(this.i))) this.i++;
  }

  /** Char code at i, or NL past the end (Prometheus appends a line break to the text format). */
  private peek(): number {
    return this.i < this.n ? this.s.charCodeAt(this.i) : NL;
  }

  private nextProm(): Entry {
    const s = this.s;
    for (;;) {
      this.start = this.i;
      this.lineStartNo = this.lineNo;
      this.skipBlanks();
      if (this.i >= this.n) {
        this.finishStrict();
        return Entry.EOF;
      }
      const c = s.charCodeAt(this.i);
      if (c === NL) {
        this.i++;
        this.lineNo++;
        continue;
      }
      if (c === 0) return Entry.EOF; // promlexer: \0 → EOF
      if (c === 35 /* # */) {
        const e = this.promComment();
        if (e === -1) continue;
        return e;
      }
      if (isM(c) && !this.strict && this.promSeriesFast()) return Entry.SERIES;
      if (isM(c) || c === 123 /* { */) return this.promSeries();
      this.parseError('expected a valid start token', this.i, 'INVALID');
    }
  }

  /** `#…` line: HELP/TYPE entries or a comment. Returns -1 to skip (never: comments are entries). */
  private promComment(): Entry | -1 {
    const s = this.s;
    const hash = this.i;
    this.i++;
    if (this.i < this.n && isBlank(s.charCodeAt(this.i))) {
      this.skipBlanks();
      const kw = s.startsWith('HELP', this.i) ? Entry.HELP : s.startsWith('TYPE', this.i) ? Entry.TYPE : 0;
      if (kw && this.i + 4 < this.n && isBlank(s.charCodeAt(this.i + 4))) {
        this.i += 4;
        this.skipBlanks();
        return this.promMeta(kw as Entry.HELP | Entry.TYPE, hash);
      }
    }
    return this.consumeComment(hash);
  }

  private consumeComment(from: number): Entry {
    let e = this.s.indexOf('\n', this.i);
    if (e < 0) e = this.n;
    this.comment = this.s.slice(from, e);
    this.i = e < this.n ? e + 1 : e;
    if (e < this.n) this.lineNo++;
    return Entry.COMMENT;
  }

  private promMeta(kind: Entry.HELP | Entry.TYPE, hash: number): Entry {
    const s = this.s;
    const kname = kind === Entry.HELP ? 'HELP' : 'TYPE';
    const c = this.peek();
    let mStart: number;
    let mEnd: number;
    if (c === QUOTE) {
      mStart = this.i + 1;
      this.scanQuoted(true);
      mEnd = this.i - 1;
    } else if (isM(c)) {
      mStart = this.i;
      while (this.i < this.n && isMD(s.charCodeAt(this.i))) this.i++;
      mEnd = this.i;
    } else {
      if (this.strict && c === NL) return this.consumeComment(hash); // expfmt: a bare "# HELP" is a comment
      this.parseError(`expected metric name after ${kname}`, this.i, 'INVALID');
    }
    let name = s.slice(mStart, mEnd);
    if (c === QUOTE) name = unescape(name);
    // Text: the rest of the line minus its first character (the lexer's `{C}*` token starts at the
    // separating blank); a line of blanks only is empty text.
    let e = s.indexOf('\n', this.i);
    if (e < 0) e = this.n;
    let text = '';
    let k = this.i;
    while (k < e && isBlank(s.charCodeAt(k))) k++;
    if (k < e) text = s.slice(this.i + 1, e);
    this.i = e < this.n ? e + 1 : e;
    if (e < this.n) this.lineNo++;
    if (this.strict && k === e) {
      // expfmt: HELP/TYPE with a name but no text is a comment.
      this.comment = s.slice(hash, e);
      return Entry.COMMENT;
    }
    this.metaName = name;
    if (kind === Entry.TYPE) {
      const t = PROM_TYPES[text];
      if (t === undefined) this.fail(`invalid metric type ${goQuote(text)}`);
      if (this.strict) {
        this.strictMeta(name, 2, 'TYPE');
        this.famTypes.set(name, t);
      }
      this.mtype = t;
      this.metaText = text;
      return Entry.TYPE;
    }
    if (this.lossy && text.includes('\uFFFD'))
      this.fail(`help text ${goQuote(text)} is not a valid utf8 string`);
    if (this.strict) {
      this.strictMeta(name, 1, 'HELP');
      text = text.replace(/^[ \t]+/, '');
      for (let k = 0; k < text.length; k++) {
        if (text.charCodeAt(k) !== BACKSLASH) continue;
        const d = text[k + 1] ?? '';
        if (d !== '\\' && d !== 'n') this.fail(`invalid escape sequence '\\${d}'`);
        k++;
      }
    }
    this.metaText = unescape(text, false);
    return Entry.HELP;
  }

  /** Scans a quoted string starting at `i` (on the quote); leaves `i` after the closing quote. */
  private scanQuoted(allowNewline: boolean): void {
    const s = this.s;
    const open = this.i;
    let k = this.i + 1;
    for (;;) {
      if (k >= this.n) {
        this.i = k;
        this.parseError('expected label value', open, 'INVALID');
      }
      const c = s.charCodeAt(k);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const d = k + 1 < this.n ? s.charCodeAt(k + 1) : 0;
        if (d === NL || d === 0) {
          this.i = k + 1;
          this.parseError('expected label value', open, 'INVALID');
        }
        k += 2;
        continue;
      }
      if (c === NL) {
        if (!allowNewline) {
          this.i = k;
          this.parseError('expected label value', open, 'INVALID');
        }
        this.lineNo++;
      }
      k++;
    }
    this.i = k + 1;
  }

  private promSeries(): Entry {
    const s = this.s;
    const o = this.offs;
    o.length = 0;
    this.nameQuoted = false;
    const first = this.i;
    if (s.charCodeAt(this.i) === 123) {
      o.push(-1, -1);
      this.i++;
      this.promLabels();
    } else {
      o.push(this.i);
      this.i++;
      while (this.i < this.n && isMD(s.charCodeAt(this.i))) this.i++;
      o.push(this.i);
      this.skipBlanks();
      if (this.peek() === 123) {
        this.i++;
        this.promLabels();
      }
    }
    this.no = o.length;
    this.fastMatched = false;
    let seriesEnd = this.i;
    // Trim blanks between the name and the value from the key (they are not part of the series).
    while (seriesEnd > first && isBlank(s.charCodeAt(seriesEnd - 1))) seriesEnd--;
    this.seriesStart = first;
    this.seriesEnd = seriesEnd;
    if (o[0] === -1) this.fail(`metric name not set while parsing: ${goQuote(s.slice(this.start, this.i))}`);
    // Value: `[^{ \t\n]+`.
    this.skipBlanks();
    const vStart = this.i;
    while (this.i < this.n) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === NL || c === 123 || c === 0) break;
      this.i++;
    }
    if (this.i === vStart) {
      const kind =
        this.i >= this.n || s.charCodeAt(this.i) === NL
          ? 'LINEBREAK'
          : this.peek() === 123
            ? 'BOPEN'
            : 'INVALID';
      this.parseError('expected value after metric', vStart, kind);
    }
    this.value = parseGoFloat(s, vStart, this.i);
    this.timestamp = NaN;
    this.hasExemplar = false;
    this.skipBlanks();
    let c = this.peek();
    // expfmt (strict) also takes negative timestamps; textparse's lexer only `{D}+`.
    if ((c >= 48 && c <= 57) || (this.strict && c === 45 && isDigitCode(s.charCodeAt(this.i + 1)))) {
      const tStart = this.i;
      if (c === 45) this.i++;
      while (this.i < this.n && isDigitCode(s.charCodeAt(this.i))) this.i++;
      this.timestamp = c === 45 ? -parseGoInt(s, tStart + 1, this.i) : parseGoInt(s, tStart, this.i);
      this.skipBlanks();
      c = this.peek();
      if (c !== NL) this.parseError('expected next entry after timestamp', this.i, 'INVALID');
    } else if (c !== NL) {
      this.parseError('expected timestamp or new record', this.i, c === 123 ? 'BOPEN' : 'VALUE');
    }
    if (this.i < this.n) {
      this.i++;
      this.lineNo++;
    } else if (this.strict) {
      this.fail('unexpected end of input stream');
    }
    if (this.strict) this.strictSeries();
    return Entry.SERIES;
  }

  /**
   * Fast path for the common line shape `name{a="x",b="y"} value [timestamp]\n` with locals only.
   * Returns false (without side effects on the cursor) for anything else, which the exact path handles.
   */
  private promSeriesFast(): boolean {
    const s = this.s;
    const n = this.n;
    const o = this.offs;
    let i = this.i;
    const first = i;
    // The caller's guess of this line's series text (same position as in the last scrape): when the line
    // starts with exactly that text followed by a blank, the label block is known good and is not scanned.
    const ex = this.expect;
    this.expect = undefined;
    const fast =
      ex !== undefined &&
      !this.lossy &&
      first + ex.length < n &&
      isBlank(s.charCodeAt(first + ex.length)) &&
      s.slice(first, first + ex.length) === ex;
    let c = 0;
    i++;
    while (i < n) {
      c = s.charCodeAt(i);
      if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (c >= 48 && c <= 57)))
        break;
      i++;
    }
    o[0] = first;
    o[1] = i;
    let no = 2;
    if (fast) {
      i = first + ex.length;
      no = -1;
    } else if (i < n && c === 123) {
      i++;
      for (;;) {
        if (i >= n) return false;
        c = s.charCodeAt(i);
        if (c === 125) {
          i++;
          break;
        }
        if (!isL(c)) return false;
        const nS = i;
        i++;
        while (i < n && isLD(s.charCodeAt(i))) i++;
        const nE = i;
        if (i + 1 >= n || s.charCodeAt(i) !== 61 || s.charCodeAt(i + 1) !== QUOTE) return false;
        i += 2;
        const vS = i;
        for (;;) {
          if (i >= n) return false;
          c = s.charCodeAt(i);
          if (c === QUOTE) break;
          if (c === BACKSLASH) {
            const d = s.charCodeAt(i + 1);
            if (d === NL || d === 0 || i + 1 >= n) return false;
            i += 2;
            continue;
          }
          if (c === NL || c === 0) return false;
          i++;
        }
        o[no] = nS;
        o[no + 1] = nE;
        o[no + 2] = vS;
        o[no + 3] = i;
        no += 4;
        i++;
        if (i < n && s.charCodeAt(i) === 44) i++;
      }
    }
    const seriesEnd = i;
    if (i >= n || !isBlank(s.charCodeAt(i))) return false;
    while (i < n && isBlank(s.charCodeAt(i))) i++;
    const vS = i;
    while (i < n) {
      c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === NL || c === 123 || c === 0) break;
      i++;
    }
    if (i === vS || c === 123 || c === 0) return false;
    const vE = i;
    while (i < n && isBlank(s.charCodeAt(i))) i++;
    let ts = NaN;
    if (i < n) {
      c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        const tS = i;
        while (i < n && isDigitCode(s.charCodeAt(i))) i++;
        if (i - tS > 15) return false;
        ts = parseGoInt(s, tS, i);
        while (i < n && isBlank(s.charCodeAt(i))) i++;
      }
      if (i < n && s.charCodeAt(i) !== NL) return false;
    }
    let v: number;
    try {
      v = parseGoFloat(s, vS, vE);
    } catch {
      return false;
    }
    if (this.lossy) {
      for (let k = 2; k < no; k += 4) if (s.slice(o[k + 2]!, o[k + 3]!).includes('\uFFFD')) return false;
    }
    this.no = no;
    this.fastMatched = fast;
    this.nameQuoted = false;
    this.seriesStart = first;
    this.seriesEnd = seriesEnd;
    this.value = v;
    this.timestamp = ts;
    this.hasExemplar = false;
    if (i < n) {
      i++;
      this.lineNo++;
    }
    this.i = i;
    return true;
  }

  /** Label block after `{` (promparse parseLVals): blanks anywhere, optional commas. */
  private promLabels(): void {
    const s = this.s;
    const o = this.offs;
    for (;;) {
      this.skipBlanks();
      const tStart = this.i;
      const c = this.peek();
      let isQ = false;
      let nS: number;
      let nE: number;
      if (c === 125 /* } */) {
        this.i++;
        return;
      } else if (isL(c)) {
        nS = this.i;
        while (this.i < this.n && isLD(s.charCodeAt(this.i))) this.i++;
        nE = this.i;
      } else if (c === QUOTE) {
        isQ = true;
        this.scanQuoted(true);
        nS = tStart + 1;
        nE = this.i - 1;
      } else {
        this.parseError('expected label name', tStart, c === 61 ? 'EQUAL' : c === 44 ? 'COMMA' : 'INVALID');
      }
      this.skipBlanks();
      const d = this.peek();
      if (isQ && (d === 44 || d === 125)) {
        if (o[0] !== -1 || o[1] !== -1)
          this.fail(`metric name already set while parsing: ${goQuote(s.slice(this.start, this.i + 1))}`);
        o[0] = nS;
        o[1] = nE;
        this.nameQuoted = true;
        this.i++;
        if (d === 125) return;
        continue;
      }
      if (d !== 61 /* = */) {
        this.parseError('expected equal', this.i, d === 125 ? 'BCLOSE' : isL(d) ? 'LNAME' : 'INVALID');
      }
      this.i++;
      this.skipBlanks();
      if (this.peek() !== QUOTE) this.parseError('expected label value', this.i, 'INVALID');
      const vS = this.i + 1;
      this.scanQuoted(true);
      const vE = this.i - 1;
      if (this.lossy && s.slice(vS, vE).includes('\uFFFD'))
        this.fail(`invalid UTF-8 label value: ${goQuote(s.slice(vS - 1, vE + 1))}`);
      if (this.strict) this.strictLabel(nS, nE, vS, vE);
      o.push(nS, nE, vS, vE);
      this.skipBlanks();
      if (this.peek() === 44) this.i++;
    }
  }

  // ---- expfmt (strict) checks ----

  /** Per family bits: 1 HELP seen, 2 TYPE seen, 4 samples seen (types in `famTypes`). */
  private strictMeta(name: string, bit: number, what: string): void {
    const f = this.fams!.get(name) ?? 0;
    if (f & bit) this.fail(`second ${what} line for metric name ${goQuote(name)}`);
    if (bit === 2 && f & 4) this.fail(`TYPE line for metric name ${goQuote(name)} reported after samples`);
    this.fams!.set(name, f | bit);
  }

  private strictLabel(nS: number, nE: number, vS: number, vE: number): void {
    const s = this.s;
    const name = s.slice(nS, nE);
    if (name === '__name__' && this.offs[0] !== -1) this.fail('label name "__name__" is reserved');
    for (let k = vS; k < vE; k++) {
      const c = s.charCodeAt(k);
      if (c === NL) this.fail(`label value for ${goQuote(name)} contains a line break`);
      if (c === BACKSLASH) {
        const d = s.charCodeAt(k + 1);
        if (d !== BACKSLASH && d !== QUOTE && d !== 110)
          this.fail(`invalid escape sequence '\\${String.fromCharCode(d)}'`);
        k++;
      }
    }
  }

  private strictSeries(): void {
    const name = this.metricName();
    // Family of the sample: the name itself, or the histogram/summary family for its suffixed series.
    let fam = name;
    let famType = this.typeOfFamily(name);
    for (const suf of ['_bucket', '_count', '_sum']) {
      if (name.endsWith(suf)) {
        const base = name.slice(0, -suf.length);
        const t = this.typeOfFamily(base);
        if (t === 'histogram' || (t === 'summary' && suf !== '_bucket')) {
          fam = base;
          famType = t;
        }
      }
    }
    this.fams!.set(fam, (this.fams!.get(fam) ?? 0) | 4);
    const check = (label: string) => {
      const o = this.offs;
      for (let k = 2; k < this.no; k += 4) {
        if (this.s.slice(o[k]!, o[k + 1]!) !== label) continue;
        const v = this.s.slice(o[k + 2]!, o[k + 3]!);
        try {
          parseGoFloat(v);
        } catch {
          this.fail(`expected float as value for '${label}' label, got ${goQuote(v)}`);
        }
      }
    };
    if (famType === 'histogram' && name === fam + '_bucket') check('le');
    if (famType === 'summary' && name === fam) check('quantile');
  }

  private typeOfFamily(name: string): MetricType | undefined {
    return this.famTypes.get(name);
  }

  private famTypes = new Map<string, MetricType>();

  private finishStrict(): void {
    /* nothing pending: the final line break is checked per series */
  }

  // ------------------------------------------------------------------------------------------------
  // OpenMetrics 1.0 (openmetricslex.l / openmetricsparse.go)

  private nextOM(): Entry {
    const s = this.s;
    for (;;) {
      this.start = this.i;
      this.lineStartNo = this.lineNo;
      if (this.i >= this.n) this.fail('data does not end with # EOF');
      const c = s.charCodeAt(this.i);
      if (c === 35) {
        if (s.charCodeAt(this.i + 1) !== 32)
          this.parseError('expected a valid start token', this.i, 'INVALID');
        this.i += 2;
        if (s.startsWith('EOF', this.i)) {
          this.i += 3;
          if (this.i < this.n && s.charCodeAt(this.i) === NL) this.i++;
          if (this.i < this.n) this.fail('unexpected data after # EOF');
          return Entry.EOF;
        }
        let kind: Entry.HELP | Entry.TYPE | Entry.UNIT;
        if (s.startsWith('HELP ', this.i)) kind = Entry.HELP;
        else if (s.startsWith('TYPE ', this.i)) kind = Entry.TYPE;
        else if (s.startsWith('UNIT ', this.i)) kind = Entry.UNIT;
        else this.parseError('expected a valid start token', this.start, 'INVALID');
        this.i += 5;
        return this.omMeta(kind);
      }
      if (isM(c) || c === 123) {
        const e = this.omSeries();
        if (e === -1) continue;
        return e;
      }
      this.parseError('expected a valid start token', this.i, 'INVALID');
    }
  }

  private omMeta(kind: Entry.HELP | Entry.TYPE | Entry.UNIT): Entry {
    const s = this.s;
    const kname = kind === Entry.HELP ? 'HELP' : kind === Entry.TYPE ? 'TYPE' : 'UNIT';
    const c = this.peek();
    let mStart: number;
    let mEnd: number;
    const quoted = c === QUOTE && this.i < this.n;
    if (quoted) {
      mStart = this.i + 1;
      this.scanQuoted(true);
      mEnd = this.i - 1;
    } else if (this.i < this.n && isM(c)) {
      mStart = this.i;
      while (this.i < this.n && isMD(s.charCodeAt(this.i))) this.i++;
      mEnd = this.i;
    } else {
      this.parseError(`expected metric name after ${kname}`, this.i, 'INVALID');
    }
    // `{S}{C}*\n`
    const e = s.indexOf('\n', this.i);
    if (this.i >= this.n || s.charCodeAt(this.i) !== 32 || e < 0) this.fail(`expected text in ${kname}`);
    const text = s.slice(this.i + 1, e);
    this.i = e + 1;
    this.lineNo++;
    const rawName = s.slice(mStart, mEnd);
    this.metaName = quoted ? unescape(rawName) : rawName;
    if (kind === Entry.TYPE) {
      const t = OM_TYPES[text];
      if (t === undefined) this.fail(`invalid metric type ${goQuote(text)}`);
      this.mtype = t;
      this.metaText = text;
      return Entry.TYPE;
    }
    if (kind === Entry.HELP) {
      if (this.lossy && text.includes('\uFFFD'))
        this.fail(`help text ${goQuote(text)} is not a valid utf8 string`);
      this.metaText = unescape(text);
      return Entry.HELP;
    }
    this.metaText = text;
    if (text !== '') {
      const m = rawName;
      if (!m.endsWith(text) || m.length < text.length + 1 || m.charCodeAt(m.length - text.length - 1) !== 95)
        this.fail(`unit ${goQuote(text)} not a suffix of metric ${goQuote(m)}`);
    }
    return Entry.UNIT;
  }

  private omSeries(): Entry | -1 {
    const s = this.s;
    const o = this.offs;
    o.length = 0;
    this.nameQuoted = false;
    const first = this.i;
    if (s.charCodeAt(this.i) === 123) {
      o.push(-1, -1);
      this.i++;
      this.omLabels(o, false);
    } else {
      o.push(this.i);
      this.i++;
      while (this.i < this.n && isMD(s.charCodeAt(this.i))) this.i++;
      o.push(this.i);
      if (this.i < this.n && s.charCodeAt(this.i) === 123) {
        this.i++;
        this.omLabels(o, false);
      }
    }
    this.no = o.length;
    this.fastMatched = false;
    this.seriesStart = first;
    this.seriesEnd = this.i;
    if (o[0] === -1) this.fail(`metric name not set while parsing: ${goQuote(s.slice(this.start, this.i))}`);
    this.value = this.omValue('metric');
    this.timestamp = NaN;
    this.hasExemplar = false;
    let c = this.i < this.n ? s.charCodeAt(this.i) : -1;
    if (c === -1) this.fail('data does not end with # EOF');
    if (c === 32) {
      if (this.isExemplarStart()) this.omExemplar();
      else {
        this.timestamp = this.omTimestamp('timestamp');
        c = this.i < this.n ? s.charCodeAt(this.i) : -1;
        if (c === 32 && this.isExemplarStart()) this.omExemplar();
        else if (c === NL) this.i++;
        else this.parseError('expected next entry after timestamp', this.i, c === -1 ? 'EOF' : 'INVALID');
      }
    } else if (c === NL) {
      this.i++;
    } else {
      this.parseError('expected timestamp or new record', this.i, 'INVALID');
    }
    this.lineNo++;
    if (this.skipCreated && this.isCreatedSeries()) return -1;
    return Entry.SERIES;
  }

  private isCreatedSeries(): boolean {
    const t = this.mtype;
    if (t !== 'counter' && t !== 'summary' && t !== 'histogram') return false;
    return this.s.slice(this.offs[0]!, this.offs[1]!).endsWith('_created');
  }

  private isExemplarStart(): boolean {
    const s = this.s;
    const i = this.i;
    return (
      s.charCodeAt(i) === 32 &&
      s.charCodeAt(i + 1) === 35 &&
      s.charCodeAt(i + 2) === 32 &&
      s.charCodeAt(i + 3) === 123
    );
  }

  /** `{S}[^ \n]+` value token, parsed as a float. */
  private omValue(after: string): number {
    const s = this.s;
    if (this.i >= this.n || s.charCodeAt(this.i) !== 32) {
      this.parseError(`expected value after ${after}`, this.i, this.i >= this.n ? 'EOF' : 'INVALID');
    }
    const vs = this.i + 1;
    let k = vs;
    while (k < this.n) {
      const c = s.charCodeAt(k);
      if (c === 32 || c === NL) break;
      k++;
    }
    if (k === vs) this.parseError(`expected value after ${after}`, this.i, 'INVALID');
    this.i = k;
    return parseGoFloat(s, vs, k);
  }

  /** `{S}[^ \n]+` timestamp token: float seconds → int64(ts*1000) ms. */
  private omTimestamp(what: string): number {
    const s = this.s;
    const vs = this.i + 1;
    let k = vs;
    while (k < this.n) {
      const c = s.charCodeAt(k);
      if (c === 32 || c === NL) break;
      k++;
    }
    if (k === vs) this.parseError('expected next entry after timestamp', this.i, 'INVALID');
    this.i = k;
    const ts = parseGoFloat(s, vs, k);
    if (!Number.isFinite(ts)) this.fail(`invalid ${what} ${goFloatF(ts)}`);
    return Math.trunc(ts * 1000);
  }

  private omExemplar(): void {
    const s = this.s;
    this.i += 4; // " # {"
    this.eoffs.length = 0;
    this.omLabels(this.eoffs, true);
    this.exemplarValue = this.omValue('exemplar labels');
    this.exemplarTimestamp = NaN;
    let c = this.i < this.n ? s.charCodeAt(this.i) : -1;
    if (c === -1) this.fail('data does not end with # EOF');
    if (c === 32) {
      this.exemplarTimestamp = this.omTimestamp('exemplar timestamp');
      c = this.i < this.n ? s.charCodeAt(this.i) : -1;
      if (c !== NL)
        this.parseError('expected next entry after exemplar timestamp', this.i, c === -1 ? 'EOF' : 'INVALID');
    } else if (c !== NL) {
      this.parseError('expected timestamp or comment', this.i, 'INVALID');
    }
    this.i++;
    this.hasExemplar = true;
  }

  /** OpenMetrics label block after `{`: no blanks; `,` or `}` after every pair. */
  private omLabels(o: number[], exemplar: boolean): void {
    const s = this.s;
    let c = this.i < this.n ? s.charCodeAt(this.i) : -1;
    for (;;) {
      const tStart = this.i;
      let isQ = false;
      let nS: number;
      let nE: number;
      if (c === 125) {
        this.i++;
        return;
      } else if (c !== -1 && isL(c)) {
        nS = this.i;
        while (this.i < this.n && isLD(s.charCodeAt(this.i))) this.i++;
        nE = this.i;
      } else if (c === QUOTE) {
        isQ = true;
        this.scanQuoted(true);
        nS = tStart + 1;
        nE = this.i - 1;
      } else {
        this.parseError('expected label name', tStart, 'INVALID');
      }
      const d = this.i < this.n ? s.charCodeAt(this.i) : -1;
      if (isQ && (d === 44 || d === 125)) {
        if (exemplar) this.parseError('expected label name', this.i, d === 44 ? 'COMMA' : 'BCLOSE');
        if (o[0] !== -1 || o[1] !== -1)
          this.fail(`metric name already set while parsing: ${goQuote(s.slice(this.start, this.i + 1))}`);
        o[0] = nS;
        o[1] = nE;
        this.nameQuoted = true;
        this.i++;
        if (d === 125) return;
        c = this.i < this.n ? s.charCodeAt(this.i) : -1;
        continue;
      }
      if (d !== 61) this.parseError('expected equal', this.i, 'INVALID');
      this.i++;
      if (this.i >= this.n || s.charCodeAt(this.i) !== QUOTE)
        this.parseError('expected label value', this.i, 'INVALID');
      const vS = this.i + 1;
      this.scanQuoted(false);
      const vE = this.i - 1;
      if (this.lossy && s.slice(vS, vE).includes('\uFFFD'))
        this.fail(`invalid UTF-8 label value: ${goQuote(s.slice(vS - 1, vE + 1))}`);
      o.push(nS, nE, vS, vE);
      const e = this.i < this.n ? s.charCodeAt(this.i) : -1;
      if (e === 44) {
        this.i++;
        c = this.i < this.n ? s.charCodeAt(this.i) : -1;
      } else if (e === 125) {
        c = e;
      } else {
        this.parseError('expected comma or brace close', this.i, 'INVALID');
      }
    }
  }
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Go `%f`. */
function goFloatF(f: number): string {
  return Number.isNaN(f) ? 'NaN' : f === Infinity ? '+Inf' : f === -Infinity ? '-Inf' : f.toFixed(6);
}

/** `normalizeFloatsInLabelValues`: values that parse as floats are re-formatted canonically. */
function normalizeFloat(v: string): string {
  // Go's ParseFloat here is plain strconv (hex and `_` allowed), but exposition values rarely use them.
  let f: number;
  try {
    f = parseGoFloat(v);
  } catch {
    return v;
  }
  return formatOpenMetricsFloat(f);
}

/** Sorted, frozen Labels from name/value pairs; empty values dropped, later duplicates win. */
function sortPairs(pairs: string[]): Labels {
  const m = pairs.length >> 1;
  // Insertion sort: label sets are small.
  for (let a = 1; a < m; a++) {
    const n = pairs[2 * a]!;
    const v = pairs[2 * a + 1]!;
    let b = a - 1;
    while (b >= 0 && pairs[2 * b]! > n) {
      pairs[2 * b + 2] = pairs[2 * b]!;
      pairs[2 * b + 3] = pairs[2 * b + 1]!;
      b--;
    }
    pairs[2 * b + 2] = n;
    pairs[2 * b + 3] = v;
  }
  let w = 0;
  for (let r = 0; r < pairs.length; r += 2) {
    if (pairs[r + 1] === '') continue;
    if (w > 0 && pairs[w - 2] === pairs[r]) {
      pairs[w - 1] = pairs[r + 1]!;
      continue;
    }
    pairs[w] = pairs[r]!;
    pairs[w + 1] = pairs[r + 1]!;
    w += 2;
  }
  pairs.length = w;
  return Object.freeze(pairs);
}
