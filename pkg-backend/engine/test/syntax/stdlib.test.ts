import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeVersion, setBuildVersion, stdlib, stdlibInfo } from '../../src/syntax/stdlib/index.js';
import { base64Decode, parseYAML, queryEscape, queryUnescape } from '../../src/syntax/stdlib/encoding.js';
import { parseGoJSON } from '../../src/syntax/stdlib/gojson.js';
import { cleanPath, joinPath } from '../../src/syntax/stdlib/path.js';
import * as str from '../../src/syntax/stdlib/strings.js';
import { Capsule, Num, Secret, objectOf, type Value } from '../../src/syntax/value.js';
import { ev, evErr, evShow } from '../support/eval.js';

test('constants', () => {
  const c = stdlib.get('constants') as Map<string, Value>;
  assert.equal(typeof c.get('hostname'), 'string');
  assert.ok(['linux', 'darwin', 'windows', 'freebsd'].includes(c.get('os') as string));
  assert.ok(!['x64', 'ia32'].includes(c.get('arch') as string));
  assert.equal(evShow('constants.version'), '"v0.0.0"');
  setBuildVersion('1.2');
  assert.equal(evShow('constants.version'), '"v1.2.0"');
  setBuildVersion('');
  assert.equal(evShow('constants.version'), '"v0.0.0"');
  assert.equal(normalizeVersion(' v1.18.0-rc.1+abc '), 'v1.18.0-rc.1+abc');
  assert.equal(normalizeVersion('01.02.03'), 'v1.2.3');
  assert.equal(normalizeVersion('devel'), 'devel');
  assert.equal(normalizeVersion('1.2-rc'), '1.2-rc');
});

test('sys.env, convert.nonsensitive and deprecated aliases', () => {
  process.env.FOUNDRY_TEST_VAR = 'Hello!';
  assert.equal(evShow('sys.env("FOUNDRY_TEST_VAR")'), '"Hello!"');
  assert.equal(evShow('env("FOUNDRY_TEST_VAR")'), '"Hello!"');
  assert.equal(evShow('sys.env("FOUNDRY_UNSET_VAR_X")'), '""');
  const secret = new Secret('foo');
  assert.equal(evShow('convert.nonsensitive(secret)', { secret }), '"foo"');
  assert.equal(evShow('nonsensitive(secret)', { secret }), '"foo"');
  assert.equal(evShow('convert.nonsensitive("plain")'), '"plain"');
  assert.equal(evErr('convert.nonsensitive(1)'), '1:22: 1 should be capsule, got number');
  for (const name of [
    'concat',
    'json_decode',
    'yaml_decode',
    'base64_decode',
    'format',
    'join',
    'replace',
    'split',
    'to_lower',
    'to_upper',
    'trim',
    'trim_prefix',
    'trim_suffix',
    'trim_space',
  ]) {
    assert.ok(stdlib.has(name), name);
    assert.deepEqual(stdlibInfo(name), { deprecated: true, stability: 'generally-available' });
  }
  assert.equal(evShow('concat([true, "foo"], [], [false, 1])'), '[true, "foo", false, 1]');
  assert.equal(evShow('json_decode("{\\"foo\\": \\"bar\\"}")'), '{foo="bar"}');
  assert.equal(
    evShow('base64_decode("Zm9vYmFyMTIzIT8kKiYoKSctPUB+")'),
    JSON.stringify("foobar123!?$*&()'-=@~"),
  );
});

test('stdlibInfo', () => {
  assert.deepEqual(stdlibInfo('array.combine_maps'), { deprecated: false, stability: 'experimental' });
  assert.deepEqual(stdlibInfo('array.group_by'), { deprecated: false, stability: 'experimental' });
  assert.deepEqual(stdlibInfo('string.format'), { deprecated: false, stability: 'generally-available' });
  assert.deepEqual(stdlibInfo('string'), { deprecated: false, stability: 'generally-available' });
  assert.equal(stdlibInfo('string.nope'), undefined);
  assert.equal(stdlibInfo('nope'), undefined);
});

