/**
 * The OTTL module: scanner, grammar, comparison rules, paths per context, functions, and the messages of
 * configuration errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileCondition,
  compileStatement,
  inferContext,
  tokenize,
  type TransformContext,
} from '../../src/components/otelcol/ottl/index.js';
import { parseStatement } from '../../src/components/otelcol/ottl/parser.js';
import { compare } from '../../src/components/otelcol/ottl/values.js';
import { semconvSpanName } from '../../src/components/otelcol/ottl/functions.js';
import { attrs, hexId, logRecord, plain, span } from './support.js';

function spanCtx(
  p: Parameters<typeof span>[0] = {},
  resource: Record<string, unknown> = {},
): TransformContext {
  return {
    resource: { attributes: attrs(resource), droppedAttributesCount: 0, entityRefs: [] },
    scope: { name: 'lib', version: '1.0', attributes: [], droppedAttributesCount: 0 },
    span: span(p),
    cache: [],
  };
}

const cond = (text: string, tc: TransformContext, ctx: 'span' | 'log' | 'metric' | 'datapoint' = 'span') =>
  compileCondition(text, ctx)(tc);

const run = (text: string, tc: TransformContext, ctx: 'span' | 'log' | 'resource' = 'span') =>
  compileStatement(text, ctx).execute(tc);

test('scanner: tokens, signed numbers, keywords at word boundaries', () => {
  const kinds = (s: string) => tokenize(s).map((t) => `${t.kind}:${t.text}`);
  assert.deepEqual(kinds('not notify or and_x'), [
    'not:not',
    'ident:notify',
    'or:or',
    'ident:and_x',
    'eof:<EOF>',
  ]);
  assert.deepEqual(kinds('x - 1'), ['ident:x', 'addsub:-', 'int:1', 'eof:<EOF>']);
  assert.deepEqual(kinds('-1.5e3 0x0aff "a\\"b"'), [
    'float:-1.5e3',
    'bytes:0x0aff',
    'string:"a\\"b"',
    'eof:<EOF>',
  ]);
  assert.deepEqual(kinds('a[0].b >= .5'), [
    'ident:a',
    '[:[',
    'int:0',
    ']:]',
    '.:.',
    'ident:b',
    'cmp:>=',
    'float:.5',
    'eof:<EOF>',
  ]);
});

test('grammar: statements, where clauses, converters with keys, named arguments', () => {
  const s = parseStatement(
    'set(attributes["a"]["b"], Split(name, ",")[1]) where kind == SPAN_KIND_SERVER and not (x == nil or y != 1)',
  );
  assert.equal(s.editor.name, 'set');
  assert.equal(s.editor.args.length, 2);
  assert.equal(s.where?.kind, 'and');
  const named = parseStatement(
    'replace_pattern(name, "a", "b", function = SHA256, replacementFormat = "x:%s")',
  );
  assert.deepEqual(
    named.editor.args.map((a) => a.name ?? '-'),
    ['-', '-', '-', 'function', 'replacementFormat'],
  );
  assert.equal(parseStatement('limit(attributes, 10, [])').editor.args[2]!.value!.kind, 'list');
  assert.equal(
    parseStatement('merge_maps(attributes, {"a": 1, "b": [true]}, "upsert")').editor.args[1]!.value!.kind,
    'map',
  );
  // Math with precedence.
  const tc = spanCtx();
  run('set(attributes["n"], 1 + 2 * 3)', tc);
  run('set(attributes["d"], (1.0 + 2.0) / 4.0)', tc);
  assert.deepEqual(plain(tc.span!.attributes), { n: 7, d: 0.75 });
});

test('configuration errors have the collector message shapes', () => {
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.equal(
    err(() => compileStatement('set(attributes["a"], "b"', 'span')),
    'unable to parse OTTL statement "set(attributes[\\"a\\"], \\"b\\"": statement has invalid syntax: 1:25: unexpected token "<EOF>" (expected ")")',
  );
  assert.equal(
    err(() => compileStatement('Set(name, "x")', 'span')),
    `unable to parse OTTL statement "Set(name, \\"x\\")": editor names must start with a lowercase letter but got 'Set'`,
  );
  assert.equal(
    err(() => compileStatement('sett(name, "x")', 'span')),
    'unable to parse OTTL statement "sett(name, \\"x\\")": undefined function "sett"',
  );
  assert.equal(
    err(() => compileStatement('set(name)', 'span')),
    'unable to parse OTTL statement "set(name)": incorrect number of arguments. Expected: 2 Received: 1',
  );
  assert.match(
    err(() => compileStatement('set(nme, "x")', 'span')),
    /segment "nme" from path "nme" is not a valid path nor a valid OTTL keyword for the Span context - review .*ottlspan/,
  );
  assert.match(
    err(() => compileCondition('kind == SPAN_KIND_SERVR', 'span')),
    /enum symbol, SPAN_KIND_SERVR, not found/,
  );
  assert.match(
    err(() => compileStatement('set("x", name)', 'span')),
    /invalid argument at position 0: must be a path/,
  );
  assert.match(
    err(() => compileStatement('delete_key(attributes, name)', 'span')),
    /invalid argument at position 1: must be a string/,
  );
  assert.match(
    err(() => compileStatement('replace_pattern(name, "(", "x")', 'span')),
    /the regex pattern supplied to replace_pattern '"\("' is not a valid pattern: error parsing regexp: missing closing \)/,
  );
  assert.match(
    err(() => compileCondition('attributes["a"] ==', 'span')),
    /condition has invalid syntax: 1:19: unexpected token "<EOF>"/,
  );
  assert.match(
    err(() => compileCondition('name', 'span')),
    /condition has invalid syntax: 1:5: unexpected token "<EOF>" \(expected <opcomparison> Value\)/,
  );
  assert.match(
    err(() => compileStatement('set(metric.name, "x")', 'span')),
    /context "metric" from path "metric.name" is not valid for the Span context/,
  );
  assert.match(
    err(() => compileStatement('set(attributes["a"], IsMatch(name))', 'span')),
    /incorrect number of arguments/,
  );
  assert.match(
    err(() => compileStatement('set(body, "x")', 'span')),
    /segment "body"/,
  );
});

test('comparison rules: nil, mixed numbers, types that do not compare', () => {
  assert.equal(compare(null, null, '=='), true);
  assert.equal(compare(null, null, '>='), true);
  assert.equal(compare('a', null, '=='), false);
  assert.equal(compare('a', null, '!='), true);
  assert.equal(compare(1n, 1.0, '=='), true);
  assert.equal(compare(2n, 1.5, '>'), true);
  assert.equal(compare('1', 1n, '=='), false);
  assert.equal(compare('1', 1n, '!='), true);
  assert.equal(compare('1', 1n, '<'), false);
  assert.equal(compare('abc', 'abd', '<'), true);
  assert.equal(compare(false, true, '<'), true);
  assert.equal(compare(hexId('01'), hexId('02'), '<'), true);
});

test('span paths and conditions: kind, status, ids, resource and scope prefixes', () => {
  const tc = spanCtx(
    {
      kind: 2,
      name: 'GET /users',
      status: { code: 2, message: 'boom' },
      attrs: { 'http.status_code': 500, retry: true },
    },
    { 'service.name': 'api' },
  );
  assert.equal(cond('kind == SPAN_KIND_SERVER', tc), true);
  assert.equal(cond('kind == 2', tc), true);
  assert.equal(cond('kind.string == "Server"', tc), true);
  assert.equal(cond('kind.deprecated_string == "SPAN_KIND_SERVER"', tc), true);
  assert.equal(cond('status.code == STATUS_CODE_ERROR and status.message == "boom"', tc), true);
  assert.equal(cond('attributes["http.status_code"] >= 500', tc), true);
  assert.equal(cond('attributes["http.status_code"] == "500"', tc), false);
  assert.equal(cond('attributes["missing"] == nil', tc), true);
  assert.equal(cond('resource.attributes["service.name"] == "api"', tc), true);
  assert.equal(cond('instrumentation_scope.name == "lib" and scope.version == "1.0"', tc), true);
  assert.equal(cond('span.name == "GET /users"', tc), true);
  assert.equal(cond('trace_id.string == "0102030405060708090a0b0c0d0e0f10"', tc), true);
  assert.equal(cond('trace_id == 0x0102030405060708090a0b0c0d0e0f10', tc), true);
  assert.equal(cond('IsMatch(name, "^GET ") and not IsMatch(name, "POST")', tc), true);
  assert.equal(cond('IsMatch(attributes["http.status_code"], "5..")', tc), true, 'ints match as strings');
  assert.equal(cond('IsMatch(attributes["nope"], ".*")', tc), false);
  assert.equal(cond('attributes["retry"] == true and IsString(name)', tc), true);
  assert.throws(
    () => compileCondition('attributes["retry"] and IsString(name)', 'span'),
    /expected <opcomparison> Value/,
  );
  assert.equal(cond('(kind == 1 or kind == 2) and Len(name) == 10', tc), true);
  assert.equal(cond('IsRootSpan()', tc), true);
  assert.equal(cond('end_time_unix_nano - start_time_unix_nano > 200000000', tc), true);
});

test('editors: set, delete/keep keys, replace_*, truncate_all, limit, merge_maps, append', () => {
  const tc = spanCtx({
    name: 'GET /api/products/123?x=1',
    attrs: { a: 'aaaa', b: 'bbbbbbbb', c: 3, 'k8s.pod.name': 'p1' },
  });
  run('set(attributes["pod"], attributes["k8s.pod.name"])', tc);
  run('set(attributes["x"], attributes["missing"])', tc);
  assert.equal(plain(tc.span!.attributes).pod, 'p1');
  assert.equal('x' in plain(tc.span!.attributes), false, 'setting nil does nothing');
  run('replace_pattern(name, "\\\\?.*", "")', tc);
  assert.equal(tc.span!.name, 'GET /api/products/123');
  run('replace_match(name, "GET /api/products/*", "GET /api/products/{productId}")', tc);
  assert.equal(tc.span!.name, 'GET /api/products/{productId}');
  run('replace_pattern(name, "GET (/api)", "$1 was GET")', tc);
  assert.equal(tc.span!.name, '/api was GET/products/{productId}');
  run('truncate_all(attributes, 3)', tc);
  assert.equal(plain(tc.span!.attributes).b, 'bbb');
  assert.equal(plain(tc.span!.attributes).c, 3);
  run('delete_key(attributes, "a")', tc);
  run('delete_matching_keys(attributes, "^k8s\\\\.")', tc);
  assert.deepEqual(Object.keys(plain(tc.span!.attributes)), ['b', 'c', 'pod']);
  run('keep_keys(attributes, ["b", "pod"])', tc);
  assert.deepEqual(Object.keys(plain(tc.span!.attributes)), ['b', 'pod']);
  run('merge_maps(attributes, {"pod": "p2", "z": 1}, "insert")', tc);
  assert.deepEqual(plain(tc.span!.attributes), { b: 'bbb', pod: 'p1', z: 1 });
  run('limit(attributes, 2, ["z"])', tc);
  assert.deepEqual(plain(tc.span!.attributes), { b: 'bbb', z: 1 });
  run('replace_all_patterns(attributes, "value", "b+", "B")', tc);
  run('replace_all_patterns(attributes, "key", "^z$", "zed")', tc);
  assert.deepEqual(plain(tc.span!.attributes), { b: 'B', zed: 1 });
  run('set(attributes["list"], ["x"])', tc);
  run('append(attributes["list"], "y")', tc);
  assert.deepEqual(plain(tc.span!.attributes).list, ['x', 'y']);
  run('set(attributes["nested"]["deep"], "v")', tc);
  assert.deepEqual(plain(tc.span!.attributes).nested, { deep: 'v' });
  run('set(attributes["h"], SHA256("abc")) where name != "never"', tc);
  assert.equal(
    plain(tc.span!.attributes).h,
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  run('replace_pattern(attributes["b"], "B", "secret", SHA256, "hash:%s")', tc);
  assert.equal(
    plain(tc.span!.attributes).b,
    'hash:' + '2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b',
  );
});

test('converters: Concat, ConvertCase, Substring, Split, Int/Double/String, Format, ParseJSON', () => {
  const tc = spanCtx({
    name: 'MyServiceName',
    attrs: { ns: 'shop', pod: 'p1', n: '42', json: '{"a":{"b":[1,2]}}' },
  });
  run('set(attributes["id"], Concat([attributes["ns"], attributes["pod"], attributes["none"]], "."))', tc);
  run('set(attributes["lower"], ConvertCase(name, "lower"))', tc);
  run('set(attributes["snake"], ConvertCase(name, "snake"))', tc);
  run('set(attributes["sub"], Substring(name, 2, 7))', tc);
  run('set(attributes["second"], Split("a,b,c", ",")[1])', tc);
  run('set(attributes["i"], Int(attributes["n"]) * 2)', tc);
  run('set(attributes["d"], Double("2.5"))', tc);
  run('set(attributes["s"], String(12))', tc);
  run('set(attributes["f"], Format("%s-%d", [name, 7]))', tc);
  run('set(attributes["j"], ParseJSON(attributes["json"])["a"]["b"][1])', tc);
  const a = plain(tc.span!.attributes);
  assert.equal(a.id, 'shop.p1.<nil>');
  assert.equal(a.lower, 'myservicename');
  assert.equal(a.snake, 'my_service_name');
  assert.equal(a.sub, 'Service');
  assert.equal(a.second, 'b');
  assert.equal(a.i, 84);
  assert.equal(a.d, 2.5);
  assert.equal(a.s, '12');
  assert.equal(a.f, 'MyServiceName-7');
  assert.equal(a.j, 2);
});

test('log context: body, severity, attributes; resource context', () => {
  const lr = logRecord({
    text: 'user bob@example.com logged in',
    severityNumber: 17,
    severityText: 'ERROR',
    attrs: { level: 'error' },
  });
  const tc: TransformContext = {
    resource: { attributes: attrs({ 'service.name': 'api' }), droppedAttributesCount: 0, entityRefs: [] },
    scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
    log: lr,
    cache: [],
  };
  assert.equal(cond('severity_number >= SEVERITY_NUMBER_ERROR', tc, 'log'), true);
  assert.equal(cond('severity_text == "ERROR" and IsMatch(body, "logged")', tc, 'log'), true);
  run(
    'replace_pattern(body, "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\\\.[A-Za-z]{2,}", "[REDACTED-EMAIL]")',
    tc,
    'log',
  );
  assert.equal(
    lr.body && 'stringValue' in lr.body ? lr.body.stringValue : undefined,
    'user [REDACTED-EMAIL] logged in',
  );
  run('set(attributes["loki.resource.labels"], "cluster, namespace, job, pod")', tc, 'log');
  run('set(cache["x"], body)', tc, 'log');
  run('set(attributes["copy"], cache["x"])', tc, 'log');
  assert.equal(plain(lr.attributes).copy, 'user [REDACTED-EMAIL] logged in');
  run('set(attributes["service.name"], "renamed") where attributes["service.name"] == "api"', tc, 'resource');
  assert.equal(plain(tc.resource.attributes)['service.name'], 'renamed');
});

test('context inference from path prefixes', () => {
  assert.equal(
    inferContext(
      ['set(span.attributes["a"], resource.attributes["b"])'],
      ['resource', 'scope', 'span', 'spanevent'],
    ),
    'span',
  );
  assert.equal(
    inferContext(['set(resource.attributes["a"], "x")'], ['resource', 'scope', 'span', 'spanevent']),
    'resource',
  );
  assert.equal(inferContext(['set(log.body, "x")'], ['resource', 'scope', 'log']), 'log');
  assert.throws(
    () => inferContext(['set(attributes["a"], "x")'], ['resource', 'scope', 'log']),
    /unable to infer a valid context/,
  );
});

test('set_semconv_span_name: HTTP, RPC, DB names', () => {
  assert.equal(
    semconvSpanName(2, attrs({ 'http.request.method': 'GET', 'http.route': '/users/{id}' }), 'x'),
    'GET /users/{id}',
  );
  assert.equal(semconvSpanName(3, attrs({ 'http.request.method': 'POST' }), 'x'), 'POST');
  assert.equal(
    semconvSpanName(3, attrs({ 'rpc.system': 'grpc', 'rpc.service': 'Greeter', 'rpc.method': 'Hi' }), 'x'),
    'Greeter/Hi',
  );
  assert.equal(
    semconvSpanName(
      3,
      attrs({ 'db.system': 'postgresql', 'db.operation.name': 'SELECT', 'db.collection.name': 'users' }),
      'x',
    ),
    'SELECT users',
  );
  assert.equal(semconvSpanName(1, attrs({}), 'internal'), 'internal');
  const tc = spanCtx({
    kind: 2,
    name: 'GET /users/123',
    attrs: { 'http.request.method': 'GET', 'http.route': '/users/{id}' },
  });
  run('set_semconv_span_name("1.37.0", "original_span_name")', tc);
  assert.equal(tc.span!.name, 'GET /users/{id}');
  assert.equal(plain(tc.span!.attributes).original_span_name, 'GET /users/123');
});
