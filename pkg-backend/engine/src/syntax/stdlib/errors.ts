/**
 * Value-level errors, as Alloy's `syntax/internal/value` errors. They name the offending value (not a
 * position); the evaluator turns a chain of them into a positioned diagnostic by finding the expression
 * that produced each value (see `eval.ts`).
 *
 * A chain is walked from the outside in: `ArgError` → `ElementError` → `TypeError`, and so on. Only the
 * innermost message is kept; element and field errors add `[i]` / `.name` to the printed path.
 */
import { typeOf, type ObjectValue, type TypeName, type Value } from '../value.js';

/** Where a value lives inside a container, so the evaluator can find the literal that produced it. */
export interface ValueLocation {
  parent: Value[] | ObjectValue;
  key: number | string;
}

/** Base class of every value error; `inner` continues the chain (or ends it with a plain Error). */
export abstract class ValueErrorBase extends Error {
  abstract readonly value: Value;
  readonly inner: Error | undefined;
  /** Where `value` lives, when the thrower knows (e.g. an element of an argument array). */
  loc: ValueLocation | undefined;

  constructor(message: string, inner?: Error, loc?: ValueLocation) {
    super(message);
    this.inner = inner;
    this.loc = loc;
  }
}

/** Go `value.Error`: a general problem with a value; the message is the inner error's. */
export class ValueError extends ValueErrorBase {
  constructor(
    readonly value: Value,
    inner: Error | string,
    loc?: ValueLocation,
  ) {
    const err = typeof inner === 'string' ? new Error(inner) : inner;
    super(err.message, err, loc);
    this.name = 'ValueError';
  }
}

/** Go `value.TypeError`: printed in diagnostics as `should be <expected>, got <actual>`. */
export class ValueTypeError extends ValueErrorBase {
  constructor(
    readonly value: Value,
    readonly expected: TypeName,
    loc?: ValueLocation,
  ) {
    super(`expected ${expected}, got ${typeOf(value)}`, undefined, loc);
    this.name = 'ValueTypeError';
  }
}

/** Go `value.MissingKeyError`: printed as `does not have field named "x"`. */
export class MissingKeyError extends ValueErrorBase {
  constructor(
    readonly value: Value,
    readonly missing: string,
    loc?: ValueLocation,
  ) {
    super(`key ${JSON.stringify(missing)} does not exist`, undefined, loc);
    this.name = 'MissingKeyError';
  }
}

/** Go `value.ElementError`: the problem is in element `index` of the array `value`. */
export class ElementError extends ValueErrorBase {
  constructor(
    readonly value: Value[],
    readonly index: number,
    inner: Error,
  ) {
    super(inner.message, inner);
    this.name = 'ElementError';
  }
}

/** Go `value.FieldError`: the problem is in field `field` of the object `value`. */
export class FieldError extends ValueErrorBase {
  constructor(
    readonly value: ObjectValue,
    readonly field: string,
    inner: Error,
  ) {
    super(inner.message, inner);
    this.name = 'FieldError';
  }
}

/** Go `value.ArgError`: argument `index` of a call is invalid. */
export class ArgError extends ValueErrorBase {
  constructor(
    readonly argument: Value,
    readonly index: number,
    inner: Error,
    loc?: ValueLocation,
  ) {
    super(inner.message, inner, loc);
    this.name = 'ArgError';
  }

  get value(): Value {
    return this.argument;
  }
}

/**
 * An error a raw stdlib function returns as is: Alloy does not prefix it with the function expression
 * (e.g. `group_by: expected 3 arguments, got 2`).
 */
export class BareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BareError';
  }
}

export function isValueError(e: unknown): e is ValueErrorBase {
  return e instanceof ValueErrorBase;
}
