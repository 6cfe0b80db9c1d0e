/**
 * LL(1) recursive-descent parser, as Alloy's `syntax/parser`: same grammar, same error messages, same
 * error recovery (skip to the next statement; at most one parse error per line) and the same rule that a
 * file with any diagnostic has no AST.
 */
import type {
  ArrayExpr,
  AttributeStmt,
  BinaryOp,
  BlockStmt,
  CallExpr,
  Comment,
  CommentGroup,
  Expr,
  File,
  LiteralExpr,
  ObjectExpr,
  ObjectField,
  Stmt,
  UnaryOp,
} from './ast.js';
import { type Diagnostic, DiagnosticError, diagAt } from './diag.js';
import { isValidIdentifier, Scanner, goQuote } from './scanner.js';
import { SourceFile } from './source.js';
import { binaryPrecedence, Token, tokenName } from './token.js';

/**
 * Nesting deeper than this (blocks, brackets, unary operators) is reported as an error instead of
 * overflowing the JS stack. Alloy has no limit; real configurations nest a few dozen levels at most.
 */
const MAX_DEPTH = 500;
const DEPTH_MESSAGE = 'maximum nesting depth exceeded';

class Bail extends Error {}

const BINARY_OPS: Partial<Record<Token, BinaryOp>> = {
  [Token.OR]: '||',
  [Token.AND]: '&&',
  [Token.EQ]: '==',
  [Token.NEQ]: '!=',
  [Token.LT]: '<',
  [Token.LTE]: '<=',
  [Token.GT]: '>',
  [Token.GTE]: '>=',
  [Token.ADD]: '+',
  [Token.SUB]: '-',
  [Token.MUL]: '*',
  [Token.DIV]: '/',
  [Token.MOD]: '%',
  [Token.POW]: '^',
};

interface BlockName {
  fragments: string[];
  start: number;
  end: number;
  /** Raw label text between the quotes ("" when absent or empty). */
  label: string;
  /** Offset of the label token, or -1 when there is none. */
  labelPos: number;
}

class Parser {
  readonly diags: Diagnostic[] = [];
  readonly comments: CommentGroup[] = [];
  private readonly scanner: Scanner;

  tok: Token = Token.EOF;
  pos = 0;
  lit = '';
  /** Offset just past the current token. */
  private tokEnd = 0;
  private lastErrorLine = 0;
  private depth = 0;

  constructor(readonly file: SourceFile) {
    this.scanner = new Scanner(
      file.text,
      (offset, msg) => this.diags.push(diagAt(file, offset, offset, msg)),
      { includeComments: true },
    );
    this.next();
  }

  /** Advances to the next non-comment token, collecting comment groups. */
  next(): void {
    this.next0();
    while (this.tok === Token.COMMENT) this.consumeCommentGroup();
  }

  private next0(): void {
    const sc = this.scanner;
    this.tok = sc.scan();
    this.pos = sc.pos;
    this.lit = sc.lit;
    this.tokEnd = sc.end;
  }

