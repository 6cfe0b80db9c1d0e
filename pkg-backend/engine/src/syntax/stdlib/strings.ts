/**
 * Go `strings` functions with Go's exact semantics: everything works on Unicode code points (Go runes),
 * not UTF-16 units, and case mapping / space tests follow Go's `unicode` package rather than JS's.
 */

/** Go `unicode.IsSpace`. */
export function isGoSpace(cp: number): boolean {
  switch (cp) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
  }
  return cp >= 0x2000 && cp <= 0x200a;
}

function runes(s: string): string[] {
  return Array.from(s);
}

/** Go `strings.TrimSpace`. */
export function trimSpace(s: string): string {
  const r = runes(s);
  let a = 0;
  let b = r.length;
  while (a < b && isGoSpace(r[a]!.codePointAt(0)!)) a++;
  while (b > a && isGoSpace(r[b - 1]!.codePointAt(0)!)) b--;
  return r.slice(a, b).join('');
}

/** Go `strings.Trim`: drops leading and trailing runes contained in cutset. */
export function trim(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const cut = new Set(runes(cutset));
  const r = runes(s);
  let a = 0;
  let b = r.length;
  while (a < b && cut.has(r[a]!)) a++;
  while (b > a && cut.has(r[b - 1]!)) b--;
  return r.slice(a, b).join('');
}

/** Go `strings.TrimPrefix`. */
export function trimPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** Go `strings.TrimSuffix`. */
export function trimSuffix(s: string, suffix: string): string {
  return suffix !== '' && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

/** Go `strings.Split`: an empty separator splits into runes ("" gives []). */
export function split(s: string, sep: string): string[] {
  if (sep === '') return runes(s);
  return s.split(sep);
}

/** Go `strings.Join`. */
export function join(list: string[], sep: string): string {
  return list.join(sep);
}

/** Go `strings.ReplaceAll`: an empty `old` matches before every rune and at the end. */
export function replaceAll(s: string, old: string, repl: string): string {
  if (old === repl) return s;
  if (old === '') {
    const r = runes(s);
    return repl + r.map((ch) => ch + repl).join('');
  }
  return s.split(old).join(repl);
}

function mapRunes(s: string, f: (ch: string) => string, special: Record<string, string>): string {
  let out = '';
  for (const ch of s) {
    const sp = special[ch];
    if (sp !== undefined) {
      out += sp;
      continue;
    }
    const m = f(ch);
    // JS applies SpecialCasing (ß → SS); Go maps rune by rune and keeps runes without a simple mapping.
    out += Array.from(m).length === 1 ? m : ch;
  }
  return out;
}

const LOWER_SPECIAL: Record<string, string> = { '\u0130': 'i' };
const UPPER_SPECIAL: Record<string, string> = {};

/** Go `strings.ToLower` (per-rune simple case mapping; no final-sigma rule). */
export function toLower(s: string): string {
  return mapRunes(s, (c) => c.toLowerCase(), LOWER_SPECIAL);
}

/** Go `strings.ToUpper` (per-rune simple case mapping; ß stays ß). */
export function toUpper(s: string): string {
  return mapRunes(s, (c) => c.toUpperCase(), UPPER_SPECIAL);
}
