/**
 * The LogQL subset `stage.match` accepts (Alloy's `internal/loki/logql`, copied from Loki's
 * clients/pkg/logentry/logql): a stream selector `{name="v", name!="v", name=~"re", name!~"re"}` followed by
 * any number of line filters `|= "s"`, `!= "s"`, `|~ "re"`, `!~ "re"`.
 *
 * Lexing follows Go's `text/scanner` as Alloy's lexer drives it (Go-quoted strings, comments skipped,
 * two-character operators only when adjacent); parse errors carry Go's yacc texts and positions, e.g.
 * `parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,`.
 *
 * Label matchers are Prometheus `labels.Matcher`s (regexes fully anchored, `^(?s:re)$`); line filter
 * regexes are unanchored Go regexps. A missing label matches as "".
 */
import { compileRelabelRegexp, type RelabelRegexp } from '../../../../relabel/regexp.js';
import { compileGoRegexp } from './extra-util.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  /** Whether a label value (`""` when the label is absent) satisfies the matcher. */
  matches(v: string): boolean;
}

/** A line filter as written: `|=` contains, `!=` does not contain, `|~` regex matches, `!~` does not. */
export interface LineFilterSpec {
  readonly type: '|=' | '!=' | '|~' | '!~';
  readonly match: string;
}

export interface LogSelector {
  readonly matchers: readonly LabelMatcher[];
  readonly filters: readonly LineFilterSpec[];
}

/** A parse error, worded as Alloy's `ParseError` (`parse error at line L, col C: msg`). */
export class LogQLParseError extends Error {
  constructor(
    readonly msg: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(`parse error at line ${line}, col ${col}: ${msg}`);
  }
}

type TokKind =
  '$end' | 'IDENTIFIER' | 'STRING' | '=' | '!=' | '=~' | '!~' | '{' | '}' | ',' | '.' | '|~' | '|=';

interface Token {
  kind: TokKind;
  /** Unquoted string value (STRING) or token text. */
  text: string;
  line: number;
  col: number;
}

const OPERATORS: Record<string, TokKind> = {
  ',': ',',
  '.': '.',
  '{': '{',
  '}': '}',
  '=': '=',
  '!=': '!=',
  '=~': '=~',
  '!~': '!~',
  '|=': '|=',
  '|~': '|~',
};

const isLetter = (c: string) => /^[\p{L}_]$/u.test(c);
const isDigit = (c: string) => /^\p{Nd}$/u.test(c);

/** Go `text/scanner` (GoTokens, comments skipped) plus Alloy's `Lex` token mapping. */
class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;
  private readonly chars: string[];

  constructor(input: string) {
    this.chars = [...input];
  }

  private peek(k = 0): string | undefined {
    return this.chars[this.pos + k];
  }

  private next(): string | undefined {
    const c = this.chars[this.pos];
    if (c === undefined) return undefined;
    this.pos++;
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else this.col++;
    return c;
  }

  /** The next token; throws LogQLParseError for scanner errors (at the token's start, as Go reports them). */
  lex(): Token {
    let tl: number;
    let tc: number;
    for (;;) {
      while (this.peek() !== undefined && ' \t\n\r'.includes(this.peek()!)) this.next();
      tl = this.line;
      tc = this.col;
      if (this.peek() === '/' && this.peek(1) === '/') {
        while (this.peek() !== undefined && this.peek() !== '\n') this.next();
        continue;
      }
      if (this.peek() === '/' && this.peek(1) === '*') {
        this.next();
        this.next();
        for (;;) {
          const c = this.next();
          if (c === undefined) throw new LogQLParseError('comment not terminated', tl, tc);
          if (c === '*' && this.peek() === '/') {
            this.next();
            break;
          }
        }
        continue;
      }
      break;
    }
    const c = this.peek();
    const tok = (kind: TokKind, text: string): Token => ({ kind, text, line: tl, col: tc });
    if (c === undefined) return tok('$end', '');
    if (c === '"') return tok('STRING', this.scanString(tl, tc));
    if (c === '`' || c === "'") {
      this.next();
      let text = c;
      for (;;) {
        const d = this.next();
        if (d === undefined || (c === "'" && d === '\n'))
          throw new LogQLParseError('literal not terminated', tl, tc);
        text += d;
        if (d === '\\' && c === "'") text += this.next() ?? '';
        else if (d === c) break;
      }
      if (c === "'" && [...text].length !== 3 && !text.startsWith("'\\"))
        throw new LogQLParseError('invalid char literal', tl, tc);
      return tok('IDENTIFIER', text);
    }
    if (isLetter(c)) {
      let text = '';
      while (this.peek() !== undefined && (isLetter(this.peek()!) || isDigit(this.peek()!)))
        text += this.next();
      return tok('IDENTIFIER', text);
    }
    if (/[0-9]/.test(c)) {
      // A Go number literal (its exact extent only matters for error positions after it).
      let text = '';
      while (this.peek() !== undefined && /[0-9a-zA-Z_.]/.test(this.peek()!)) text += this.next();
      return tok('IDENTIFIER', text);
    }
    this.next();
    const two = OPERATORS[c + (this.peek() ?? '')];
    if (two) {
      this.next();
      return tok(two, c + this.peek(-1));
    }
    const one = OPERATORS[c];
    return one ? tok(one, c) : tok('IDENTIFIER', c);
  }

  /** A Go interpreted string literal, unquoted. */
  private scanString(tl: number, tc: number): string {
    this.next();
    let out = '';
    for (;;) {
      const c = this.next();
      if (c === undefined || c === '\n') throw new LogQLParseError('literal not terminated', tl, tc);
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.next();
      const simple: Record<string, string> = {
        a: '\x07',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
        v: '\v',
        '\\': '\\',
        '"': '"',
      };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        continue;
      }
      const digits = (n: number, re: RegExp): string => {
        let s = '';
        for (let i = 0; i < n; i++) {
          const d = this.peek();
          if (d === undefined || !re.test(d)) throw new LogQLParseError('invalid char escape', tl, tc);
          s += this.next();
        }
        return s;
      };
      if (e !== undefined && /[0-7]/.test(e)) {
        const v = parseInt(e + digits(2, /[0-7]/), 8);
        if (v > 255) throw new LogQLParseError('invalid char escape', tl, tc);
        out += String.fromCharCode(v);
      } else if (e === 'x') out += String.fromCharCode(parseInt(digits(2, /[0-9a-fA-F]/), 16));
      else if (e === 'u' || e === 'U') {
        const cp = parseInt(digits(e === 'u' ? 4 : 8, /[0-9a-fA-F]/), 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
          throw new LogQLParseError('invalid char escape', tl, tc);
        out += String.fromCodePoint(cp);
      } else throw new LogQLParseError('invalid char escape', tl, tc);
    }
  }
}

