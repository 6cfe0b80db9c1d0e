import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Expr } from '../../src/syntax/ast.js';
import { DiagnosticError } from '../../src/syntax/diag.js';
import {
  collectTraversals,
  evaluate,
  evaluateTraced,
  FieldError,
  ElementError,
  Scope,
  ValueTypeError,
  valueErrorDiagnostic,
} from '../../src/syntax/eval.js';
import { parseExpression } from '../../src/syntax/parser.js';
import { SourceFile, formatPosition } from '../../src/syntax/source.js';
import { Capsule, FuncValue, Num, Secret, fromJS, objectOf, type Value } from '../../src/syntax/value.js';
import { ev, evErr, evShow } from '../support/eval.js';

const obj = objectOf({ a: Num.int(1) });

test('verified results table', () => {
  const ok: [string, string][] = [
    ['-2 ^ 2', '4'],
    ['2 ^ 3 ^ 2', '512'],
    ['2 ^ -1', '2'],
    ['010', '8'],
    ['09', '9f'],
    ['7 / 2', '3'],
    ['7.0 / 2', '3.5f'],
    ['-3 % 2', '-1'],
    ['18446744073709551615 + 1', '0'],
    ['0 - 18446744073709551615', '1'],
    ['obj["missing"]', 'null'],
    ['1 == "1"', 'false'],
    ['[1,2] == [1,2]', 'true'],
    ['{a=1} == {a=1}', 'true'],
    ['coalesce("", 0, false, null, [], "x")', '"x"'],
    ['coalesce("", 0)', '0'],
    ['string.format("%s-%d-%v", "a", 3, 1.5)', '"a-3-1.5"'],
    ['encoding.to_json({b=1, a="x"})', JSON.stringify('{"a":"x","b":1}')],
    ['file.path_join("a", "../b", "c")', '"b/c"'],
    ['"\\u00e9" + `raw\\n`', JSON.stringify('éraw\\n')],
  ];
  for (const [src, want] of ok) assert.equal(evShow(src, { obj }), want, src);
  const bad: [string, string][] = [
    ['5 % 0', '1:5: 0 divide by zero error'],
    ['true || obj.missing', '1:13: field "missing" does not exist'],
    ['1 + "a"', '1:5: "a" should be number, got string'],
    ['"a" + 1', '1:7: 1 should be string, got number'],
    ['1 < 2 < 3', '1:1: 1 < 2 should be one of [number string] for binop <, got bool'],
    ['!1', '1:2: 1 should be bool, got number'],
    ['[1,2,3][5]', '1:9: 5 index 5 is out of range of array with length 3'],
  ];
  for (const [src, want] of bad) assert.equal(evErr(src, { obj }), want, src);
});

test('number literals decode as Go ParseInt(0) → ParseUint → ParseFloat', () => {
  assert.equal(evShow('0'), '0');
  assert.equal(evShow('0777'), '511');
  assert.equal(evShow('9223372036854775807'), '9223372036854775807');
  assert.equal(evShow('9223372036854775808'), '9223372036854775808u');
  assert.equal(evShow('18446744073709551616'), '18446744073709552000f');
  assert.equal(evShow('0189'), '189f');
  assert.equal(evShow('1.5e3'), '1500f');
  assert.equal(evShow('.5'), '0.5f');
  assert.equal(evErr('1e999'), '1:1: strconv.ParseFloat: parsing "1e999": value out of range');
});

