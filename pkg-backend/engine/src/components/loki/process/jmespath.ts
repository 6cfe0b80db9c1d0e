/**
 * JMESPath (https://jmespath.org/specification.html), the query language of stage.json's `expressions`.
 * Alloy uses github.com/jmespath-community/go-jmespath; this is the standard grammar — field paths,
 * quoted fields, indexes and slices, `[*]` / `.*` / `[]` projections, `[?filter]`, multi-select lists and
 * hashes, `|`, `||`, `&&`, `!`, comparisons, literals, `&expref`, `@` and `$` (root) — with the standard
 * function library plus the community's string functions (lower, upper, trim*, split, replace, pad_*),
 * items/from_items/zip and find_first/find_last.
 *
 * Not supported (community extensions rarely seen in configs): arithmetic operators, `let` expressions,
 * group_by. Values are plain JSON data as `JSON.parse` gives them.
 */

/** A compile or evaluation error (stage.json reports compile errors and skips expressions that fail). */
export class JMESPathError extends Error {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// ---------------------------------------------------------------------------------------------- lexer

type TokType =
  | 'eof'
  | 'ident'
  | 'qident'
  | 'rbracket'
  | 'rparen'
  | 'comma'
  | 'rbrace'
  | 'number'
  | 'current'
  | 'root'
  | 'expref'
  | 'colon'
  | 'pipe'
  | 'or'
  | 'and'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'flatten'
  | 'star'
  | 'filter'
  | 'dot'
  | 'not'
  | 'lbrace'
  | 'lbracket'
  | 'lparen'
  | 'literal';

interface Token {
  type: TokType;
  value: unknown;
  pos: number;
}

const BP: Record<TokType, number> = {
  eof: 0,
  ident: 0,
  qident: 0,
  rbracket: 0,
  rparen: 0,
  comma: 0,
  rbrace: 0,
  number: 0,
  current: 0,
  root: 0,
  expref: 0,
  colon: 0,
  literal: 0,
  pipe: 1,
  or: 2,
  and: 3,
  eq: 5,
  ne: 5,
  lt: 5,
  lte: 5,
  gt: 5,
  gte: 5,
  flatten: 9,
  star: 20,
  filter: 21,
  dot: 40,
  not: 45,
  lbrace: 50,
  lbracket: 55,
  lparen: 60,
};

const SIMPLE: Record<string, TokType> = {
  '.': 'dot',
  '*': 'star',
  ',': 'comma',
  ':': 'colon',
  '{': 'lbrace',
  '}': 'rbrace',
  ']': 'rbracket',
  '(': 'lparen',
  ')': 'rparen',
  '@': 'current',
  $: 'root',
};

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const err = (msg: string): never => {
    throw new JMESPathError(`SyntaxError: ${msg} at position ${i} in ${JSON.stringify(src)}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    const start = i;
    if (isIdentStart(c)) {
      while (i < src.length && isIdentChar(src[i]!)) i++;
      out.push({ type: 'ident', value: src.slice(start, i), pos: start });
    } else if (SIMPLE[c]) {
      out.push({ type: SIMPLE[c], value: c, pos: i++ });
    } else if ((c >= '0' && c <= '9') || c === '-') {
      i++;
      while (i < src.length && src[i]! >= '0' && src[i]! <= '9') i++;
      const text = src.slice(start, i);
      if (text === '-') err('unexpected "-"');
      out.push({ type: 'number', value: Number(text), pos: start });
    } else if (c === '[') {
      if (src[i + 1] === ']') {
        out.push({ type: 'flatten', value: '[]', pos: i });
        i += 2;
      } else if (src[i + 1] === '?') {
        out.push({ type: 'filter', value: '[?', pos: i });
        i += 2;
      } else out.push({ type: 'lbracket', value: '[', pos: i++ });
    } else if (c === "'") {
      i++;
      let s = '';
      while (i < src.length && src[i] !== "'") {
        if (src[i] === '\\' && (src[i + 1] === "'" || src[i + 1] === '\\')) {
          s += src[i + 1];
          i += 2;
        } else s += src[i++];
      }
      if (i >= src.length) err('unterminated raw string');
      i++;
      out.push({ type: 'literal', value: s, pos: start });
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      if (i >= src.length) err('unterminated quoted identifier');
      i++;
      let name: string;
      try {
        name = JSON.parse(src.slice(start, i)) as string;
      } catch {
        return err('invalid quoted identifier');
      }
      out.push({ type: 'qident', value: name, pos: start });
    } else if (c === '`') {
      i++;
      let raw = '';
      while (i < src.length && src[i] !== '`') {
        if (src[i] === '\\' && src[i + 1] === '`') {
          raw += '`';
          i += 2;
        } else raw += src[i++];
      }
      if (i >= src.length) err('unterminated JSON literal');
      i++;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        return err(`invalid JSON literal ${raw}`);
      }
      out.push({ type: 'literal', value, pos: start });
    } else if (c === '|') {
      if (src[i + 1] === '|') {
        out.push({ type: 'or', value: '||', pos: i });
        i += 2;
      } else out.push({ type: 'pipe', value: '|', pos: i++ });
    } else if (c === '&') {
      if (src[i + 1] === '&') {
        out.push({ type: 'and', value: '&&', pos: i });
        i += 2;
      } else out.push({ type: 'expref', value: '&', pos: i++ });
    } else if (c === '<' || c === '>' || c === '=' || c === '!') {
      const two = src[i + 1] === '=';
      const map: Record<string, [TokType | undefined, TokType]> = {
        '<': ['lt', 'lte'],
        '>': ['gt', 'gte'],
        '=': [undefined, 'eq'],
        '!': ['not', 'ne'],
      };
      const [one, both] = map[c]!;
      if (two) {
        out.push({ type: both, value: c + '=', pos: i });
        i += 2;
      } else {
        if (!one) err('unexpected "="');
        out.push({ type: one!, value: c, pos: i++ });
      }
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else {
      err(`unknown character ${JSON.stringify(c)}`);
    }
  }
  out.push({ type: 'eof', value: '', pos: src.length });
  return out;
}

