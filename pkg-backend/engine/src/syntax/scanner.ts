/**
 * The lexical scanner, as Alloy's `syntax/scanner`: same tokens, same automatic TERMINATOR insertion, same
 * error messages and error offsets. It walks the JS string with `charCodeAt` (offsets are UTF-16 code unit
 * offsets; `SourceFile.position` turns them into Alloy's byte columns).
 *
 * The input is a JS string, so "illegal UTF-8 encoding" is reported for lone surrogates (text that cannot
 * be UTF-8 encoded); bytes that were already replaced by U+FFFD when the file was decoded cannot be told
 * apart from a real U+FFFD.
 */
import { lookupIdent, Token } from './token.js';

/** Called for each lexical error with the character offset it applies to. */
export type ScanErrorHandler = (offset: number, message: string) => void;

export interface ScannerOptions {
  /** Return comments as COMMENT tokens (the parser keeps them for the printer). Default false: skip them. */
  includeComments?: boolean;
  /** Never insert TERMINATOR tokens (for tests only, as Alloy's dontInsertTerms). */
  dontInsertTerms?: boolean;
}

const EOF_CH = -1;
const BOM = 0xfeff;

// ASCII identifier characters (letters, digits, '_'): 1 = may start or continue, 2 = may only continue.
const ASCII_IDENT = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) ASCII_IDENT[c] = 1;
  else if (c >= 48 && c <= 57) ASCII_IDENT[c] = 2;
}

const UNICODE_LETTER = /^\p{L}$/u;
const UNICODE_DIGIT = /^\p{Nd}$/u;
// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const UNICODE_PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's isLetter: ASCII letter, `_`, or any Unicode letter. */
export function isLetter(ch: number): boolean {
  if (ch < 128) return ch >= 0 && ASCII_IDENT[ch] === 1;
  return UNICODE_LETTER.test(String.fromCodePoint(ch));
}

/** Go's isDigit: 0-9 or any Unicode decimal digit. */
export function isDigit(ch: number): boolean {
  if (ch < 128) return ch >= 48 && ch <= 57;
  return UNICODE_DIGIT.test(String.fromCodePoint(ch));
}

