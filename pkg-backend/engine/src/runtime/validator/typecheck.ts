/**
 * Static type check of a block body against an argument schema, as Alloy's `syntax/typecheck` (used
 * by `alloy validate`). Nothing is evaluated except literals: unknown or repeated attributes and blocks,
 * missing required ones, and the types of literal values (also inside array and object literals, and
 * unary/binary expressions over literals). References, calls and indexing are left unchecked, exactly
 * as Alloy does, since their values are only known at run time.
 */
import type { BlockStmt, Expr, Stmt } from '../../syntax/ast.js';
import { blockName } from '../../syntax/ast.js';
import { diagAt, type Diagnostic } from '../../syntax/diag.js';
import { evaluate, Scope } from '../../syntax/eval.js';
import type { SourceFile } from '../../syntax/source.js';
import type { Value } from '../../syntax/value.js';
import { convert, type BlockSchema, type TypeSpec } from '../schema.js';

/** Range used for whole-block errors (missing required attributes and blocks). */
export interface BlockRange {
  start: number;
  end: number;
}

const EMPTY_SCOPE = new Scope();

/** Type-checks `body` against `schema`; `range` is the enclosing block (for "missing required …"). */
export function typecheckBody(
  body: Stmt[],
  schema: BlockSchema,
  file: SourceFile,
  range: BlockRange,
): Diagnostic[] {
  const diags: Diagnostic[] = [];
  checkBlock(body, schema, file, range, diags);
  return diags;
}

function checkBlock(
  body: Stmt[],
  schema: BlockSchema,
  file: SourceFile,
  range: BlockRange,
  diags: Diagnostic[],
): void {
  const fail = (start: number, end: number, msg: string) => diags.push(diagAt(file, start, end, msg));
  const attrs = schema.attrs ?? {};
  const blocks = schema.blocks ?? {};
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  // Values of attributes known statically, for attribute-level validation below.
  const known = new Map<string, { value: unknown; expr: Expr }>();
  const before = diags.length;
  for (const s of body) if (s.kind === 'Block') counts.set(blockName(s), (counts.get(blockName(s)) ?? 0) + 1);

  for (const stmt of body) {
    if (stmt.kind === 'Block') {
      checkNestedBlock(stmt, schema, counts, file, diags);
      continue;
    }
    const spec = attrs[stmt.name];
    if (!spec) {
      if (blocks[stmt.name])
        fail(
          stmt.start,
          stmt.end,
          `${JSON.stringify(stmt.name)} must be a block, but is used as an attribute`,
        );
      else fail(stmt.start, stmt.end, `unrecognized attribute name ${JSON.stringify(stmt.name)}`);
      continue;
    }
    if (seen.has(stmt.name)) {
      fail(stmt.start, stmt.end, `attribute ${JSON.stringify(stmt.name)} may only be provided once`);
      continue;
    }
    seen.add(stmt.name);
    const res = checkExpr(stmt.value, spec.type, file, diags);
    if (res.known) known.set(stmt.name, { value: res.value, expr: stmt.value });
  }

  for (const [name, spec] of Object.entries(attrs)) {
    if (spec.required && !seen.has(name))
      fail(range.start, range.end, `missing required attribute ${JSON.stringify(name)}`);
  }
  for (const [name, spec] of Object.entries(blocks)) {
    if (spec.required && !counts.has(name))
      fail(range.start, range.end, `missing required block ${JSON.stringify(name)}`);
  }
  if (schema.validate && diags.length === before) attrValidation(schema, known, file, diags);
}

/**
 * Alloy's type check decodes each literal into its Go type, which runs value unmarshalers (e.g. an
 * otelcol header `action`). Our schemas express those as `validate` results naming an attribute, so
 * only such results are reported, and only for attributes whose literal value is known; whole-block
 * validation is a run-time check in Alloy and is skipped here.
 */
function attrValidation(
  schema: BlockSchema,
  known: Map<string, { value: unknown; expr: Expr }>,
  file: SourceFile,
  diags: Diagnostic[],
): void {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema.attrs ?? {}))
    if (spec.default !== undefined) out[name] = cloneDefault(spec.default);
  for (const [name, spec] of Object.entries(schema.blocks ?? {})) if (spec.multiple) out[name] = [];
  for (const e of Object.values(schema.enums ?? {})) out[e.field] = [];
  for (const [name, k] of known) out[name] = k.value;
  let res: ReturnType<NonNullable<BlockSchema['validate']>>;
  try {
    res = schema.validate!(out);
  } catch {
    return; // partial arguments: the hook could not run, nothing to report statically
  }
  if (res && typeof res === 'object' && res.attr) {
    const k = known.get(res.attr);
    if (k) diags.push(diagAt(file, k.expr.start, k.expr.end, res.message));
  }
}

function cloneDefault(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneDefault);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneDefault(x)]));
  }
  return v;
}