  private consumeCommentGroup(): void {
    const list: Comment[] = [];
    const file = this.file;
    let endLine = file.line(this.pos);
    while (this.tok === Token.COMMENT && file.line(this.pos) <= endLine + 1) {
      endLine = file.line(this.pos);
      const text = this.lit;
      if (text.charCodeAt(1) === 42) {
        // Block comments may end on a later line.
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) endLine++;
      }
      list.push({ text, start: this.pos, end: this.tokEnd });
      this.next0();
    }
    this.comments.push({ comments: list, start: list[0]!.start, end: list[list.length - 1]!.end });
  }

  /** Skips tokens up to (not including) `to`, or EOF. */
  private advance(to: Token): void {
    while (this.tok !== Token.EOF) {
      if (this.tok === to) return;
      this.next();
    }
  }

  private advanceToStatementEnd(): void {
    for (;;) {
      switch (this.tok) {
        case Token.EOF:
        case Token.TERMINATOR:
        case Token.RPAREN:
        case Token.RCURLY:
        case Token.RBRACK:
        case Token.COMMA:
          return;
      }
      this.next();
    }
  }

  /** Consumes the current token, recording an error if it is not `t`; returns the token's position. */
  expect(t: Token): { pos: number; tok: Token } {
    const pos = this.pos;
    const tok = this.tok;
    if (tok !== t) this.addError(`expected ${tokenName(t)}, got ${tokenName(tok)}`);
    this.next();
    return { pos, tok };
  }

  /** Records an error at the current token, unless one was already recorded on the same line. */
  addError(message: string): void {
    const line = this.file.line(this.pos);
    if (this.lastErrorLine === line) return;
    this.lastErrorLine = line;
    this.diags.push(diagAt(this.file, this.pos, this.pos, message));
  }

  /** Whether the current token is `t` (a method so TS does not narrow `tok` across next() calls). */
  private at(t: Token): boolean {
    return this.tok === t;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      this.diags.push(diagAt(this.file, this.pos, this.pos, DEPTH_MESSAGE));
      throw new Bail();
    }
  }

  parseFile(): File {
    const body = this.parseBody(Token.EOF);
    return { kind: 'File', source: this.file, body, comments: this.comments };
  }

  /** Body = [ Statement { terminator Statement } ], up to `until`. */
  parseBody(until: Token): Stmt[] {
    const body: Stmt[] = [];
    while (this.tok !== until && this.tok !== Token.EOF) {
      const stmt = this.parseStatement();
      if (stmt) body.push(stmt);
      if (this.tok === until) break;
      if (this.tok !== Token.TERMINATOR) {
        this.addError(`expected ${tokenName(Token.TERMINATOR)}, got ${tokenName(this.tok)}`);
        this.consumeStatement();
      }
      this.next();
    }
    return body;
  }

  /** Skips the rest of a statement up to a terminator, balancing brackets. */
  private consumeStatement(): void {
    let curly = 0;
    let brack = 0;
    let paren = 0;
    while (this.tok !== Token.EOF) {
      switch (this.tok) {
        case Token.LCURLY:
          curly++;
          break;
        case Token.RCURLY:
          curly--;
          break;
        case Token.LBRACK:
          brack++;
          break;
        case Token.RBRACK:
          brack--;
          break;
        case Token.LPAREN:
          paren++;
          break;
        case Token.RPAREN:
          paren--;
          break;
        case Token.TERMINATOR:
          if (curly <= 0 && brack <= 0 && paren <= 0) return;
          break;
      }
      this.next();
    }
  }

  private parseStatement(): Stmt | undefined {
    const bn = this.parseBlockName();
    if (!bn) {
      this.advance(Token.IDENT);
      return undefined;
    }
    switch (this.tok) {
      case Token.ASSIGN: {
        this.next();
        if (bn.fragments.length !== 1) {
          const joined = bn.fragments.join('.');
          this.diags.push(
            diagAt(
              this.file,
              bn.start,
              bn.start + joined.length,
              'attribute names may only consist of a single identifier with no "."',
            ),
          );
        } else if (bn.labelPos !== -1) {
          this.diags.push(
            diagAt(
              this.file,
              bn.labelPos,
              bn.labelPos + bn.label.length + 2,
              'attribute names may not have labels',
            ),
          );
        }
        const value = this.parseExpression();
        const stmt: AttributeStmt = {
          kind: 'Attribute',
          name: bn.fragments[0]!,
          nameStart: bn.start,
          value,
          start: bn.start,
          end: value.end,
        };
        return stmt;
      }
      case Token.LCURLY: {
        this.enter();
        const lcurly = this.expect(Token.LCURLY).pos;
        const body = this.parseBody(Token.RCURLY);
        const rcurly = this.expect(Token.RCURLY).pos;
        this.depth--;
        const hasLabel = bn.label !== '';
        const block: BlockStmt = {
          kind: 'Block',
          name: bn.fragments,
          nameStart: bn.start,
          nameEnd: bn.end,
          label: hasLabel ? bn.label : undefined,
          labelStart: hasLabel ? bn.labelPos : -1,
          body,
          lcurly,
          rcurly,
          start: bn.start,
          end: rcurly + 1,
        };
        return block;
      }
      default:
        if (bn.fragments.length === 1 && bn.label === '') {
          this.addError(`expected attribute assignment or block body, got ${tokenName(this.tok)}`);
        } else {
          this.addError(`expected block body, got ${tokenName(this.tok)}`);
        }
        this.advance(Token.IDENT);
        return undefined;
    }
  }

  /** BlockName = identifier { "." identifier } [ string ] */
  private parseBlockName(): BlockName | undefined {
    if (this.tok !== Token.IDENT) {
      this.addError(`expected identifier, got ${tokenName(this.tok)}`);
      return undefined;
    }
    const bn: BlockName = {
      fragments: [this.lit],
      start: this.pos,
      end: this.tokEnd,
      label: '',
      labelPos: -1,
    };
    this.next();
    while (this.at(Token.DOT)) {
      this.next();
      if (!this.at(Token.IDENT)) {
        // Keep going to parse as much as possible, even with a malformed name.
        this.addError(`expected identifier, got ${tokenName(this.tok)}`);
      }
      bn.fragments.push(this.lit);
      bn.end = this.tokEnd;
      this.next();
    }
    if (!this.at(Token.ASSIGN) && !this.at(Token.LCURLY)) {
      if (this.at(Token.STRING)) {
        const lit = this.lit;
        if (lit.charCodeAt(0) !== 34) {
          this.addError(`expected block label to be a double quoted string, but got ${goQuote(lit)}`);
        }
        if (lit.length > 2) {
          bn.label = lit.slice(1, -1);
          if (!isValidIdentifier(bn.label)) {
            this.addError(`expected block label to be a valid identifier, but got ${goQuote(bn.label)}`);
          }
        }
        bn.labelPos = this.pos;
      } else {
        this.addError(`expected block label, got ${tokenName(this.tok)}`);
      }
      this.next();
    }
    return bn;
  }

  /** Expression = OrExpr (binary operators by precedence; `^` right-associative). */
  parseExpression(): Expr {
    return this.parseBinOp(1);
  }

  private parseBinOp(inPrec: number): Expr {
    let lhs = this.parsePowExpr();
    for (;;) {
      const tok = this.tok;
      const prec = binaryPrecedence(tok);
      if (prec < inPrec) return lhs;
      const opStart = this.pos;
      this.next();
      const rhs = this.parseBinOp(prec + 1);
      lhs = {
        kind: 'Binary',
        op: BINARY_OPS[tok]!,
        opStart,
        left: lhs,
        right: rhs,
        start: lhs.start,
        end: rhs.end,
      };
    }
  }

  private parsePowExpr(): Expr {
    const lhs = this.parseUnaryExpr();
    if (this.tok === Token.POW) {
      const opStart = this.pos;
      this.next();
      this.enter();
      const rhs = this.parsePowExpr();
      this.depth--;
      return { kind: 'Binary', op: '^', opStart, left: lhs, right: rhs, start: lhs.start, end: rhs.end };
    }
    return lhs;
  }

  private parseUnaryExpr(): Expr {
    this.enter();
    try {
      return this.parseUnaryExpr0();
    } finally {
      this.depth--;
    }
  }

  private parseUnaryExpr0(): Expr {
    if (this.tok === Token.NOT || this.tok === Token.SUB) {
      const op: UnaryOp = this.tok === Token.NOT ? '!' : '-';
      const opStart = this.pos;
      this.next();
      const value = this.parseUnaryExpr();
      return { kind: 'Unary', op, opStart, value, start: opStart, end: value.end };
    }

    let primary = this.parsePrimaryExpr();
    for (;;) {
      switch (this.tok) {
        case Token.DOT: {
          this.next();
          const nameStart = this.pos;
          const name = this.lit;
          this.expect(Token.IDENT);
          primary = {
            kind: 'Access',
            value: primary,
            name,
            nameStart,
            start: primary.start,
            end: nameStart + name.length,
          };
          break;
        }
        case Token.LBRACK: {
          const lbrack = this.expect(Token.LBRACK).pos;
          const index = this.parseExpression();
          const rbrack = this.expect(Token.RBRACK).pos;
          primary = {
            kind: 'Index',
            value: primary,
            index,
            lbrack,
            rbrack,
            start: primary.start,
            end: rbrack + 1,
          };
          break;
        }
        case Token.LPAREN: {
          const lparen = this.expect(Token.LPAREN).pos;
          let args: Expr[] = [];
          if (!this.at(Token.RPAREN)) args = this.parseExpressionList(Token.RPAREN);
          const rparen = this.expect(Token.RPAREN).pos;
          const call: CallExpr = {
            kind: 'Call',
            value: primary,
            args,
            lparen,
            rparen,
            start: primary.start,
            end: rparen + 1,
          };
          primary = call;
          break;
        }
        case Token.STRING:
        case Token.LCURLY: {
          // Someone may be assigning a block to an attribute: parse the rest as a block to say so.
          if (this.tok === Token.STRING) this.next();
          if (this.expect(Token.LCURLY).tok !== Token.LCURLY) {
            this.consumeStatement();
            return primary;
          }
          this.parseBody(Token.RCURLY);
          const end = this.expect(Token.RCURLY);
          if (end.tok !== Token.RCURLY) {
            this.consumeStatement();
            return primary;
          }
          this.diags.push(
            diagAt(this.file, primary.start, end.pos + 1, 'cannot use a block as an expression'),
          );
          break;
        }
        default:
          return primary;
      }
    }
  }

  private parsePrimaryExpr(): Expr {
    switch (this.tok) {
      case Token.IDENT: {
        const start = this.pos;
        const name = this.lit;
        this.next();
        return { kind: 'Identifier', name, start, end: start + name.length };
      }
      case Token.STRING:
      case Token.NUMBER:
      case Token.FLOAT:
      case Token.BOOL:
      case Token.NULL: {
        const lit: LiteralExpr = {
          kind: 'Literal',
          literalKind: tokenName(this.tok) as LiteralExpr['literalKind'],
          raw: this.lit,
          start: this.pos,
          end: this.pos + this.lit.length,
        };
        this.next();
        return lit;
      }
      case Token.LPAREN: {
        const lparen = this.expect(Token.LPAREN).pos;
        const inner = this.parseExpression();
        const rparen = this.expect(Token.RPAREN).pos;
        return { kind: 'Paren', inner, lparen, rparen, start: lparen, end: rparen + 1 };
      }
      case Token.LBRACK: {
        const lbrack = this.expect(Token.LBRACK).pos;
        let elements: Expr[] = [];
        if (!this.at(Token.RBRACK)) elements = this.parseExpressionList(Token.RBRACK);
        const rbrack = this.expect(Token.RBRACK).pos;
        const arr: ArrayExpr = { kind: 'Array', elements, lbrack, rbrack, start: lbrack, end: rbrack + 1 };
        return arr;
      }
      case Token.LCURLY: {
        const lcurly = this.expect(Token.LCURLY).pos;
        // Alloy quirk kept for identical messages: the field list is skipped before `]`, not `}`.
        let fields: ObjectField[] = [];
        if (!this.at(Token.RBRACK)) fields = this.parseFieldList(Token.RCURLY);
        const rcurly = this.expect(Token.RCURLY).pos;
        const obj: ObjectExpr = { kind: 'Object', fields, lcurly, rcurly, start: lcurly, end: rcurly + 1 };
        return obj;
      }
    }
    this.addError(`expected expression, got ${tokenName(this.tok)}`);
    const res: LiteralExpr = {
      kind: 'Literal',
      literalKind: 'NULL',
      raw: 'null',
      start: this.pos,
      end: this.pos + 4,
    };
    this.advanceToStatementEnd();
    return res;
  }

  /** ExpressionList = Expression { "," Expression } [ "," ] */
  private parseExpressionList(until: Token): Expr[] {
    const exprs: Expr[] = [];
    while (this.tok !== until && this.tok !== Token.EOF) {
      exprs.push(this.parseExpression());
      if (this.tok === until) break;
      if (this.tok !== Token.COMMA) this.addError("missing ',' in expression list");
      this.next();
    }
    return exprs;
  }

  /** FieldList = Field { "," Field } [ "," ] */
  private parseFieldList(until: Token): ObjectField[] {
    const fields: ObjectField[] = [];
    while (this.tok !== until && this.tok !== Token.EOF) {
      fields.push(this.parseField());
      if (this.tok === until) break;
      if (this.tok !== Token.COMMA) this.addError("missing ',' in field list");
      this.next();
    }
    return fields;
  }

  /** Field = ( string | identifier ) "=" Expression */
  private parseField(): ObjectField {
    let name = '';
    let quoted = false;
    let nameStart = this.pos;
    let nameEnd = this.pos;
    if (this.tok === Token.STRING || this.tok === Token.IDENT) {
      name = this.lit;
      nameEnd = this.tokEnd;
      // Alloy quirk: a quoted key is the raw text between the quotes, without unescaping; `""` stays `""`.
      if (this.tok === Token.STRING && this.lit.length > 2) {
        name = this.lit.slice(1, -1);
        quoted = true;
      }
      this.next();
    } else {
      this.addError(`expected field name (string or identifier), got ${tokenName(this.tok)}`);
      this.advance(Token.ASSIGN);
      nameStart = this.pos;
      nameEnd = this.pos;
    }
    this.expect(Token.ASSIGN);
    const value = this.parseExpression();
    return { name, quoted, nameStart, nameEnd, value };
  }
}

