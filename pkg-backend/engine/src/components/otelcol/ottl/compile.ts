/**
 * Compiles parsed OTTL into closures over a `TransformContext`: statements (an editor call with an
 * optional `where` condition) and conditions. Everything a configuration can get wrong — syntax, unknown
 * functions, paths, enums, argument counts, kinds and names, regexes — is reported here, at build time,
 * with the collector's message shapes:
 *
 *   unable to parse OTTL statement "…": statement has invalid syntax: 1:14: unexpected token …
 *   unable to parse OTTL condition "…": condition has invalid syntax: 1:5: …
 *   undefined function "foo"
 *   incorrect number of arguments. Expected: 2 Received: 1
 *   invalid argument at position 0: must be a path
 *   segment "nme" from path "nme" is not a valid path nor a valid OTTL keyword for the Span context …
 *   enum symbol, SPAN_KIND_SERVR, not found
 */
import { OttlGrammarError, OttlSyntaxError } from './lexer.js';
import {
  parseCondition,
  parseStatement,
  type ArgNode,
  type BoolNode,
  type CallNode,
  type FieldNode,
  type KeyNode,
  type ValueNode,
} from './parser.js';
import {
  ENUMS,
  OttlCompileError,
  OttlRuntimeError,
  prefixContext,
  resolvePath,
  type Accessor,
  type ContextName,
  type KeyEval,
  type TransformContext,
} from './contexts.js';
import { FUNCTIONS, type BoundArgs, type FunctionDef, type Getter } from './functions.js';
import { compare, fromAnyValue, OttlList, OttlMap, typeName, type OttlValue } from './values.js';
import type { AnyValue } from '../../../protocols/otlp/index.js';

export type Condition = (tc: TransformContext) => boolean;

export interface Statement {
  readonly text: string;
  /** Runs the editor when the `where` condition holds. @throws OttlRuntimeError */
  execute(tc: TransformContext): void;
}

/** A configuration error in an OTTL statement or condition. */
export class OttlError extends Error {}

interface Env {
  ctx: ContextName;
}

function positionError(position: number, msg: string): OttlCompileError {
  return new OttlCompileError(`invalid argument at position ${position}: ${msg}`);
}

function compileKeys(keys: KeyNode[], env: Env): KeyEval[] {
  return keys.map((k): KeyEval => {
    if (k.kind === 'string') return () => k.value;
    if (k.kind === 'int') return () => k.value;
    const g = compileValue(k.value, env);
    return (tc) => {
      const v = g(tc);
      if (typeof v === 'string' || typeof v === 'bigint') return v;
      throw new OttlRuntimeError(`unsupported key type ${typeName(v)}: keys must be strings or ints`);
    };
  });
}

function pathAccessor(node: ValueNode & { kind: 'path' }, env: Env): Accessor {
  return resolvePath(env.ctx, node, (f: FieldNode) => compileKeys(f.keys, env));
}

/** Indexes a converter's result (`Split(x, ",")[0]`, `ParseJSON(b)["k"]`). */
function indexResult(v: OttlValue, k: string | bigint): OttlValue {
  if (v === null) return null;
  if (typeof k === 'string') {
    if (v instanceof OttlMap) {
      for (const kv of v.kvs) if (kv.key === k) return fromAnyValue(kv.value);
      return null;
    }
    if (v instanceof Map) return v.get(k) ?? null;
    throw new OttlRuntimeError(`type, ${typeName(v)}, does not support string indexing`);
  }
  const i = Number(k);
  if (v instanceof OttlList) {
    if (i < 0 || i >= v.values.length) throw new OttlRuntimeError(`index ${i} out of bounds`);
    return fromAnyValue(v.values[i] as AnyValue);
  }
  if (Array.isArray(v)) {
    if (i < 0 || i >= v.length) throw new OttlRuntimeError(`index ${i} out of bounds`);
    return v[i]!;
  }
  throw new OttlRuntimeError(`type, ${typeName(v)}, does not support int indexing`);
}

function math(op: string, a: OttlValue, b: OttlValue): OttlValue {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case '+':
        return BigInt.asIntN(64, a + b);
      case '-':
        return BigInt.asIntN(64, a - b);
      case '*':
        return BigInt.asIntN(64, a * b);
      default:
        if (b === 0n) throw new OttlRuntimeError('attempted to divide by 0');
        return a / b;
    }
  }
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      default:
        if (b === 0) throw new OttlRuntimeError('attempted to divide by 0');
        return a / b;
    }
  }
  throw new OttlRuntimeError(`unsupported math operation on ${typeName(a)} and ${typeName(b)}`);
}