test('coalesce skips null, zero values and empty collections', () => {
  const cases: [string, string][] = [
    ['coalesce()', 'null'],
    ['coalesce("Hello!")', '"Hello!"'],
    ['coalesce([], ["fallback"])', '["fallback"]'],
    ['coalesce(array.concat(["item"]), ["fallback"])', '["item"]'],
    ['coalesce(0, 1, 2)', '1'],
    ['coalesce(0.0, 2)', '2'],
    ['coalesce(false, true)', 'true'],
    ['coalesce(encoding.from_json("[]"), true)', 'true'],
    ['coalesce(encoding.from_json("{}"), false)', 'false'],
    ['coalesce([], null)', 'null'],
    ['coalesce({}, {a = 1})', '{a=1}'],
    ['coalesce(null, "", [])', '[]'],
  ];
  for (const [src, want] of cases) assert.equal(evShow(src), want, src);
  class Empty extends Capsule {
    override toObject() {
      return new Map<string, Value>();
    }
  }
  assert.equal(evShow('coalesce(e, "x")', { e: new Empty('t', null) }), '"x"');
  assert.equal(evShow('coalesce(s, "x")', { s: new Secret('') }), '"x"');
  // -0.0 is not Go's zero value (IsZero compares bits).
  const negZero = ev('coalesce(-0.0, 2)') as Num;
  assert.ok(negZero.kind === 'float' && Object.is(negZero.float, -0));
});

test('json_path', () => {
  assert.equal(evShow('json_path("{\\"a\\": \\"b\\"}", ".a")'), '["b"]');
  assert.equal(evShow('json_path("{\\"a\\": \\"b\\"}", ".nonexists")'), '[]');
  assert.equal(evShow('json_path("{\\"a\\": \\"b\\"}", ".a")[0]'), '"b"');
  assert.equal(evShow('json_path("{\\"a\\": {\\"n\\": 1, \\"f\\": 1.5}}", "$.a.*")'), '[1, 1.5f]');
  const arr = JSON.stringify(
    JSON.stringify([
      { name: 'Department', value: 'IT' },
      { name: 'ReferenceNumber', value: '123456' },
    ]),
  );
  assert.equal(evShow(`json_path(${arr}, "[?(@.name == \\"Department\\")].value")`), '["IT"]');
  assert.match(evErr('json_path("{", ".a")'), /^1:1: json_path unexpected end of JSON input$/);
});

test('array.concat', () => {
  assert.equal(evShow('array.concat()'), '[]');
  assert.equal(evShow('array.concat([1])'), '[1]');
  assert.equal(evShow('array.concat([true, "foo"], [], [false, 1])'), '[true, "foo", false, 1]');
  assert.equal(evErr('array.concat([], "x")'), '1:18: "x" should be array, got string');
});

