/**
 * Argument schemas and the decoder that turns a block body into plain JS arguments, with Alloy's
 * decoding rules and messages (`syntax/vm/struct_decoder.go`, `syntax/internal/value`):
 * defaults, required attributes and blocks, repeated blocks, enum blocks (`stage.*`), implicit
 * number↔string conversion, secrets, capsules matched by type name, and `validate` hooks.
 *
 * Decoded shapes: strings/bools as JS primitives, numbers as JS numbers (integer fields truncate),
 * durations as **milliseconds**, secrets as `Secret`, capsules as their payload, objects as plain
 * records, `any` as plain JS data (capsules kept as Capsule).
 */
import type { BlockStmt, Expr, Stmt } from '../syntax/ast.js';
import { blockName } from '../syntax/ast.js';
import { diagAt, type Diagnostic } from '../syntax/diag.js';
import type { SourceFile } from '../syntax/source.js';
import { Capsule, FuncValue, Num, Secret, typeOf, type Value } from '../syntax/value.js';
import { parseDuration } from './duration.js';

export type TypeSpec =
  | { kind: 'string' }
  | { kind: 'number'; integer?: boolean }
  | { kind: 'bool' }
  | { kind: 'duration' }
  | { kind: 'secret' }
  | { kind: 'optional_secret' }
  | { kind: 'any' }
  | { kind: 'value' }
  | { kind: 'list'; elem: TypeSpec }
  | { kind: 'map'; elem: TypeSpec }
  | { kind: 'capsule'; name: string }
  | { kind: 'target' };

/** Type constructors for schemas: `t.list(t.capsule('storage.Appendable'))`. */
export const t = {
  string: (): TypeSpec => ({ kind: 'string' }),
  number: (): TypeSpec => ({ kind: 'number' }),
  int: (): TypeSpec => ({ kind: 'number', integer: true }),
  bool: (): TypeSpec => ({ kind: 'bool' }),
  /** A Go duration string ("1m30s"); decodes to milliseconds. */
  duration: (): TypeSpec => ({ kind: 'duration' }),
  secret: (): TypeSpec => ({ kind: 'secret' }),
  optionalSecret: (): TypeSpec => ({ kind: 'optional_secret' }),
  /** Any value, converted to plain JS data. */
  any: (): TypeSpec => ({ kind: 'any' }),
  /** Any value, kept as an Alloy Value (for module arguments and exports). */
  value: (): TypeSpec => ({ kind: 'value' }),
  list: (elem: TypeSpec): TypeSpec => ({ kind: 'list', elem }),
  map: (elem: TypeSpec): TypeSpec => ({ kind: 'map', elem }),
  capsule: (name: string): TypeSpec => ({ kind: 'capsule', name }),
  /** A discovery target: an object of string labels (decodes to Record<string, string>). */
  target: (): TypeSpec => ({ kind: 'target' }),
  /** `list(target)`, the type of `targets` arguments and exports. */
  targets: (): TypeSpec => ({ kind: 'list', elem: { kind: 'target' } }),
};

export interface AttrSpec {
  type: TypeSpec;
  required?: boolean;
  /** Default (already in decoded form) used when the attribute is absent. */
  default?: unknown;
}

export interface BlockFieldSpec {
  schema: BlockSchema;
  /** Repeated block: decodes to an array in source order. */
  multiple?: boolean;
  required?: boolean;
  /** Whether the block takes a label (decoded into the `label` key when set). */
  label?: 'required' | 'optional';
  /** Decode an absent block as an empty one, so its defaults apply (Go's SetToDefault of the parent). */
  defaultIfAbsent?: boolean;
}

export interface BlockSchema {
  attrs?: Record<string, AttrSpec>;
  blocks?: Record<string, BlockFieldSpec>;
  /**
   * Enum blocks: differently named blocks sharing a prefix, kept in source order, decoded into
   * `args[field]` as `{ type: 'json', ...args }` entries (as Alloy's `alloy:"stage,enum"`).
   */
  enums?: Record<string, { field: string; members: Record<string, BlockSchema> }>;
  /** Accept any attribute (maps such as `external_labels`); values decode with this type. */
  anyAttrs?: TypeSpec;
  /**
   * Cross-field validation after decoding; returns an error message, or a message and the attribute
   * whose value it concerns (the diagnostic then points at that value), or undefined.
   */
  validate?: (args: any) => string | { message: string; attr?: string } | undefined;
}