export function compileValue(node: ValueNode, env: Env): Getter {
  switch (node.kind) {
    case 'nil':
      return () => null;
    case 'string':
    case 'int':
    case 'float':
    case 'bool':
    case 'bytes': {
      const v = node.value;
      return () => v;
    }
    case 'enum': {
      const v = ENUMS[node.name];
      if (v === undefined) throw new OttlCompileError(`enum symbol, ${node.name}, not found`);
      return () => v;
    }
    case 'list': {
      const items = node.items.map((i) => compileValue(i, env));
      return (tc) => items.map((g) => g(tc));
    }
    case 'map': {
      const items = node.items.map(([k, v]) => [k, compileValue(v, env)] as const);
      return (tc) => new Map(items.map(([k, g]) => [k, g(tc)]));
    }
    case 'math': {
      const l = compileValue(node.left, env);
      const r = compileValue(node.right, env);
      const op = node.op;
      return (tc) => math(op, l(tc), r(tc));
    }
    case 'path': {
      const acc = pathAccessor(node, env);
      return (tc) => acc.get(tc);
    }
    case 'converter':
    case 'editor': {
      if (node.kind === 'editor')
        throw new OttlCompileError(
          `converter names must start with an uppercase letter but got '${node.name}'`,
        );
      const g = compileCall(node, env);
      if (node.keys.length === 0) return g;
      const keys = compileKeys(node.keys, env);
      return (tc) => {
        let v = g(tc);
        for (const k of keys) v = indexResult(v, k(tc));
        return v;
      };
    }
  }
}

function bindArgs(def: FunctionDef, call: CallNode, env: Env): BoundArgs {
  const a: BoundArgs = { targets: {}, getters: {}, literals: {}, lists: {}, funcs: {} };
  const required = def.params.filter((p) => !p.optional).length;
  if (call.args.length > def.params.length || call.args.length < required) {
    const named = call.args.some((x) => x.name !== undefined);
    if (!named || call.args.length > def.params.length)
      throw new OttlCompileError(
        `incorrect number of arguments. Expected: ${def.params.length === required ? required : `${required}-${def.params.length}`} Received: ${call.args.length}`,
      );
  }
  const assigned = new Map<string, ArgNode>();
  let sawNamed = false;
  call.args.forEach((arg, i) => {
    if (arg.name !== undefined) {
      sawNamed = true;
      if (!def.params.some((p) => p.name === arg.name))
        throw new OttlCompileError(`no such parameter: ${arg.name}`);
      if (assigned.has(arg.name)) throw new OttlCompileError(`duplicate parameter name: ${arg.name}`);
      assigned.set(arg.name, arg);
    } else {
      if (sawNamed) throw new OttlCompileError('unnamed argument used after named argument');
      assigned.set(def.params[i]!.name, arg);
    }
  });
  def.params.forEach((p, position) => {
    const arg = assigned.get(p.name);
    if (!arg) {
      if (!p.optional) throw new OttlCompileError(`missing required argument: ${p.name}`);
      return;
    }
    const v = arg.value;
    switch (p.kind) {
      case 'target':
        if (!v || v.kind !== 'path') throw positionError(position, 'must be a path');
        a.targets[p.name] = pathAccessor(v, env);
        break;
      case 'getter':
        if (!v) throw positionError(position, 'must be a value');
        a.getters[p.name] = compileValue(v, env);
        break;
      case 'string':
        if (!v || v.kind !== 'string') throw positionError(position, 'must be a string');
        a.literals[p.name] = v.value;
        break;
      case 'int':
        if (!v || v.kind !== 'int') throw positionError(position, 'must be an int');
        a.literals[p.name] = v.value;
        break;
      case 'stringList':
        if (!v || v.kind !== 'list' || v.items.some((x) => x.kind !== 'string'))
          throw positionError(position, 'must be a list of strings');
        a.literals[p.name] = v.items.map((x) => (x as { value: string }).value);
        break;
      case 'getterList':
        if (!v || v.kind !== 'list') throw positionError(position, 'must be a list');
        a.lists[p.name] = v.items.map((x) => compileValue(x, env));
        break;
      case 'func':
        if (arg.funcName !== undefined) a.funcs[p.name] = arg.funcName;
        else if (v && v.kind === 'enum') a.funcs[p.name] = v.name;
        else throw positionError(position, 'must be a function name');
        break;
    }
  });
  return a;
}

function compileCall(call: CallNode, env: Env): Getter {
  const def = FUNCTIONS[call.name];
  if (!def) throw new OttlCompileError(`undefined function "${call.name}"`);
  if (def.contexts && !def.contexts.includes(env.ctx))
    throw new OttlCompileError(`${call.name} cannot be used in the ${env.ctx} context`);
  const bound = bindArgs(def, call, env);
  try {
    return def.build(bound, call.name);
  } catch (e) {
    if (e instanceof OttlCompileError) throw e;
    throw new OttlCompileError((e as Error).message);
  }
}