test('arithmetic across number kinds: widest kind wins', () => {
  const big = '18446744073709551615'; // uint
  const cases: [string, string][] = [
    // int op int
    ['7 + 2', '9'],
    ['7 - 9', '-2'],
    ['7 * 3', '21'],
    ['-7 / 2', '-3'],
    ['-7 % 3', '-1'],
    ['3 ^ 4', '81'],
    ['0 ^ 0', '1'],
    ['0 ^ 5', '0'],
    ['0 ^ -1', '0'],
    ['1 ^ -5', '1'],
    ['-1 ^ 3', '-1'],
    ['9223372036854775807 + 1', '-9223372036854775808'],
    ['2 ^ 64', '0'],
    ['3 ^ 100', String(BigInt.asIntN(64, 3n ** 100n))],
    // uint op uint
    [`${big} + ${big}`, '18446744073709551614u'],
    [`${big} / ${big}`, '1u'],
    [`${big} % 9223372036854775808`, '9223372036854775807u'],
    [`9223372036854775808 - 9223372036854775809`, '18446744073709551615u'],
    [`9223372036854775808 ^ 2`, '0'], // uint ^ int → int
    [`9223372036854775808 ^ 9223372036854775809`, '0u'],
    // uint with int → int
    [`${big} * 2`, '-2'],
    [`${big} / 1`, '-1'],
    [`2 - ${big}`, '3'],
    // float with anything → float
    ['1.5 + 1', '2.5f'],
    ['1 + 1.5', '2.5f'],
    [`${big} + 0.0`, '18446744073709552000f'],
    ['7.5 % 2', '1.5f'],
    ['-7.5 % 2', '-1.5f'],
    ['2.0 ^ -1', '0.5f'],
    ['42.0 ^ -2', String(Math.pow(42, -2)) + 'f'],
    ['2 ^ 0.5', String(Math.SQRT2) + 'f'],
    ['1.0 / 3', String(1 / 3) + 'f'],
    ['0.1 + 0.2', '0.30000000000000004f'],
    // unary
    ['-(1.5)', '-1.5f'],
    [`-${big}`, '1'],
    ['-(-9223372036854775808)', '-9223372036854775808'],
    ['!true', 'false'],
    ['!!false', 'false'],
  ];
  for (const [src, want] of cases) assert.equal(evShow(src), want, src);
});

test('division by zero is an error for every kind', () => {
  assert.equal(evErr('1 / 0'), '1:5: 0 divide by zero error');
  assert.equal(evErr('1.5 / 0.0'), '1:7: 0.0 divide by zero error');
  assert.equal(evErr('1 % 0.0'), '1:5: 0.0 divide by zero error');
  assert.equal(evErr('18446744073709551615 % (1 - 1)'), '1:24: (1 - 1) divide by zero error');
});

test('comparisons', () => {
  const cases: [string, string][] = [
    ['1 < 2', 'true'],
    ['2 <= 2', 'true'],
    ['3 > 2.5', 'true'],
    ['-1 < 18446744073709551615', 'false'], // int compare: uint reinterpreted as -1
    ['1 < 18446744073709551615.0', 'true'],
    ['"a" < "b"', 'true'],
    ['"B" < "a"', 'true'],
    ['"abc" >= "abd"', 'false'],
    ['"\\uffff" < "\\U0001F600"', 'true'], // byte-wise, not UTF-16
    ['1 == 1.0', 'true'],
    ['18446744073709551615 == -1', 'true'],
    ['null == null', 'true'],
    ['null != false', 'true'],
    ['[1, [2]] == [1, [2]]', 'true'],
    ['{a = 1} == {a = 1, b = 2}', 'false'],
    ['sys.env == sys.env', 'false'],
    ['true && false', 'false'],
    ['false || true', 'true'],
  ];
  for (const [src, want] of cases) assert.equal(evShow(src), want, src);
});

test('binary operator type errors', () => {
  assert.equal(evErr('true + 1'), '1:1: true should be one of [number string capsule] for binop +, got bool');
  assert.equal(evErr('1 - "x"'), '1:5: "x" should be one of [number] for binop -, got string');
  assert.equal(evErr('1 && true'), '1:1: 1 should be one of [bool] for binop &&, got number');
  assert.equal(evErr('true && false || 1'), '1:18: 1 should be one of [bool] for binop ||, got number');
  assert.equal(evErr('[1] < [2]'), '1:1: [1] should be one of [number string] for binop <, got array');
  assert.equal(evErr('"a" < 1'), '1:7: 1 should be string, got number');
  assert.equal(evErr('-"a"'), '1:2: "a" should be number, got string');
  assert.equal(evErr('!(1 + 2)'), '1:2: (1 + 2) should be bool, got number');
});

