/**
 * The OTTL grammar (the collector's `pkg/ottl/grammar.go`) as a recursive-descent parser:
 *
 *   statement   := editor ( "where" boolExpr )?          editor := lower-case name "(" args? ")"
 *   condition   := boolExpr
 *   boolExpr    := term ( "or" term )*                   term := boolValue ( "and" boolValue )*
 *   boolValue   := "not"? ( comparison | "true" | "false" | converter | "(" boolExpr ")" )
 *   comparison  := value ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) value
 *   value       := "nil" | math | bytes | string | bool | ENUM | map | list
 *   math        := addTerm ( ("+"|"-") addTerm )*        addTerm := mathValue ( ("*"|"/") mathValue )*
 *   mathValue   := converter | float | int | path | "(" math ")"
 *   path        := field ( "." field )*                  field := lower-case name key*
 *   key         := "[" ( string | int | path | converter ) "]"
 *   converter   := Upper-case name "(" args? ")" key*    args := arg ( "," arg )*
 *   arg         := ( name "=" )? ( value | FunctionName )
 *   list        := "[" ( value ( "," value )* )? "]"     map := "{" ( string ":" value ","? )* "}"
 *
 * Alternatives are tried in the grammar's order with backtracking (participle's lookahead), so
 * `(1 + 2) > x` is a comparison and `(a or b)` a sub-expression. Errors carry the column
 * (`1:17: unexpected token "<EOF>" (expected ")")`) and the grammar's custom messages (editor names must
 * start with a lower-case letter, converter names with an upper-case one, editors cannot be indexed).
 */
import { OttlGrammarError, OttlSyntaxError, tokenize, unquote, type Token } from './lexer.js';

export type KeyNode =
  { kind: 'string'; value: string } | { kind: 'int'; value: bigint } | { kind: 'expr'; value: ValueNode };

export interface FieldNode {
  name: string;
  keys: KeyNode[];
}

export interface PathNode {
  kind: 'path';
  fields: FieldNode[];
  pos: number;
  text: string;
}

export interface ArgNode {
  name?: string;
  value?: ValueNode;
  /** A function name passed as an argument (e.g. an optional hash function). */
  funcName?: string;
  pos: number;
}

export interface CallNode {
  kind: 'converter' | 'editor';
  name: string;
  args: ArgNode[];
  keys: KeyNode[];
  pos: number;
}

export type MathOp = '+' | '-' | '*' | '/';

export type ValueNode =
  | { kind: 'nil' }
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'enum'; name: string; pos: number }
  | { kind: 'list'; items: ValueNode[] }
  | { kind: 'map'; items: [string, ValueNode][] }
  | { kind: 'math'; op: MathOp; left: ValueNode; right: ValueNode }
  | PathNode
  | CallNode;

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type BoolNode =
  | { kind: 'or'; items: BoolNode[] }
  | { kind: 'and'; items: BoolNode[] }
  | { kind: 'not'; item: BoolNode }
  | { kind: 'cmp'; op: CompareOp; left: ValueNode; right: ValueNode }
  | { kind: 'const'; value: boolean }
  | { kind: 'call'; call: CallNode };

export interface StatementNode {
  editor: CallNode;
  where?: BoolNode;
}