/** Go's strconv.IsPrint for one code point. */
export function isPrint(ch: number): boolean {
  if (ch < 128) return ch >= 0x20 && ch < 0x7f;
  if (ch > 0x10ffff || (ch >= 0xd800 && ch <= 0xdfff)) return false;
  return UNICODE_PRINT.test(String.fromCodePoint(ch));
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/** Go's `%#U` of a rune: `U+0023 '#'`, or just `U+0007` when not printable. */
export function formatRune(ch: number): string {
  const u = `U+${hex(ch, 4)}`;
  return isPrint(ch) ? `${u} '${String.fromCodePoint(ch)}'` : u;
}

function digitVal(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 48;
  const l = ch | 0x20;
  if (l >= 97 && l <= 102) return l - 97 + 10;
  return 16;
}

/**
 * Tokenizer over one source text. Call `scan()` repeatedly; after each call `tok`, `pos` (character
 * offset of the token) and `lit` describe the token. `lit` is the source text for IDENT, NUMBER, FLOAT,
 * STRING (quotes included), BOOL, NULL and COMMENT (CRs removed), "\n" for TERMINATOR, the offending
 * character for ILLEGAL, and "" otherwise. Scanning always reaches EOF, whatever the input.
 */
export class Scanner {
  tok: Token = Token.EOF;
  pos = 0;
  /** Offset just past the token. */
  end = 0;
  lit = '';
  /** Number of errors reported so far. */
  numErrors = 0;

  private readonly text: string;
  private readonly len: number;
  private readonly onError: ScanErrorHandler | undefined;
  private readonly includeComments: boolean;
  private readonly insertTerms: boolean;

  private ch = EOF_CH; // current code point
  private offset = 0; // offset of ch
  private readOffset = 0; // offset just after ch
  private insertTerm = false; // a newline or EOF now ends a statement

  constructor(text: string, onError?: ScanErrorHandler, opts: ScannerOptions = {}) {
    this.text = text;
    this.len = text.length;
    this.onError = onError;
    this.includeComments = opts.includeComments ?? false;
    this.insertTerms = !opts.dontInsertTerms;
    this.next();
    if (this.ch === BOM) this.next(); // a BOM is only allowed as the very first character
  }

  private error(offset: number, msg: string): void {
    this.numErrors++;
    if (this.onError) this.onError(offset, msg);
  }

  /** Loads the next code point into ch, reporting NUL, invalid encodings and misplaced BOMs. */
  private next(): void {
    if (this.readOffset >= this.len) {
      this.offset = this.len;
      this.ch = EOF_CH;
      return;
    }
    this.offset = this.readOffset;
    let c = this.text.charCodeAt(this.readOffset);
    let width = 1;
    if (c === 0) {
      this.error(this.offset, 'illegal character NUL');
    } else if (c >= 0xd800) {
      if (c <= 0xdfff) {
        const lo = this.readOffset + 1 < this.len ? this.text.charCodeAt(this.readOffset + 1) : 0;
        if (c <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
          c = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          width = 2;
        } else {
          this.error(this.offset, 'illegal UTF-8 encoding');
          c = 0xfffd; // Go's utf8.RuneError
        }
      } else if (c === BOM && this.offset > 0) {
        this.error(this.offset, 'illegal byte order mark');
      }
    }
    this.readOffset += width;
    this.ch = c;
  }

  /** Current code point (a method so TS does not narrow it across next() calls). */
  private cur(): number {
    return this.ch;
  }

  private peek(): number {
    return this.readOffset < this.len ? this.text.charCodeAt(this.readOffset) : 0;
  }

  /** Scans the next token into tok/pos/lit. */
  scan(): Token {
    for (;;) {
      // Skip whitespace; a newline is only whitespace when no terminator is pending.
      let ch = this.ch;
      const nlIsSpace = !this.insertTerm;
      if (ch === 32 || ch === 9 || ch === 13 || (ch === 10 && nlIsSpace)) {
        // Whitespace needs no checks: skip the run directly, then load the next character.
        const text = this.text;
        const n = this.len;
        let i = this.readOffset;
        for (; i < n; i++) {
          const c = text.charCodeAt(i);
          if (c !== 32 && c !== 9 && c !== 13 && (c !== 10 || !nlIsSpace)) break;
        }
        this.readOffset = i;
        this.next();
        ch = this.ch;
      }

      const pos = this.offset;
      this.pos = pos;
      let insertTerm = false;
      let tok: Token;
      let lit = '';

      if (ch >= 0 && (ch < 128 ? ASCII_IDENT[ch] === 1 : isLetter(ch))) {
        lit = this.scanIdentifier();
        if (lit.length > 1) {
          tok = lookupIdent(lit); // IDENT, BOOL or NULL: all end a statement
        } else {
          tok = Token.IDENT;
        }
        insertTerm = true;
      } else if ((ch >= 48 && ch <= 57) || (ch === 46 && isDecimalCode(this.peek()))) {
        insertTerm = true;
        tok = this.scanNumber();
        lit = this.text.slice(pos, this.offset);
      } else {
        this.next(); // make progress; ch is the first character, this.ch the second
        switch (ch) {
          case EOF_CH:
            if (this.insertTerm) {
              this.insertTerm = false; // consumed EOF
              return this.emit(Token.TERMINATOR, '\n');
            }
            tok = Token.EOF;
            break;
          case 10: // only reachable when a terminator is pending
            this.insertTerm = false;
            return this.emit(Token.TERMINATOR, '\n');
          case 39: // '
            this.error(pos, 'illegal single-quoted string; use double quotes');
            insertTerm = true;
            tok = Token.ILLEGAL;
            lit = this.scanString(39, true, false);
            break;
          case 34: // "
            insertTerm = true;
            tok = Token.STRING;
            lit = this.scanString(34, true, false);
            break;
          case 96: // `
            insertTerm = true;
            tok = Token.STRING;
            lit = this.scanString(96, false, true);
            break;
          case 124: // |
            if (this.ch !== 124) this.error(this.offset, 'missing second | in ||');
            else this.next();
            tok = Token.OR;
            break;
          case 38: // &
            if (this.ch !== 38) this.error(this.offset, 'missing second & in &&');
            else this.next();
            tok = Token.AND;
            break;
          case 33: // ! !=
            tok = this.switch2(Token.NOT, Token.NEQ);
            break;
          case 61: // = ==
            tok = this.switch2(Token.ASSIGN, Token.EQ);
            break;
          case 60: // < <=
            tok = this.switch2(Token.LT, Token.LTE);
            break;
          case 62: // > >=
            tok = this.switch2(Token.GT, Token.GTE);
            break;
          case 43:
            tok = Token.ADD;
            break;
          case 45:
            tok = Token.SUB;
            break;
          case 42:
            tok = Token.MUL;
            break;
          case 47: // / or a comment
            if (this.ch === 47 || this.ch === 42) {
              // A pending terminator can only be emitted before the comment when the comment runs to
              // the end of the line; otherwise it comes after the comment token.
              if (this.insertTerm && this.findLineEnd()) {
                this.ch = 47;
                this.offset = pos;
                this.readOffset = pos + 1;
                this.insertTerm = false;
                return this.emit(Token.TERMINATOR, '\n');
              }
              const comment = this.scanComment();
              if (!this.includeComments) {
                this.insertTerm = false;
                continue; // scan again
              }
              tok = Token.COMMENT;
              lit = comment;
            } else {
              tok = Token.DIV;
            }
            break;
          case 37:
            tok = Token.MOD;
            break;
          case 94:
            tok = Token.POW;
            break;
          case 123:
            tok = Token.LCURLY;
            break;
          case 125:
            insertTerm = true;
            tok = Token.RCURLY;
            break;
          case 40:
            tok = Token.LPAREN;
            break;
          case 41:
            insertTerm = true;
            tok = Token.RPAREN;
            break;
          case 91:
            tok = Token.LBRACK;
            break;
          case 93:
            insertTerm = true;
            tok = Token.RBRACK;
            break;
          case 44:
            tok = Token.COMMA;
            break;
          case 46:
            tok = Token.DOT; // fractions starting with '.' were handled above
            break;
          default:
            // next() already reported misplaced BOMs.
            if (ch !== BOM) this.error(pos, `illegal character ${formatRune(ch)}`);
            insertTerm = this.insertTerm; // keep the previous state
            tok = Token.ILLEGAL;
            lit = String.fromCodePoint(ch);
        }
      }

      if (this.insertTerms) this.insertTerm = insertTerm;
      this.tok = tok;
      this.lit = lit;
      this.end = this.offset;
      return tok;
    }
  }

  private emit(tok: Token, lit: string): Token {
    this.tok = tok;
    this.lit = lit;
    this.end = this.offset;
    return tok;
  }

  private switch2(a: Token, b: Token): Token {
    if (this.ch === 61) {
      this.next();
      return b;
    }
    return a;
  }

  private scanIdentifier(): string {
    const text = this.text;
    const n = this.len;
    const off = this.offset;
    // Fast path: ASCII identifier characters, no per-character state updates.
    for (let i = this.readOffset; i < n; i++) {
      const b = text.charCodeAt(i);
      if (b < 128 && ASCII_IDENT[b] !== 0) continue;
      if (b > 0 && b < 128) {
        // An ASCII non-identifier character ends the identifier (never '\n'-sensitive state here).
        this.ch = b;
        this.offset = i;
        this.readOffset = i + 1;
        return text.slice(off, i);
      }
      // Non-ASCII (or NUL): continue with full decoding from i.
      this.readOffset = i;
      this.next();
      while (isLetter(this.ch) || isDigit(this.ch)) this.next();
      return text.slice(off, this.offset);
    }
    this.offset = n;
    this.readOffset = n;
    this.ch = EOF_CH;
    return text.slice(off);
  }

  private scanNumber(): Token {
    let tok = Token.NUMBER;
    const off = this.offset;
    if (this.ch !== 46) this.digits();
    if (this.ch === 46) {
      tok = Token.FLOAT;
      this.next();
      this.digits();
    }
    if ((this.ch | 0x20) === 101) {
      // e or E
      tok = Token.FLOAT;
      this.next();
      if (this.ch === 43 || this.ch === 45) this.next();
      if (this.digits() === 0) this.error(off, 'exponent has no digits');
    }
    return tok;
  }

  private digits(): number {
    let count = 0;
    while (this.ch >= 48 && this.ch <= 57) {
      this.next();
      count++;
    }
    return count;
  }

  private scanString(until: number, escape: boolean, multiline: boolean): string {
    const off = this.offset - 1; // the opening quote was already consumed
    const text = this.text;
    const n = this.len;
    for (;;) {
      const ch = this.ch;
      if ((!multiline && ch === 10) || ch === EOF_CH) {
        this.error(off, 'string literal not terminated');
        break;
      }
      if (ch !== until && ch !== 92) {
        // Fast path: skip a run of characters that need no attention.
        let j = this.readOffset;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === until || c === 92 || c === 10 || c === 0 || (c >= 0xd800 && c <= 0xdfff) || c === BOM)
            break;
          j++;
        }
        this.readOffset = j;
        this.next();
        continue;
      }
      this.next();
      if (ch === until) break;
      if (escape && ch === 92) this.scanEscape();
    }
    return text.slice(off, this.offset);
  }

  /** Checks one escape sequence; on error it stops at the offending character without consuming it. */
  private scanEscape(): void {
    const off = this.offset;
    let n: number;
    let base: number;
    let max: number;
    switch (this.cur()) {
      case 97: // a
      case 98: // b
      case 102: // f
      case 110: // n
      case 114: // r
      case 116: // t
      case 118: // v
      case 92: // \
      case 34: // "
        this.next();
        return;
      case 48:
      case 49:
      case 50:
      case 51:
      case 52:
      case 53:
      case 54:
      case 55:
        n = 3;
        base = 8;
        max = 255;
        break;
      case 120: // x
        this.next();
        n = 2;
        base = 16;
        max = 255;
        break;
      case 117: // u
        this.next();
        n = 4;
        base = 16;
        max = 0x10ffff;
        break;
      case 85: // U
        this.next();
        n = 8;
        base = 16;
        max = 0x10ffff;
        break;
      default:
        this.error(off, this.cur() === EOF_CH ? 'escape sequence not terminated' : 'unknown escape sequence');
        return;
    }
    let x = 0;
    while (n > 0) {
      const d = digitVal(this.cur());
      if (d >= base) {
        this.error(
          off,
          this.cur() === EOF_CH
            ? 'escape sequence not terminated'
            : `illegal character ${formatRune(this.cur())} in escape sequence`,
        );
        return;
      }
      x = x * base + d;
      this.next();
      n--;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000))
      this.error(off, 'escape sequence is invalid Unicode code point');
  }

  private scanComment(): string {
    const off = this.offset - 1; // the first '/' was already consumed
    let numCR = 0;
    let block = false;
    let terminated = true;
    if (this.cur() === 47) {
      // Line comment; the final newline is not part of it.
      this.next();
      const text = this.text;
      for (;;) {
        const ch = this.cur();
        if (ch === 10 || ch === EOF_CH) break;
        if (ch === 13) numCR++;
        // Fast path over plain characters.
        let j = this.readOffset;
        if (ch !== 13) {
          while (j < this.len) {
            const c = text.charCodeAt(j);
            if (c === 10 || c === 13 || c === 0 || (c >= 0xd800 && c <= 0xdfff) || c === BOM) break;
            j++;
          }
          this.readOffset = j;
        }
        this.next();
      }
    } else {
      block = true;
      this.next();
      terminated = false;
      while (this.cur() !== EOF_CH) {
        const ch = this.cur();
        if (ch === 13) numCR++;
        this.next();
        if (ch === 42 && this.cur() === 47) {
          this.next();
          terminated = true;
          break;
        }
      }
      if (!terminated) this.error(off, 'block comment not terminated');
    }
    let lit = this.text.slice(off, this.offset);
    // A line comment may end in "\r" before "\r\n"; drop it.
    if (numCR > 0 && lit.length >= 1 && lit.charCodeAt(lit.length - 1) === 13) {
      lit = lit.slice(0, -1);
      numCR--;
    }
    if (numCR > 0) lit = stripCR(lit, block);
    return lit;
  }

  /** Whether the comment starting at the current '/' (already consumed) runs to the end of its line. */
  private findLineEnd(): boolean {
    const off = this.offset - 1;
    const result = this.findLineEnd0();
    // Reset the state to just after the initial '/'.
    this.ch = 47;
    this.offset = off;
    this.readOffset = off + 1;
    this.next();
    return result;
  }

  private findLineEnd0(): boolean {
    while (this.cur() === 47 || this.cur() === 42) {
      if (this.cur() === 47) return true; // line comments always run to the end of the line
      // A block comment: look for a newline inside it.
      this.next();
      while (this.cur() !== EOF_CH) {
        const ch = this.cur();
        if (ch === 10) return true;
        this.next();
        if (ch === 42 && this.cur() === 47) {
          this.next();
          break;
        }
      }
      // Is there a newline after the block comment?
      while (this.cur() === 32 || this.cur() === 9 || this.cur() === 13) this.next();
      if (this.cur() === EOF_CH || this.cur() === 10) return true;
      if (this.cur() !== 47) return false; // another token follows on the line
      this.next();
    }
    return false;
  }
}

function isDecimalCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Removes CRs from comment text, keeping a CR between `*` and the closing `/` of a block comment. */
function stripCR(s: string, block: boolean): string {
  let out = '';
  for (let j = 0; j < s.length; j++) {
    const ch = s.charCodeAt(j);
    if (
      ch !== 13 ||
      (block &&
        out.length > 2 &&
        out.charCodeAt(out.length - 1) === 42 &&
        j + 1 < s.length &&
        s.charCodeAt(j + 1) === 47)
    ) {
      out += s[j];
    }
  }
  return out;
}

/** Whether `s` is exactly one Alloy identifier (not a keyword), as Alloy's scanner.IsValidIdentifier. */
export function isValidIdentifier(s: string): boolean {
  const sc = new Scanner(s);
  return sc.scan() === Token.IDENT && sc.lit === s;
}

/** Scans all tokens of a text (comments included), mostly for tests and tools. */
export function scanAll(
  text: string,
  opts: ScannerOptions = { includeComments: true },
): { tokens: { tok: Token; pos: number; lit: string }[]; errors: { offset: number; message: string }[] } {
  const errors: { offset: number; message: string }[] = [];
  const sc = new Scanner(text, (offset, message) => errors.push({ offset, message }), opts);
  const tokens: { tok: Token; pos: number; lit: string }[] = [];
  for (;;) {
    const tok = sc.scan();
    tokens.push({ tok, pos: sc.pos, lit: sc.lit });
    if (tok === Token.EOF) break;
  }
  return { tokens, errors };
}

