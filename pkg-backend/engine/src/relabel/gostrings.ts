/**
 * Go string functions that relabeling uses and JavaScript does differently.
 *
 * `strings.ToLower`/`ToUpper` map each rune with Unicode's *simple* case mapping (one rune to one rune,
 * no context): "ß" stays "ß" upper-cased, a final "Σ" lower-cases to "σ", "İ" lower-cases to "i".
 * JavaScript's toLowerCase/toUpperCase apply the full, context-sensitive mappings, so non-ASCII text is
 * mapped one code point at a time and the few multi-character results are replaced by the simple mapping.
 */
import { createHash } from 'node:crypto';

const NON_ASCII = /[^\0-\x7f]/;

/** Go `strings.ToLower`. */
export function goToLower(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const l = ch.toLowerCase();
    // U+0130 (İ) is the only rune whose full lower-case mapping has more than one rune; its simple one is "i".
    out += oneRune(l) ? l : ch === '\u0130' ? 'i' : ch;
  }
  return out;
}

/** Go `strings.ToUpper`. */
export function goToUpper(s: string): string {
  if (!NON_ASCII.test(s)) return s.toUpperCase();
  let out = '';
  for (const ch of s) {
    const u = ch.toUpperCase();
    out += oneRune(u) ? u : simpleUpper(ch);
  }
  return out;
}

function oneRune(s: string): boolean {
  return s.length === 1 || (s.length === 2 && s.codePointAt(0)! > 0xffff);
}

/**
 * Simple upper-case mapping of the runes whose full mapping expands (SpecialCasing.txt): Greek with
 * ypogegrammeni map to their title-case letters, everything else (ß, ligatures, ŉ, ǰ, …) has none.
 */
function simpleUpper(ch: string): string {
  const c = ch.codePointAt(0)!;
  if ((c >= 0x1f80 && c <= 0x1f87) || (c >= 0x1f90 && c <= 0x1f97) || (c >= 0x1fa0 && c <= 0x1fa7))
    return String.fromCodePoint(c + 8);
  if (c === 0x1fb3) return '\u1fbc';
  if (c === 0x1fc3) return '\u1fcc';
  if (c === 0x1ff3) return '\u1ffc';
  return ch;
}

/**
 * Prometheus' hashmod: md5 of the UTF-8 bytes of `s`, last 8 bytes as a big-endian uint64, modulo `modulus`,
 * in decimal.
 */
export function hashMod(s: string, modulus: bigint): string {
  const d = createHash('md5').update(s, 'utf8').digest();
  return (d.readBigUInt64BE(8) % modulus).toString();
}