test('array.combine_maps', () => {
  const cases: [string, string][] = [
    [
      'array.combine_maps([{"a" = "a1", "b" = "b1"}], [{"a" = "a1", "c" = "c1"}], ["a"])',
      '[{a="a1", b="b1", c="c1"}]',
    ],
    ['array.combine_maps([{"a" = 1, "b" = 2.2}], [{"a" = 1, "b" = "3.3"}], ["a"])', '[{a=1, b="3.3"}]'],
    ['array.combine_maps([{"a" = 1, "b" = 2.2}], [{"a" = 2, "b" = "3.3"}], ["a"])', '[]'],
    ['array.combine_maps([{"a" = 1}], [{"a" = "1"}], ["a"])', '[]'],
    ['array.combine_maps([{"a" = 1}], [{"a" = 1.0}], ["a"])', '[]'],
    [
      'array.combine_maps([{"a" = 1, "b" = 4.2, "c" = 5}, {"d" = "asdf"}], [{"a" = 2, "b" = "5.3"}], ["a"], true)',
      '[{a=1, b=4.2f, c=5}, {d="asdf"}]',
    ],
    // Passthrough quirk: a non-matching lhs element is appended once per non-matching rhs element.
    ['array.combine_maps([{"a" = 1}], [{"a" = 2}, {"a" = 3}], ["a"], true)', '[{a=1}, {a=1}]'],
    [
      'array.combine_maps([{"a" = 1, "n" = 1.1}, {"a" = 1, "n" = 1.2}], [{"a" = 1, "n" = 2.1}, {"a" = 1, "n" = 2.2}], ["a"])',
      '[{a=1, n=2.1f}, {a=1, n=2.2f}, {a=1, n=2.1f}, {a=1, n=2.2f}]',
    ],
    ['array.combine_maps([{"a" = 1, "b" = 3}], [{"a" = 1, "b" = 3, "n" = 1}], ["a", "b", "c"])', '[]'],
  ];
  for (const [src, want] of cases) assert.equal(evShow(src), want, src);
  assert.equal(evErr('array.combine_maps([], [])'), '1:1: combine_maps: expected 3 or 4 arguments, got 2');
  assert.equal(evErr('array.combine_maps([], [], ["a"], 1)'), '1:35: 1 should be bool, got number');
});

test('array.group_by', () => {
  assert.equal(
    evShow(
      'array.group_by([{"type" = "fruit", "name" = "apple"}, {"type" = "veg", "name" = "carrot"}, {"type" = "fruit", "name" = "banana"}], "type", false)',
    ),
    '[{type="fruit", items=[{type="fruit", name="apple"}, {type="fruit", name="banana"}]}, {type="veg", items=[{type="veg", name="carrot"}]}]',
  );
  assert.equal(
    evShow('array.group_by([{"name" = "alice", "age" = "20"}, {"name" = "bob"}], "age", true)'),
    '[{age="20", items=[{name="alice", age="20"}]}]',
  );
  assert.equal(
    evShow('array.group_by([{"name" = "bob"}, {"name" = "al", "age" = "1"}], "age", false)'),
    '[{age="", items=[{name="bob"}]}, {age="1", items=[{name="al", age="1"}]}]',
  );
  assert.equal(evShow('array.group_by([], "age", false)'), '[]');
  assert.equal(
    evErr('array.group_by("not an array", "age", false)'),
    '1:16: "not an array" should be array, got string',
  );
  assert.equal(
    evErr('array.group_by([{"name" = "alice"}], 123, false)'),
    '1:38: 123 should be string, got number',
  );
  assert.equal(
    evErr('array.group_by([{"name" = "alice"}], "age", "x")'),
    '1:45: "x" should be bool, got string',
  );
});

test('encoding.from_json / from_yaml', () => {
  assert.equal(evShow('encoding.from_json("[0, 1, 2]")'), '[0f, 1f, 2f]');
  assert.equal(evShow('encoding.from_json("{\\"foo\\": null}")'), '{foo=null}');
  assert.equal(evShow('encoding.from_json("\\"x\\"")'), '"x"');
  assert.equal(evShow('encoding.from_yaml("[0, 1, 2]")'), '[0, 1, 2]');
  assert.equal(evShow('encoding.from_yaml("[0.0, 1.0]")'), '[0f, 1f]');
  assert.equal(evShow('encoding.from_yaml(`foo: bar`)'), '{foo="bar"}');
  assert.equal(evShow('encoding.from_yaml("foo: null")'), '{foo=null}');
  assert.equal(evShow('yaml_decode("a: [1, 2]")'), '{a=[1, 2]}');
  assert.equal(evShow('encoding.from_yaml("")'), 'null');
  assert.equal(
    evErr('encoding.from_json("[1, x]")'),
    "1:1: encoding.from_json invalid character 'x' looking for beginning of value",
  );
  assert.match(evErr('encoding.from_yaml("a: [")'), /^1:1: encoding\.from_yaml yaml: /);
});