// ---------------------------------------------------------------------------------------------- AST

type Node =
  | { t: 'field'; name: string }
  | { t: 'sub'; l: Node; r: Node }
  | { t: 'indexExpr'; l: Node; r: Node }
  | { t: 'index'; i: number }
  | { t: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { t: 'proj'; l: Node; r: Node }
  | { t: 'valueProj'; l: Node; r: Node }
  | { t: 'filterProj'; l: Node; r: Node; cond: Node }
  | { t: 'flatten'; c: Node }
  | { t: 'identity' }
  | { t: 'current' }
  | { t: 'root' }
  | { t: 'list'; items: Node[] }
  | { t: 'hash'; items: { key: string; value: Node }[] }
  | { t: 'or' | 'and' | 'pipe'; l: Node; r: Node }
  | { t: 'not'; c: Node }
  | { t: 'literal'; v: unknown }
  | { t: 'cmp'; op: TokType; l: Node; r: Node }
  | { t: 'call'; name: string; args: Node[] }
  | { t: 'expref'; c: Node };

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly src: string,
  ) {}

  parse(): Node {
    const n = this.expr(0);
    if (this.peek() !== 'eof') this.fail(this.toks[this.i]!);
    return n;
  }

  private peek(k = 0): TokType {
    return this.toks[this.i + k]!.type;
  }

  private next(): Token {
    return this.toks[this.i++]!;
  }

  private fail(tok: Token): never {
    throw new JMESPathError(
      `SyntaxError: unexpected token ${tok.type === 'eof' ? 'EOF' : JSON.stringify(String(tok.value))} at position ${tok.pos} in ${JSON.stringify(this.src)}`,
    );
  }

  private expect(type: TokType): Token {
    const t = this.next();
    if (t.type !== type) this.fail(t);
    return t;
  }

  private expr(rbp: number): Node {
    let left = this.nud(this.next());
    while (rbp < BP[this.peek()]) left = this.led(this.next(), left);
    return left;
  }

  private nud(tok: Token): Node {
    switch (tok.type) {
      case 'literal':
        return { t: 'literal', v: tok.value };
      case 'ident':
        return { t: 'field', name: tok.value as string };
      case 'qident':
        if (this.peek() === 'lparen')
          throw new JMESPathError('SyntaxError: quoted identifier not allowed for function names');
        return { t: 'field', name: tok.value as string };
      case 'not':
        return { t: 'not', c: this.expr(BP.not) };
      case 'star':
        return {
          t: 'valueProj',
          l: { t: 'identity' },
          r: this.peek() === 'rbracket' ? { t: 'identity' } : this.projRhs(BP.star),
        };
      case 'filter':
        return this.led(tok, { t: 'identity' });
      case 'lbrace':
        return this.hash();
      case 'flatten':
        return { t: 'proj', l: { t: 'flatten', c: { t: 'identity' } }, r: this.projRhs(BP.flatten) };
      case 'lbracket':
        if (this.peek() === 'number' || this.peek() === 'colon')
          return this.projectIfSlice({ t: 'identity' }, this.indexExpr());
        if (this.peek() === 'star' && this.peek(1) === 'rbracket') {
          this.i += 2;
          return { t: 'proj', l: { t: 'identity' }, r: this.projRhs(BP.star) };
        }
        return this.list();
      case 'current':
        return { t: 'current' };
      case 'root':
        return { t: 'root' };
      case 'expref':
        return { t: 'expref', c: this.expr(BP.expref) };
      case 'lparen': {
        const e = this.expr(0);
        this.expect('rparen');
        return e;
      }
      default:
        return this.fail(tok);
    }
  }

  private led(tok: Token, left: Node): Node {
    switch (tok.type) {
      case 'dot':
        if (this.peek() !== 'star') return { t: 'sub', l: left, r: this.dotRhs(BP.dot) };
        this.next();
        return { t: 'valueProj', l: left, r: this.projRhs(BP.dot) };
      case 'pipe':
        return { t: 'pipe', l: left, r: this.expr(BP.pipe) };
      case 'or':
        return { t: 'or', l: left, r: this.expr(BP.or) };
      case 'and':
        return { t: 'and', l: left, r: this.expr(BP.and) };
      case 'lparen': {
        if (left.t !== 'field') return this.fail(tok);
        const args: Node[] = [];
        while (this.peek() !== 'rparen') {
          args.push(this.expr(0));
          if (this.peek() === 'comma') this.next();
          else if (this.peek() !== 'rparen') this.fail(this.toks[this.i]!);
        }
        this.next();
        if (!FUNCTIONS[left.name]) throw new JMESPathError(`unknown function: ${left.name}()`);
        return { t: 'call', name: left.name, args };
      }
      case 'filter': {
        const cond = this.expr(0);
        this.expect('rbracket');
        const r: Node = this.peek() === 'flatten' ? { t: 'identity' } : this.projRhs(BP.filter);
        return { t: 'filterProj', l: left, r, cond };
      }
      case 'flatten':
        return { t: 'proj', l: { t: 'flatten', c: left }, r: this.projRhs(BP.flatten) };
      case 'eq':
      case 'ne':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        return { t: 'cmp', op: tok.type, l: left, r: this.expr(BP[tok.type]) };
      case 'lbracket':
        if (this.peek() === 'number' || this.peek() === 'colon')
          return this.projectIfSlice(left, this.indexExpr());
        this.expect('star');
        this.expect('rbracket');
        return { t: 'proj', l: left, r: this.projRhs(BP.star) };
      default:
        return this.fail(tok);
    }
  }

  /** After `[`: an index `n]` or a slice `a:b:c]`. */
  private indexExpr(): Node {
    if (this.peek() === 'number' && this.peek(1) === 'rbracket') {
      const n = this.next().value as number;
      this.next();
      return { t: 'index', i: n };
    }
    const parts: (number | null)[] = [null, null, null];
    let k = 0;
    while (this.peek() !== 'rbracket') {
      if (this.peek() === 'colon') {
        k++;
        if (k > 2) this.fail(this.toks[this.i]!);
        this.next();
      } else if (this.peek() === 'number') {
        parts[k] = this.next().value as number;
      } else this.fail(this.toks[this.i]!);
    }
    this.next();
    if (parts[2] === 0) throw new JMESPathError('invalid slice, step cannot be 0');
    return { t: 'slice', start: parts[0]!, stop: parts[1]!, step: parts[2]! };
  }

  private projectIfSlice(left: Node, right: Node): Node {
    const ie: Node = { t: 'indexExpr', l: left, r: right };
    return right.t === 'slice' ? { t: 'proj', l: ie, r: this.projRhs(BP.star) } : ie;
  }

  private projRhs(rbp: number): Node {
    const p = this.peek();
    if (BP[p] < 10) return { t: 'identity' };
    if (p === 'lbracket' || p === 'filter') return this.expr(rbp);
    if (p === 'dot') {
      this.next();
      return this.dotRhs(rbp);
    }
    return this.fail(this.toks[this.i]!);
  }

  private dotRhs(rbp: number): Node {
    const p = this.peek();
    if (p === 'ident' || p === 'qident' || p === 'star') return this.expr(rbp);
    if (p === 'lbracket') {
      this.next();
      return this.list();
    }
    if (p === 'lbrace') {
      this.next();
      return this.hash();
    }
    return this.fail(this.toks[this.i]!);
  }

  private list(): Node {
    const items: Node[] = [];
    for (;;) {
      items.push(this.expr(0));
      if (this.peek() === 'rbracket') break;
      this.expect('comma');
    }
    this.next();
    return { t: 'list', items };
  }

  private hash(): Node {
    const items: { key: string; value: Node }[] = [];
    for (;;) {
      const k = this.next();
      if (k.type !== 'ident' && k.type !== 'qident') this.fail(k);
      this.expect('colon');
      items.push({ key: k.value as string, value: this.expr(0) });
      if (this.peek() === 'rbrace') break;
      this.expect('comma');
    }
    this.next();
    return { t: 'hash', items };
  }
}

