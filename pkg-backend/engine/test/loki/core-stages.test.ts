/**
 * Unit tests of the core loki.process stages (stages/core.ts) and their helpers: JMESPath, Go time
 * layouts, the Go template interpreter, the logfmt decoder and value conversions. Template cases are
 * transcribed from Alloy's `stages/template_test.go` and `replace_test.go`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StageConfig, StageEntry } from '../../src/components/loki/process/stage.js';
import { coreStages } from '../../src/components/loki/process/stages/core.js';
import { decodeLogfmt } from '../../src/components/loki/process/stages/logfmt.js';
import { timestampParser } from '../../src/components/loki/process/stages/timestamp.js';
import { compileJMESPath } from '../../src/components/loki/process/jmespath.js';
import { loadLocation, parseGoTime } from '../../src/components/loki/process/gotime.js';
import { parseGoTemplate } from '../../src/components/loki/process/gotemplate.js';
import { formatFloatF, getString, goJsonMarshal } from '../../src/components/loki/process/values.js';
import { decodeStages, stageContext } from './support.js';

function se(
  line: string,
  extracted: Record<string, unknown> = {},
  labels: Record<string, string> = {},
  metadata: Record<string, string> = {},
): StageEntry {
  return {
    line,
    extracted: new Map(Object.entries(extracted)),
    labels: new Map(Object.entries(labels)),
    timestamp: 1_000_000_000n,
    structuredMetadata: new Map(Object.entries(metadata)),
  };
}

/** Builds the single stage of `text` (Alloy syntax) and runs one entry through it. */
function run(text: string, e: StageEntry): StageEntry[] {
  const [cfg] = decodeStages(text);
  return coreStages[cfg!.type]!(cfg!, stageContext()).process([e]);
}

function build(cfg: StageConfig): void {
  coreStages[cfg.type]!(cfg, stageContext());
}

