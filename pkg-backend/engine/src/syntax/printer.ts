/**
 * Pretty printer, as Alloy's `syntax/printer` (`alloy fmt`). The walker emits tokens and abstract
 * whitespace; pending whitespace and comments are placed by source position; the result goes through an
 * elastic-tabstop writer (Go `text/tabwriter` semantics) and a trailing-whitespace trimmer, so the output
 * is byte-identical to Alloy's.
 */
import type {
  BlockStmt,
  Comment,
  CommentGroup,
  Expr,
  File,
  ObjectExpr,
  ArrayExpr,
  CallExpr,
  Stmt,
} from './ast.js';
import { parseFile } from './parser.js';
import { goQuote } from './scanner.js';
import type { SourceFile } from './source.js';
import { Token, tokenName } from './token.js';

// Abstract whitespace, as Alloy's printer: the character codes double as what gets written.
const WS_IGNORE = 0;
const WS_BLANK = 32; // ' '
const WS_VTAB = 11; // '\v'
const WS_NEWLINE = 10; // '\n'
const WS_FORMFEED = 12; // '\f'
const WS_INDENT = 62; // '>'
const WS_UNINDENT = 60; // '<'

const MAX_NEWLINES = 2;
const WHITESPACE_CAP = 16;
const MAX_LINE = Number.MAX_SAFE_INTEGER;

function newlineLimit(n: number): number {
  return n > MAX_NEWLINES ? MAX_NEWLINES : n;
}

const BINARY_TOKENS: Record<string, Token> = {
  '||': Token.OR,
  '&&': Token.AND,
  '==': Token.EQ,
  '!=': Token.NEQ,
  '<': Token.LT,
  '<=': Token.LTE,
  '>': Token.GT,
  '>=': Token.GTE,
  '+': Token.ADD,
  '-': Token.SUB,
  '*': Token.MUL,
  '/': Token.DIV,
  '%': Token.MOD,
  '^': Token.POW,
};

const LITERAL_TOKENS: Record<string, Token> = {
  NUMBER: Token.NUMBER,
  FLOAT: Token.FLOAT,
  STRING: Token.STRING,
  BOOL: Token.BOOL,
  NULL: Token.NULL,
};

/** Line lookup: the source's line table, or "everything on line 1" for expressions without a source. */
type LineOf = (offset: number) => number;

class Printer {
  output = '';
  private indent = 0;
  private lastTok: Token = Token.EOF;
  private whitespace: number[] = [];

  // Comments still to print.
  private groups: CommentGroup[] = [];
  private groupIdx = 0;
  private cur: Comment[] = [];
  private commentPos = -1; // offset of the next comment, -1 when none

  // Approximate position in source space (offset, line) and the position after the last text written.
  private posOffset = 0;
  private posLine = 1;
  private lastLine = 0; // 0: nothing written yet (invalid)
  // Position in output space: only the column matters (indentation at line starts).
  private outColumn = 1;

  constructor(readonly lineOf: LineOf) {}

  setComments(groups: CommentGroup[]): void {
    this.groups = groups;
    this.groupIdx = 0;
    this.commentPos = -1;
    this.nextComment();
  }

  private nextComment(): void {
    while (this.groupIdx < this.groups.length) {
      const g = this.groups[this.groupIdx++]!;
      if (g.comments.length > 0) {
        this.cur = g.comments;
        this.commentPos = g.comments[0]!.start;
        return;
      }
    }
    this.commentPos = -1;
  }

  private commentBefore(nextOffset: number): boolean {
    return this.commentPos !== -1 && this.commentPos <= nextOffset;
  }

  /** Queues abstract whitespace, written before the next text. */
  ws(w: number): void {
    if (w === WS_IGNORE) return;
    if (this.whitespace.length === WHITESPACE_CAP) this.writeWhitespace(WHITESPACE_CAP);
    this.whitespace.push(w);
    this.lastTok = Token.LITERAL;
  }

  /** Moves the source-space position to a node's real offset. */
  at(offset: number): void {
    if (offset >= 0) {
      this.posOffset = offset;
      this.posLine = this.lineOf(offset);
    }
  }

  ident(name: string): void {
    this.lastTok = Token.IDENT;
    this.text(name);
  }

  literal(raw: string, kind: Token): void {
    this.lastTok = kind;
    this.text(raw);
  }