export function compileBool(node: BoolNode, env: Env): Condition {
  switch (node.kind) {
    case 'const': {
      const v = node.value;
      return () => v;
    }
    case 'not': {
      const c = compileBool(node.item, env);
      return (tc) => !c(tc);
    }
    case 'and': {
      const cs = node.items.map((i) => compileBool(i, env));
      return (tc) => cs.every((c) => c(tc));
    }
    case 'or': {
      const cs = node.items.map((i) => compileBool(i, env));
      return (tc) => cs.some((c) => c(tc));
    }
    case 'cmp': {
      const l = compileValue(node.left, env);
      const r = compileValue(node.right, env);
      const op = node.op;
      return (tc) => compare(l(tc), r(tc), op);
    }
    case 'call': {
      if (node.call.kind === 'editor')
        throw new OttlCompileError(
          `converter names must start with an uppercase letter but got '${node.call.name}'`,
        );
      const g = compileValue(node.call, env);
      return (tc) => {
        const v = g(tc);
        if (typeof v !== 'boolean')
          throw new OttlRuntimeError(
            `value returned from Converter in constant expression must be bool but got ${typeName(v)}`,
          );
        return v;
      };
    }
  }
}

function wrap(kind: 'statement' | 'condition', text: string, e: unknown): OttlError {
  const q = JSON.stringify(text);
  if (e instanceof OttlSyntaxError)
    return new OttlError(`unable to parse OTTL ${kind} ${q}: ${kind} has invalid syntax: ${e.message}`);
  if (e instanceof OttlCompileError || e instanceof OttlGrammarError || e instanceof OttlError)
    return new OttlError(`unable to parse OTTL ${kind} ${q}: ${e.message}`);
  throw e;
}

/** Compiles a statement for a context. @throws OttlError */
export function compileStatement(text: string, ctx: ContextName): Statement {
  try {
    const node = parseStatement(text);
    const env = { ctx };
    const fn = compileCall(node.editor, env);
    const where = node.where ? compileBool(node.where, env) : undefined;
    return {
      text,
      execute: (tc) => {
        if (where && !where(tc)) return;
        fn(tc);
      },
    };
  } catch (e) {
    throw wrap('statement', text, e);
  }
}

/** Compiles a condition for a context. @throws OttlError */
export function compileCondition(text: string, ctx: ContextName): Condition {
  try {
    return compileBool(parseCondition(text), { ctx });
  } catch (e) {
    throw wrap('condition', text, e);
  }
}

const ORDER: ContextName[] = ['resource', 'scope', 'span', 'spanevent', 'metric', 'datapoint', 'log'];

/**
 * Infers the context of statements without one (the collector's context inferrer): the lowest context
 * named by a path prefix (`span.name` → span, `resource.attributes` → resource), among `allowed`.
 * @throws OttlError when no path names a context.
 */
export function inferContext(
  texts: string[],
  allowed: ContextName[],
  kind: 'statement' | 'condition' = 'statement',
): ContextName {
  let best = -1;
  for (const text of texts) {
    let names: string[] = [];
    try {
      names = kind === 'statement' ? prefixesOfStatement(text) : prefixesOfCondition(text);
    } catch (e) {
      throw wrap(kind, text, e);
    }
    for (const n of names) {
      const c = prefixContext(n);
      if (c && allowed.includes(c)) best = Math.max(best, ORDER.indexOf(c));
    }
  }
  if (best < 0)
    throw new OttlError(
      `unable to infer a valid context (${allowed.join(', ')}) from statements ${JSON.stringify(texts)} and conditions []`,
    );
  return ORDER[best]!;
}

function prefixesOfStatement(text: string): string[] {
  const s = parseStatement(text);
  const out: string[] = [];
  visitCall(s.editor, out);
  if (s.where) visitBool(s.where, out);
  return out;
}

function prefixesOfCondition(text: string): string[] {
  const out: string[] = [];
  visitBool(parseCondition(text), out);
  return out;
}

function visitBool(b: BoolNode, out: string[]): void {
  switch (b.kind) {
    case 'or':
    case 'and':
      b.items.forEach((i) => visitBool(i, out));
      return;
    case 'not':
      visitBool(b.item, out);
      return;
    case 'cmp':
      visitValue(b.left, out);
      visitValue(b.right, out);
      return;
    case 'call':
      visitCall(b.call, out);
      return;
  }
}

function visitCall(c: CallNode, out: string[]): void {
  for (const a of c.args) if (a.value) visitValue(a.value, out);
}

function visitValue(v: ValueNode, out: string[]): void {
  switch (v.kind) {
    case 'path':
      if (v.fields.length > 1) out.push(v.fields[0]!.name);
      return;
    case 'converter':
    case 'editor':
      visitCall(v, out);
      return;
    case 'list':
      v.items.forEach((i) => visitValue(i, out));
      return;
    case 'map':
      v.items.forEach(([, i]) => visitValue(i, out));
      return;
    case 'math':
      visitValue(v.left, out);
      visitValue(v.right, out);
      return;
  }
}
