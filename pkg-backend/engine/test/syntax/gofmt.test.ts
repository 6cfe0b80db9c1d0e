import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAny, GoFloat, GoInt, type GoAny } from '../../src/syntax/stdlib/convert.js';
import { sprintf } from '../../src/syntax/stdlib/gofmt.js';
import { formatFloat, goQuote, goQuoteRune } from '../../src/syntax/stdlib/strconv.js';
import { Secret } from '../../src/syntax/value.js';
import { evShow } from '../support/eval.js';

const I = (n: number | bigint): GoAny => new GoInt(BigInt(n), 'int');
const U = (n: bigint): GoAny => new GoInt(n, 'uint64');
const F = (n: number): GoAny => new GoFloat(n);

test('strconv.FormatFloat', () => {
  const cases: [number, string, number, string][] = [
    [1.5, 'g', -1, '1.5'],
    [1e21, 'g', -1, '1e+21'],
    [100000, 'g', -1, '100000'],
    [1e6, 'g', -1, '1e+06'],
    [0.0001, 'g', -1, '0.0001'],
    [0.00001, 'g', -1, '1e-05'],
    [123456789, 'g', 3, '1.23e+08'],
    [0, 'g', -1, '0'],
    [-0, 'g', -1, '-0'],
    [3.14159, 'f', 2, '3.14'],
    [0.5, 'f', 0, '0'],
    [1.5, 'f', 0, '2'],
    [2.5, 'f', 0, '2'],
    [0.125, 'f', 2, '0.12'],
    [0.375, 'f', 2, '0.38'],
    [1.005, 'f', 2, '1.00'],
    [1e22, 'f', 1, '10000000000000000000000.0'],
    [123.456, 'e', 3, '1.235e+02'],
    [0, 'e', 2, '0.00e+00'],
    [1e-300, 'e', -1, '1e-300'],
    [5e-324, 'g', -1, '5e-324'],
    [1.7976931348623157e308, 'g', -1, '1.7976931348623157e+308'],
    [1, 'b', -1, '4503599627370496p-52'],
    [1, 'x', -1, '0x1p+00'],
    [1.5, 'x', -1, '0x1.8p+00'],
    [1, 'x', 2, '0x1.00p+00'],
    [NaN, 'g', -1, 'NaN'],
    [Infinity, 'f', 2, '+Inf'],
    [100, 'G', 2, '1E+02'],
  ];
  for (const [x, f, p, want] of cases) assert.equal(formatFloat(x, f, p), want, `${x} ${f} ${p}`);
});

test('strconv quoting', () => {
  assert.equal(goQuote('a"b\\c\n\t\x00\x7f'), '"a\\"b\\\\c\\n\\t\\x00\\x7f"');
  assert.equal(goQuote('é😀\u00a0'), '"é😀\\u00a0"');
  assert.equal(goQuote('é😀', true), '"\\u00e9\\U0001f600"');
  assert.equal(goQuoteRune(0x27), "'\\''");
  assert.equal(goQuoteRune(0x22), `'"'`);
});

test('sprintf verbs and flags', () => {
  const cases: [string, GoAny[], string][] = [
    ['%v %v %v %v %v', [I(1), F(1.5), 'a', true, null], '1 1.5 a true <nil>'],
    ['%d|%5d|%-5d|%05d|%+d|% d', [I(42), I(42), I(42), I(-42), I(42), I(42)], '42|   42|42   |-0042|+42| 42'],
    [
      '%x %X %o %O %b %#x %#o %#b',
      [I(255), I(255), I(8), I(8), I(5), I(255), I(8), I(5)],
      'ff FF 10 0o10 101 0xff 010 0b101',
    ],
    ['%x', [I(-255)], '-ff'],
    ['%.3d|%8.3d|%.0d', [I(7), I(7), I(0)], '007|     007|'],
    ['%c%c %q %U %#U', [I(72), I(0x1f600), I(65), I(0x1f600), I(65)], "H😀 'A' U+1F600 U+0041 'A'"],
    [
      '%f %.2f %8.3f %-8.1f| %e %E %g %G',
      [F(3.14159), F(3.14159), F(3.14159), F(3.14159), F(1234.5678), F(1234.5678), F(1234.5678), F(1e-7)],
      '3.141590 3.14    3.142 3.1     | 1.234568e+03 1.234568E+03 1234.5678 1E-07',
    ],
    [
      '%+.1f %08.2f % f %#g %#.3x',
      [F(2), F(-3.5), F(1), F(1), F(1)],
      '+2.0 -0003.50  1.000000 1.00000 0x1.000p+00',
    ],
    ['%5.1f|%-6v|%06v', [F(NaN), F(Infinity), F(-1.5)], '  NaN|+Inf  |-001.5'],
    [
      '%s|%10s|%-10s|%.2s|%q|%x|% X|%#x',
      ['go', 'go', 'go', 'héllo', 'a"b', 'hi', 'hi', 'hi'],
      'go|        go|go        |hé|"a\\"b"|6869|68 69|0x6869',
    ],
    ['%#q %+q %#v', ['a`b', 'é', 'x'], '"a`b" "\\u00e9" "x"'],
    ['%#q', ['ab'], '`ab`'],
    ['%t %v', [true, false], 'true false'],
    ['%v', [[I(1), 'a', null, [F(2.5)]]], '[1 a <nil> [2.5]]'],
    ['%d', [[I(1), I(2)]], '[1 2]'],
    ['%q', [['a', 'b']], '["a" "b"]'],
    [
      '%v',
      [
        new Map<string, GoAny>([
          ['b', I(2)],
          ['a', 'x'],
        ]),
      ],
      'map[a:x b:2]',
    ],
    ['%#v', [[I(1), 'a', null]], '[]interface {}{1, "a", interface {}(nil)}'],
    ['%#v', [new Map<string, GoAny>([['k', [true]]])], 'map[string]interface {}{"k":[]interface {}{true}}'],
    ['%#v %#v', [U(18446744073709551615n), F(1)], '0xffffffffffffffff 1'],
    ['%v', [U(18446744073709551615n)], '18446744073709551615'],
    [
      '%T %T %T %T %T %T %T',
      [I(1), F(1), 'a', true, [], new Map(), null],
      'int float64 string bool []interface {} map[string]interface {} <nil>',
    ],
    ['%5t|%-7v|', [true, [I(1)]], ' true|[1      ]|'],
    ['%%|%5%|%c', [I(65)], '%|%|A'],
  ];
  for (const [f, args, want] of cases) assert.equal(sprintf(f, args), want, f);
});