  token(t: Token): void {
    const s = tokenName(t);
    // Keep tokens apart that would scan as one: `1 .`, `/ *`.
    const c = s.charCodeAt(0);
    if ((this.lastTok === Token.NUMBER && c === 46) || (this.lastTok === Token.DIV && c === 42)) {
      this.whitespace = [WS_BLANK];
    }
    this.lastTok = t;
    this.text(s);
  }

  private text(data: string): void {
    const nextOffset = this.posOffset;
    const nextLine = this.posLine;
    this.flush(nextOffset, nextLine, this.lastTok);
    this.writeString(nextOffset, nextLine, data, false);
  }

  /** Writes pending comments before the next token, or else the pending whitespace. */
  flush(nextOffset: number, nextLine: number, tok: Token): void {
    if (this.commentBefore(nextOffset)) this.injectComments(nextOffset, nextLine, tok);
    else if (tok !== Token.EOF) this.writeWhitespace(this.whitespace.length);
  }

  private injectComments(nextOffset: number, nextLine: number, tok: Token): void {
    let last: Comment | undefined;
    while (this.commentBefore(nextOffset)) {
      for (const c of this.cur) {
        this.writeCommentPrefix(nextLine, c);
        this.writeString(c.start, this.lineOf(c.start), c.text, true);
        last = c;
      }
      this.nextComment();
    }
    this.writeCommentSuffix(nextLine, tok, last!);
  }

  private writeCommentPrefix(nextLine: number, c: Comment): void {
    if (this.output.length === 0) return; // nothing before the first comment
    const cLine = this.lineOf(c.start);
    if (cLine === this.lastLine) {
      // Same line as the last token: a tab before a trailing comment (aligned by the tabwriter), or a
      // space when the next token follows on the same line (a block comment in the middle of a line).
      this.writeByte(cLine === nextLine ? 32 : 9, 1);
      return;
    }
    // Write pending indentation changes up to the first real whitespace, which is dropped: the comment
    // brings its own newlines.
    const ws = this.whitespace;
    let count = 0;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w === WS_INDENT || w === WS_UNINDENT) continue;
      if (w === WS_BLANK || w === WS_VTAB || w === WS_NEWLINE || w === WS_FORMFEED) ws[i] = WS_IGNORE;
      count = i;
      break;
    }
    this.writeWhitespace(count);
    let newlines = 0;
    if (cLine > 0 && this.lastLine > 0) newlines = cLine - this.lastLine;
    if (newlines > 0) this.writeByte(12, newlineLimit(newlines));
  }

  private writeCommentSuffix(nextLine: number, tok: Token, last: Comment): void {
    if (tok === Token.EOF) return; // no blank lines at the end of the file
    let droppedFF = false;
    // A block comment followed by the next token on the same line gets a separating space.
    const lastEndLine = this.lineOf(last.start + last.text.length - 1);
    if (last.text.charCodeAt(1) === 42 && nextLine === lastEndLine) this.writeByte(32, 1);
    const newlines = nextLine - this.lastLine;
    const ws = this.whitespace;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w === WS_BLANK || w === WS_VTAB) ws[i] = WS_IGNORE;
      else if (w === WS_NEWLINE || w === WS_FORMFEED) {
        if (w === WS_FORMFEED) droppedFF = true;
        ws[i] = WS_IGNORE;
      }
    }
    this.writeWhitespace(ws.length);
    if (newlines > 0) this.writeByte(droppedFF ? 12 : 10, newlineLimit(newlines));
  }

  private writeString(offset: number, line: number, s: string, isLit: boolean): void {
    if (this.outColumn === 1) this.writeIndent();
    if (line > 0) {
      this.posOffset = offset;
      this.posLine = line;
    }
    this.output += isLit ? ESC + s + ESC : s;
    let newlines = 0;
    let lastNewline = 0;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 10 || ch === 12) {
        newlines++;
        lastNewline = i;
      }
    }
    this.posOffset += s.length;
    if (newlines > 0) {
      this.posLine += newlines;
      this.outColumn = s.length - lastNewline;
    } else {
      this.outColumn += s.length;
    }
    this.lastLine = this.posLine;
  }

  private writeIndent(): void {
    const depth = this.indent;
    if (depth > 0) this.output += '\t'.repeat(depth);
    this.posOffset += depth;
    this.outColumn += depth;
  }

  private writeByte(ch: number, n: number): void {
    if (this.outColumn === 1) this.writeIndent();
    this.output += String.fromCharCode(ch).repeat(n);
    this.posOffset += n;
    if (ch === 10 || ch === 12) {
      this.posLine += n;
      this.outColumn = 1;
      return;
    }
    this.outColumn += n;
  }

  private writeWhitespace(n: number): void {
    const ws = this.whitespace;
    for (let i = 0; i < n; i++) {
      const w = ws[i]!;
      if (w === WS_IGNORE) continue;
      if (w === WS_INDENT) this.indent++;
      else if (w === WS_UNINDENT) {
        if (this.indent > 0) this.indent--;
      } else this.writeByte(w, 1);
    }
    ws.splice(0, n);
  }

  /** Final flush (trailing comments) and the tabwriter/trimmer pass; returns Alloy's Fprint output. */
  finish(): string {
    this.flush(Number.MAX_SAFE_INTEGER, MAX_LINE, Token.EOF);
    return trimTrailing(tabwrite(this.output));
  }
}

