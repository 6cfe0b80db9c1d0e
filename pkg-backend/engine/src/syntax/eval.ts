/**
 * The Alloy expression evaluator (`syntax/vm`): identifiers (scope chain, then the stdlib), field access,
 * indexing, calls, unary and binary operators over the three number kinds, and literal decoding.
 *
 * Errors are thrown as `DiagnosticError`s worded and positioned as Alloy's: the message starts with the
 * printed expression that produced the offending value (plus a `[i]`/`.field` path when the value is
 * nested and has no expression of its own), e.g. `1:5: "a" should be number, got string`.
 */
import type { Expr } from './ast.js';
import { DiagnosticError, diagAt, type Diagnostic } from './diag.js';
import { printExpr } from './printer.js';
import { unquoteString } from './scanner.js';
import type { SourceFile } from './source.js';
import { compareBytes } from './stdlib/gofmt.js';
import {
  ArgError,
  ElementError,
  FieldError,
  MissingKeyError,
  ValueErrorBase,
  ValueTypeError,
  type ValueLocation,
} from './stdlib/errors.js';
import { stdlib } from './stdlib/index.js';
import { parseGoIntBase0 } from './stdlib/encoding.js';
import {
  Capsule,
  FuncValue,
  Num,
  Secret,
  typeOf,
  valuesEqual,
  type NumberKind,
  type ObjectValue,
  type TypeName,
  type Value,
} from './value.js';

export {
  ArgError,
  BareError,
  ElementError,
  FieldError,
  MissingKeyError,
  ValueError,
  ValueErrorBase,
  ValueTypeError,
  type ValueLocation,
} from './stdlib/errors.js';

/**
 * Variables visible to an expression. Lookup goes through `vars`, then the parent chain, then the stdlib.
 */
export class Scope {
  constructor(
    readonly vars: Map<string, Value> = new Map(),
    readonly parent?: Scope,
  ) {}

  /** The variable's value from this scope or an ancestor, else the stdlib identifier, else undefined. */
  lookup(name: string): Value | undefined {
    const v = this.lookupVar(name);
    return v !== undefined ? v : stdlib.get(name);
  }

  /** Like `lookup` without the stdlib fallback. */
  lookupVar(name: string): Value | undefined {
    if (this.vars.has(name)) return this.vars.get(name)!;
    return this.parent?.lookupVar(name);
  }

  /** A child scope with extra variables (e.g. a foreach iteration variable). */
  child(vars: Map<string, Value>): Scope {
    return new Scope(vars, this);
  }
}

/**
 * Remembers which expression produced which value during one evaluation, like Go's `assoc` map, so a
 * value error raised later (by a function or by decoding the result) can be reported at that expression.
 */
export class EvalTrace {
  private readonly byValue = new Map<unknown, Expr>();
  private readonly children = new WeakMap<object, Expr[] | Map<string, Expr>>();

  /** Records that `expr` produced `v` (the latest producer wins; null is never recorded, as in Alloy). */
  record(v: Value, expr: Expr): void {
    if (v !== null) this.byValue.set(v, expr);
  }

  /** Records the element/field expressions of an array or object literal. */
  recordChildren(container: Value[] | ObjectValue, nodes: Expr[] | Map<string, Expr>): void {
    this.children.set(container, nodes);
  }

  /** The expression that produced `v`, preferring the literal element/field at `loc` when known. */
  lookup(v: Value, loc?: ValueLocation): Expr | undefined {
    if (v === null) return undefined;
    if (loc) {
      const nodes = this.children.get(loc.parent);
      const viaParent =
        nodes instanceof Map
          ? nodes.get(String(loc.key))
          : Array.isArray(nodes)
            ? nodes[Number(loc.key)]
            : undefined;
      if (viaParent) return viaParent;
    }
    return this.byValue.get(v);
  }
}

/** A known (value, expression) pair used to resolve an error's first value precisely. */
export interface Known {
  value: Value;
  node: Expr;
}

/**
 * Turns a value-error chain into a diagnostic as Alloy's `makeDiagnostic`: walks the chain, keeps the
 * innermost message, builds a `[i]`/`.field` path relative to the last value whose expression is known,
 * and positions the diagnostic on that expression. `known` pins values whose producer is certain.
 */