/** Evaluates an expression in the decoder's scope (injected so the schema layer stays syntax-agnostic). */
export type ExprEvaluator = (expr: Expr) => Value;

export interface DecodeContext {
  file: SourceFile | undefined;
  evaluate: ExprEvaluator;
  /** Range used for errors without a position of their own (missing required attribute). */
  rangeStart: number;
  rangeEnd: number;
}

/** Thrown inside the decoder; converted into a positioned diagnostic. */
class DecodeError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/**
 * Decodes statements into arguments. Collects every error as a diagnostic instead of stopping at the
 * first; the returned value is only meaningful when `diagnostics` is empty.
 */
export function decodeBody(
  body: Stmt[],
  schema: BlockSchema,
  ctx: DecodeContext,
): { value: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const value = decodeInto(body, schema, ctx, diagnostics);
  return { value, diagnostics };
}

function decodeInto(
  body: Stmt[],
  schema: BlockSchema,
  ctx: DecodeContext,
  diags: Diagnostic[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attrs = schema.attrs ?? {};
  const blocks = schema.blocks ?? {};
  const seenAttrs = new Set<string>();
  const attrExprs = new Map<string, Expr>();
  const blockCounts = new Map<string, number>();
  const fail = (msg: string, start: number, end: number) => diags.push(diagAt(ctx.file, start, end, msg));

  for (const [name, spec] of Object.entries(attrs))
    if (spec.default !== undefined) out[name] = clone(spec.default);
  for (const [name, spec] of Object.entries(blocks)) if (spec.multiple) out[name] = [];
  for (const e of Object.values(schema.enums ?? {})) out[e.field] = [];

  for (const stmt of body) {
    if (stmt.kind === 'Attribute') {
      const spec = attrs[stmt.name];
      if (!spec && !schema.anyAttrs) {
        if (blocks[stmt.name])
          fail(
            `${JSON.stringify(stmt.name)} must be a block, but is used as an attribute`,
            stmt.start,
            stmt.end,
          );
        else fail(`unrecognized attribute name ${JSON.stringify(stmt.name)}`, stmt.start, stmt.end);
        continue;
      }
      if (seenAttrs.has(stmt.name)) {
        fail(`attribute ${JSON.stringify(stmt.name)} may only be provided once`, stmt.start, stmt.end);
        continue;
      }
      seenAttrs.add(stmt.name);
      attrExprs.set(stmt.name, stmt.value);
      try {
        const v = ctx.evaluate(stmt.value);
        out[stmt.name] = convert(v, spec ? spec.type : schema.anyAttrs!, stmt.value);
      } catch (err) {
        pushError(err, diags, ctx, stmt.value.start, stmt.value.end);
      }
      continue;
    }
    decodeBlockStmt(stmt, schema, ctx, diags, out, blockCounts);
  }

  for (const [name, spec] of Object.entries(attrs)) {
    if (spec.required && !seenAttrs.has(name))
      fail(`missing required attribute ${JSON.stringify(name)}`, ctx.rangeStart, ctx.rangeEnd);
  }
  for (const [name, spec] of Object.entries(blocks)) {
    if (spec.required && !blockCounts.has(name))
      fail(`missing required block ${JSON.stringify(name)}`, ctx.rangeStart, ctx.rangeEnd);
  }
  for (const [name, spec] of Object.entries(blocks)) {
    if (spec.defaultIfAbsent && !blockCounts.has(name) && !spec.multiple) {
      out[name] = decodeInto([], spec.schema, ctx, diags);
    }
  }
  if (schema.validate && diags.length === 0) {
    const res = schema.validate(out);
    if (typeof res === 'string') fail(res, ctx.rangeStart, ctx.rangeEnd);
    else if (res) {
      const e = res.attr ? attrExprs.get(res.attr) : undefined;
      fail(res.message, e ? e.start : ctx.rangeStart, e ? e.end : ctx.rangeEnd);
    }
  }
  return out;
}

function decodeBlockStmt(
  stmt: BlockStmt,
  schema: BlockSchema,
  ctx: DecodeContext,
  diags: Diagnostic[],
  out: Record<string, unknown>,
  counts: Map<string, number>,
): void {
  const name = blockName(stmt);
  const fail = (msg: string): void => void diags.push(diagAt(ctx.file, stmt.nameStart, stmt.nameEnd, msg));
  const spec = schema.blocks?.[name];
  const sub = (s: BlockSchema) =>
    decodeInto(stmt.body, s, { ...ctx, rangeStart: stmt.start, rangeEnd: stmt.end }, diags);
  if (spec) {
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    if (!spec.multiple && n > 1) return fail(`block ${JSON.stringify(name)} may only be specified once`);
    if (spec.label === 'required' && stmt.label === undefined)
      return fail(`block ${JSON.stringify(name)} requires non-empty label`);
    if (!spec.label && stmt.label !== undefined)
      return fail(`block ${JSON.stringify(name)} does not support specifying labels`);
    const v = sub(spec.schema);
    if (stmt.label !== undefined) v.label = stmt.label;
    if (spec.multiple) (out[name] as unknown[]).push(v);
    else out[name] = v;
    return;
  }
  for (const [prefix, e] of Object.entries(schema.enums ?? {})) {
    if (!name.startsWith(prefix + '.')) continue;
    const member = e.members[name.slice(prefix.length + 1)];
    if (!member) break;
    if (stmt.label !== undefined)
      return fail(`block ${JSON.stringify(name)} does not support specifying labels`);
    (out[e.field] as unknown[]).push({ type: name.slice(prefix.length + 1), ...sub(member) });
    return;
  }
  if (schema.attrs?.[name])
    return fail(`${JSON.stringify(name)} must be an attribute, but is used as a block`);
  if (schema.anyAttrs) return fail('nested blocks not supported here');
  fail(`unrecognized block name ${JSON.stringify(name)}`);
}

function pushError(err: unknown, diags: Diagnostic[], ctx: DecodeContext, start: number, end: number): void {
  if (err instanceof DecodeError) diags.push(diagAt(ctx.file, err.start, err.end, err.message));
  else if (err && typeof err === 'object' && 'diagnostics' in err)
    diags.push(...(err as { diagnostics: Diagnostic[] }).diagnostics);
  else diags.push(diagAt(ctx.file, start, end, err instanceof Error ? err.message : String(err)));
}

/** Element expressions of a literal array/object so conversion errors point at the element, as Alloy. */
function elementExpr(expr: Expr | undefined, index: number | string): Expr | undefined {
  if (!expr) return undefined;
  if (expr.kind === 'Array' && typeof index === 'number') return expr.elements[index];
  if (expr.kind === 'Object' && typeof index === 'string')
    return expr.fields.find((f) => f.name === index)?.value;
  return undefined;
}

function typeError(expected: string, v: Value, expr: Expr | undefined): DecodeError {
  return new DecodeError(`expected ${expected}, got ${typeOf(v)}`, expr?.start ?? -1, expr?.end ?? -1);
}

/**
 * Converts an evaluated value to the decoded form of `type` (Alloy's implicit conversions:
 * number→string, numeric string→number, string→secret, capsule by type name).
 *
 * @throws DecodeError positioned at `expr` (or the offending element of a literal array/object).
 */
export function convert(v: Value, type: TypeSpec, expr?: Expr): unknown {
  switch (type.kind) {
    case 'value':
      return v;
    case 'any':
      return toPlain(v);
    case 'string':
      if (typeof v === 'string') return v;
      if (v instanceof Num) return v.toString();
      if (v instanceof Capsule && v.toStringValue() !== undefined) return v.toStringValue();
      throw typeError('string', v, expr);
    case 'secret':
    case 'optional_secret':
      if (v instanceof Secret) return v;
      if (typeof v === 'string') return type.kind === 'secret' ? new Secret(v) : v;
      if (v instanceof Num) return type.kind === 'secret' ? new Secret(v.toString()) : v.toString();
      throw typeError(type.kind === 'secret' ? 'secret' : 'string', v, expr);
    case 'bool':
      if (typeof v === 'boolean') return v;
      throw typeError('bool', v, expr);
    case 'number': {
      let n: number;
      if (v instanceof Num) n = v.toNumber();
      else if (typeof v === 'string') n = parseNumberString(v, expr);
      else throw typeError('number', v, expr);
      return type.integer ? Math.trunc(n) : n;
    }
    case 'duration': {
      if (typeof v !== 'string') throw typeError('string', v, expr);
      try {
        return parseDuration(v);
      } catch (err) {
        throw new DecodeError((err as Error).message, expr?.start ?? -1, expr?.end ?? -1);
      }
    }
    case 'list': {
      if (!Array.isArray(v)) throw typeError('array', v, expr);
      return v.map((el, i) => convert(el, type.elem, elementExpr(expr, i) ?? expr));
    }
    case 'map': {
      const obj = v instanceof Map ? v : v instanceof Capsule ? v.toObject() : undefined;
      if (!obj) throw typeError('object', v, expr);
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, el] of obj) out[k] = convert(el, type.elem, elementExpr(expr, k) ?? expr);
      return out;
    }
    case 'capsule':
      if (v instanceof Capsule && v.typeName === type.name) return v.value;
      throw typeError(`capsule(${JSON.stringify(type.name)})`, v, expr);
    case 'target': {
      const obj = v instanceof Map ? v : v instanceof Capsule ? v.toObject() : undefined;
      if (!obj) {
        throw new DecodeError(
          `target::ConvertFrom: conversion from '${goTypeName(v)}' is not supported`,
          expr?.start ?? -1,
          expr?.end ?? -1,
        );
      }
      const out: Record<string, string> = Object.create(null);
      for (const [k, el] of obj)
        out[k] = convert(el, { kind: 'string' }, elementExpr(expr, k) ?? expr) as string;
      return out;
    }
  }
}

