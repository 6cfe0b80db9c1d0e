/**
 * The Alloy value model (`syntax/internal/value`): null, number, string, bool, array, object, function
 * and capsule.
 *
 * - Numbers keep Go's three kinds (uint64, int64, float64) so integer division, `010` = 8 and uint
 *   wrap-around behave as Alloy: integers are bigints wrapped to 64 bits, floats are JS numbers.
 * - Objects are `Map<string, Value>` (no prototype surprises with keys like `__proto__`).
 * - Capsules are opaque host values (receivers, secrets); they are compared by identity or a custom
 *   equality and never printed by accident.
 */

export type NumberKind = 'uint' | 'int' | 'float';

export class Num {
  private constructor(
    readonly kind: NumberKind,
    /** Integer value for 'int' (signed 64-bit) and 'uint' (unsigned 64-bit); 0n for floats. */
    readonly int: bigint,
    /** Float value for 'float'; NaN for integers. */
    readonly float: number,
  ) {}

  static int(v: bigint | number): Num {
    return new Num('int', BigInt.asIntN(64, typeof v === 'number' ? BigInt(Math.trunc(v)) : v), NaN);
  }

  static uint(v: bigint | number): Num {
    return new Num('uint', BigInt.asUintN(64, typeof v === 'number' ? BigInt(Math.trunc(v)) : v), NaN);
  }

  static float(v: number): Num {
    return new Num('float', 0n, v);
  }

  /** A JS number as an Alloy number: integers that fit int64 become int, everything else float. */
  static fromJS(v: number): Num {
    return Number.isSafeInteger(v) ? Num.int(BigInt(v)) : Num.float(v);
  }

  /** The value as a JS number (may lose precision above 2^53). */
  toNumber(): number {
    return this.kind === 'float' ? this.float : Number(this.int);
  }

  /** Go `FormatFloat(f,'f',-1)` for floats, decimal for integers (Alloy's number → string). */
  toString(): string {
    if (this.kind !== 'float') return this.int.toString();
    return formatFloatF(this.float);
  }
}

/** Go `strconv.FormatFloat(f, 'f', -1, 64)`: shortest representation, never exponent notation. */
export function formatFloatF(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (Object.is(f, -0)) return '-0';
  const s = String(f);
  if (!/e/i.test(s)) return s;
  // Expand exponent notation without losing the shortest digits.
  const neg = s.startsWith('-');
  const [mant, expStr] = (neg ? s.slice(1) : s).split(/e/i) as [string, string];
  const exp = Number(expStr);
  const [ip, fp = ''] = mant.split('.') as [string, string?];
  const digits = ip + fp;
  let point = ip.length + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  out = out.replace(/^0+(?=\d)/, '');
  if (point <= 0) point = 0;
  return (neg ? '-' : '') + out;
}

/** A function value: the stdlib's and any host function exposed to expressions. */
export class FuncValue {
  constructor(
    readonly name: string,
    /** Called with evaluated arguments; throws `ValueError`/`ArgError` for bad input. */
    readonly call: (args: Value[]) => Value,
  ) {}
}

/**
 * An opaque host value. `typeName` names the Go-equivalent type (`storage.Appendable`,
 * `loki.LogsReceiver`, `otelcol.Consumer`, `alloytypes.Secret`, …); an attribute expecting a capsule
 * accepts only a capsule of the same typeName.
 */
export class Capsule<T = unknown> {
  constructor(
    readonly typeName: string,
    readonly value: T,
  ) {}

  /** Deep equality used by `==` and by argument change detection. Defaults to identity of the payload. */
  equals(other: Capsule): boolean {
    return other.typeName === this.typeName && other.value === this.value;
  }

  /** Text shown by printers and the API (never the payload of a secret). */
  display(): string {
    return `capsule("${this.typeName}")`;
  }

  /** Capsules that convert to an object (e.g. targets) return it here; used by `.field`, coalesce, JSON. */
  toObject(): Map<string, Value> | undefined {
    return undefined;
  }

  /** Capsules that convert to a string (e.g. optional secrets that are not secret) return it here. */
  toStringValue(): string | undefined {
    return undefined;
  }
}

/** `alloytypes.Secret`: a string that is redacted as `(secret)` wherever values are shown. */
export class Secret extends Capsule<string> {
  constructor(value: string) {
    super('alloytypes.Secret', value);
  }

  override display(): string {
    return '(secret)';
  }

  override toString(): string {
    return '(secret)';
  }

  toJSON(): string {
    return '(secret)';
  }
}

export type ObjectValue = Map<string, Value>;

export type Value = null | boolean | string | Num | Value[] | ObjectValue | FuncValue | Capsule;

export type TypeName = 'null' | 'number' | 'string' | 'bool' | 'array' | 'object' | 'function' | 'capsule';

/** Alloy's type name of a value, as printed in errors ("should be number, got string"). */
export function typeOf(v: Value): TypeName {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
  }
  if (v instanceof Num) return 'number';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'object';
  if (v instanceof FuncValue) return 'function';
  return 'capsule';
}

/** Structural equality as Alloy's `==`: different types are never equal, functions never equal. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return !(a instanceof FuncValue);
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  switch (ta) {
    case 'number':
      return numbersEqual(a as Num, b as Num);
    case 'array': {
      const x = a as Value[];
      const y = b as Value[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!valuesEqual(x[i]!, y[i]!)) return false;
      return true;
    }
    case 'object': {
      const x = a as ObjectValue;
      const y = b as ObjectValue;
      if (x.size !== y.size) return false;
      for (const [k, v] of x) {
        if (!y.has(k) || !valuesEqual(v, y.get(k)!)) return false;
      }
      return true;
    }
    case 'capsule':
      return (a as Capsule).equals(b as Capsule);
    default:
      return false;
  }
}

/** Numeric equality across kinds (1 == 1.0 is true in Alloy since both convert to the wider kind). */
export function numbersEqual(a: Num, b: Num): boolean {
  if (a.kind === 'float' || b.kind === 'float') return a.toNumber() === b.toNumber();
  if (a.kind === b.kind) return a.int === b.int;
  // int vs uint: Alloy converts both to the wider kind (int); compare as 64-bit patterns reinterpreted.
  return BigInt.asIntN(64, a.int) === BigInt.asIntN(64, b.int);
}

/** Builds an object value from entries (convenience for hosts and tests). */
export function objectOf(entries: Record<string, Value>): ObjectValue {
  return new Map(Object.entries(entries));
}

/**
 * Converts plain JS data (as components export it) into an Alloy value: numbers via Num.fromJS,
 * plain objects to Map, arrays recursively; Values pass through unchanged.
 */
export function fromJS(v: unknown): Value {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      return Num.fromJS(v);
    case 'bigint':
      return Num.int(v);
  }
  if (v instanceof Num || v instanceof FuncValue || v instanceof Capsule) return v;
  if (Array.isArray(v)) return v.map(fromJS);
  if (v instanceof Map) {
    const m: ObjectValue = new Map();
    for (const [k, x] of v) m.set(String(k), fromJS(x));
    return m;
  }
  if (typeof v === 'object') {
    const m: ObjectValue = new Map();
    for (const [k, x] of Object.entries(v as object)) if (x !== undefined) m.set(k, fromJS(x));
    return m;
  }
  throw new TypeError(`cannot convert ${typeof v} to an Alloy value`);
}
