/**
 * Go number syntax used by the exposition formats: `strconv.ParseFloat` as Prometheus' textparse calls
 * it (no hex floats, no `_`: "unsupported character in float"), `strconv.ParseInt` for Prometheus text
 * timestamps, and `labels.FormatOpenMetricsFloat` (Go's `%g` shortest, `.0` appended to integers) used to
 * normalise `le` / `quantile` label values.
 */

/** Thrown by the number parsers; `message` is Go's error text without the "while parsing" suffix. */
export class NumberSyntaxError extends Error {}

function lowerEq(s: string, from: number, to: number, word: string): boolean {
  if (to - from !== word.length) return false;
  for (let k = 0; k < word.length; k++) {
    let c = s.charCodeAt(from + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Parses `s[from, to)` as Go's ParseFloat(…, 64) after Prometheus' `pP_` check.
 * @throws NumberSyntaxError "unsupported character in float", `strconv.ParseFloat: parsing "x": invalid
 *   syntax` or `…: value out of range` (Go reports overflow as an error).
 */
export function parseGoFloat(s: string, from = 0, to = s.length): number {
  let i = from;
  let neg = false;
  // Fast path: plain integers (the common case of counters).
  let c = s.charCodeAt(i);
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let v = 0;
  let j = i;
  while (j < to) {
    c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    j++;
  }
  if (j === to && j > i && j - i <= 15) return neg ? -v : v;
  return parseGoFloatSlow(s, from, to);
}

function parseGoFloatSlow(s: string, from: number, to: number): number {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === 112 || c === 80 || c === 95) throw new NumberSyntaxError('unsupported character in float');
  }
  const invalid = () =>
    new NumberSyntaxError(`strconv.ParseFloat: parsing ${goQuote(s.slice(from, to))}: invalid syntax`);
  let i = from;
  let sign = 1;
  const c0 = s.charCodeAt(i);
  const signed = c0 === 43 || c0 === 45;
  if (signed) {
    if (c0 === 45) sign = -1;
    i++;
  }
  if (lowerEq(s, i, to, 'inf') || lowerEq(s, i, to, 'infinity')) return sign * Infinity;
  if (!signed && lowerEq(s, i, to, 'nan')) return NaN;
  // Decimal: digits [. digits] [e [+-] digits], at least one mantissa digit.
  let digits = 0;
  let k = i;
  while (k < to && isDigit(s.charCodeAt(k))) {
    k++;
    digits++;
  }
  if (k < to && s.charCodeAt(k) === 46) {
    k++;
    while (k < to && isDigit(s.charCodeAt(k))) {
      k++;
      digits++;
    }
  }
  if (digits === 0) throw invalid();
  if (k < to && (s.charCodeAt(k) | 32) === 101) {
    k++;
    if (k < to && (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45)) k++;
    let ed = 0;
    while (k < to && isDigit(s.charCodeAt(k))) {
      k++;
      ed++;
    }
    if (ed === 0) throw invalid();
  }
  if (k !== to) throw invalid();
  const v = Number(s.slice(i, to));
  if (!Number.isFinite(v))
    throw new NumberSyntaxError(
      `strconv.ParseFloat: parsing ${goQuote(s.slice(from, to))}: value out of range`,
    );
  return sign * v;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const INT64_MAX = 9223372036854775807n;

/**
 * Go `strconv.ParseInt(s, 10, 64)` for a run of ASCII digits (the lexer guarantees digits only).
 * Returns a JS number (ms timestamps beyond 2^53 lose precision).
 */
export function parseGoInt(s: string, from: number, to: number): number {
  if (to - from <= 15) {
    let v = 0;
    for (let k = from; k < to; k++) v = v * 10 + (s.charCodeAt(k) - 48);
    return v;
  }
  const text = s.slice(from, to);
  if (BigInt(text) > INT64_MAX)
    throw new NumberSyntaxError(`strconv.ParseInt: parsing ${goQuote(text)}: value out of range`);
  return Number(text);
}

/** Go `%q` for error messages (close enough: JSON escaping, which Go's quoting agrees with for ASCII). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/**
 * Go `strconv.FormatFloat(f, 'g', -1, 64)`: shortest round-trip digits; exponent form (`1e+06`,
 * `1.5e-05`, at least two exponent digits) when the decimal exponent is < -4 or >= 6 (Go uses
 * precision 6 for that decision when formatting shortest), plain decimal otherwise.
 */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // Shortest round-trip digits and decimal exponent from JS.
  const e = f.toExponential(); // "-d.ddde+x"
  const neg = e.charCodeAt(0) === 45;
  const body = neg ? e.slice(1) : e;
  const ePos = body.indexOf('e');
  const mant = body.slice(0, ePos).replace('.', '');
  const exp = Number(body.slice(ePos + 1));
  const nd = mant.length;
  const eprec = 6;
  let out: string;
  if (exp < -4 || exp >= eprec) {
    out = mant[0]! + (nd > 1 ? '.' + mant.slice(1) : '') + 'e' + (exp < 0 ? '-' : '+');
    const ae = Math.abs(exp);
    out += ae < 10 ? '0' + ae : String(ae);
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + mant;
  } else if (nd <= exp + 1) {
    out = mant + '0'.repeat(exp + 1 - nd);
  } else {
    out = mant.slice(0, exp + 1) + '.' + mant.slice(exp + 1);
  }
  return neg ? '-' + out : out;
}

/** `labels.FormatOpenMetricsFloat`: Go `%g` shortest, with ".0" appended when there is no "." or "e". */
export function formatOpenMetricsFloat(f: number): string {
  if (f === 1) return '1.0';
  if (f === 0) return '0.0';
  if (f === -1) return '-1.0';
  const s = formatGoFloat(f);
  if (Number.isNaN(f) || !Number.isFinite(f)) return s;
  return s.includes('e') || s.includes('.') ? s : s + '.0';
}