function checkNestedBlock(
  stmt: BlockStmt,
  schema: BlockSchema,
  counts: Map<string, number>,
  file: SourceFile,
  diags: Diagnostic[],
): void {
  const name = blockName(stmt);
  const fail = (msg: string) => diags.push(diagAt(file, stmt.start, stmt.end, msg));
  for (const [prefix, e] of Object.entries(schema.enums ?? {})) {
    if (!name.startsWith(prefix + '.')) continue;
    const member = e.members[name.slice(prefix.length + 1)];
    if (member) return checkSubBlock(stmt, member, file, diags);
  }
  const spec = schema.blocks?.[name];
  if (!spec) {
    if (schema.attrs?.[name])
      return void fail(`${JSON.stringify(name)} must be an attribute, but is used as a block`);
    return void fail(`unrecognized block name ${JSON.stringify(name)}`);
  }
  // Alloy reports every occurrence of a block that may appear once, not only the repeated ones.
  if (!spec.multiple && (counts.get(name) ?? 0) > 1)
    return void fail(`block ${JSON.stringify(name)} may only be specified once`);
  checkSubBlock(stmt, spec.schema, file, diags);
}

function checkSubBlock(stmt: BlockStmt, schema: BlockSchema, file: SourceFile, diags: Diagnostic[]): void {
  if (schema.anyAttrs) {
    // A map-typed block: Alloy only checks that it has no label.
    if (stmt.label !== undefined) {
      diags.push(
        diagAt(
          file,
          stmt.nameStart,
          stmt.lcurly + 1,
          `block ${JSON.stringify(blockName(stmt))} requires empty label`,
        ),
      );
    }
    return;
  }
  checkBlock(stmt.body, schema, file, { start: stmt.start, end: stmt.end }, diags);
}

interface CheckResult {
  /** True when the expression's value is fully known (a literal, or an operator over literals). */
  known: boolean;
  value?: unknown;
}

const UNKNOWN: CheckResult = { known: false };

/** Checks an expression against `type`; only literal structure is inspected (Alloy's typecheckExpr). */
function checkExpr(expr: Expr, type: TypeSpec, file: SourceFile, diags: Diagnostic[]): CheckResult {
  switch (expr.kind) {
    case 'Literal':
      // null decodes into any type as its zero value.
      if (expr.literalKind === 'NULL') return UNKNOWN;
      return checkValue(literalValue(expr), type, expr, expr, file, diags);
    case 'Array': {
      if (type.kind === 'any' || type.kind === 'value') return UNKNOWN;
      if (type.kind !== 'list') {
        // Reuse the decoder's wording for "expected X, got array".
        checkValue([], type, expr, expr, file, diags);
        return UNKNOWN;
      }
      if (type.elem.kind === 'any' || type.elem.kind === 'value') return UNKNOWN;
      for (const el of expr.elements) checkExpr(el, type.elem, file, diags);
      return UNKNOWN;
    }
    case 'Object': {
      // Targets and capsules accept objects; their contents are not checked (as Alloy).
      if (type.kind === 'any' || type.kind === 'value' || type.kind === 'target' || type.kind === 'capsule')
        return UNKNOWN;
      if (type.kind !== 'map') {
        checkValue(new Map(), type, expr, expr, file, diags);
        return UNKNOWN;
      }
      if (type.elem.kind === 'any' || type.elem.kind === 'value') return UNKNOWN;
      for (const f of expr.fields) checkExpr(f.value, type.elem, file, diags);
      return UNKNOWN;
    }
    case 'Unary': {
      if (expr.value.kind !== 'Literal') return UNKNOWN;
      try {
        evaluate(expr, EMPTY_SCOPE, file);
      } catch (e) {
        diags.push(diagAt(file, expr.value.start, expr.value.end, errorText(e)));
        return UNKNOWN;
      }
      // Alloy checks the operand literal against the expected type, not the result.
      checkValue(literalValue(expr.value), type, expr.value, expr.value, file, diags);
      return UNKNOWN;
    }
    case 'Binary': {
      if (expr.left.kind !== 'Literal' || expr.right.kind !== 'Literal') return UNKNOWN;
      let v: Value;
      try {
        v = evaluate(expr, EMPTY_SCOPE, file);
      } catch (e) {
        diags.push(diagAt(file, expr.left.start, expr.right.end, errorText(e)));
        return UNKNOWN;
      }
      return checkValue(v, type, expr, expr, file, diags);
    }
    default:
      return UNKNOWN;
  }
}

function checkValue(
  v: Value,
  type: TypeSpec,
  expr: Expr,
  at: Expr,
  file: SourceFile,
  diags: Diagnostic[],
): CheckResult {
  try {
    return { known: true, value: convert(v, type, expr) };
  } catch (e) {
    diags.push(diagAt(file, at.start, at.end, errorText(e)));
    return UNKNOWN;
  }
}

function literalValue(expr: Expr): Value {
  return evaluate(expr, EMPTY_SCOPE);
}

/** The bare message of an error (Alloy reports the conversion error text at the literal). */
function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'diagnostics' in e) {
    const ds = (e as { diagnostics: Diagnostic[] }).diagnostics;
    if (ds.length) return ds[0]!.message;
  }
  return e instanceof Error ? e.message : String(e);
}
