/**
 * RE2 (Go `regexp` syntax) for relabeling, anchored as Prometheus anchors it: a rule's `regex` is compiled
 * as `^(?s:<regex>)$` (fully anchored, `.` matches newlines), with `(?i)`, `(?P<name>…)`/`(?<name>…)`,
 * `\pL`, `\Q…\E`, POSIX classes — Go's language, not JavaScript's. Matching runs on re2js (a port of Go's
 * regexp: same syntax, same leftmost-first submatch semantics, same error texts); see README.md for why.
 *
 * Patterns whose meaning is obvious without an engine (`.*`, `(.*)`, `.+`, literals, `a|b|c`,
 * `prefix.*`, `prefix(.*)`) take exact shortcuts that give the same matches and submatches.
 *
 * Templates (`replacement`, `target_label`) expand as Go's `Regexp.Expand`: `$1`, `${1}`, `$name`,
 * `${name}`, `$$`; unknown or unmatched groups expand to ""; a bare `$name` takes the longest run of
 * letters, digits and `_` (`$1x` is `${1x}`, which is empty); a malformed reference stays literal `$`.
 */
import { RE2JS } from 're2js';

/** A compiled, fully anchored relabel regex. */
export interface RelabelRegexp {
  /** The regex as written in the rule (without the anchoring). */
  readonly source: string;
  /** Number of capturing groups. */
  readonly numGroups: number;
  /** Capturing group index by name. */
  readonly names: Readonly<Record<string, number>>;
  /** Whether the whole of `s` matches. */
  test(s: string): boolean;
  /**
   * Submatch indices of a whole-string match (`[0, s.length, g1start, g1end, …]`, -1 for groups that did
   * not take part), or null. The array may be reused by the next call: read it before matching again.
   */
  exec(s: string): ArrayLike<number> | null;
}

/** Thrown for a regex that does not compile; the message is Go's (`error parsing regexp: …`). */
export class RegexpSyntaxError extends Error {}

/** Bytes Go's regexp parser treats specially outside classes; a pattern without them is a literal. */
const META = /[\\.+*?()|[\]{}^$]/;

const cache = new Map<string, RelabelRegexp>();
const CACHE_MAX = 1024;

/**
 * Compiles `regex` as Prometheus does (`^(?s:` + regex + `)$`). Compiled regexps are immutable and shared
 * (a small cache keeps reloads and validation from recompiling the same pattern).
 * @throws RegexpSyntaxError with Go's message, e.g. "error parsing regexp: missing closing ): `^(?s:(a)$`".
 */
export function compileRelabelRegexp(regex: string): RelabelRegexp {
  let re = cache.get(regex);
  if (re) return re;
  re = shortcut(regex) ?? new Re2Regexp(regex);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(regex, re);
  return re;
}

class Re2Regexp implements RelabelRegexp {
  readonly numGroups: number;
  readonly names: Readonly<Record<string, number>>;
  private readonly re2: ReturnType<RE2JS['re2']>;
  private readonly outer: RE2JS;

  constructor(readonly source: string) {
    try {
      this.outer = RE2JS.compile(`^(?s:${source})$`);
    } catch (err) {
      throw new RegexpSyntaxError((err as Error).message);
    }
    this.re2 = this.outer.re2();
    this.numGroups = this.outer.groupCount();
    this.names = Object.freeze({ ...this.outer.namedGroups() });
  }

  test(s: string): boolean {
    return this.outer.testExact(s);
  }

  exec(s: string): ArrayLike<number> | null {
    // `findSubmatchIndex` (Go's FindStringSubmatchIndex) is typed but not in re2js' documented API; it is
    // 2-3x faster than the Matcher. Should a release drop it, the documented Matcher gives the same indices.
    if (typeof this.re2.findSubmatchIndex === 'function')
      return this.re2.findSubmatchIndex(s) as number[] | null;
    const m = this.outer.matcher(s);
    if (!m.find()) return null;
    const idx: number[] = [];
    for (let g = 0; g <= this.numGroups; g++) idx.push(m.start(g), m.end(g));
    return idx;
  }
}

type ShortcutKind = 'any' | 'nonempty' | 'literal' | 'alternation' | 'prefixes';

/**
 * Exact equivalents of common relabel regexes: `[prefix](.*)`, `[prefix].*`, `[prefix](.+)`, `[prefix].+`,
 * a literal, an alternation of literals, or an alternation of literals and `prefix.*` (no groups). Under
 * `(?s)` a `.` matches every character, so these need no engine; everything else goes to re2js.
 */