/** The Go type a value decodes to when the target is `any` (used in conversion error texts). */
function goTypeName(v: Value): string {
  if (v instanceof Num) return v.kind === 'float' ? 'float64' : v.kind === 'uint' ? 'uint64' : 'int64';
  switch (typeOf(v)) {
    case 'string':
      return 'string';
    case 'bool':
      return 'bool';
    case 'array':
      return '[]interface {}';
    case 'null':
      return '<nil>';
    default:
      return typeOf(v);
  }
}

function parseNumberString(s: string, expr: Expr | undefined): number {
  const n = s.trim() === '' ? NaN : Number(s);
  if (Number.isNaN(n))
    throw new DecodeError(`expected number, got string`, expr?.start ?? -1, expr?.end ?? -1);
  return n;
}

/** Plain JS data from a value: numbers → number, objects → records, capsules kept, functions → undefined. */
export function toPlain(v: Value): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Num) return v.toNumber();
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, el] of v) out[k] = toPlain(el);
    return out;
  }
  if (v instanceof FuncValue) return undefined;
  return v;
}

function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out as T;
  }
  return v;
}

/**
 * Deep equality of decoded arguments (Alloy updates a component only when its arguments change).
 * Plain objects and arrays compare structurally; class instances (receivers, secrets) by identity,
 * except Secret/Capsule which compare by payload.
 */
export function argsEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!argsEqual(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Capsule && b instanceof Capsule)
    return a.typeName === b.typeName && argsEqual(a.value, b.value);
  const pa = Object.getPrototypeOf(a);
  const pb = Object.getPrototypeOf(b);
  const plain = (p: unknown) => p === Object.prototype || p === null;
  if (!plain(pa) || !plain(pb)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!argsEqual((a as any)[k], (b as any)[k])) return false;
  return true;
}