/** Walks the AST sending tokens and whitespace to the printer, as Alloy's printer walker. */
class Walker {
  constructor(
    readonly p: Printer,
    readonly lineOf: LineOf,
  ) {}

  private differentLines(a: number, b: number): boolean {
    return this.lineOf(a) !== this.lineOf(b);
  }

  private nodeLines(start: number, endInclusive: number): number {
    return this.lineOf(endInclusive) - this.lineOf(start) + 1;
  }

  walkStmts(ss: Stmt[]): void {
    const p = this.p;
    for (let i = 0; i < ss.length; i++) {
      const s = ss[i]!;
      let addedSpacing = false;
      // Two blocks are always separated by a blank line.
      if (i > 0 && s.kind === 'Block') {
        p.ws(WS_FORMFEED);
        addedSpacing = true;
      }
      // A blank line in the source between two statements is kept (as one).
      if (i > 0 && !addedSpacing) {
        const prevLine = this.lineOf(ss[i - 1]!.end - 1);
        const curLine = this.lineOf(s.start);
        if (curLine - prevLine > 1) p.ws(WS_FORMFEED);
      }
      this.walkStmt(s);
      // A multi-line statement ends the run of aligned rows.
      p.ws(this.nodeLines(s.start, s.end - 1) > 1 ? WS_FORMFEED : WS_NEWLINE);
    }
  }

  walkStmt(s: Stmt): void {
    const p = this.p;
    if (s.kind === 'Attribute') {
      p.at(s.nameStart);
      p.ident(s.name);
      p.ws(WS_VTAB);
      p.token(Token.ASSIGN);
      p.ws(WS_BLANK);
      this.walkExpr(s.value);
      return;
    }
    this.walkBlock(s);
  }

  private walkBlock(s: BlockStmt): void {
    const p = this.p;
    p.at(s.nameStart);
    p.ident(s.name.join('.'));
    if (s.label !== undefined && s.label !== '') {
      p.ws(WS_BLANK);
      p.at(s.labelStart);
      p.literal(goQuote(s.label), Token.STRING);
    }
    p.ws(WS_BLANK);
    p.at(s.lcurly);
    p.token(Token.LCURLY);
    p.ws(WS_INDENT);
    if (s.body.length > 0) {
      p.ws(WS_FORMFEED);
      this.walkStmts(s.body);
    } else {
      p.ws(WS_BLANK);
    }
    p.ws(WS_UNINDENT);
    p.at(s.rcurly);
    p.token(Token.RCURLY);
  }

  walkExpr(e: Expr): void {
    const p = this.p;
    switch (e.kind) {
      case 'Literal':
        p.at(e.start);
        p.literal(e.raw, LITERAL_TOKENS[e.literalKind] ?? Token.STRING);
        return;
      case 'Array':
        this.walkArray(e);
        return;
      case 'Object':
        this.walkObject(e);
        return;
      case 'Identifier':
        p.at(e.start);
        p.ident(e.name);
        return;
      case 'Access':
        this.walkExpr(e.value);
        p.token(Token.DOT);
        p.ident(e.name);
        return;
      case 'Index':
        this.walkExpr(e.value);
        p.at(e.lbrack);
        p.token(Token.LBRACK);
        this.walkExpr(e.index);
        p.at(e.rbrack);
        p.token(Token.RBRACK);
        return;
      case 'Call':
        this.walkCall(e);
        return;
      case 'Unary':
        p.at(e.opStart);
        p.token(e.op === '!' ? Token.NOT : Token.SUB);
        this.walkExpr(e.value);
        return;
      case 'Binary':
        this.walkExpr(e.left);
        p.ws(WS_BLANK);
        p.at(e.opStart);
        p.token(BINARY_TOKENS[e.op]!);
        p.ws(WS_BLANK);
        this.walkExpr(e.right);
        return;
      case 'Paren':
        p.token(Token.LPAREN);
        this.walkExpr(e.inner);
        p.token(Token.RPAREN);
        return;
    }
  }

