/**
 * The OTTL scanner (the collector's `pkg/ottl/grammar.go` `buildLexer`): rules tried in order at each
 * position — Bytes `0x[a-fA-F0-9]+`, Float `[-+]?\d*\.\d+([eE][-+]?\d+)?`, Int `[-+]?\d+`, String
 * `"(\\.|[^\\"])*"`, the keywords `not` / `or` / `and` / `true` / `false` (word-bounded), comparison
 * operators, `+ -`, `* /`, `=`, brackets, `:`, punctuation `, . [ ]`, identifiers; whitespace is skipped.
 *
 * Identifiers are scanned whole (`[A-Za-z][A-Za-z0-9_]*`); the parser tells converters (upper-case first
 * letter), editors and paths (lower-case) and enums (`[A-Z][A-Z0-9_]*`) apart, as the grammar's
 * Uppercase/Lowercase token sequences do.
 */

export type TokenKind =
  | 'bytes'
  | 'float'
  | 'int'
  | 'string'
  | 'not'
  | 'or'
  | 'and'
  | 'bool'
  | 'cmp'
  | 'addsub'
  | 'multdiv'
  | 'eq'
  | '('
  | ')'
  | '{'
  | '}'
  | ':'
  | ','
  | '.'
  | '['
  | ']'
  | 'ident'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for strings: with the quotes). */
  text: string;
  /** 0-based offset. */
  pos: number;
}

/** A grammar rule the parser enforces itself (the collector's `checkForCustomError`): no position. */
export class OttlGrammarError extends Error {}

/** A syntax error with participle's `line:column: message` shape. */
export class OttlSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly pos: number,
  ) {
    super(`1:${pos + 1}: ${detail}`);
  }
}

const RULES: [TokenKind | null, RegExp][] = [
  ['bytes', /0x[a-fA-F0-9]+/y],
  ['float', /[-+]?\d*\.\d+(?:[eE][-+]?\d+)?/y],
  ['int', /[-+]?\d+/y],
  ['string', /"(?:\\.|[^\\"])*"/y],
  ['not', /not\b/y],
  ['or', /or\b/y],
  ['and', /and\b/y],
  ['cmp', /==|!=|>=|<=|>|</y],
  ['addsub', /[+-]/y],
  ['multdiv', /[/*]/y],
  ['bool', /(?:true|false)\b/y],
  ['eq', /=/y],
  ['ident', /[A-Za-z][A-Za-z0-9_]*/y],
  [null, /\s+/y],
];

const SINGLE: Record<string, TokenKind> = {
  '(': '(',
  ')': ')',
  '{': '{',
  '}': '}',
  ':': ':',
  ',': ',',
  '.': '.',
  '[': '[',
  ']': ']',
};

/** Splits a statement into tokens (ending with an `eof` token). @throws OttlSyntaxError */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  outer: while (pos < src.length) {
    const single = SINGLE[src[pos]!];
    if (single) {
      // Punctuation starts no other token except a float such as `.5`.
      const fl = /[-+]?\d*\.\d+(?:[eE][-+]?\d+)?/y;
      fl.lastIndex = pos;
      const m = fl.exec(src);
      if (m) {
        out.push({ kind: 'float', text: m[0], pos });
        pos += m[0].length;
      } else {
        out.push({ kind: single, text: src[pos]!, pos });
        pos++;
      }
      continue;
    }
    // Keywords must start at a word boundary too (`\b(not)\b`).
    const atWordStart = pos === 0 || !/[A-Za-z0-9_]/.test(src[pos - 1]!);
    for (const [kind, re] of RULES) {
      if ((kind === 'not' || kind === 'or' || kind === 'and' || kind === 'bool') && !atWordStart) continue;
      re.lastIndex = pos;
      const m = re.exec(src);
      if (!m) continue;
      if (kind !== null) out.push({ kind, text: m[0], pos });
      pos += m[0].length;
      continue outer;
    }
    throw new OttlSyntaxError(`invalid input text "${src.slice(pos, pos + 10)}"`, pos);
  }
  out.push({ kind: 'eof', text: '<EOF>', pos: src.length });
  return out;
}

/** Unquotes a string token as Go's strconv.Unquote (participle.Unquote). */
export function unquote(tok: Token): string {
  const s = tok.text.slice(1, -1);
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case "'":
        out += "'";
        break;
      case 'x': {
        const h = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new OttlSyntaxError('invalid syntax', tok.pos);
        out += String.fromCharCode(parseInt(h, 16));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        const len = n === 'u' ? 4 : 8;
        const h = s.slice(i + 1, i + 1 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h))
          throw new OttlSyntaxError('invalid syntax', tok.pos);
        out += String.fromCodePoint(parseInt(h, 16));
        i += len;
        break;
      }
      default:
        if (n !== undefined && /[0-7]/.test(n)) {
          const o = s.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(o)) throw new OttlSyntaxError('invalid syntax', tok.pos);
          out += String.fromCharCode(parseInt(o, 8));
          i += 2;
          break;
        }
        throw new OttlSyntaxError('invalid syntax', tok.pos);
    }
  }
  return out;
}