// ------------------------------------------------------------------------------------------ evaluation

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

function sliceArray<T>(arr: T[], start: number | null, stop: number | null, step: number | null): T[] {
  const len = arr.length;
  const st = step ?? 1;
  const cap = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) {
      v += len;
      return v < 0 ? (st < 0 ? -1 : 0) : v;
    }
    return v >= len ? (st < 0 ? len - 1 : len) : v;
  };
  const s = cap(start, st < 0 ? len - 1 : 0);
  const e = cap(stop, st < 0 ? -1 : len);
  const out: T[] = [];
  if (st > 0) for (let i = s; i < e; i += st) out.push(arr[i]!);
  else for (let i = s; i > e; i += st) out.push(arr[i]!);
  return out;
}

class Evaluator {
  constructor(private readonly root: unknown) {}

  eval(n: Node, v: unknown): unknown {
    switch (n.t) {
      case 'field':
        return isObject(v) && Object.prototype.hasOwnProperty.call(v, n.name) ? (v[n.name] ?? null) : null;
      case 'sub':
        return this.eval(n.r, this.eval(n.l, v));
      case 'indexExpr':
        return this.eval(n.r, this.eval(n.l, v));
      case 'index': {
        if (!Array.isArray(v)) return null;
        const i = n.i < 0 ? v.length + n.i : n.i;
        return i >= 0 && i < v.length ? (v[i] ?? null) : null;
      }
      case 'slice':
        if (Array.isArray(v)) return sliceArray(v, n.start, n.stop, n.step);
        if (typeof v === 'string') return sliceArray([...v], n.start, n.stop, n.step).join('');
        return null;
      case 'proj': {
        const base = this.eval(n.l, v);
        if (!Array.isArray(base)) return null;
        return this.collect(base, n.r);
      }
      case 'valueProj': {
        const base = this.eval(n.l, v);
        if (!isObject(base)) return null;
        return this.collect(Object.values(base), n.r);
      }
      case 'filterProj': {
        const base = this.eval(n.l, v);
        if (!Array.isArray(base)) return null;
        return this.collect(
          base.filter((x) => truthy(this.eval(n.cond, x))),
          n.r,
        );
      }
      case 'flatten': {
        const base = this.eval(n.c, v);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const x of base) {
          if (Array.isArray(x)) out.push(...x);
          else out.push(x);
        }
        return out;
      }
      case 'identity':
      case 'current':
        return v;
      case 'root':
        return this.root;
      case 'list':
        return v === null ? null : n.items.map((x) => this.eval(x, v));
      case 'hash': {
        if (v === null) return null;
        const out: Record<string, unknown> = {};
        for (const it of n.items) out[it.key] = this.eval(it.value, v);
        return out;
      }
      case 'or': {
        const l = this.eval(n.l, v);
        return truthy(l) ? l : this.eval(n.r, v);
      }
      case 'and': {
        const l = this.eval(n.l, v);
        return truthy(l) ? this.eval(n.r, v) : l;
      }
      case 'pipe':
        return this.eval(n.r, this.eval(n.l, v));
      case 'not':
        return !truthy(this.eval(n.c, v));
      case 'literal':
        return n.v;
      case 'cmp': {
        const l = this.eval(n.l, v);
        const r = this.eval(n.r, v);
        if (n.op === 'eq') return deepEqual(l, r);
        if (n.op === 'ne') return !deepEqual(l, r);
        const comparable =
          (typeof l === 'number' && typeof r === 'number') ||
          (typeof l === 'string' && typeof r === 'string');
        if (!comparable) return null;
        const a = l as number | string;
        const b = r as number | string;
        return n.op === 'lt' ? a < b : n.op === 'lte' ? a <= b : n.op === 'gt' ? a > b : a >= b;
      }
      case 'call':
        return FUNCTIONS[n.name]!(
          n.args.map((a) => (a.t === 'expref' ? new ExpRef(a.c, this) : this.eval(a, v))),
          n.name,
        );
      case 'expref':
        return new ExpRef(n.c, this);
    }
  }

  private collect(items: unknown[], r: Node): unknown[] {
    const out: unknown[] = [];
    for (const x of items) {
      const y = this.eval(r, x);
      if (y !== null && y !== undefined) out.push(y);
    }
    return out;
  }
}