  private walkArray(e: ArrayExpr): void {
    const p = this.p;
    p.at(e.lbrack);
    p.token(Token.LBRACK);
    let prevPos = e.lbrack;
    const n = e.elements.length;
    for (let i = 0; i < n; i++) {
      const el = e.elements[i]!;
      let addedNewline = false;
      // An element on a new line is indented; the indent goes before the newline so comments written
      // before it are indented too.
      if (this.differentLines(prevPos, el.start)) {
        p.ws(WS_INDENT);
        p.ws(WS_FORMFEED);
        addedNewline = true;
      } else if (i > 0) {
        p.ws(WS_BLANK);
      }
      prevPos = el.end - 1;
      this.walkExpr(el);
      if (i + 1 < n) p.token(Token.COMMA);
      if (addedNewline) p.ws(WS_UNINDENT);
    }
    // A closing bracket on its own line gets a trailing comma before it.
    if (n > 0 && this.differentLines(prevPos, e.rbrack)) {
      p.token(Token.COMMA);
      p.ws(WS_INDENT);
      p.ws(WS_FORMFEED);
      p.ws(WS_UNINDENT);
    }
    p.at(e.rbrack);
    p.token(Token.RBRACK);
  }

  private walkObject(e: ObjectExpr): void {
    const p = this.p;
    p.at(e.lcurly);
    p.token(Token.LCURLY);
    p.ws(WS_INDENT);
    let prevPos = e.lcurly;
    const n = e.fields.length;
    for (let i = 0; i < n; i++) {
      const f = e.fields[i]!;
      if (this.differentLines(prevPos, f.nameStart)) {
        // Keep aligning `=` unless the previous field spanned several lines.
        const prev = i > 0 ? e.fields[i - 1]!.value : undefined;
        if (prev && this.nodeLines(prev.start, prev.end - 1) === 1) p.ws(WS_NEWLINE);
        else p.ws(WS_FORMFEED);
      } else if (i > 0) {
        p.ws(WS_BLANK);
      }
      prevPos = f.nameStart + f.name.length - 1;
      p.at(f.nameStart);
      if (f.quoted) p.literal(goQuote(f.name), Token.STRING);
      else p.ident(f.name);
      p.ws(WS_VTAB);
      p.token(Token.ASSIGN);
      p.ws(WS_BLANK);
      this.walkExpr(f.value);
      if (i + 1 < n) p.token(Token.COMMA);
    }
    if (n > 0 && this.differentLines(prevPos, e.rcurly)) {
      p.token(Token.COMMA);
      p.ws(WS_FORMFEED);
    }
    p.ws(WS_UNINDENT);
    p.at(e.rcurly);
    p.token(Token.RCURLY);
  }

  private walkCall(e: CallExpr): void {
    const p = this.p;
    this.walkExpr(e.value);
    p.token(Token.LPAREN);
    let prevPos = e.lparen;
    const n = e.args.length;
    for (let i = 0; i < n; i++) {
      const arg = e.args[i]!;
      let addedNewline = false;
      if (this.differentLines(prevPos, arg.start)) {
        p.ws(WS_FORMFEED);
        p.ws(WS_INDENT);
        addedNewline = true;
      }
      this.walkExpr(arg);
      prevPos = arg.end - 1;
      if (i + 1 < n) {
        p.token(Token.COMMA);
        p.ws(WS_BLANK);
      }
      if (addedNewline) p.ws(WS_UNINDENT);
    }
    // As Alloy, this also applies to an empty argument list whose `)` is on a later line.
    if (this.differentLines(prevPos, e.rparen)) {
      p.token(Token.COMMA);
      p.ws(WS_FORMFEED);
    }
    p.token(Token.RPAREN);
  }
}

const ONE_LINE: LineOf = () => 1;

/**
 * Text of an expression as Alloy's `printer.Fprint(expr)` (used in evaluation error messages). Without a
 * `source` every node counts as being on one line, giving the one-line canonical form
 * (`{a = 1, b = "two"}`, `f(1, 2)`, `30 * 2 + 5`); with the expression's source file, line breaks of
 * multi-line arrays/objects/calls are kept as Alloy does.
 */