test('sprintf bad verbs, missing and extra arguments', () => {
  const cases: [string, GoAny[], string][] = [
    ['%d', ['x'], '%!d(string=x)'],
    ['%s', [I(1)], '%!s(int=1)'],
    ['%d', [true], '%!d(bool=true)'],
    ['%s', [null], '%!s(<nil>)'],
    ['%z', [F(1.5)], '%!z(float64=1.5)'],
    ['%d', [['a', I(1)]], '[%!d(string=a) 1]'],
    ['%d', [new Map<string, GoAny>([['k', I(1)]])], 'map[%!d(string=k):1]'],
    ['%5d', ['ab'], '%!d(string=   ab)'],
    ['%d %d', [I(1)], '1 %!d(MISSING)'],
    ['%v', [], '%!v(MISSING)'],
    ['%d', [I(1), 'a', null], '1%!(EXTRA string=a, <nil>)'],
    ['x', [F(2)], 'x%!(EXTRA float64=2)'],
    ['%', [], '%!(NOVERB)'],
    ['%-', [I(1)], '%!(NOVERB)%!(EXTRA int=1)'],
    ['%[2]d %[1]d', [I(1), I(2)], '2 1'],
    ['%[3]d', [I(1)], '%!d(BADINDEX)'],
    ['%[x]d', [I(1)], '%!d(BADINDEX)'],
    ['%*d|%-*d|%.*f', [I(4), I(1), I(3), I(2), I(2), F(3.14159)], '   1|2  |3.14'],
    ['%*d', ['x', I(1)], '%!(BADWIDTH)1'],
    ['%.*d', ['x', I(1)], '%!(BADPREC)1'],
    ['%s', [new Secret('pw')], 'pw'],
    ['%d', [new Secret('pw')], '%!d(alloytypes.Secret=pw)'],
    ['%v %d', ['ü'], 'ü %!d(MISSING)'],
  ];
  for (const [f, args, want] of cases) assert.equal(sprintf(f, args), want, f);
});

test('string.format maps Alloy values to Go values as Alloy does', () => {
  assert.equal(
    evShow('string.format("%T %T %T %T", 1, 1.0, 18446744073709551615, 9223372036854775807)'),
    '"int float64 uint64 int"',
  );
  assert.equal(
    evShow('string.format("%v|%v|%v", [1, "a"], {b = true, a = null}, null)'),
    '"[1 a]|map[a:<nil> b:true]|<nil>"',
  );
  assert.equal(evShow('string.format("%d%%", 50)'), '"50%"');
  assert.equal(evShow('string.format("%s", 3)'), '"%!s(int=3)"');
  assert.equal(evShow('string.format("%.1f", 2)'), '"%!f(int=2)"');
  assert.equal(evShow('string.format("%05.1f", 2.25)'), '"002.2"');
  assert.equal(evShow('string.format("hi")'), '"hi"');
  assert.equal(evShow('string.format("%s", "a", "b")'), '"a%!(EXTRA string=b)"');
  assert.ok(decodeAny(null) === null);
});