function run<T>(p: Parser, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Bail) return undefined;
    // The stack can still run out when parsing starts deep in the caller's stack.
    if (e instanceof RangeError) {
      p.diags.push(diagAt(p.file, p.pos, p.pos, DEPTH_MESSAGE));
      return undefined;
    }
    throw e;
  }
}

/**
 * Parses a whole file, returning the AST (undefined when there is any diagnostic, as Alloy's ParseFile)
 * together with every diagnostic found, in the order Alloy reports them.
 */
export function parseFileWithDiagnostics(
  filename: string,
  text: string,
): { file: File | undefined; diagnostics: Diagnostic[] } {
  const p = new Parser(new SourceFile(filename, text));
  const file = run(p, () => p.parseFile());
  if (p.diags.length > 0 || !file) return { file: undefined, diagnostics: p.diags };
  return { file, diagnostics: [] };
}

/** Parses a whole file, as Alloy's parser.ParseFile. Throws DiagnosticError with all diagnostics on error. */
export function parseFile(filename: string, text: string): File {
  const { file, diagnostics } = parseFileWithDiagnostics(filename, text);
  if (!file) throw new DiagnosticError(diagnostics);
  return file;
}

/**
 * Parses a single expression, as Alloy's parser.ParseExpression: the whole text must be one expression.
 * Node offsets refer to `text`. Throws DiagnosticError on any error.
 */
export function parseExpression(text: string, filename = ''): Expr {
  const p = new Parser(new SourceFile(filename, text));
  const expr = run(p, () => {
    const e = p.parseExpression();
    p.expect(Token.TERMINATOR);
    return e;
  });
  if (p.diags.length > 0 || !expr) throw new DiagnosticError(p.diags);
  return expr;
}