describe('values', () => {
  it('getString formats as Go', () => {
    assert.equal(getString(125), '125');
    assert.equal(getString(12.34), '12.34');
    assert.equal(getString(1e21), '1000000000000000000000');
    assert.equal(getString(1e-7), '0.0000001');
    assert.equal(getString(true), 'true');
    assert.equal(getString(7n), '7');
    assert.throws(() => getString(null), /can't convert <nil> to string/);
    assert.equal(formatFloatF(-2.5e-3), '-0.0025');
  });
  it('JSON re-encoding escapes HTML characters as Go', () => {
    assert.equal(goJsonMarshal({ a: '<b>&' }), '{"a":"\\u003cb\\u003e\\u0026"}');
    assert.equal(goJsonMarshal(['x', 1, null]), '["x",1,null]');
  });
});

describe('JMESPath', () => {
  const data = {
    a: { b: [1, 2, { c: 'x' }] },
    'k-1': 5,
    people: [
      { n: 'a', age: 3 },
      { n: 'b', age: 5 },
    ],
  };
  const cases: [string, unknown][] = [
    ['a.b[2].c', 'x'],
    ['"k-1"', 5],
    ['a.b[-1]', { c: 'x' }],
    ['a.b[0:2]', [1, 2]],
    ['a.b[::-1] | [0].c', 'x'],
    ['a.b[::-1][0]', []],
    ['people[*].n', ['a', 'b']],
    ['people[?age > `4`].n', ['b']],
    ["people[?n == 'a'] | [0].age", 3],
    ['length(people)', 2],
    ['missing', null],
    ['missing.deeper[0]', null],
    ["to_number('12.5')", 12.5],
    ['sort_by(people, &age)[-1].n', 'b'],
    ["{x: a.b[0], y: 'lit'}", { x: 1, y: 'lit' }],
    ['people[].age | sum(@)', 8],
    ['a.b[?@ == `2`]', [2]],
    ['people[0].n || `"d"`', 'a'],
    ['!missing', true],
    ["join(',', people[*].n)", 'a,b'],
    ['keys(a)', ['b']],
    ["contains(people[*].n, 'b')", true],
    ["upper('x')", 'X'],
  ];
  for (const [expr, want] of cases) {
    it(expr, () => assert.deepEqual(compileJMESPath(expr).search(data), want));
  }
  it('rejects bad syntax and unknown functions', () => {
    for (const bad of ['a.', 'foo(', '[1', 'nofn(a)', 'a[?', '`{bad`']) {
      assert.throws(() => compileJMESPath(bad), Error, bad);
    }
  });
  it('type errors happen at search time', () => {
    assert.throws(() => compileJMESPath('abs(a)').search({ a: 'x' }));
  });
});

describe('Go time layouts', () => {
  const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
  it('parses reference layouts', () => {
    assert.equal(
      parseGoTime('02/Jan/2006:15:04:05 -0700', '25/Jan/2000:14:00:01 -0500'),
      ns('2000-01-25T19:00:01Z'),
    );
    assert.equal(
      parseGoTime('Mon Jan _2 15:04:05 2006', 'Tue Jan  3 15:04:05 2023'),
      ns('2023-01-03T15:04:05Z'),
    );
    assert.equal(parseGoTime('2006-01-02 3:04:05 PM', '2023-01-03 3:04:05 PM'), ns('2023-01-03T15:04:05Z'));
    assert.equal(
      parseGoTime('2006-01-02T15:04:05.000Z', '2023-01-03T15:04:05.120Z'),
      ns('2023-01-03T15:04:05.120Z'),
    );
    // A fraction after seconds is accepted even when the layout has none.
    assert.equal(parseGoTime('2006-01-02 15:04:05', '2023-01-03 15:04:05.5'), ns('2023-01-03T15:04:05.500Z'));
    assert.equal(parseGoTime('2006-002', '2024-060'), ns('2024-02-29T00:00:00Z'));
  });
  it('uses the location for wall times and zone abbreviations', () => {
    const ny = loadLocation('America/New_York');
    assert.equal(parseGoTime('2006-01-02 15:04', '2023-01-15 10:00', ny), ns('2023-01-15T15:00:00Z'));
    assert.equal(parseGoTime('2006-01-02 15:04', '2023-07-15 10:00', ny), ns('2023-07-15T14:00:00Z'));
    assert.equal(parseGoTime('2006-01-02 15:04 MST', '2023-07-15 10:00 EDT', ny), ns('2023-07-15T14:00:00Z'));
    assert.throws(() => loadLocation('America/Canada'), /unknown time zone America\/Canada/);
  });
  it('rejects mismatches', () => {
    for (const [l, v] of [
      ['2006-01-02', '2009-02-30'],
      ['2006-01-02', '2009-1-02'],
      ['2006-01-02', '2009-01-02 extra'],
      ['15:04:05', '25:00:00'],
      ['Jan 2', 'Foo 2'],
    ]) {
      assert.throws(() => parseGoTime(l!, v!), Error, `${l} ${v}`);
    }
  });
  it('places yearless layouts around New Year', () => {
    const dec = timestampParser('Jan 02 15:04:05', undefined, () => new Date('2024-01-01T00:10:00Z'));
    assert.equal(dec('Dec 31 23:59:00'), ns('2023-12-31T23:59:00Z'));
    const jan = timestampParser('Jan 02 15:04:05', undefined, () => new Date('2023-12-31T23:59:00Z'));
    assert.equal(jan('Jan 01 00:01:00'), ns('2024-01-01T00:01:00Z'));
  });
  it('Unix formats', () => {
    assert.equal(timestampParser('Unix', undefined)('1562708916.414123'), 1562708916414123000n);
    assert.equal(timestampParser('UnixNs', undefined)('-5'), -5n);
    assert.throws(() => timestampParser('UnixMs', undefined)('12a'));
  });
});

describe('Go templates', () => {
  const exec = (tpl: string, data: Record<string, string>) =>
    parseGoTemplate(tpl).execute(new Map(Object.entries(data)));
  it('fields, pipes, conditionals and Alloy functions', () => {
    assert.equal(exec('{{ .Value | ToUpper }} doki', { Value: 'warn' }), 'WARN doki');
    const cond =
      '{{ if eq .Value "WARN" }}{{ Replace .Value "WARN" "OK" -1 }}{{ else }}{{ .Value }}{{ end }}';
    assert.equal(exec(cond, { Value: 'WARN' }), 'OK');
    assert.equal(exec(cond, { Value: 'info' }), 'info');
    assert.equal(exec('{{ if ne .a "x" }}A{{ else if eq .b "y" }}B{{ end }}', { a: 'x', b: 'y' }), 'B');
    assert.equal(exec('{{- .a -}} , {{ .b }}', { a: '1', b: '2' }), '1, 2');
    assert.equal(
      exec('{{ TrimPrefix .a "--" }}|{{ TrimSuffix .a "z" }}|{{ TrimSpace " x " }}', { a: '--az' }),
      'az|--a|x',
    );
    assert.equal(exec('{{ TrimLeft .a "-" }}{{ TrimRight .a "z" }}', { a: '--az' }), 'az--a');
    assert.equal(
      exec('{{ regexReplaceAllLiteral "(ts=)" .a "timestamp=" }}', { a: 'ts=1 ts=2' }),
      'timestamp=1 timestamp=2',
    );
    assert.equal(exec('{{ regexReplaceAll "(a*)bc" .a "${1}a" }}', { a: 'aabc' }), 'aaa');
    assert.equal(
      exec('{{ $x := .a }}{{ range $i, $e := splitList "," $x }}{{ $i }}={{ $e }};{{ end }}', { a: 'p,q' }),
      '0=p;1=q;',
    );
    assert.equal(
      exec('{{ printf "%s-%d" .a 5 }} {{ len .a }} {{ .a | lower | quote }}', { a: 'Ab' }),
      'Ab-5 2 "ab"',
    );
    assert.equal(exec('{{ default "d" .missing }} {{ .missing }}', {}), 'd <no value>');
  });
  it('parse errors name the template', () => {
    assert.throws(
      () => parseGoTemplate('{{{.Value}}}'),
      /^TemplateParseError|template: pipeline_template:1:/,
    );
    assert.throws(() => parseGoTemplate('{{ nofunc .Value }}'), /function "nofunc" not defined/);
    assert.throws(() => parseGoTemplate('{{ if .a }}x'), /template: pipeline_template/);
  });
  it('no value passed to a function is an execution error', () => {
    assert.throws(() => exec('{{ .missing | ToLower }}', {}), /invalid value; expected string/);
  });
});

describe('logfmt decoder', () => {
  const pairs = (s: string) => {
    const out: [string, string][] = [];
    const err = decodeLogfmt(s, (k, v) => out.push([k, v]));
    return { out, err };
  };
  it('keys, bare keys, quoted values with escapes', () => {
    assert.deepEqual(pairs('a=1 b c= d="x y" e="q\\"u\\n"').out, [
      ['a', '1'],
      ['b', ''],
      ['c', ''],
      ['d', 'x y'],
      ['e', 'q"u\n'],
    ]);
  });
  it('keeps the pairs before a syntax error', () => {
    const r = pairs('a=1 b="x"" c=2');
    assert.deepEqual(r.out, [
      ['a', '1'],
      ['b', 'x'],
    ]);
    assert.match(r.err!, /logfmt syntax error at pos 10 on line 1: unexpected '"'/);
  });
  it('each line is a record', () => {
    assert.deepEqual(pairs('a=1\r\nb=2\n').out, [
      ['a', '1'],
      ['b', '2'],
    ]);
    assert.match(pairs('a="open').err!, /unterminated quoted value/);
  });
});

describe('stage.template (Alloy template_test.go)', () => {
  const cases: {
    name: string;
    source: string;
    template: string;
    extracted: Record<string, unknown>;
    want: Record<string, unknown>;
  }[] = [
    {
      name: 'simple template',
      source: 'some',
      template: '{{ .Value }} appended',
      extracted: { some: 'value' },
      want: { some: 'value appended' },
    },
    {
      name: 'add missing',
      source: 'missing',
      template: 'newval',
      extracted: { notmissing: 'value' },
      want: { notmissing: 'value', missing: 'newval' },
    },
    {
      name: 'template with multiple keys',
      source: 'message',
      template: '{{.Value}} in module {{.module}}',
      extracted: { level: 'warn', app: 'loki', message: 'warn for app loki', module: 'test' },
      want: { level: 'warn', app: 'loki', module: 'test', message: 'warn for app loki in module test' },
    },
    {
      name: 'template with multiple keys with missing source',
      source: 'missing',
      template: '{{ .level }} for app {{ .app | ToUpper }}',
      extracted: { level: 'warn', app: 'loki' },
      want: { level: 'warn', app: 'loki', missing: 'warn for app LOKI' },
    },
    {
      name: 'template with multiple keys with missing key',
      source: 'message',
      template: '{{.Value}} in module {{.module}}',
      extracted: { level: 'warn', app: 'loki', message: 'warn for app loki' },
      want: { level: 'warn', app: 'loki', message: 'warn for app loki in module <no value>' },
    },
    {
      name: 'nil value in extracted key',
      source: 'level',
      template: '{{ Replace .Value "Warning" "warn" 1 }}',
      extracted: { level: 'Warning', testval: null },
      want: { level: 'warn', testval: null },
    },
    {
      name: 'ToLower',
      source: 'testval',
      template: '{{ .Value | ToLower }}',
      extracted: { testval: 'Value' },
      want: { testval: 'value' },
    },
    {
      name: 'sprig',
      source: 'testval',
      template: '{{ add 7 3 }}',
      extracted: { testval: 'Value' },
      want: { testval: '10' },
    },
    {
      name: 'ToLowerParams',
      source: 'testval',
      template: '{{ ToLower .Value }}',
      extracted: { testval: 'Value' },
      want: { testval: 'value' },
    },
    {
      name: 'ToLowerEmptyValue',
      source: 'testval',
      template: '{{ .Value | ToLower }}',
      extracted: {},
      want: {},
    },
    {
      name: 'ReplaceAllToLower',
      source: 'testval',
      template: '{{ Replace .Value " " "_" -1 | ToLower }}',
      extracted: { testval: 'Some Silly Value With Lots Of Spaces' },
      want: { testval: 'some_silly_value_with_lots_of_spaces' },
    },
    {
      name: 'regexReplaceAll',
      source: 'testval',
      template: '{{ regexReplaceAll "(Silly)" .Value "${1}foo"  }}',
      extracted: { testval: 'Some Silly Value With Lots Of Spaces' },
      want: { testval: 'Some Sillyfoo Value With Lots Of Spaces' },
    },
    {
      name: 'regexReplaceAllerr',
      source: 'testval',
      template: '{{ regexReplaceAll "\\\\K" .Value "${1}foo"  }}',
      extracted: { testval: 'Some Silly Value With Lots Of Spaces' },
      want: { testval: 'Some Silly Value With Lots Of Spaces' },
    },
    {
      name: 'regexReplaceAllLiteral',
      source: 'testval',
      template: '{{ regexReplaceAll "( |Of)" .Value "_"  }}',
      extracted: { testval: 'Some Silly Value With Lots Of Spaces' },
      want: { testval: 'Some_Silly_Value_With_Lots___Spaces' },
    },
    {
      name: 'Trim',
      source: 'testval',
      template: '{{ Trim .Value "!" }}',
      extracted: { testval: '!!!!!WOOOOO!!!!!' },
      want: { testval: 'WOOOOO' },
    },
    {
      name: 'Remove label empty value',
      source: 'testval',
      template: '',
      extracted: { testval: 'WOOOOO' },
      want: {},
    },
    { name: "Don't add label with empty value", source: 'testval', template: '', extracted: {}, want: {} },
    {
      name: 'Sha2Hash',
      source: 'testval',
      template: '{{ Sha2Hash .Value "salt" }}',
      extracted: { testval: 'this is PII data' },
      want: { testval: '5526fd6f8ad457279cf8ff06453c6cb61bf479fa826e3b099caa6c846f9376f2' },
    },
    {
      name: 'Hash',
      source: 'testval',
      template: '{{ Hash .Value "salt" }}',
      extracted: { testval: 'this is PII data' },
      want: { testval: '0807ea24e992127128b38e4930f7155013786a4999c73a25910318a793847658' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const st = coreStages.template!(
        { type: 'template', source: c.source, template: c.template },
        stageContext(),
      );
      const out = st.process([se('not important for this test', c.extracted)]);
      assert.deepEqual(Object.fromEntries(out[0]!.extracted), c.want);
    });
  }
  it('`.Entry` is the line; Alloy text decodes', () => {
    const out = run(
      'stage.template {\n source = "x"\n template = "{{ .app }}: {{ .Entry }}"\n}',
      se('hello', { app: 'a' }),
    );
    assert.equal(out[0]!.extracted.get('x'), 'a: hello');
  });
  it('config errors', () => {
    assert.throws(
      () => build({ type: 'template', source: '', template: 'x' }),
      /template source value is required/,
    );
    // A broken template is already refused while decoding (as Alloy), so `validate` reports it too.
    assert.throws(
      () => decodeStages('stage.template {\n source = "x"\n template = "{{{.Value}}}"\n}'),
      /template: pipeline_template:1: unexpected "\{" in command/,
    );
  });
});

describe('stage.replace (Alloy replace_test.go)', () => {
  const line =
    '11.11.11.11 - frank [25/Jan/2000:14:00:01 -0500] "GET /1986.js HTTP/1.1" 200 932 "-" "Mozilla/5.0 (Windows; U; Windows NT 5.1; de; rv:1.9.1.7) Gecko/20091221 Firefox/3.5.7 GTB6"';
  it('replaces a group in the line with a template', () => {
    const out = run(
      'stage.replace {\n expression = "^(?P<ip>\\\\S+) (?P<identd>\\\\S+) (?P<user>\\\\S+) \\\\[(?P<timestamp>[\\\\w:/]+\\\\s[+\\\\-]\\\\d{4})\\\\] \\"(?P<action>\\\\S+)\\\\s?(?P<path>\\\\S+)?\\\\s?(?P<protocol>\\\\S+)?\\" (?P<status>\\\\d{3}|-) (?P<size>\\\\d+|-)\\\\s?\\"?(?P<referer>[^\\"]*)\\"?\\\\s?\\"?(?P<useragent>[^\\"]*)?\\"?$"\n replace = "{{ if eq .Value \\"200\\" }}{{ Replace .Value \\"200\\" \\"HttpStatusOk\\" -1 }}{{ else }}{{ .Value | ToUpper }}{{ end }}"\n}',
      se(line),
    );
    assert.equal(
      out[0]!.line,
      '11.11.11.11 - FRANK [25/JAN/2000:14:00:01 -0500] "GET /1986.JS HTTP/1.1" HttpStatusOk 932 "-" "MOZILLA/5.0 (WINDOWS; U; WINDOWS NT 5.1; DE; RV:1.9.1.7) GECKO/20091221 FIREFOX/3.5.7 GTB6"',
    );
    assert.equal(out[0]!.extracted.get('status'), 'HttpStatusOk');
    assert.equal(out[0]!.extracted.get('user'), 'FRANK');
  });
  it('replaces every match, and empty replacements remove text', () => {
    const out = run(
      'stage.replace {\n expression = "(\\\\d{2}.\\\\d{2}.\\\\d{2}.\\\\d{2}) - (\\\\S+)"\n replace = "*IP4*{{ .Value | Hash \\"salt\\" }}*"\n}',
      se('11.11.11.11 - frank 12.12.12.12 - frank'),
    );
    assert.match(
      out[0]!.line,
      /^\*IP4\*[0-9a-f]{64}\* - \*IP4\*[0-9a-f]{64}\* \*IP4\*[0-9a-f]{64}\* - \*IP4\*[0-9a-f]{64}\*$/,
    );
    const blank = run(
      'stage.replace {\n expression = "(password=\\\\S+)"\n}',
      se('user=a password=secret end'),
    );
    assert.equal(blank[0]!.line, 'user=a  end');
  });
  it('works on a source and leaves non-matching entries', () => {
    const out = run(
      'stage.replace {\n expression = "(a)"\n source = "s"\n replace = "b"\n}',
      se('line', { s: 'banana' }),
    );
    assert.equal(out[0]!.extracted.get('s'), 'bbnbnb');
    assert.equal(out[0]!.line, 'line');
    const none = run('stage.replace {\n expression = "(z)"\n replace = "b"\n}', se('line'));
    assert.equal(none[0]!.line, 'line');
  });
  it('config errors', () => {
    assert.throws(() => build({ type: 'replace', expression: '' }), /expression is required/);
    assert.throws(
      () => build({ type: 'replace', expression: '(' }),
      /could not compile regular expression: error parsing regexp/,
    );
    assert.throws(
      () => build({ type: 'replace', expression: 'a', replace: '{{ nofn }}' }),
      /failed to compile template/,
    );
  });
});

describe('label stages', () => {
  it('stage.labels from extracted values (converted to strings)', () => {
    const out = run(
      'stage.labels {\n values = { level = "", app = "application", n = "", missing = "", nil = "" }\n}',
      se('x', { level: 'warn', application: 'loki', n: 1.5, nil: null }),
    );
    assert.deepEqual(Object.fromEntries(out[0]!.labels), { level: 'warn', app: 'loki', n: '1.5' });
  });
  it('stage.labels from structured metadata', () => {
    const out = run(
      'stage.labels {\n values = { trace = "trace_id" }\n source_type = "structured_metadata"\n}',
      se('x', {}, {}, { trace_id: 'abc' }),
    );
    assert.equal(out[0]!.labels.get('trace'), 'abc');
  });
  it('stage.labels config errors', () => {
    assert.throws(
      () => build({ type: 'labels', values: { a: '' }, source_type: 'line' }),
      /invalid labels source_type: line\. Can only be 'extracted' or 'structured_metadata'/,
    );
    assert.throws(() => build({ type: 'labels', values: { '': 'x' } }), /invalid label name: /);
  });
  it('stage.static_labels', () => {
    const out = run(
      'stage.static_labels {\n values = { env = "prod", skip = "" }\n}',
      se('x', {}, { env: 'dev' }),
    );
    assert.deepEqual(Object.fromEntries(out[0]!.labels), { env: 'prod' });
  });
  it('stage.label_drop and stage.label_keep', () => {
    const d = run('stage.label_drop {\n values = ["a", "zz"]\n}', se('x', {}, { a: '1', b: '2' }));
    assert.deepEqual(Object.fromEntries(d[0]!.labels), { b: '2' });
    const k = run('stage.label_keep {\n values = ["a"]\n}', se('x', {}, { a: '1', b: '2', __x: '3' }));
    assert.deepEqual(Object.fromEntries(k[0]!.labels), { a: '1' });
    assert.throws(() => build({ type: 'label_drop', values: [] }), /labeldrop stage config cannot be empty/);
    assert.throws(() => build({ type: 'label_keep', values: [] }), /labelallow stage config cannot be empty/);
  });
  it('stage.structured_metadata from extracted values and labels', () => {
    const out = run(
      'stage.structured_metadata {\n values = { trace = "trace_id", pod = "" }\n regex = "^user_.*"\n}',
      se('x', { trace_id: 't1', user_a: 'ua', pod: 'p' }, { pod: 'p', user_b: 'ub', keep: 'k' }),
    );
    assert.deepEqual(Object.fromEntries(out[0]!.structuredMetadata), {
      trace: 't1',
      pod: 'p',
      user_a: 'ua',
      user_b: 'ub',
    });
    assert.deepEqual(Object.fromEntries(out[0]!.labels), { keep: 'k' });
  });
});

describe('stage.output', () => {
  it('replaces the line with an extracted value', () => {
    assert.equal(run('stage.output {\n source = "msg"\n}', se('x', { msg: 'hello' }))[0]!.line, 'hello');
    assert.equal(run('stage.output {\n source = "msg"\n}', se('x', { msg: 12 }))[0]!.line, '12');
    assert.equal(run('stage.output {\n source = "msg"\n}', se('x', {}))[0]!.line, 'x');
    assert.equal(run('stage.output {\n source = "msg"\n}', se('x', { msg: null }))[0]!.line, 'x');
  });
});

describe('stage.json', () => {
  it('drop_malformed drops entries that are not JSON objects', () => {
    const [cfg] = decodeStages('stage.json {\n expressions = { a = "" }\n drop_malformed = true\n}');
    const st = coreStages.json!(cfg!, stageContext());
    const out = st.process([se('{"a":1}'), se('nope'), se('[1]'), se('{"a":[1,{"b":"<x>"}]}')]);
    assert.deepEqual(
      out.map((e) => e.extracted.get('a')),
      [1, '[1,{"b":"\\u003cx\\u003e"}]'],
    );
  });
  it('config errors', () => {
    assert.throws(() => build({ type: 'json' }), /JMES expressions or regex is required/);
    assert.throws(
      () => build({ type: 'json', expressions: { a: 'b.' } }),
      /could not compile JMES expression/,
    );
    assert.throws(() => build({ type: 'json', expressions: { a: '' }, source: '' }), /empty source/);
  });
});

describe('stage.regex', () => {
  it('labels_from_groups sets labels; unmatched optional groups are empty', () => {
    const out = run(
      'stage.regex {\n expression = "(?P<a>x)(?P<b>y)?"\n labels_from_groups = true\n}',
      se('zxz'),
    );
    assert.deepEqual(Object.fromEntries(out[0]!.extracted), { a: 'x', b: '' });
    assert.deepEqual(Object.fromEntries(out[0]!.labels), { a: 'x', b: '' });
  });
  it('config errors', () => {
    assert.throws(
      () => build({ type: 'regex', expression: '(' }),
      /could not compile regular expression: error parsing regexp: missing closing \)/,
    );
    assert.throws(() => build({ type: 'regex', expression: 'a', source: '' }), /empty source/);
  });
});
