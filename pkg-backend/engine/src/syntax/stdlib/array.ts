/**
 * `array.*` functions: concat, and the experimental combine_maps and group_by, reproducing Alloy's
 * argument checks, error values and quirks (combine_maps' passthrough appends a non-matching left
 * element once per non-matching right element).
 */
import { Capsule, Num, valuesEqual, type ObjectValue, type Value } from '../value.js';
import { ArgError, BareError, ValueTypeError } from './errors.js';

/** Object view of an object or of a capsule convertible to one (Go TryConvertToObject). */
export function asObject(v: Value): ObjectValue | undefined {
  if (v instanceof Map) return v;
  if (v instanceof Capsule) return v.toObject();
  return undefined;
}

/** `array.concat(...arrays)`: a non-array argument is an ArgError; one argument is returned as is. */
export function concat(args: Value[]): Value {
  if (args.length === 0) return [];
  args.forEach((arg, i) => {
    if (!Array.isArray(arg)) throw new ArgError(arg, i, new ValueTypeError(arg, 'array'));
  });
  if (args.length === 1) return args[0]!;
  return (args as Value[][]).flat(1);
}

/**
 * Go's reflect.Value.Equal as combine_maps uses it: same type and same Go kind. Arrays and objects
 * panic in Alloy; here they never match.
 */
function joinEqual(a: Value, b: Value): boolean {
  if (a instanceof Num && b instanceof Num) {
    if (a.kind !== b.kind) return false;
    return a.kind === 'float' ? a.float === b.float : a.int === b.int;
  }
  if (Array.isArray(a) || a instanceof Map) return false;
  return valuesEqual(a, b);
}

function checkArray(args: Value[], i: number): Value[] {
  const a = args[i]!;
  if (!Array.isArray(a)) throw new ArgError(a, i, new ValueTypeError(a, 'array'));
  return a;
}

/** `array.combine_maps(lhs, rhs, keys[, passthrough_lhs])` (experimental). */
export function combineMaps(args: Value[]): Value {
  if (args.length !== 3 && args.length !== 4) {
    throw new BareError(`combine_maps: expected 3 or 4 arguments, got ${args.length}`);
  }
  const sides: Value[][] = [];
  for (const i of [0, 1]) {
    const arr = checkArray(args, i);
    arr.forEach((elem, j) => {
      if (asObject(elem) === undefined) {
        throw new ArgError(elem, j, new ValueTypeError(elem, 'object'), { parent: arr, key: j });
      }
    });
    sides.push(arr);
  }
  const conds = checkArray(args, 2);
  if (conds.length === 0) {
    throw new ArgError(conds, 2, new Error('combine_maps: merge conditions must not be empty'));
  }
  const keys = conds.map((c, j) => {
    if (typeof c !== 'string')
      throw new ArgError(c, j, new ValueTypeError(c, 'string'), { parent: conds, key: j });
    return c;
  });
  let passthrough = false;
  if (args.length === 4) {
    const p = args[3]!;
    if (typeof p !== 'boolean') throw new ArgError(p, 3, new ValueTypeError(p, 'bool'));
    passthrough = p;
  }
  const [lhs, rhs] = sides as [Value[], Value[]];
  const res: Value[] = [];
  for (const l of lhs) {
    for (const r of rhs) {
      const left = asObject(l)!;
      const right = asObject(r)!;
      const join = keys.every((k) => left.has(k) && right.has(k) && joinEqual(left.get(k)!, right.get(k)!));
      if (join) res.push(new Map([...left, ...right]));
      else if (passthrough) res.push(l);
    }
  }
  return res;
}

/** `array.group_by(array, key, drop_missing)` (experimental). Groups keep first-seen order. */
export function groupBy(args: Value[]): Value {
  if (args.length !== 3) throw new BareError(`group_by: expected 3 arguments, got ${args.length}`);
  const arr = checkArray(args, 0);
  const [, key, drop] = args;
  if (typeof key !== 'string') throw new ArgError(key!, 1, new ValueTypeError(key!, 'string'));
  if (typeof drop !== 'boolean') throw new ArgError(drop!, 2, new ValueTypeError(drop!, 'bool'));
  const groups = new Map<string, Value[]>();
  arr.forEach((item, i) => {
    const obj = asObject(item);
    if (!obj) throw new ArgError(item, i, new ValueTypeError(item, 'object'), { parent: arr, key: i });
    const elem: Value = item instanceof Map ? item : obj;
    if (!obj.has(key)) {
      if (drop) return;
      const g = groups.get('') ?? [];
      g.push(elem);
      groups.set('', g);
      return;
    }
    const val = obj.get(key)!;
    if (typeof val !== 'string') {
      throw new ArgError(val, i, new ValueTypeError(val, 'string'), { parent: obj, key });
    }
    const g = groups.get(val) ?? [];
    g.push(elem);
    groups.set(val, g);
  });
  return [...groups].map(
    ([k, items]): ObjectValue =>
      new Map<string, Value>([
        [key, k],
        ['items', items],
      ]),
  );
}

/** Alloy's coalesce: first argument that is not null, not a zero value and not empty; else the last. */
export function coalesce(args: Value[], isZero: (v: Value) => boolean): Value {
  if (args.length === 0) return null;
  for (const arg of args) {
    if (arg === null || isZero(arg)) continue;
    if (arg instanceof Capsule) {
      const obj = arg.toObject();
      if (obj && obj.size === 0) continue;
    }
    if (Array.isArray(arg) && arg.length === 0) continue;
    if (arg instanceof Map && arg.size === 0) continue;
    return arg;
  }
  return args[args.length - 1]!;
}
