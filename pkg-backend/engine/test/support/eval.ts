/** Expression test helpers: evaluate expression text and render values with their number kind. */
import assert from 'node:assert/strict';
import { DiagnosticError } from '../../src/syntax/diag.js';
import { evaluate, Scope } from '../../src/syntax/eval.js';
import { parseExpression } from '../../src/syntax/parser.js';
import { SourceFile } from '../../src/syntax/source.js';
import { Capsule, FuncValue, Num, type Value } from '../../src/syntax/value.js';

/** Evaluates expression text with optional scope variables. */
export function ev(src: string, vars: Record<string, Value> = {}): Value {
  const file = new SourceFile('', src);
  return evaluate(parseExpression(src), new Scope(new Map(Object.entries(vars))), file);
}

/** The error text (`L:C: message`) of evaluating src; fails if it evaluates. */
export function evErr(src: string, vars: Record<string, Value> = {}): string {
  try {
    ev(src, vars);
  } catch (e) {
    assert.ok(e instanceof DiagnosticError, `expected DiagnosticError, got ${String(e)}`);
    return e.message;
  }
  assert.fail(`expected ${src} to fail`);
}

/** A compact, kind-revealing rendering of a value: 3 (int), 3u (uint), 3.5f (float). */
export function show(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Num) return v.toString() + (v.kind === 'float' ? 'f' : v.kind === 'uint' ? 'u' : '');
  if (Array.isArray(v)) return '[' + v.map(show).join(', ') + ']';
  if (v instanceof Map) return '{' + [...v].map(([k, x]) => `${k}=${show(x)}`).join(', ') + '}';
  if (v instanceof FuncValue) return 'function';
  return (v as Capsule).display();
}

export function evShow(src: string, vars: Record<string, Value> = {}): string {
  return show(ev(src, vars));
}