test('Go JSON decoding errors', () => {
  const err = (s: string) => {
    try {
      parseGoJSON(s);
    } catch (e) {
      return (e as Error).message;
    }
    return 'ok';
  };
  assert.equal(err(''), 'unexpected end of JSON input');
  assert.equal(err('{"a" 1}'), "invalid character '1' after object key");
  assert.equal(err('{"a": 1 "b"}'), `invalid character '"' after object key:value pair`);
  assert.equal(err('[1 2]'), "invalid character '2' after array element");
  assert.equal(err('{1: 2}'), "invalid character '1' looking for beginning of object key string");
  assert.equal(err('tru'), 'unexpected end of JSON input');
  assert.equal(err('trux'), "invalid character 'x' in literal true (expecting 'e')");
  assert.equal(err('nul'), 'unexpected end of JSON input');
  assert.equal(err('01'), "invalid character '1' after top-level value");
  assert.equal(err('-x'), "invalid character 'x' in numeric literal");
  assert.equal(err('1.x'), "invalid character 'x' after decimal point in numeric literal");
  assert.equal(err('1ex'), "invalid character 'x' in exponent of numeric literal");
  assert.equal(err('"\\q"'), "invalid character 'q' in string escape code");
  assert.equal(err('"\\u12x4"'), "invalid character 'x' in \\u hexadecimal character escape");
  assert.equal(err('"a\nb"'), "invalid character '\\n' in string literal");
  assert.equal(err("'a'"), "invalid character '\\'' looking for beginning of value");
  assert.equal(err('1e400'), 'json: cannot unmarshal number 1e400 into Go value of type float64');
  assert.deepEqual(parseGoJSON('"\\ud83d\\ude00 \\u00e9"'), '😀 é');
  assert.deepEqual(parseGoJSON('{"a":1,"a":2}'), new Map([['a', parseGoJSON('2')]]));
});

test('YAML follows yaml.v3 scalar resolution', () => {
  const y = (s: string) => {
    const v = parseYAML(s);
    return JSON.stringify(v, (_, x) =>
      x instanceof Map
        ? Object.fromEntries(x)
        : typeof x === 'object' && x && 'v' in x
          ? `${x.constructor.name}:${x.v}`
          : x,
    );
  };
  assert.equal(y('a: 010'), '{"a":"GoInt:8"}');
  assert.equal(y('a: 0x1F'), '{"a":"GoInt:31"}');
  assert.equal(y('a: 1_000'), '{"a":"GoInt:1000"}');
  assert.equal(y('a: 0o17'), '{"a":"GoInt:15"}');
  assert.equal(y('a: 1.5'), '{"a":"GoFloat:1.5"}');
  assert.equal(y('a: yes'), '{"a":"yes"}');
  assert.equal(y('a: True'), '{"a":true}');
  assert.equal(y('a: 18446744073709551615'), '{"a":"GoInt:18446744073709551615"}');
  assert.equal(y('a: 2001-12-14'), '{"a":"2001-12-14"}');
  assert.equal(
    y('base: &b {x: 1}\nc:\n  <<: *b\n  y: 2'),
    '{"base":{"x":"GoInt:1"},"c":{"x":"GoInt:1","y":"GoInt:2"}}',
  );
  assert.equal(y('a: 1\n---\nb: 2'), '{"a":"GoInt:1"}');
  assert.equal(evShow('encoding.from_yaml("a: 18446744073709551615")'), '{a=18446744073709551615u}');
});