const ENUM = /^[A-Z][A-Z0-9_]*$/;
const LOWER = /^[a-z][a-z0-9_]*$/;

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private fail(expected?: string, tok = this.peek()): never {
    throw new OttlSyntaxError(
      `unexpected token "${tok.kind === 'string' ? unquoteSafe(tok) : tok.text}"${expected ? ` (expected ${expected})` : ''}`,
      tok.pos,
    );
  }
  private expect(kind: Token['kind'], what = `"${kind}"`): Token {
    if (this.peek().kind !== kind) this.fail(what);
    return this.next();
  }
  private isIdent(text?: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && (text === undefined || t.text === text);
  }

  statement(): StatementNode {
    const t = this.peek();
    if (t.kind !== 'ident' || this.peek(1).kind !== '(') this.fail('<lowercase> | <uppercase>');
    const call = this.call();
    if (call.kind === 'converter')
      throw new OttlGrammarError(`editor names must start with a lowercase letter but got '${call.name}'`);
    if (call.keys.length)
      throw new OttlGrammarError(
        `only paths and converters may be indexed, not editors, but got ${call.name} ${keysText(call.keys)}`,
      );
    let where: BoolNode | undefined;
    if (this.isIdent('where')) {
      this.next();
      where = this.boolExpr();
    }
    if (this.peek().kind !== 'eof') this.fail(where ? undefined : '"where"');
    return { editor: call, where };
  }

  condition(): BoolNode {
    const b = this.boolExpr();
    if (this.peek().kind !== 'eof') this.fail();
    return b;
  }

  boolExpr(): BoolNode {
    const items = [this.term()];
    while (this.peek().kind === 'or') {
      this.next();
      items.push(this.term());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private term(): BoolNode {
    const items = [this.boolValue()];
    while (this.peek().kind === 'and') {
      this.next();
      items.push(this.boolValue());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private boolValue(): BoolNode {
    let negate = false;
    if (this.peek().kind === 'not') {
      this.next();
      negate = true;
    }
    const v = this.boolAtom();
    return negate ? { kind: 'not', item: v } : v;
  }

  private boolAtom(): BoolNode {
    const start = this.i;
    // comparison
    let cmpErr: unknown;
    try {
      const left = this.value();
      if (this.peek().kind === 'cmp') {
        const op = this.next().text as CompareOp;
        const right = this.value();
        return { kind: 'cmp', op, left, right };
      }
      cmpErr = new OttlSyntaxError(
        `unexpected token "${this.peek().text}" (expected <opcomparison> Value)`,
        this.peek().pos,
      );
    } catch (err) {
      if (!(err instanceof OttlSyntaxError)) throw err;
      cmpErr = err;
    }
    this.i = start;
    const t = this.peek();
    if (t.kind === 'bool') {
      this.next();
      return { kind: 'const', value: t.text === 'true' };
    }
    if (t.kind === 'ident' && this.peek(1).kind === '(' && /^[A-Z]/.test(t.text)) {
      const call = this.call();
      if (this.peek().kind !== 'cmp') return { kind: 'call', call };
      this.i = start;
    }
    if (t.kind === '(') {
      this.next();
      const e = this.boolExpr();
      this.expect(')', '")"');
      return e;
    }
    if (cmpErr) throw cmpErr;
    this.fail();
  }

  /** `value` with the grammar's order: nil, literal-not-followed-by-math, math, bytes, string, … */
  value(): ValueNode {
    const t = this.peek();
    if (t.kind === 'ident' && t.text === 'nil') {
      this.next();
      return { kind: 'nil' };
    }
    if (t.kind === 'bytes') {
      this.next();
      const hex = t.text.slice(2);
      if (hex.length % 2) throw new OttlSyntaxError('encoding/hex: odd length hex string', t.pos);
      return { kind: 'bytes', value: Uint8Array.from(Buffer.from(hex, 'hex')) };
    }
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', value: unquote(t) };
    }
    if (t.kind === 'bool') {
      this.next();
      return { kind: 'bool', value: t.text === 'true' };
    }
    if (t.kind === 'ident' && ENUM.test(t.text) && this.peek(1).kind !== '(') {
      this.next();
      return { kind: 'enum', name: t.text, pos: t.pos };
    }
    if (t.kind === '{') return this.map();
    if (t.kind === '[') return this.list();
    return this.math();
  }

  private math(): ValueNode {
    let left = this.addTerm();
    while (this.peek().kind === 'addsub') {
      const op = this.next().text as MathOp;
      left = { kind: 'math', op, left, right: this.addTerm() };
    }
    return left;
  }

  private addTerm(): ValueNode {
    let left = this.mathValue();
    while (this.peek().kind === 'multdiv') {
      const op = this.next().text as MathOp;
      left = { kind: 'math', op, left, right: this.mathValue() };
    }
    return left;
  }

  private mathValue(): ValueNode {
    const t = this.peek();
    if (t.kind === '(') {
      this.next();
      const m = this.math();
      this.expect(')', '")"');
      return m;
    }
    if (t.kind === 'float') {
      this.next();
      return { kind: 'float', value: Number(t.text) };
    }
    if (t.kind === 'int') {
      this.next();
      return { kind: 'int', value: BigInt(t.text) };
    }
    if (t.kind === 'ident') {
      if (this.peek(1).kind === '(') {
        const call = this.call();
        if (call.kind === 'editor')
          throw new OttlGrammarError(
            `converter names must start with an uppercase letter but got '${call.name}'`,
          );
        return call;
      }
      if (LOWER.test(t.text)) return this.path();
    }
    this.fail();
  }

  private path(): PathNode {
    const start = this.peek();
    const fields: FieldNode[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'ident' || !LOWER.test(t.text)) this.fail('<lowercase>');
      this.next();
      fields.push({ name: t.text, keys: this.keys() });
      if (this.peek().kind === '.' && this.peek(1).kind === 'ident') {
        this.next();
        continue;
      }
      break;
    }
    const end = this.toks[this.i - 1]!;
    return { kind: 'path', fields, pos: start.pos, text: pathText(fields) || end.text };
  }

  private keys(): KeyNode[] {
    const keys: KeyNode[] = [];
    while (this.peek().kind === '[') {
      this.next();
      const t = this.peek();
      if (t.kind === 'string') {
        this.next();
        keys.push({ kind: 'string', value: unquote(t) });
      } else if (t.kind === 'int') {
        this.next();
        keys.push({ kind: 'int', value: BigInt(t.text) });
      } else if (t.kind === 'ident') {
        keys.push({ kind: 'expr', value: this.mathValue() });
      } else this.fail('<string> | <int>');
      this.expect(']', '"]"');
    }
    return keys;
  }

  private call(): CallNode {
    const t = this.next();
    const kind = /^[A-Z]/.test(t.text) ? 'converter' : 'editor';
    this.expect('(', '"("');
    const args: ArgNode[] = [];
    if (this.peek().kind !== ')') {
      for (;;) {
        args.push(this.arg());
        if (this.peek().kind === ',') {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expect(')', '")"');
    return { kind, name: t.text, args, keys: this.keys(), pos: t.pos };
  }

  private arg(): ArgNode {
    const pos = this.peek().pos;
    let name: string | undefined;
    if (this.peek().kind === 'ident' && this.peek(1).kind === 'eq' && /^[a-z]/.test(this.peek().text)) {
      name = this.next().text;
      this.next();
    }
    const t = this.peek();
    if (t.kind === 'ident' && /^[A-Z]/.test(t.text) && !ENUM.test(t.text) && this.peek(1).kind !== '(') {
      this.next();
      return { name, funcName: t.text, pos };
    }
    return { name, value: this.value(), pos };
  }

  private list(): ValueNode {
    this.expect('[');
    const items: ValueNode[] = [];
    if (this.peek().kind !== ']') {
      for (;;) {
        items.push(this.value());
        if (this.peek().kind === ',') {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expect(']', '"]"');
    return { kind: 'list', items };
  }

  private map(): ValueNode {
    this.expect('{');
    const items: [string, ValueNode][] = [];
    while (this.peek().kind === 'string') {
      const k = unquote(this.next());
      this.expect(':', '":"');
      items.push([k, this.value()]);
      if (this.peek().kind === ',') this.next();
    }
    this.expect('}', '"}"');
    return { kind: 'map', items };
  }
}

function unquoteSafe(t: Token): string {
  try {
    return unquote(t);
  } catch {
    return t.text;
  }
}

export function keysText(keys: KeyNode[]): string {
  return keys
    .map((k) =>
      k.kind === 'string' ? `[${JSON.stringify(k.value)}]` : k.kind === 'int' ? `[${k.value}]` : '[…]',
    )
    .join('');
}

export function pathText(fields: FieldNode[]): string {
  return fields.map((f) => f.name + keysText(f.keys)).join('.');
}

/** Parses a statement. @throws OttlSyntaxError */
export function parseStatement(src: string): StatementNode {
  return new Parser(tokenize(src)).statement();
}

/** Parses a condition (a boolean expression). @throws OttlSyntaxError */
export function parseCondition(src: string): BoolNode {
  return new Parser(tokenize(src)).condition();
}

/** Parses a value expression (for tests). @throws OttlSyntaxError */
export function parseValue(src: string): ValueNode {
  const p = new Parser(tokenize(src));
  const v = p.value();
  return v;
}