class ExpRef {
  constructor(
    readonly node: Node,
    private readonly ev: Evaluator,
  ) {}
  call(v: unknown): unknown {
    return this.ev.eval(this.node, v);
  }
}

// ------------------------------------------------------------------------------------------- functions

type Fn = (args: unknown[], name: string) => unknown;

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return 'array';
  if (v instanceof ExpRef) return 'expref';
  return 'object';
}

function argErr(name: string, msg: string): never {
  throw new JMESPathError(`invalid type for ${name}(): ${msg}`);
}

function arity(args: unknown[], name: string, min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw new JMESPathError(`invalid arity for ${name}(): expected ${min}, got ${args.length}`);
  }
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string') argErr(name, `expected string, got ${typeName(v)}`);
  return v as string;
}

function num(v: unknown, name: string): number {
  if (typeof v !== 'number') argErr(name, `expected number, got ${typeName(v)}`);
  return v as number;
}

function arr(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v)) argErr(name, `expected array, got ${typeName(v)}`);
  return v as unknown[];
}

function obj(v: unknown, name: string): Record<string, unknown> {
  if (!isObject(v)) argErr(name, `expected object, got ${typeName(v)}`);
  return v as Record<string, unknown>;
}

function ref(v: unknown, name: string): ExpRef {
  if (!(v instanceof ExpRef)) argErr(name, `expected expression, got ${typeName(v)}`);
  return v as ExpRef;
}

