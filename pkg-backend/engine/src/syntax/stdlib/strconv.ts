/**
 * The pieces of Go's `strconv` that Alloy's output depends on: float formatting with every verb and
 * precision (`FormatFloat`), and Go string/rune quoting (`Quote`, `QuoteToASCII`, `QuoteRune`).
 * Float digits are computed exactly (BigInt) so rounding matches Go's round-half-even on the exact
 * binary value, which JS's toFixed does not.
 */

/** Decimal digits of a non-negative finite float: value = 0.d1d2d3… × 10^dp. Zero has no digits. */
interface Decimal {
  d: string;
  dp: number;
}

const f64 = new DataView(new ArrayBuffer(8));

function floatBits(x: number): bigint {
  f64.setFloat64(0, x);
  return f64.getBigUint64(0);
}

/** Exact decimal expansion of |x| (trailing zeros trimmed). */
function exactDecimal(x: number): Decimal {
  const bits = floatBits(Math.abs(x));
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp2: number;
  if (e === 0) exp2 = -1074;
  else {
    mant |= 1n << 52n;
    exp2 = e - 1075;
  }
  if (mant === 0n) return { d: '', dp: 0 };
  let digits: string;
  let dp: number;
  if (exp2 >= 0) {
    digits = (mant << BigInt(exp2)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp2)).toString();
    dp = digits.length + exp2;
  }
  return { d: digits.replace(/0+$/, ''), dp };
}

/** Shortest digits that round-trip (JS and Go agree on the shortest, closest representation). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const s = Math.abs(x).toExponential();
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)!;
  const d = (m[1]! + (m[2] ?? '')).replace(/0+$/, '');
  return { d, dp: Number(m[3]) + 1 };
}

/** Go decimal.Round(nd): round half to even on exact digits. */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const c = a.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (c === 5 && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = c >= 5;
  if (!up) return { d: a.d.slice(0, nd).replace(/0+$/, ''), dp: a.dp };
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return { d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp };
}

function fmtE(neg: boolean, d: Decimal, prec: number, ch: string): string {
  let out = neg ? '-' : '';
  out += d.d.length ? d.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const frac = d.d.slice(1, Math.min(d.d.length, prec + 1));
    out += frac + '0'.repeat(prec - frac.length);
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return out + ch + sign + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let out = neg ? '-' : '';
  if (d.dp > 0) {
    const m = Math.min(d.d.length, d.dp);
    out += d.d.slice(0, m) + '0'.repeat(d.dp - m);
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j >= 0 && j < d.d.length ? d.d[j] : '0';
    }
  }
  return out;
}

function fmtB(x: number): string {
  const bits = floatBits(x);
  const neg = bits >> 63n === 1n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  exp += -1023 - 52;
  return (neg ? '-' : '') + mant.toString() + 'p' + (exp >= 0 ? '+' : '') + exp;
}

function fmtX(x: number, prec: number, fmt: 'x' | 'X'): string {
  const bits = floatBits(x);
  const neg = bits >> 63n === 1n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  exp -= 1023;
  const u64 = (v: bigint) => BigInt.asUintN(64, v);
  if (mant === 0n) exp = 0;
  mant = u64(mant << 8n);
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant = u64(mant << 1n);
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = u64(mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant = u64(mant << (60n - shift));
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = (neg ? '-' : '') + '0' + fmt + String(Number((mant >> 60n) & 1n));
  mant = u64(mant << 4n);
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = u64(mant << 4n);
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = u64(mant << 4n);
    }
  }
  out += fmt === 'x' ? 'p' : 'P';
  out += exp < 0 ? '-' : '+';
  const e = Math.abs(exp);
  return out + (e < 10 ? '0' + e : String(e));
}

/**
 * Go `strconv.FormatFloat(x, fmt, prec, 64)` for fmt in b e E f g G x X; prec -1 means shortest.
 */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (fmt === 'b') return fmtB(x);
  if (fmt === 'x' || fmt === 'X') return fmtX(x, prec, fmt);
  const neg = x < 0 || Object.is(x, -0);
  let d: Decimal;
  const shortest = prec < 0;
  if (shortest) {
    d = shortestDecimal(x);
    switch (fmt) {
      case 'e':
      case 'E':
        prec = Math.max(d.d.length - 1, 0);
        break;
      case 'f':
        prec = Math.max(d.d.length - d.dp, 0);
        break;
      case 'g':
      case 'G':
        prec = d.d.length;
        break;
    }
  } else {
    d = exactDecimal(x);
    switch (fmt) {
      case 'e':
      case 'E':
        d = roundDecimal(d, prec + 1);
        break;
      case 'f':
        d = roundDecimal(d, d.dp + prec);
        break;
      case 'g':
      case 'G':
        if (prec === 0) prec = 1;
        d = roundDecimal(d, prec);
        break;
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, d, prec, fmt);
    case 'f':
      return fmtF(neg, d, prec);
    case 'g':
    case 'G': {
      let eprec = prec;
      if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.d.length) prec = d.d.length;
        return fmtE(neg, d, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > d.dp) prec = d.d.length;
      return fmtF(neg, d, Math.max(prec - d.dp, 0));
    }
  }
  return '%' + fmt;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go `unicode.IsPrint` (strconv.IsPrint): graphic characters plus ASCII space only. */
export function isPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

const SIMPLE_ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  11: '\\v',
};

function escapeRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (cp === quote || cp === 0x5c) return '\\' + String.fromCodePoint(cp);
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return String.fromCodePoint(cp);
  const simple = SIMPLE_ESCAPES[cp];
  if (simple) return simple;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** Go `strconv.Quote` (or `QuoteToASCII` when asciiOnly). Lone surrogates print as `\ufffd`. */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, 0x22, asciiOnly);
  return out + '"';
}

/** Go `strconv.QuoteRune` (or `QuoteRuneToASCII`). */
export function goQuoteRune(cp: number, asciiOnly = false): string {
  if (cp > 0x10ffff || cp < 0 || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  return "'" + escapeRune(cp, 0x27, asciiOnly) + "'";
}

/** Go `strconv.CanBackquote`: no backquote, no control characters other than tab, no BOM. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfeff || cp === 0x60 || cp === 0x7f) return false;
    if (cp < 0x20 && cp !== 9) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
  }
  return true;
}

/** UTF-8 bytes of a string (Go strings are byte strings). */
export function utf8Bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