const FILTERS = new Set<TokKind>(['!=', '!~', '|~', '|=']);

function expected(tok: Token, ...want: string[]): LogQLParseError {
  const name = tok.kind;
  return new LogQLParseError(
    `syntax error: unexpected ${name}, expecting ${want.join(' or ')}`,
    tok.line,
    tok.col,
  );
}

/**
 * Parses a selector with optional line filters (Alloy's `logql.ParseExpr`) and compiles its regexes.
 * @throws LogQLParseError for syntax errors; Error (`error parsing regexp: …`) for a label matcher regex
 *   that does not compile. Line filter regexes are compiled by `compileLineFilter`.
 */
export function parseLogSelector(input: string): LogSelector {
  const lx = new Lexer(input);
  let tok: Token = lx.lex();
  if (tok.kind !== '{') throw expected(tok, '{');
  tok = lx.lex();
  const matchers: LabelMatcher[] = [];
  for (;;) {
    if (tok.kind !== 'IDENTIFIER') throw expected(tok, 'IDENTIFIER');
    const name = tok.text;
    tok = lx.lex();
    if (tok.kind !== '=' && tok.kind !== '!=' && tok.kind !== '=~' && tok.kind !== '!~')
      throw expected(tok, '=', '!=', '=~', '!~');
    const type: MatchType = tok.kind;
    tok = lx.lex();
    if (tok.kind !== 'STRING') throw expected(tok, 'STRING');
    matchers.push(newLabelMatcher(type, name, tok.text));
    tok = lx.lex();
    if (tok.kind === ',') {
      tok = lx.lex();
      continue;
    }
    if (tok.kind === '}') break;
    throw expected(tok, '}', ',');
  }
  tok = lx.lex();
  const filters: LineFilterSpec[] = [];
  while (tok.kind !== '$end') {
    if (!FILTERS.has(tok.kind)) throw expected(tok, '!=', '!~', '|~', '|=');
    const type = tok.kind as LineFilterSpec['type'];
    tok = lx.lex();
    if (tok.kind !== 'STRING') throw expected(tok, 'STRING');
    filters.push({ type, match: tok.text });
    tok = lx.lex();
  }
  return { matchers, filters };
}

/** A Prometheus label matcher. @throws Error `error parsing regexp: …` for a bad regex. */
export function newLabelMatcher(type: MatchType, name: string, value: string): LabelMatcher {
  let re: RelabelRegexp | undefined;
  if (type === '=~' || type === '!~') re = compileRelabelRegexp(value);
  const matches =
    type === '='
      ? (v: string) => v === value
      : type === '!='
        ? (v: string) => v !== value
        : type === '=~'
          ? (v: string) => re!.test(v)
          : (v: string) => !re!.test(v);
  return { name, type, value, matches };
}

/**
 * The conjunction of line filters as one predicate, or undefined when there are none (Alloy's
 * `Expr.Filter`). @throws Error `error parsing regexp: …` for a regex that does not compile.
 */
export function compileLineFilter(
  filters: readonly LineFilterSpec[],
): ((line: string) => boolean) | undefined {
  if (filters.length === 0) return undefined;
  const preds = filters.map((f): ((line: string) => boolean) => {
    switch (f.type) {
      case '|=':
        return (l) => l.includes(f.match);
      case '!=':
        return (l) => !l.includes(f.match);
      case '|~': {
        const re = compileGoRegexp(f.match);
        return (l) => re.test(l);
      }
      case '!~': {
        const re = compileGoRegexp(f.match);
        return (l) => !re.test(l);
      }
    }
  });
  return (line) => preds.every((p) => p(line));
}