test('base64 and URL encodings', () => {
  assert.equal(
    evShow('encoding.from_base64("Zm9vYmFyMTIzIT8kKiYoKSctPUB+")'),
    JSON.stringify("foobar123!?$*&()'-=@~"),
  );
  assert.equal(
    evShow('encoding.from_URLbase64("c3RyaW5nMTIzIT8kKiYoKSctPUB-")'),
    JSON.stringify("string123!?$*&()'-=@~"),
  );
  assert.equal(
    evShow('encoding.to_base64("string123!?$*&()\'-=@~")'.replace("\\'", "'")),
    '"c3RyaW5nMTIzIT8kKiYoKSctPUB+"',
  );
  assert.equal(
    evShow('encoding.to_URLbase64("string123!?$*&()\'-=@~")'.replace("\\'", "'")),
    '"c3RyaW5nMTIzIT8kKiYoKSctPUB-"',
  );
  assert.equal(evShow('encoding.to_base64("a")'), '"YQ=="');
  assert.equal(evShow('encoding.to_base64("ab")'), '"YWI="');
  assert.equal(evShow('encoding.to_base64("")'), '""');
  assert.equal(evShow('encoding.from_base64("YWJj\\nZGVm\\r\\n")'), '"abcdef"');
  const bad = (s: string) => {
    try {
      base64Decode(s);
    } catch (e) {
      return (e as Error).message;
    }
    return 'ok';
  };
  assert.equal(bad('YQ='), 'illegal base64 data at input byte 3');
  assert.equal(bad('YQ'), 'illegal base64 data at input byte 0');
  assert.equal(bad('Y'), 'illegal base64 data at input byte 0');
  assert.equal(bad('YQ==x'), 'illegal base64 data at input byte 4');
  assert.equal(bad('Y!=='), 'illegal base64 data at input byte 1');
  assert.equal(bad('=AAA'), 'illegal base64 data at input byte 0');
  assert.equal(bad('YQ\n=\n='), 'ok');
  assert.equal(bad('YQ==\nYWI='), 'illegal base64 data at input byte 5');
  assert.equal(bad('c3RyaW5nMTIzIT8kKiYoKSctPUB-'), 'illegal base64 data at input byte 27');
  assert.equal(
    evErr('encoding.from_base64("!")'),
    '1:1: encoding.from_base64 illegal base64 data at input byte 0',
  );
  assert.equal(
    evShow('encoding.url_encode("string123!?$*&()\'-=@~")'.replace("\\'", "'")),
    '"string123%21%3F%24%2A%26%28%29%27-%3D%40~"',
  );
  assert.equal(queryEscape('a b/é'), 'a+b%2F%C3%A9');
  assert.equal(queryUnescape('a+b%2f%C3%A9'), 'a b/é');
  assert.equal(
    evShow('encoding.url_decode("string123%21%3F%24%2A%26%28%29%27-%3D%40~")'),
    JSON.stringify("string123!?$*&()'-=@~"),
  );
  assert.equal(evErr('encoding.url_decode("%zz")'), '1:1: encoding.url_decode invalid URL escape "%zz"');
  assert.equal(evErr('encoding.url_decode("ab%4")'), '1:1: encoding.url_decode invalid URL escape "%4"');
});

test('encoding.to_json', () => {
  assert.equal(
    evShow(
      'encoding.to_json({"modules"={"http_2xx"={"prober"="http","timeout"="5s","http"={"headers"={"Authorization"="x"}}}}})',
    ),
    JSON.stringify(
      '{"modules":{"http_2xx":{"http":{"headers":{"Authorization":"x"}},"prober":"http","timeout":"5s"}}}',
    ),
  );
  assert.equal(
    ev(
      'encoding.to_json({a = [1, 1.5, 1e21, 0.0000001, null, true], b = "<&>\\u2028", c = 18446744073709551615})',
    ),
    '{"a":[1,1.5,1e+21,1e-7,null,true],"b":"\\u003c\\u0026\\u003e\\u2028","c":18446744073709551615}',
  );
  assert.equal(evErr('encoding.to_json(12)'), '1:1: encoding.to_json jsonEncode only supports map');
  assert.equal(evErr('encoding.to_json([1])'), '1:1: encoding.to_json jsonEncode only supports map');
  assert.equal(evErr('encoding.to_json(null)'), '1:1: encoding.to_json jsonEncode only supports map');
  assert.equal(
    evErr('encoding.to_json({f = sys.env})'),
    '1:1: encoding.to_json json: unsupported type: func(...interface {}) (interface {}, error)',
  );
});