/** Thrown by `unquoteString` for text that is not a valid string literal (Go's strconv.ErrSyntax). */
export class UnquoteError extends Error {
  constructor(raw: string) {
    super(`invalid syntax: ${raw}`);
    this.name = 'UnquoteError';
  }
}

/**
 * Decodes a STRING literal's raw text (quotes included) into its value, with Go strconv.Unquote semantics:
 * double-quoted strings have their escapes processed (`\xHH` and octal escapes are bytes, decoded as UTF-8
 * together with the surrounding text), raw backtick strings lose their backticks and all CRs.
 * Throws UnquoteError for malformed text (which the scanner would already have reported).
 */
export function unquoteString(raw: string): string {
  const n = raw.length;
  if (n < 2) throw new UnquoteError(raw);
  const q = raw.charCodeAt(0);
  if (q !== raw.charCodeAt(n - 1)) throw new UnquoteError(raw);
  if (q === 96) {
    const body = raw.slice(1, -1);
    if (body.includes('`')) throw new UnquoteError(raw);
    return body.includes('\r') ? body.replace(/\r/g, '') : body;
  }
  if (q !== 34) throw new UnquoteError(raw);
  const first = raw.indexOf('\\', 1);
  if (first === -1 || first >= n - 1) {
    const body = raw.slice(1, -1);
    if (body.includes('"') || body.includes('\n')) throw new UnquoteError(raw);
    return body;
  }
  let out = '';
  let bytes: number[] | undefined; // pending byte escapes, decoded as UTF-8 together
  const flushBytes = (): void => {
    if (bytes) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = undefined;
    }
  };
  let i = 1;
  const end = n - 1;
  while (i < end) {
    const c = raw.charCodeAt(i);
    if (c === 34 || c === 10) throw new UnquoteError(raw);
    if (c !== 92) {
      let j = i + 1;
      while (j < end) {
        const d = raw.charCodeAt(j);
        if (d === 92 || d === 34 || d === 10) break;
        j++;
      }
      if (bytes) {
        // Byte escapes may combine with following text into one UTF-8 sequence.
        for (const b of Buffer.from(raw.slice(i, j), 'utf8')) bytes.push(b);
      } else out += raw.slice(i, j);
      i = j;
      continue;
    }
    if (i + 1 >= end) throw new UnquoteError(raw);
    const e = raw.charCodeAt(i + 1);
    i += 2;
    let simple: string | undefined;
    switch (e) {
      case 97:
        simple = '\x07';
        break;
      case 98:
        simple = '\b';
        break;
      case 102:
        simple = '\f';
        break;
      case 110:
        simple = '\n';
        break;
      case 114:
        simple = '\r';
        break;
      case 116:
        simple = '\t';
        break;
      case 118:
        simple = '\v';
        break;
      case 92:
        simple = '\\';
        break;
      case 34:
        simple = '"';
        break;
    }
    if (simple !== undefined) {
      if (bytes) bytes.push(simple.charCodeAt(0));
      else out += simple;
      continue;
    }
    if (e >= 48 && e <= 55) {
      if (i + 2 > end) throw new UnquoteError(raw);
      let v = e - 48;
      for (let k = 0; k < 2; k++) {
        const d = raw.charCodeAt(i + k) - 48;
        if (d < 0 || d > 7) throw new UnquoteError(raw);
        v = v * 8 + d;
      }
      if (v > 255) throw new UnquoteError(raw);
      i += 2;
      (bytes ??= []).push(v);
      continue;
    }
    const width = e === 120 ? 2 : e === 117 ? 4 : e === 85 ? 8 : 0;
    if (width === 0 || i + width > end) throw new UnquoteError(raw);
    let v = 0;
    for (let k = 0; k < width; k++) {
      const d = digitVal(raw.charCodeAt(i + k));
      if (d >= 16) throw new UnquoteError(raw);
      v = v * 16 + d;
    }
    i += width;
    if (e === 120) {
      (bytes ??= []).push(v);
      continue;
    }
    if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new UnquoteError(raw);
    const s = String.fromCodePoint(v);
    if (bytes) for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
    else out += s;
  }
  flushBytes();
  return out;
}

/**
 * Go's strconv.Quote (`%q`): double-quoted with Go escapes; printable Unicode is kept as is.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      if (c === 34) out += '\\"';
      else if (c === 92) out += '\\\\';
      else out += s[i];
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    switch (c) {
      case 7:
        out += '\\a';
        continue;
      case 8:
        out += '\\b';
        continue;
      case 12:
        out += '\\f';
        continue;
      case 10:
        out += '\\n';
        continue;
      case 13:
        out += '\\r';
        continue;
      case 9:
        out += '\\t';
        continue;
      case 11:
        out += '\\v';
        continue;
    }
    if (c >= 0xd800 && c <= 0xdfff)
      out += '\\ufffd'; // cannot be encoded: Go would see RuneError bytes
    else if (isPrint(c)) out += String.fromCodePoint(c);
    else if (c < 0x20 || c === 0x7f) out += `\\x${hex(c, 2).toLowerCase()}`;
    else if (c < 0x10000) out += `\\u${hex(c, 4).toLowerCase()}`;
    else out += `\\U${hex(c, 8).toLowerCase()}`;
  }
  return out + '"';
}