test('no short-circuit for && and ||', () => {
  assert.equal(evErr('false && x'), '1:10: identifier "x" does not exist');
  assert.equal(evErr('true || [1][3]'), '1:13: 3 index 3 is out of range of array with length 1');
});

test('secrets: string + secret is a secret; equality unwraps', () => {
  const secret = new Secret('s3');
  const v = ev('"a-" + secret', { secret });
  assert.ok(v instanceof Secret);
  assert.equal(v.value, 'a-s3');
  const w = ev('secret + "-b"', { secret });
  assert.ok(w instanceof Secret && w.value === 's3-b');
  assert.equal(evShow('secret == "s3"', { secret }), 'true');
  assert.equal(evErr('secret + 1', { secret }), '1:10: 1 should be capsule, got number');
  const c = new Capsule('x.Thing', {});
  assert.equal(
    evErr('c + c', { c }),
    '1:1: c could not perform binop + for unknown types lhs capsule rhs capsule',
  );
  assert.equal(evErr('c - 1', { c }), '1:1: c should be one of [number] for binop -, got capsule');
});

test('identifiers, scopes and stdlib fallback', () => {
  const parent = new Scope(
    new Map<string, Value>([
      ['x', Num.int(1)],
      ['y', 'p'],
    ]),
  );
  const child = new Scope(
    new Map<string, Value>([
      ['x', Num.int(2)],
      ['string', 'shadow'],
    ]),
    parent,
  );
  const e = (s: string) => evaluate(parseExpression(s), child);
  assert.equal((e('x') as Num).toString(), '2');
  assert.equal(e('y'), 'p');
  assert.equal(e('string'), 'shadow');
  assert.ok(e('sys') instanceof Map);
  assert.equal(child.lookup('nope'), undefined);
  assert.equal(child.lookupVar('sys'), undefined);
  assert.equal(evErr('nope'), '1:1: identifier "nope" does not exist');
  assert.equal(evErr('1 + nope'), '1:5: identifier "nope" does not exist');
});

test('field access and indexing', () => {
  const vars = { o: fromJS({ a: { b: [10, 20] }, s: 'str' }), n: null };
  assert.equal(evShow('o.a.b[1]', vars), '20');
  assert.equal(evShow('o["a"]["b"][0]', vars), '10');
  assert.equal(evShow('o["zzz"]', vars), 'null');
  assert.equal(evShow('[1, 2][1.9]', vars), '2');
  assert.equal(evErr('o.zzz', vars), '1:3: field "zzz" does not exist');
  assert.equal(evErr('o.s.x', vars), '1:1: o.s cannot access field "x" on value of type string');
  assert.equal(evErr('n.x', vars), '1:1: n cannot access field "x" on value of type null');
  assert.equal(evErr('[1][-1]'), '1:5: -1 index -1 is out of range of array with length 1');
  assert.equal(evErr('[1]["a"]'), '1:5: "a" should be number, got string');
  assert.equal(evErr('{a = 1}[0]'), '1:9: 0 should be string, got number');
  assert.equal(evErr('"abc"[0]'), '1:1: "abc" expected object or array, got string');
  assert.equal(evErr('(1 + 2)[0]'), '1:1: (1 + 2) expected object or array, got number');
});

test('capsules convertible to objects support . and []', () => {
  class Target extends Capsule<Record<string, string>> {
    constructor(v: Record<string, string>) {
      super('discovery.Target', v);
    }
    override toObject() {
      return new Map(Object.entries(this.value));
    }
  }
  const t = new Target({ __address__: 'h:1' });
  assert.equal(evShow('t.__address__', { t }), '"h:1"');
  assert.equal(evShow('t["nope"]', { t }), 'null');
  assert.equal(evErr('t.nope', { t }), '1:3: field "nope" does not exist');
  const c = new Capsule('x.Opaque', 1);
  assert.equal(
    evErr('c.f', { c }),
    '1:1: c expected object or array or a capsule convertible to an object, got capsule',
  );
  assert.equal(
    evErr('c[0]', { c }),
    '1:1: c expected object or array or a capsule convertible to an object, got capsule',
  );
});