test('string functions follow Go strings.*', () => {
  const cases: [string, string][] = [
    ['string.to_lower("String")', '"string"'],
    ['string.to_upper("straße")', '"STRAßE"'],
    ['string.to_lower("ΑΣ")', '"ασ"'],
    ['string.to_lower("\\u0130")', '"i"'],
    ['string.trim_space("   string \\n\\n")', '"string"'],
    ['string.trim_space("\\u00a0\\u0085x\\u3000")', '"x"'],
    ['string.trim_space("\\ufeffx")', '"\ufeffx"'],
    ['string.split("/aaa/bbb", "/")', '["", "aaa", "bbb"]'],
    ['string.split("héllo", "")', '["h", "é", "l", "l", "o"]'],
    ['string.split("", "")', '[]'],
    ['string.split("", ",")', '[""]'],
    ['string.split("a😀b", "")', '["a", "😀", "b"]'],
    ['string.join(["foo", "bar", "baz"], ", ")', '"foo, bar, baz"'],
    ['string.join([0, 0, 1], ", ")', '"0, 0, 1"'],
    ['string.join(null, ",")', '""'],
    ['string.replace("Hello World", " World", "!")', '"Hello!"'],
    ['string.replace("aaa", "a", "b")', '"bbb"'],
    ['string.replace("ab", "", "-")', '"-a-b-"'],
    ['string.trim("?!hello?!", "!?")', '"hello"'],
    ['string.trim("   hello! world.!  ", "! ")', '"hello! world."'],
    ['string.trim("xx", "")', '"xx"'],
    ['string.trim("ééaéé", "é")', '"a"'],
    ['string.trim_prefix("helloworld", "hello")', '"world"'],
    ['string.trim_prefix("helloworld", "x")', '"helloworld"'],
    ['string.trim_suffix("helloworld", "world")', '"hello"'],
    ['to_lower(to_upper(trim_space("   String   ")))', '"string"'],
    ['join(split("/aaa/bbb/ccc/ddd", "/"), "/")', '"/aaa/bbb/ccc/ddd"'],
    ['format("%q", "hello")', '"\\"hello\\""'],
    ['string.format("%#v", 1)', '"1"'],
    ['string.format("%#v", true)', '"true"'],
  ];
  for (const [src, want] of cases) assert.equal(evShow(src), want, src);
  assert.equal(str.trimSpace('\t\v\f\r\n x \u2028'), 'x');
  assert.deepEqual(str.split('a,b,,c', ','), ['a', 'b', '', 'c']);
});

test('file.path_join follows filepath.Join + Clean', () => {
  const cases: [string, string][] = [
    ['file.path_join("this/is", "a/path")', '"this/is/a/path"'],
    ['file.path_join()', '""'],
    ['file.path_join("", "")', '""'],
    ['file.path_join("a", "../b", "c")', '"b/c"'],
    ['file.path_join("/", "..", "x")', '"/x"'],
    ['file.path_join("a//b/./c/")', '"a/b/c"'],
    ['file.path_join("..", "a", "..", "..")', '"../.."'],
    ['file.path_join("a", "..")', '"."'],
    ['file.path_join("/a", "", "b")', '"/a/b"'],
  ];
  for (const [src, want] of cases) assert.equal(evShow(src), want, src);
  assert.equal(cleanPath(''), '.');
  assert.equal(cleanPath('/../..'), '/');
  assert.equal(joinPath(['', 'a']), 'a');
});

test('stdlib values are ordinary Alloy values', () => {
  assert.ok(ev('string.format') !== null);
  assert.equal(evShow('[string.format][0]("%d", 2)'), '"2"');
  assert.equal(evShow('string["to_upper"]("a")'), '"A"');
  assert.equal(evErr('string.nope'), '1:8: field "nope" does not exist');
  assert.ok(Num.int(1));
  assert.deepEqual([...objectOf({}).keys()], []);
});