/** Numbers or strings, all of one kind (sort, max, min). */
function homogeneous(a: unknown[], name: string): 'number' | 'string' | undefined {
  if (a.length === 0) return undefined;
  const k = typeName(a[0]);
  if ((k !== 'number' && k !== 'string') || !a.every((x) => typeName(x) === k))
    argErr(name, 'expected an array of numbers or an array of strings');
  return k as 'number' | 'string';
}

function cmp(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function byKey(args: unknown[], name: string): { items: unknown[]; keys: unknown[] } {
  arity(args, name, 2);
  const items = arr(args[0], name);
  const r = ref(args[1], name);
  const keys = items.map((x) => r.call(x));
  homogeneous(keys, name);
  return { items, keys };
}

function toJsonString(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

function trimChars(s: string, chars: string | undefined, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === '' ? null : new Set([...chars]);
  const strip = (c: string) => (set ? set.has(c) : /\s/.test(c));
  const cs = [...s];
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && strip(cs[a]!)) a++;
  if (right) while (b > a && strip(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
}

const FUNCTIONS: Record<string, Fn> = {
  abs: (a, n) => (arity(a, n, 1), Math.abs(num(a[0], n))),
  avg: (a, n) => {
    arity(a, n, 1);
    const xs = arr(a[0], n).map((x) => num(x, n));
    return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
  },
  ceil: (a, n) => (arity(a, n, 1), Math.ceil(num(a[0], n))),
  floor: (a, n) => (arity(a, n, 1), Math.floor(num(a[0], n))),
  contains: (a, n) => {
    arity(a, n, 2);
    if (typeof a[0] === 'string') return typeof a[1] === 'string' && a[0].includes(a[1]);
    return arr(a[0], n).some((x) => deepEqual(x, a[1]));
  },
  ends_with: (a, n) => (arity(a, n, 2), str(a[0], n).endsWith(str(a[1], n))),
  starts_with: (a, n) => (arity(a, n, 2), str(a[0], n).startsWith(str(a[1], n))),
  join: (a, n) => {
    arity(a, n, 2);
    const sep = str(a[0], n);
    return arr(a[1], n)
      .map((x) => str(x, n))
      .join(sep);
  },
  keys: (a, n) => (arity(a, n, 1), Object.keys(obj(a[0], n))),
  values: (a, n) => (arity(a, n, 1), Object.values(obj(a[0], n))),
  length: (a, n) => {
    arity(a, n, 1);
    const v = a[0];
    if (typeof v === 'string') return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (isObject(v)) return Object.keys(v).length;
    return argErr(n, `expected string, array or object, got ${typeName(v)}`);
  },
  map: (a, n) => {
    arity(a, n, 2);
    const r = ref(a[0], n);
    return arr(a[1], n).map((x) => r.call(x) ?? null);
  },
  max: (a, n) => {
    arity(a, n, 1);
    const xs = arr(a[0], n);
    if (!homogeneous(xs, n)) return null;
    return xs.reduce((m, x) => (cmp(x, m) > 0 ? x : m));
  },
  min: (a, n) => {
    arity(a, n, 1);
    const xs = arr(a[0], n);
    if (!homogeneous(xs, n)) return null;
    return xs.reduce((m, x) => (cmp(x, m) < 0 ? x : m));
  },
  max_by: (a, n) => {
    const { items, keys } = byKey(a, n);
    if (!items.length) return null;
    let best = 0;
    for (let i = 1; i < items.length; i++) if (cmp(keys[i], keys[best]) > 0) best = i;
    return items[best];
  },
  min_by: (a, n) => {
    const { items, keys } = byKey(a, n);
    if (!items.length) return null;
    let best = 0;
    for (let i = 1; i < items.length; i++) if (cmp(keys[i], keys[best]) < 0) best = i;
    return items[best];
  },
  sort_by: (a, n) => {
    const { items, keys } = byKey(a, n);
    return items
      .map((x, i) => ({ x, k: keys[i], i }))
      .sort((p, q) => cmp(p.k, q.k) || p.i - q.i)
      .map((p) => p.x);
  },
  merge: (a) => {
    const out: Record<string, unknown> = {};
    for (const o of a) Object.assign(out, obj(o, 'merge'));
    return out;
  },
  not_null: (a) => a.find((x) => x !== null && x !== undefined) ?? null,
  reverse: (a, n) => {
    arity(a, n, 1);
    if (typeof a[0] === 'string') return [...a[0]].reverse().join('');
    return [...arr(a[0], n)].reverse();
  },
  sort: (a, n) => {
    arity(a, n, 1);
    const xs = [...arr(a[0], n)];
    homogeneous(xs, n);
    return xs.sort(cmp);
  },
  sum: (a, n) => (arity(a, n, 1), arr(a[0], n).reduce((s: number, x) => s + num(x, n), 0)),
  to_array: (a, n) => (arity(a, n, 1), Array.isArray(a[0]) ? a[0] : [a[0]]),
  to_string: (a, n) => (arity(a, n, 1), typeof a[0] === 'string' ? a[0] : toJsonString(a[0])),
  to_number: (a, n) => {
    arity(a, n, 1);
    const v = a[0];
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === '' || t !== v || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
      return Number(t);
    }
    return null;
  },
  type: (a, n) => (arity(a, n, 1), typeName(a[0])),
  // jmespath-community string and object functions
  lower: (a, n) => (arity(a, n, 1), str(a[0], n).toLowerCase()),
  upper: (a, n) => (arity(a, n, 1), str(a[0], n).toUpperCase()),
  trim: (a, n) => (arity(a, n, 1, 2), trimChars(str(a[0], n), a[1] as string | undefined, true, true)),
  trim_left: (a, n) => (arity(a, n, 1, 2), trimChars(str(a[0], n), a[1] as string | undefined, true, false)),
  trim_right: (a, n) => (arity(a, n, 1, 2), trimChars(str(a[0], n), a[1] as string | undefined, false, true)),
  split: (a, n) => {
    arity(a, n, 2, 3);
    const s = str(a[0], n);
    const sep = str(a[1], n);
    const parts = sep === '' ? [...s] : s.split(sep);
    if (a[2] === undefined) return parts;
    const count = num(a[2], n);
    if (count <= 0 || parts.length <= count + 1) return count === 0 ? [s] : parts;
    return [...parts.slice(0, count), parts.slice(count).join(sep)];
  },
  replace: (a, n) => {
    arity(a, n, 3, 4);
    const s = str(a[0], n);
    const oldS = str(a[1], n);
    const newS = str(a[2], n);
    if (a[3] === undefined) return s.split(oldS).join(newS);
    let count = num(a[3], n);
    let out = '';
    let rest = s;
    while (count-- > 0) {
      const i = rest.indexOf(oldS);
      if (i < 0) break;
      out += rest.slice(0, i) + newS;
      rest = rest.slice(i + oldS.length);
    }
    return out + rest;
  },
  pad_left: (a, n) => (arity(a, n, 2, 3), str(a[0], n).padStart(num(a[1], n), (a[2] as string) ?? ' ')),
  pad_right: (a, n) => (arity(a, n, 2, 3), str(a[0], n).padEnd(num(a[1], n), (a[2] as string) ?? ' ')),
  find_first: (a, n) => {
    arity(a, n, 2);
    const i = str(a[0], n).indexOf(str(a[1], n));
    return i < 0 ? null : [...str(a[0], n).slice(0, i)].length;
  },
  find_last: (a, n) => {
    arity(a, n, 2);
    const i = str(a[0], n).lastIndexOf(str(a[1], n));
    return i < 0 ? null : [...str(a[0], n).slice(0, i)].length;
  },
  items: (a, n) => (arity(a, n, 1), Object.entries(obj(a[0], n))),
  from_items: (a, n) => {
    arity(a, n, 1);
    const out: Record<string, unknown> = {};
    for (const it of arr(a[0], n)) {
      const pair = arr(it, n);
      out[str(pair[0], n)] = pair[1];
    }
    return out;
  },
  zip: (a, n) => {
    const lists = a.map((x) => arr(x, n));
    const len = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    return Array.from({ length: len }, (_, i) => lists.map((l) => l[i]));
  },
};

// ----------------------------------------------------------------------------------------------- API

/** A compiled expression. */
export interface JMESPath {
  readonly expression: string;
  /**
   * Evaluates against JSON data (as JSON.parse returns it). Returns null when nothing matches.
   * @throws JMESPathError on a runtime error (wrong argument types for a function).
   */
  search(data: unknown): Json | unknown;
}

/**
 * Compiles an expression.
 * @throws JMESPathError with a syntax error ("SyntaxError: unexpected token … at position N in …") or an
 * unknown function.
 */
export function compileJMESPath(expression: string): JMESPath {
  const ast = new Parser(tokenize(expression), expression).parse();
  return {
    expression,
    search(data: unknown) {
      const v = new Evaluator(data).eval(ast, data);
      return v === undefined ? null : v;
    },
  };
}