export function valueErrorDiagnostic(
  err: ValueErrorBase,
  trace: EvalTrace,
  file?: SourceFile,
  known: Known[] = [],
  fallback?: { start: number; end: number },
): Diagnostic {
  let node: Expr | undefined;
  let path = '';
  let message = '';
  let literal = false;
  let loc: ValueLocation | undefined;
  for (let e: Error | undefined = err; e instanceof ValueErrorBase; e = e.inner) {
    let val: Value;
    let next: ValueLocation | undefined;
    if (e instanceof ElementError) {
      path += `[${e.index}]`;
      val = e.value;
      next = { parent: e.value, key: e.index };
    } else if (e instanceof FieldError) {
      path += `.${e.field}`;
      val = e.value;
      next = { parent: e.value, key: e.field };
    } else if (e instanceof ValueTypeError) {
      message = `should be ${e.expected}, got ${typeOf(e.value)}`;
      val = e.value;
    } else if (e instanceof MissingKeyError) {
      message = `does not have field named ${JSON.stringify(e.missing)}`;
      val = e.value;
    } else {
      // ValueError and ArgError carry the message of their inner error.
      message = e.inner && !(e.inner instanceof ValueErrorBase) ? e.inner.message : e.message;
      val = e.value;
    }
    const where = e.loc ?? loc;
    const found =
      (where && trace.lookup(val, where)) ??
      known.find((k) => Object.is(k.value, val))?.node ??
      trace.lookup(val);
    // An ArgError/ValueError and its inner error usually name the same value: keep its location.
    if (!next && Object.is(e.inner instanceof ValueErrorBase ? e.inner.value : undefined, val)) next = where;
    if (found) {
      if (literal) path = '';
      node = found;
      literal = true;
    } else literal = false;
    loc = next;
  }
  if (node) {
    return diagAt(file, node.start, node.end, `${printExpr(node, file)}${path} ${message}`);
  }
  // Alloy reports these without a position; the fallback range (e.g. the call) is more useful.
  const text = path === '' ? message : `${path} ${message}`;
  return fallback ? diagAt(file, fallback.start, fallback.end, text) : diagAt(undefined, 0, 0, text);
}

/**
 * Evaluates an expression. Throws `DiagnosticError` (positioned in `file` when given) for every failure.
 */
export function evaluate(expr: Expr, scope: Scope, file?: SourceFile): Value {
  return new Evaluator(scope, file, new EvalTrace()).eval(expr);
}

/**
 * Evaluates an expression and also returns the trace of which expression produced which value, so that
 * errors found while decoding the result (e.g. an element of the wrong type) can be reported Alloy-style
 * through `valueErrorDiagnostic(err, trace, file, [{ value, node: expr }])`.
 */
export function evaluateTraced(
  expr: Expr,
  scope: Scope,
  file?: SourceFile,
): { value: Value; trace: EvalTrace } {
  const trace = new EvalTrace();
  const value = new Evaluator(scope, file, trace).eval(expr);
  return { value, trace };
}

/** Maximal `ident(.ident)*` chains in an expression (`a.b[0].c` → a.b; `f(x).y` → f and x). */
export function collectTraversals(expr: Expr): { path: string[]; start: number; end: number }[] {
  const out: { path: string[]; start: number; end: number }[] = [];
  const chain = (e: Expr): string[] | undefined => {
    if (e.kind === 'Identifier') return [e.name];
    if (e.kind === 'Access') {
      const base = chain(e.value);
      return base ? [...base, e.name] : undefined;
    }
    return undefined;
  };
  const walk = (e: Expr): void => {
    const c = chain(e);
    if (c) {
      out.push({ path: c, start: e.start, end: e.end });
      return;
    }
    switch (e.kind) {
      case 'Access':
        walk(e.value);
        break;
      case 'Index':
        walk(e.value);
        walk(e.index);
        break;
      case 'Call':
        walk(e.value);
        e.args.forEach(walk);
        break;
      case 'Array':
        e.elements.forEach(walk);
        break;
      case 'Object':
        e.fields.forEach((f) => walk(f.value));
        break;
      case 'Unary':
        walk(e.value);
        break;
      case 'Binary':
        walk(e.left);
        walk(e.right);
        break;
      case 'Paren':
        walk(e.inner);
        break;
    }
  };
  walk(expr);
  return out;
}

const MIN_INT64 = -(2n ** 63n);