export function printExpr(expr: Expr, source?: SourceFile): string {
  const lineOf: LineOf = source ? (o) => source.line(o) : ONE_LINE;
  const p = new Printer(lineOf);
  new Walker(p, lineOf).walkExpr(expr);
  return p.finish();
}

/** Prints statements (a body) without comments, as Alloy's `printer.Fprint(body)`. */
export function printStmts(stmts: Stmt[], source?: SourceFile): string {
  const lineOf: LineOf = source ? (o) => source.line(o) : ONE_LINE;
  const p = new Printer(lineOf);
  new Walker(p, lineOf).walkStmts(stmts);
  return p.finish();
}

/**
 * Formats a parsed file as `alloy fmt` does: Alloy's printer output (comments kept) plus a final "\n".
 */
export function formatFile(file: File): string {
  const source = file.source;
  const lineOf: LineOf = (o) => source.line(o);
  const p = new Printer(lineOf);
  p.setComments(file.comments);
  new Walker(p, lineOf).walkStmts(file.body);
  return p.finish() + '\n';
}

/** Parses and formats a source text as `alloy fmt`. Throws DiagnosticError when the text does not parse. */
export function formatSource(filename: string, text: string): string {
  return formatFile(parseFile(filename, text));
}

// ---------------------------------------------------------------------------------------------------

// Go text/tabwriter (elastic tabstops) with Alloy's printer settings: minwidth 0, tabwidth 8, padding 1,
// pad char ' ', DiscardEmptyColumns | TabIndent, escapes passed through. Cells end with '\t' or '\v' (a
// '\v' column that is empty everywhere is discarded); lines end with '\n' or '\f' ('\f' also ends the
// block of aligned columns). Text between two ESC characters is opaque (its width excludes the ESCs).

/** Escape marker. A lone low surrogate never occurs in text that scanned without errors. */
const ESC = '\udfff';
const ESC_CODE = 0xdfff;

const TAB_WIDTH = 8;
const PADDING = 1;

interface Cell {
  size: number; // characters of text (escapes included)
  width: number; // display width in code points (escapes excluded)
  htab: boolean; // terminated by '\t'
}

/** Number of code points in s[start, end), counting an ESC as one (as Go counts the 0xff byte as one rune). */
function runeCount(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > start && isHigh(s.charCodeAt(i - 1))) continue;
    n++;
  }
  return n;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * Whether s[i] is an ESC marker. U+DFFF is also the low half of some valid pairs (e.g. U+1F3FF); an ESC
 * never follows a high surrogate because it is only placed around complete text.
 */
function isEsc(s: string, i: number): boolean {
  return s.charCodeAt(i) === ESC_CODE && !(i > 0 && isHigh(s.charCodeAt(i - 1)));
}

class TabWriter {
  private buf = '';
  private pos = 0; // start of text not yet counted in cell.width
  private cell: Cell = { size: 0, width: 0, htab: false };
  private inEscape = false;
  private lines: Cell[][] = [[]];
  private widths: number[] = [];
  private out: string[] = [];

  write(data: string): void {
    let n = 0;
    const len = data.length;
    for (let i = 0; i < len; i++) {
      const ch = data.charCodeAt(i);
      if (!this.inEscape) {
        if (ch === 9 || ch === 11 || ch === 10 || ch === 12) {
          this.append(data, n, i);
          this.updateWidth();
          n = i + 1;
          const ncells = this.terminateCell(ch === 9);
          if (ch === 10 || ch === 12) {
            this.lines.push([]);
            // A '\f' always ends the block; a one-cell line cannot influence later lines either.
            if (ch === 12 || ncells === 1) this.flush();
          }
        } else if (ch === ESC_CODE && isEsc(data, i)) {
          this.append(data, n, i);
          this.updateWidth();
          n = i;
          this.inEscape = true;
        }
      } else if (ch === ESC_CODE && isEsc(data, i)) {
        this.append(data, n, i + 1);
        n = i + 1;
        this.updateWidth();
        this.cell.width -= 2; // the ESC characters take no room
        this.inEscape = false;
      }
    }
    this.append(data, n, len);
  }

  /** Flushes everything and returns the output written so far. */
  finish(): string {
    this.flush();
    return this.out.join('');
  }

  private append(data: string, from: number, to: number): void {
    if (to > from) {
      this.buf += data.slice(from, to);
      this.cell.size += to - from;
    }
  }