test('calls: callee type, arity, argument conversion, returned errors', () => {
  assert.equal(evErr('1(2)'), '1:1: 1 should be function, got number');
  assert.equal(evErr('sys.env()'), '1:1: sys.env expected 1 args, got 0');
  assert.equal(evErr('string.format()'), '1:1: string.format expected at least 1 args, got 0');
  assert.equal(evErr('string.to_upper([1])'), '1:17: [1] should be string, got array');
  assert.equal(evErr('string.join([0, {}], ",")'), '1:17: {} should be string, got object');
  assert.equal(evErr('encoding.from_json("{")'), '1:1: encoding.from_json unexpected end of JSON input');
  assert.equal(
    evErr('string.to_upper(s)', { s: new Secret('x') }),
    '1:17: s secrets may not be converted into strings',
  );
  // A host function throwing a plain error is reported on the call.
  const boom = new FuncValue('boom', () => {
    throw new Error('kaboom');
  });
  assert.equal(evErr('1 + boom()', { boom }), '1:5: kaboom');
  // Numbers convert to strings for string parameters; null is the zero value.
  assert.equal(evShow('string.to_upper(12)'), '"12"');
  assert.equal(evShow('string.to_upper(null)'), '""');
});

test('nested value errors print a path from the nearest known expression', () => {
  const src = 'key_value';
  const file = new SourceFile('test', `key = ${src}`);
  const expr = parseExpression(src);
  // Shift the expression into the attribute position (column 7) of the file.
  const shift = (e: Expr): Expr =>
    JSON.parse(JSON.stringify(e), (k, v) => (typeof v === 'number' && /start|end|Start/.test(k) ? v + 6 : v));
  const shifted = shift(expr);
  const vars = { key_value: fromJS({ object: { field1: [15, 30, 'Hello, world!'] } }) };
  const { value, trace } = evaluateTraced(shifted, new Scope(new Map(Object.entries(vars))), file);
  const o = value as Map<string, Value>;
  const inner = o.get('object') as Map<string, Value>;
  const arr = inner.get('field1') as Value[];
  const err = new FieldError(
    o,
    'object',
    new FieldError(inner, 'field1', new ElementError(arr, 2, new ValueTypeError(arr[2]!, 'number'))),
  );
  const d = valueErrorDiagnostic(err, trace, file, [{ value, node: shifted }]);
  assert.equal(
    `${formatPosition(d.start)}: ${d.message}`,
    'test:1:7: key_value.object.field1[2] should be number, got string',
  );

  // The literal case: the error lands on the string literal itself.
  const text = 'key = {\n  object = {\n    field1 = [15, 30, "Hello, world!"],\n  },\n}';
  const f2 = new SourceFile('test', text);
  const e2 = shiftTo(parseExpression(text.slice(6)), 6);
  const r2 = evaluateTraced(e2, new Scope(), f2);
  const o2 = r2.value as Map<string, Value>;
  const i2 = o2.get('object') as Map<string, Value>;
  const a2 = i2.get('field1') as Value[];
  const err2 = new FieldError(
    o2,
    'object',
    new FieldError(i2, 'field1', new ElementError(a2, 2, new ValueTypeError(a2[2]!, 'number'))),
  );
  const d2 = valueErrorDiagnostic(err2, r2.trace, f2, [{ value: r2.value, node: e2 }]);
  assert.equal(
    `${formatPosition(d2.start)}: ${d2.message}`,
    'test:3:23: "Hello, world!" should be number, got string',
  );
});

function shiftTo(e: Expr, by: number): Expr {
  return JSON.parse(JSON.stringify(e), (k, v) =>
    typeof v === 'number' &&
    /^(start|end|nameStart|nameEnd|opStart|lbrack|rbrack|lcurly|rcurly|lparen|rparen)$/.test(k)
      ? v + by
      : v,
  );
}