/** Go `int64(f)` on amd64: out-of-range and NaN give the minimum int64. */
function floatToInt64(f: number): bigint {
  if (Number.isNaN(f) || f >= 2 ** 63 || f < -(2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

function numInt(n: Num): bigint {
  return n.kind === 'float' ? floatToInt64(n.float) : BigInt.asIntN(64, n.int);
}

function numUint(n: Num): bigint {
  return n.kind === 'float' ? BigInt.asUintN(64, floatToInt64(n.float)) : BigInt.asUintN(64, n.int);
}

function numFloat(n: Num): number {
  return n.kind === 'float' ? n.float : Number(n.int);
}

const KIND_PREC: Record<NumberKind, number> = { uint: 0, int: 1, float: 2 };

function fitKinds(a: Num, b: Num): NumberKind {
  return KIND_PREC[a.kind] > KIND_PREC[b.kind] ? a.kind : b.kind;
}

/** Alloy's intPow: repeated multiplication (wrapping), `x^0 = 1`, negative exponents return x. */
function intPow(n: bigint, m: bigint, wrap: (v: bigint) => bigint): bigint {
  if (m === 0n || n === 1n) return 1n;
  if (n === 0n && m > 0n) return 0n;
  if (m < 2n) return n;
  // Wrapping multiplication is exact modulo 2^64, so square-and-multiply gives the loop's result fast.
  let result = 1n;
  let base = wrap(n);
  let e = m;
  while (e > 0n) {
    if (e & 1n) result = wrap(result * base);
    base = wrap(base * base);
    e >>= 1n;
  }
  return result;
}

/** Go math.Pow special cases that differ from Math.pow. */
function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

function compareStrings(a: string, b: string): number {
  // UTF-16 order matches UTF-8 byte order unless surrogates are involved.
  if (!/[\ud800-\udfff]/.test(a) && !/[\ud800-\udfff]/.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return compareBytes(a, b);
}

const BINOP_TYPES: Record<string, TypeName[]> = {
  '||': ['bool'],
  '&&': ['bool'],
  '+': ['number', 'string', 'capsule'],
  '-': ['number'],
  '*': ['number'],
  '/': ['number'],
  '%': ['number'],
  '^': ['number'],
  '<': ['number', 'string'],
  '>': ['number', 'string'],
  '<=': ['number', 'string'],
  '>=': ['number', 'string'],
};

/** A capsule standing for a plain string (a non-secret optional secret), as Alloy unwraps them. */
function capsuleString(v: Value): string | undefined {
  return v instanceof Capsule && !(v instanceof Secret) ? v.toStringValue() : undefined;
}

/** Go tryUnwrapCapsules: make a secret/string pair comparable and addable. */
function unwrapCapsules(l: Value, r: Value): [Value, Value] {
  if (l instanceof Secret) {
    if (typeof r === 'string') return [l, new Secret(r)];
    const rs = capsuleString(r);
    return rs !== undefined ? [l, new Secret(rs)] : [l, r];
  }
  if (typeof l === 'string') {
    if (r instanceof Secret) return [new Secret(l), r];
    const rs = capsuleString(r);
    return rs !== undefined ? [l, rs] : [l, r];
  }
  const ls = capsuleString(l);
  if (ls !== undefined) {
    if (r instanceof Secret) return [new Secret(ls), r];
    if (typeof r === 'string') return [ls, r];
  }
  return [l, r];
}

/** Go strconv.ParseFloat on a NUMBER/FLOAT literal; throws Go's range error text for ±Inf. */
function parseFloatLiteral(raw: string): number {
  const f = Number(raw);
  if (!Number.isFinite(f))
    throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(raw)}: value out of range`);
  return f;
}

/** Decodes a NUMBER literal: Go ParseInt(lit, 0, 64), then ParseUint, then ParseFloat. */
export function decodeNumberLiteral(raw: string): Num {
  const v = parseGoIntBase0(raw);
  if (v !== undefined) {
    if (v >= MIN_INT64 && v < 2n ** 63n) return Num.int(v);
    if (v >= 0n && v < 2n ** 64n) return Num.uint(v);
  }
  return Num.float(parseFloatLiteral(raw));
}

class Evaluator {
  constructor(
    readonly scope: Scope,
    readonly file: SourceFile | undefined,
    readonly trace: EvalTrace,
  ) {}

  eval(expr: Expr): Value {
    const v = this.evalInner(expr);
    this.trace.record(v, expr);
    return v;
  }

  /** An error about `node`'s own value: `<node text> <message>` at node. */
  failAt(node: Expr, message: string): never {
    throw new DiagnosticError(
      diagAt(this.file, node.start, node.end, `${printExpr(node, this.file)} ${message}`),
    );
  }

  failPlain(start: number, end: number, message: string): never {
    throw new DiagnosticError(diagAt(this.file, start, end, message));
  }

  evalInner(expr: Expr): Value {
    switch (expr.kind) {
      case 'Literal':
        return this.literal(expr.literalKind, expr.raw, expr);
      case 'Identifier': {
        const v = this.scope.lookup(expr.name);
        if (v === undefined)
          this.failPlain(expr.start, expr.end, `identifier ${JSON.stringify(expr.name)} does not exist`);
        return v;
      }
      case 'Array': {
        const vals = expr.elements.map((e) => this.eval(e));
        this.trace.recordChildren(vals, expr.elements);
        return vals;
      }
      case 'Object': {
        const m: ObjectValue = new Map();
        const nodes = new Map<string, Expr>();
        for (const f of expr.fields) {
          m.set(f.name, this.eval(f.value));
          nodes.set(f.name, f.value);
        }
        this.trace.recordChildren(m, nodes);
        return m;
      }
      case 'Paren':
        return this.eval(expr.inner);
      case 'Access': {
        const val = this.eval(expr.value);
        const obj = val instanceof Map ? val : val instanceof Capsule ? val.toObject() : undefined;
        if (obj) {
          if (!obj.has(expr.name)) {
            this.failPlain(expr.nameStart, expr.end, `field ${JSON.stringify(expr.name)} does not exist`);
          }
          return obj.get(expr.name)!;
        }
        if (val instanceof Capsule) {
          this.failAt(
            expr.value,
            'expected object or array or a capsule convertible to an object, got capsule',
          );
        }
        return this.failAt(
          expr.value,
          `cannot access field ${JSON.stringify(expr.name)} on value of type ${typeOf(val)}`,
        );
      }
      case 'Index':
        return this.index(expr.value, expr.index);
      case 'Call':
        return this.call(expr);
      case 'Unary': {
        const val = this.eval(expr.value);
        if (expr.op === '!') {
          if (typeof val !== 'boolean') this.failAt(expr.value, `should be bool, got ${typeOf(val)}`);
          return !val;
        }
        if (!(val instanceof Num)) return this.failAt(expr.value, `should be number, got ${typeOf(val)}`);
        return val.kind === 'float' ? Num.float(-val.float) : Num.int(-numInt(val));
      }
      case 'Binary': {
        // No short-circuit: Alloy always evaluates both operands.
        const lhs = this.eval(expr.left);
        const rhs = this.eval(expr.right);
        return this.binary(expr.op, lhs, rhs, expr.left, expr.right);
      }
    }
  }

  literal(kind: string, raw: string, node: Expr): Value {
    try {
      switch (kind) {
        case 'NULL':
          return null;
        case 'BOOL':
          return raw === 'true';
        case 'NUMBER':
          return decodeNumberLiteral(raw);
        case 'FLOAT':
          return Num.float(parseFloatLiteral(raw));
        case 'STRING':
          return unquoteString(raw);
      }
    } catch (e) {
      this.failPlain(node.start, node.end, (e as Error).message);
    }
    return this.failPlain(node.start, node.end, `invalid literal ${raw}`);
  }

  index(valueNode: Expr, indexNode: Expr): Value {
    const val = this.eval(valueNode);
    const idx = this.eval(indexNode);
    if (Array.isArray(val)) {
      if (!(idx instanceof Num)) return this.failAt(indexNode, `should be number, got ${typeOf(idx)}`);
      const i = numInt(idx);
      if (i < 0n || i >= BigInt(val.length)) {
        this.failAt(indexNode, `index ${i} is out of range of array with length ${val.length}`);
      }
      return val[Number(i)]!;
    }
    const obj = val instanceof Map ? val : val instanceof Capsule ? val.toObject() : undefined;
    if (obj) {
      if (typeof idx !== 'string') return this.failAt(indexNode, `should be string, got ${typeOf(idx)}`);
      // A missing key read with [] is null (unlike `.`).
      return obj.has(idx) ? obj.get(idx)! : null;
    }
    if (val instanceof Capsule) {
      this.failAt(valueNode, 'expected object or array or a capsule convertible to an object, got capsule');
    }
    return this.failAt(valueNode, `expected object or array, got ${typeOf(val)}`);
  }

  call(expr: Extract<Expr, { kind: 'Call' }>): Value {
    const fn = this.eval(expr.value);
    if (!(fn instanceof FuncValue)) return this.failAt(expr.value, `should be function, got ${typeOf(fn)}`);
    const args = expr.args.map((a) => this.eval(a));
    try {
      return fn.call(args);
    } catch (e) {
      if (e instanceof DiagnosticError) throw e;
      if (e instanceof ValueErrorBase) {
        const known: Known[] = [{ value: fn, node: expr.value }];
        if (e instanceof ArgError && !e.loc && expr.args[e.index] && Object.is(args[e.index], e.argument)) {
          known.unshift({ value: e.argument, node: expr.args[e.index]! });
        }
        throw new DiagnosticError(valueErrorDiagnostic(e, this.trace, this.file, known, expr));
      }
      // Errors a function returns without a value (and host bugs) are reported on the call as they are.
      return this.failPlain(expr.start, expr.end, e instanceof Error ? e.message : String(e));
    }
  }

  binary(op: string, origL: Value, origR: Value, lNode: Expr, rNode: Expr): Value {
    let lhs = origL;
    let rhs = origR;
    if (lhs instanceof Capsule || rhs instanceof Capsule) [lhs, rhs] = unwrapCapsules(lhs, rhs);
    if (op === '==') return valuesEqual(lhs, rhs);
    if (op === '!=') return !valuesEqual(lhs, rhs);

    const allowed = BINOP_TYPES[op]!;
    const lt = typeOf(lhs);
    const rt = typeOf(rhs);
    if (!allowed.includes(lt))
      this.failAt(lNode, `should be one of [${allowed.join(' ')}] for binop ${op}, got ${lt}`);
    if (!allowed.includes(rt))
      this.failAt(rNode, `should be one of [${allowed.join(' ')}] for binop ${op}, got ${rt}`);
    if (lt !== rt) this.failAt(rNode, `should be ${lt}, got ${rt}`);

    switch (op) {
      case '||':
        return (lhs as boolean) || (rhs as boolean);
      case '&&':
        return (lhs as boolean) && (rhs as boolean);
    }
    if (typeof lhs === 'string') {
      const r = rhs as string;
      switch (op) {
        case '+':
          return lhs + r;
        case '<':
          return compareStrings(lhs, r) < 0;
        case '>':
          return compareStrings(lhs, r) > 0;
        case '<=':
          return compareStrings(lhs, r) <= 0;
        case '>=':
          return compareStrings(lhs, r) >= 0;
      }
    }
    if (lhs instanceof Capsule) {
      if (lhs instanceof Secret && rhs instanceof Secret) return new Secret(lhs.value + rhs.value);
      return this.failAt(lNode, `could not perform binop ${op} for unknown types lhs ${lt} rhs ${rt}`);
    }
    return this.numeric(op, lhs as Num, rhs as Num, rNode);
  }

  numeric(op: string, a: Num, b: Num, rNode: Expr): Value {
    if ((op === '/' || op === '%') && (b.kind === 'float' ? b.float === 0 : b.int === 0n)) {
      this.failAt(rNode, 'divide by zero error');
    }
    const kind = fitKinds(a, b);
    if (kind === 'float') {
      const x = numFloat(a);
      const y = numFloat(b);
      switch (op) {
        case '+':
          return Num.float(x + y);
        case '-':
          return Num.float(x - y);
        case '*':
          return Num.float(x * y);
        case '/':
          return Num.float(x / y);
        case '%':
          return Num.float(x % y);
        case '^':
          return Num.float(goPow(x, y));
        case '<':
          return x < y;
        case '>':
          return x > y;
        case '<=':
          return x <= y;
        case '>=':
          return x >= y;
      }
    }
    const unsigned = kind === 'uint';
    const x = unsigned ? numUint(a) : numInt(a);
    const y = unsigned ? numUint(b) : numInt(b);
    const make = unsigned ? Num.uint : Num.int;
    const wrap = unsigned ? (v: bigint) => BigInt.asUintN(64, v) : (v: bigint) => BigInt.asIntN(64, v);
    switch (op) {
      case '+':
        return make(x + y);
      case '-':
        return make(x - y);
      case '*':
        return make(x * y);
      case '/':
        return make(x / y);
      case '%':
        return make(x % y);
      case '^':
        return make(intPow(x, y, wrap));
      case '<':
        return x < y;
      case '>':
        return x > y;
      case '<=':
        return x <= y;
      case '>=':
        return x >= y;
    }
    throw new Error(`unknown operator ${op}`);
  }
}
