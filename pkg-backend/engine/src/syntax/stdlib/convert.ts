/**
 * Conversions between Alloy values and the Go values Alloy's stdlib functions see: argument decoding
 * into typed parameters (as `value.Decode`: null → zero value, number → string allowed, secrets never
 * become strings), decoding into `any` (as Go's `decodeAny`), and wrapping Go results back into values.
 */
import { Capsule, FuncValue, Num, Secret, typeOf, type ObjectValue, type Value } from '../value.js';
import { ArgError, ElementError, ValueError, ValueTypeError } from './errors.js';

/** A Go integer inside an `any`: `int` when it fits int64, else `uint64` (as Alloy's decodeAny). */
export class GoInt {
  constructor(
    readonly v: bigint,
    readonly type: 'int' | 'uint64',
  ) {}
}

/** A Go float64 inside an `any`. */
export class GoFloat {
  constructor(readonly v: number) {}
}

/** Go value as `any`: nil, bool, string, numbers, []any, map[string]any, capsules, functions. */
export type GoAny =
  null | boolean | string | GoInt | GoFloat | GoAny[] | Map<string, GoAny> | Capsule | FuncValue;

/** Describes a value the way Go's `Value.Describe` does in conversion errors. */
export function describe(v: Value): string {
  if (v instanceof Capsule) return `capsule(${JSON.stringify(v.typeName)})`;
  return typeOf(v);
}

/** Decodes into a Go `string` parameter; throws a value error (not yet wrapped in ArgError). */
export function decodeString(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Num) return v.toString();
  if (v instanceof Secret) throw new ValueError(v, 'secrets may not be converted into strings');
  if (v instanceof Capsule) {
    const s = v.toStringValue();
    if (s !== undefined) return s;
  }
  throw new ValueTypeError(v, 'string');
}

/** Decodes into `[]string`: elements are converted like strings and errors name the element. */
export function decodeStringList(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw new ValueTypeError(v, 'array');
  return v.map((el, i) => {
    try {
      return decodeString(el);
    } catch (e) {
      throw new ElementError(v, i, e as Error);
    }
  });
}

/** Decodes into `alloytypes.Secret`: secrets, strings and string-convertible capsules are accepted. */
export function decodeSecret(v: Value): string {
  if (v === null) return '';
  if (v instanceof Secret) return v.value;
  if (typeof v === 'string') return v;
  if (v instanceof Capsule) {
    const s = v.toStringValue();
    if (s !== undefined) return s;
    throw new ValueError(v, `expected capsule("alloytypes.Secret"), got ${describe(v)}`);
  }
  throw new ValueTypeError(v, 'capsule');
}

/** Go's decodeAny: the dynamic Go value a function taking `any` receives. */
export function decodeAny(v: Value): GoAny {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Num) {
    if (v.kind === 'float') return new GoFloat(v.float);
    if (v.kind === 'uint' && v.int > 0x7fffffffffffffffn) return new GoInt(v.int, 'uint64');
    return new GoInt(BigInt.asIntN(64, v.int), 'int');
  }
  if (Array.isArray(v)) return v.map(decodeAny);
  if (v instanceof Map) {
    const m = new Map<string, GoAny>();
    for (const [k, x] of v) m.set(k, decodeAny(x));
    return m;
  }
  return v;
}

/** Wraps a parameter decoding failure as Go's `value.Call` does. */
export function argError(arg: Value, index: number, e: unknown): never {
  throw new ArgError(arg, index, e as Error);
}

/** Runs `decode` on argument `index`, turning its failure into an ArgError. */
export function decodeArg<T>(args: Value[], index: number, decode: (v: Value) => T): T {
  try {
    return decode(args[index]!);
  } catch (e) {
    return argError(args[index]!, index, e);
  }
}

/** Go result values → Alloy values: `[]string`, decoded JSON/YAML and so on. */
export function encodeGo(v: GoAny): Value {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof GoInt) return v.type === 'uint64' ? Num.uint(v.v) : Num.int(v.v);
  if (v instanceof GoFloat) return Num.float(v.v);
  if (Array.isArray(v)) return v.map(encodeGo);
  if (v instanceof Map) {
    const m: ObjectValue = new Map();
    for (const [k, x] of v) m.set(k, encodeGo(x));
    return m;
  }
  return v;
}

/**
 * Alloy's zero-value test used by coalesce (Go `reflect.Value.IsZero` on the underlying value): null,
 * false, "", numbers equal to 0 (not -0.0), and empty secrets count as zero.
 */
export function isZeroValue(v: Value): boolean {
  if (v === null || v === false || v === '') return true;
  if (v instanceof Num) return v.kind === 'float' ? Object.is(v.float, 0) : v.int === 0n;
  if (v instanceof Secret) return v.value === '';
  return false;
}