function shortcut(source: string): RelabelRegexp | undefined {
  const m = /^([^\\.+*?()|[\]{}^$]*)(\(\.([*+])\)|\.([*+]))$/.exec(source);
  if (m) {
    const star = (m[3] ?? m[4]) === '*';
    return new Shortcut(source, star ? 'any' : 'nonempty', m[1]!, m[3] !== undefined, []);
  }
  if (!META.test(source)) return new Shortcut(source, 'literal', source, false, []);
  const alts = source.split('|');
  if (alts.length > 1 && alts.every((a) => !META.test(a)))
    return new Shortcut(source, 'alternation', '', false, alts);
  if (alts.length > 1 && alts.every((a) => !META.test(a.endsWith('.*') ? a.slice(0, -2) : a))) {
    const s = new Shortcut(
      source,
      'prefixes',
      '',
      false,
      alts.filter((a) => !a.endsWith('.*')),
    );
    s.prefixes = alts.filter((a) => a.endsWith('.*')).map((a) => a.slice(0, -2));
    return s;
  }
  return undefined;
}

class Shortcut implements RelabelRegexp {
  readonly numGroups: number;
  readonly names: Readonly<Record<string, number>> = Object.freeze({});
  private readonly idx: number[];
  private readonly set: ReadonlySet<string>;
  /** For `prefixes`: the `prefix.*` alternatives, without `.*`. */
  prefixes: readonly string[] = [];

  constructor(
    readonly source: string,
    private readonly kind: ShortcutKind,
    private readonly prefix: string,
    group: boolean,
    alternatives: string[],
  ) {
    this.numGroups = group ? 1 : 0;
    this.idx = group ? [0, 0, 0, 0] : [0, 0];
    this.set = new Set(alternatives);
  }

  test(s: string): boolean {
    switch (this.kind) {
      case 'any':
        return s.startsWith(this.prefix);
      case 'nonempty':
        return s.length > this.prefix.length && s.startsWith(this.prefix);
      case 'literal':
        return s === this.prefix;
      case 'alternation':
        return this.set.has(s);
      case 'prefixes':
        if (this.set.has(s)) return true;
        for (const p of this.prefixes) if (s.startsWith(p)) return true;
        return false;
    }
  }

  exec(s: string): ArrayLike<number> | null {
    if (!this.test(s)) return null;
    const idx = this.idx;
    idx[1] = s.length;
    if (this.numGroups) {
      idx[2] = this.prefix.length;
      idx[3] = s.length;
    }
    return idx;
  }
}

/**
 * A compiled Go template: literal text and group indices. Built once per rule; `expandTemplate` does the
 * substitution with no intermediate objects.
 */
export type Template = readonly (string | number)[];

/** True when a template needs expansion (Prometheus' `varInRegexTemplate`). */
export function hasTemplateVars(s: string): boolean {
  return s.includes('$');
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Parses `tpl` as Go's `Regexp.Expand` reads it, resolving `$name` against `re`'s groups: numbers become
 * group indices (numbers of 1e8 and more, or with a leading zero, are names), names their group's index;
 * references to groups the regex does not have are dropped (they expand to "").
 */
export function compileTemplate(tpl: string, re: RelabelRegexp): Template {
  const parts: (string | number)[] = [];
  let lit = '';
  let rest = tpl;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    lit += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      lit += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = extractRef(rest);
    if (!ref) {
      lit += '$';
      continue;
    }
    rest = ref.rest;
    const group = ref.num >= 0 ? ref.num : (re.names[ref.name] ?? -1);
    if (group < 0 || group > re.numGroups) continue;
    if (lit) parts.push(lit);
    lit = '';
    parts.push(group);
  }
  lit += rest;
  if (lit) parts.push(lit);
  return Object.freeze(parts);
}

/** Go's `extract`: a leading `name` or `{name}` (after the `$`); num is -1 unless the name is a number. */
function extractRef(str: string): { name: string; num: number; rest: string } | undefined {
  if (str === '') return undefined;
  let s = str;
  const brace = s[0] === '{';
  if (brace) s = s.slice(1);
  let i = 0;
  for (const ch of s) {
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return undefined;
  const name = s.slice(0, i);
  if (brace) {
    if (i >= s.length || s[i] !== '}') return undefined;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 48);
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: s.slice(i) };
}

/** Expands a compiled template against `src` and its match indices (Go's `Regexp.ExpandString`). */
export function expandTemplate(tpl: Template, src: string, m: ArrayLike<number>): string {
  if (tpl.length === 1 && typeof tpl[0] === 'string') return tpl[0];
  let out = '';
  for (let i = 0; i < tpl.length; i++) {
    const p = tpl[i]!;
    if (typeof p === 'string') out += p;
    else {
      const start = m[2 * p]!;
      if (start >= 0) out += src.slice(start, m[2 * p + 1]);
    }
  }
  return out;
}