test('stdlib argument errors point at the offending literal', () => {
  assert.equal(
    evErr('array.combine_maps([{"a" = "a1", "b" = "b1"}], ["a"], ["a"])'),
    '1:49: "a" should be object, got string',
  );
  assert.equal(
    evErr('array.combine_maps([{"a" = "a1", "b" = "b1"}], "a", ["a"])'),
    '1:48: "a" should be array, got string',
  );
  assert.equal(
    evErr('array.group_by([{"name" = "alice", "age" = 20}], "age", false)'),
    '1:44: 20 should be string, got number',
  );
  assert.equal(
    evErr('array.group_by(["not an object"], "age", false)'),
    '1:17: "not an object" should be object, got string',
  );
  assert.equal(
    evErr('array.group_by([{"name" = "alice"}], "age")'),
    '1:1: group_by: expected 3 arguments, got 2',
  );
  assert.equal(evErr('array.concat([1], 2)'), '1:19: 2 should be array, got number');
  assert.equal(
    evErr('array.combine_maps([{"a" = "a1", "b" = "b1"}], [{"a" = "a1", "c" = "b1"}], [])'),
    '1:76: [] combine_maps: merge conditions must not be empty',
  );
});

test('collectTraversals finds maximal identifier chains', () => {
  const paths = (s: string) => collectTraversals(parseExpression(s)).map((t) => t.path.join('.'));
  assert.deepEqual(paths('a.b[0].c'), ['a.b']);
  assert.deepEqual(paths('f(x).y'), ['f', 'x']);
  assert.deepEqual(paths('prometheus.scrape.default.targets + [1, {a = c.d.e}]'), [
    'prometheus.scrape.default.targets',
    'c.d.e',
  ]);
  assert.deepEqual(paths('(a).b'), ['a']);
  assert.deepEqual(paths('x[y.z]'), ['x', 'y.z']);
  assert.deepEqual(paths('-a.b && !c'), ['a.b', 'c']);
  assert.deepEqual(paths('1 + "a"'), []);
  const [t] = collectTraversals(parseExpression('1 + foo.bar'));
  assert.deepEqual([t!.start, t!.end], [4, 11]);
});

// Random expression trees: evaluation only ever throws DiagnosticError and always terminates.
test('property: evaluation throws only DiagnosticError', () => {
  const leaf = fc.oneof(
    fc.constantFrom(
      '0',
      '1',
      '010',
      '09',
      '18446744073709551615',
      '9223372036854775807',
      '1.5',
      '0.0',
      '1e308',
    ),
    fc.constantFrom('"a"', '""', 'true', 'false', 'null', 'x', 'o', 'arr', 'nope', 's'),
    fc.constantFrom('sys', 'string.format', 'coalesce', 'array.concat', 'encoding.to_json', 'string.split'),
  );
  const expr = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc
        .tuple(
          tie('e'),
          fc.constantFrom('+', '-', '*', '/', '%', '^', '==', '!=', '<', '<=', '>', '>=', '&&', '||'),
          tie('e'),
        )
        .map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(fc.constantFrom('-', '!'), tie('e')).map(([op, a]) => `${op}(${a})`),
      fc.array(tie('e'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
      fc.tuple(tie('e'), tie('e')).map(([a, b]) => `{k = ${a}, j = ${b}}`),
      fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a})[${b}]`),
      fc.tuple(tie('e'), fc.constantFrom('a', 'k', 'env', 'x')).map(([a, f]) => `(${a}).${f}`),
      fc.tuple(tie('e'), fc.array(tie('e'), { maxLength: 3 })).map(([f, xs]) => `(${f})(${xs.join(', ')})`),
    ),
  }));
  const vars = new Map<string, Value>([
    ['x', Num.int(3)],
    ['o', objectOf({ a: Num.float(1.5), k: 'v' })],
    ['arr', [Num.int(1), 'two', null]],
    ['s', new Secret('sec')],
  ]);
  const started = Date.now();
  fc.assert(
    fc.property(expr.e, (src) => {
      const file = new SourceFile('', src);
      try {
        evaluate(parseExpression(src), new Scope(vars), file);
      } catch (e) {
        if (!(e instanceof DiagnosticError)) throw e;
      }
    }),
    { numRuns: 400, interruptAfterTimeLimit: 2500 },
  );
  assert.ok(Date.now() - started < 3500);
});