  private updateWidth(): void {
    this.cell.width += runeCount(this.buf, this.pos, this.buf.length);
    this.pos = this.buf.length;
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1]!;
    line.push(this.cell);
    this.cell = { size: 0, width: 0, htab: false };
    return line.length;
  }

  private flush(): void {
    if (this.cell.size > 0) {
      if (this.inEscape) {
        // Unterminated escape: end it anyway.
        this.updateWidth();
        this.cell.width -= 2;
        this.inEscape = false;
      }
      this.terminateCell(false);
    }
    this.format(0, 0, this.lines.length);
    this.buf = '';
    this.pos = 0;
    this.cell = { size: 0, width: 0, htab: false };
    this.lines = [[]];
    this.widths = [];
  }

  private format(pos0: number, line0: number, line1: number): number {
    let pos = pos0;
    const column = this.widths.length;
    for (let th = line0; th < line1; th++) {
      let line = this.lines[th]!;
      if (column >= line.length - 1) continue;
      // This line has a cell in this column: print the lines before it, then size the column block.
      pos = this.writeLines(pos, line0, th);
      line0 = th;
      let width = 0;
      let discardable = true;
      for (; th < line1; th++) {
        line = this.lines[th]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        const w = c.width + PADDING;
        if (w > width) width = w;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable) width = 0;
      this.widths.push(width);
      pos = this.format(pos, line0, th);
      this.widths.pop();
      line0 = th;
    }
    return this.writeLines(pos, line0, line1);
  }

  private writeLines(pos0: number, line0: number, line1: number): number {
    let pos = pos0;
    const out = this.out;
    const widths = this.widths;
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      let useTabs = true; // TabIndent: leading empty cells are padded with tabs
      for (let j = 0; j < line.length; j++) {
        const c = line[j]!;
        if (c.size === 0) {
          if (j < widths.length) this.writePadding(c.width, widths[j]!, useTabs);
        } else {
          useTabs = false;
          out.push(this.buf.slice(pos, pos + c.size));
          pos += c.size;
          if (j < widths.length) this.writePadding(c.width, widths[j]!, false);
        }
      }
      if (i + 1 === this.lines.length) {
        out.push(this.buf.slice(pos, pos + this.cell.size));
        pos += this.cell.size;
      } else {
        out.push('\n');
      }
    }
    return pos;
  }

  private writePadding(textw: number, cellw: number, useTabs: boolean): void {
    if (useTabs) {
      cellw = Math.ceil(cellw / TAB_WIDTH) * TAB_WIDTH;
      const n = cellw - textw;
      this.out.push('\t'.repeat(Math.ceil(n / TAB_WIDTH)));
      return;
    }
    this.out.push(' '.repeat(cellw - textw));
  }
}

/** Aligns tab-separated cells as Go's tabwriter with Alloy's printer settings. */
function tabwrite(text: string): string {
  const tw = new TabWriter();
  tw.write(text);
  return tw.finish();
}

/**
 * Alloy's printer trimmer: removes spaces and tabs before line ends and at the end, turns '\f' into '\n',
 * and removes ESC markers (escaped text is kept verbatim, trailing spaces included).
 */
function trimTrailing(text: string): string {
  const out: string[] = [];
  let state = 0; // 0: reading space, 1: reading escaped text, 2: reading text
  let space = '';
  let textStart = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let b = text.charCodeAt(i);
    if (b === 11) b = 9;
    if (state === 0) {
      if (b === 9 || b === 32) space += text[i] === '\v' ? '\t' : text[i];
      else if (b === 10 || b === 12) {
        space = '';
        out.push('\n');
      } else if (b === ESC_CODE && isEsc(text, i)) {
        out.push(space);
        space = '';
        state = 1;
        textStart = i + 1;
      } else {
        out.push(space);
        space = '';
        state = 2;
        textStart = i;
      }
    } else if (state === 2) {
      if (b === 9 || b === 32) {
        out.push(text.slice(textStart, i));
        state = 0;
        space = text[i] === '\v' ? '\t' : text[i]!;
      } else if (b === 10 || b === 12) {
        out.push(text.slice(textStart, i));
        state = 0;
        space = '';
        out.push('\n');
      } else if (b === ESC_CODE && isEsc(text, i)) {
        out.push(text.slice(textStart, i));
        state = 1;
        textStart = i + 1;
      }
    } else if (b === ESC_CODE && isEsc(text, i)) {
      out.push(text.slice(textStart, i));
      state = 0;
      space = '';
    }
  }
  if (state !== 0) out.push(text.slice(textStart, n));
  return out.join('');
}
