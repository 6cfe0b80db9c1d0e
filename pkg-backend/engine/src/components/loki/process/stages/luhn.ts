/**
 * `stage.luhn`, as Alloy's stage.luhn (`stages/luhn.go`): replaces runs of digits of at least `min_length`
 * digits that pass the Luhn checksum (credit card numbers and the like) with `replacement`.
 *
 * Decoded shape: `{ replacement: string (default "**REDACTED**"), source?: string (extracted key),
 * min_length: number (default 13), delimiters?: string (characters allowed inside a number, e.g. " -"),
 * skip_regex?: string (Go regexp; numbers inside one of its matches are kept) }`.
 *
 * As in Alloy the result always replaces the line, also when the input came from `source` (a missing or
 * non-string source leaves the entry alone). A replaced number keeps its trailing delimiter. Runs longer
 * than a signed 64-bit integer or of non-ASCII digits are never replaced (Go's `strconv.Atoi` fails).
 *
 * Errors: "empty source" (an empty `source`), "could not compile regular expression: error parsing
 * regexp: …" (Alloy's texts).
 */
import type { Stage, StageFactory } from '../stage.js';
import { byteLength, compileGoRegexp, type GoRegexp } from './extra-util.js';

interface LuhnArgs {
  replacement?: string;
  source?: string;
  min_length?: number;
  delimiters?: string;
  skip_regex?: string;
}

const DIGIT = /^\p{Nd}$/u;
const INT64_MAX = 9223372036854775807n;

/** Go `strconv.Atoi` then `isLuhn`. */
export function isLuhnNumber(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits) || BigInt(digits) > INT64_MAX) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Alloy's replaceLuhnValidNumbers / …WithDelimiters / …SkipRegex in one scan. Positions are UTF-16
 * indices (the skip regex's matches are too).
 */
export function replaceLuhn(
  input: string,
  replacement: string,
  minLength: number,
  delimiters: string,
  skip?: GoRegexp,
): string {
  let out = '';
  let digits = '';
  let digitBytes = 0;
  let start = -1;
  let numberEnd = -1;
  let textEnd = -1;
  let trailing = '';
  let skips: [number, number][] | undefined;
  let skipIdx = 0;
  const isSkipped = (s: number, e: number): boolean => {
    if (!skip) return false;
    skips ??= skip.findAllIndex(input);
    while (skipIdx < skips.length && skips[skipIdx]![1] <= s) skipIdx++;
    if (skipIdx === skips.length) return false;
    const m = skips[skipIdx]!;
    return m[0] <= s && e <= m[1];
  };
  const flush = () => {
    if (digits.length > 0) {
      const text = input.slice(start, textEnd);
      if (digitBytes >= minLength && isLuhnNumber(digits) && !isSkipped(start, numberEnd))
        out += replacement + trailing;
      else out += text;
    }
    digits = '';
    digitBytes = 0;
    start = numberEnd = textEnd = -1;
    trailing = '';
  };
  let pos = 0;
  for (const ch of input) {
    if (DIGIT.test(ch)) {
      if (start === -1) start = pos;
      digits += ch;
      digitBytes += byteLength(ch);
      numberEnd = textEnd = pos + ch.length;
      trailing = '';
    } else if (delimiters !== '' && delimiters.includes(ch) && digits.length > 0) {
      textEnd = pos + ch.length;
      trailing = ch;
    } else {
      flush();
      out += ch;
    }
    pos += ch.length;
  }
  flush();
  return out;
}

export const luhnStage: StageFactory = (config) => {
  const a = config as unknown as LuhnArgs;
  const replacement = a.replacement || '**REDACTED**';
  const minLength = a.min_length !== undefined && a.min_length >= 1 ? a.min_length : 13;
  if (a.source !== undefined && a.source === '') throw new Error('empty source');
  let skip: GoRegexp | undefined;
  if (a.skip_regex) {
    try {
      skip = compileGoRegexp(a.skip_regex);
    } catch (err) {
      throw new Error(`could not compile regular expression: ${(err as Error).message}`);
    }
  }
  const delimiters = a.delimiters ?? '';
  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        let input = e.line;
        if (a.source !== undefined) {
          const v = e.extracted.get(a.source);
          if (typeof v !== 'string') continue;
          input = v;
        }
        e.line = replaceLuhn(input, replacement, minLength, delimiters, skip);
      }
      return entries;
    },
  };
  return stage;
};
