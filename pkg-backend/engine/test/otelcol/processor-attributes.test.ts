/** otelcol.processor.attributes: actions and include/exclude matching for spans, logs and metrics. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { otelcolProcessorAttributes as reg } from '../../src/components/otelcol/processor/attributes.js';
import {
  allLogs,
  allMetrics,
  allSpans,
  buildFromBody,
  decodeErrors,
  gauge,
  logRecord,
  logs,
  metrics,
  plain,
  point,
  span,
  traces,
} from './support.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('actions: insert, update, upsert, delete, hash, extract, convert, from_context', async () => {
  const { input, out } = buildFromBody(
    reg,
    `
action {
  key    = "env"
  value  = "prod"
  action = "insert"
}
action {
  key    = "existing"
  value  = "new"
  action = "insert"
}
action {
  key    = "existing2"
  value  = 5
  action = "update"
}
action {
  key            = "copied"
  from_attribute = "user.id"
  action         = "upsert"
}
action {
  key          = "tenant"
  from_context = "metadata.x-scope-orgid"
  action       = "upsert"
}
action {
  key     = "password"
  pattern = "^secret\\\\..*"
  action  = "delete"
}
action {
  key    = "user.id"
  action = "hash"
}
action {
  key     = "http.url"
  pattern = "^(?P<http_protocol>.*):\\\\/\\\\/(?P<http_domain>[^/]*)(?P<http_path>.*)$"
  action  = "extract"
}
action {
  key            = "count"
  converted_type = "int"
  action         = "convert"
}
action {
  key            = "ratio"
  converted_type = "double"
  action         = "convert"
}
action {
  key            = "num"
  converted_type = "string"
  action         = "convert"
}
output { traces = [OUT] }
`,
  );
  await input.consumeTraces!(
    traces({}, [
      span({
        attrs: {
          existing: 'old',
          existing2: 'x',
          'user.id': 'u-1',
          password: 'p',
          'secret.token': 't',
          'http.url': 'https://example.com/a/b',
          count: '12',
          ratio: 'abc',
          num: 7,
        },
      }),
    ]),
    { metadata: { 'x-scope-orgid': ['t1', 't2'] } },
  );
  const a = plain(allSpans(out.traces)[0]!.attributes);
  assert.deepEqual(a, {
    existing: 'old',
    existing2: 5,
    'user.id': sha256('u-1'),
    'http.url': 'https://example.com/a/b',
    count: 12,
    ratio: 'abc',
    num: '7',
    env: 'prod',
    copied: 'u-1',
    tenant: 't1;t2',
    http_protocol: 'https',
    http_domain: 'example.com',
    http_path: '/a/b',
  });
});

test('hash of non-string values uses their bytes (SHA-256)', async () => {
  const { input, out } = buildFromBody(
    reg,
    `action {\n  pattern = ".*"\n  action = "hash"\n}\noutput { logs = [OUT] }`,
  );
  await input.consumeLogs!(logs({}, [logRecord({ attrs: { i: 1, b: true, d: 1.5, m: { x: 1 } } })]));
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(1n);
  const dbuf = Buffer.alloc(8);
  dbuf.writeDoubleLE(1.5);
  assert.deepEqual(plain(allLogs(out.logs)[0]!.attributes), {
    i: sha256(buf),
    b: sha256(Buffer.from([1])),
    d: sha256(dbuf),
    m: '',
  });
});

test('include/exclude: services, span names (regexp), kinds, attributes, resources, libraries', async () => {
  const { input, out } = buildFromBody(
    reg,
    `
include {
  match_type = "regexp"
  services   = ["^api$"]
  span_names = ["^GET "]
}
exclude {
  match_type = "strict"
  attribute {
    key   = "skip"
    value = true
  }
}
action {
  key    = "touched"
  value  = true
  action = "upsert"
}
output { traces = [OUT] }
`,
  );
  await input.consumeTraces!(
    traces({ 'service.name': 'api' }, [
      span({ name: 'GET /a' }),
      span({ name: 'POST /a' }),
      span({ name: 'GET /b', attrs: { skip: true } }),
      span({ name: 'GET /c', attrs: { skip: 'true' } }),
    ]),
  );
  await input.consumeTraces!(traces({ 'service.name': 'web' }, [span({ name: 'GET /a' })]));
  const touched = allSpans(out.traces).map((s) => `${s.name}:${plain(s.attributes).touched ?? '-'}`);
  assert.deepEqual(touched, ['GET /a:true', 'POST /a:-', 'GET /b:-', 'GET /c:true', 'GET /a:-']);

  const lib = buildFromBody(
    reg,
    `
include {
  match_type = "strict"
  span_kinds = ["SPAN_KIND_CLIENT"]
  library {
    name    = "lib"
    version = "1.0"
  }
  resource {
    key = "region"
  }
}
action {
  key    = "x"
  value  = 1
  action = "insert"
}
output { traces = [OUT] }
`,
  );
  await lib.input.consumeTraces!(traces({ region: 'eu' }, [span({ kind: 3 }), span({ kind: 2 })]));
  await lib.input.consumeTraces!(traces({}, [span({ kind: 3 })]));
  assert.deepEqual(
    allSpans(lib.out.traces).map((s) => plain(s.attributes).x ?? '-'),
    [1, '-', '-'],
  );
});

test('logs match on bodies, severity; metrics on metric names (data point attributes change)', async () => {
  const l = buildFromBody(
    reg,
    `
include {
  match_type = "regexp"
  log_bodies = ["error"]
  log_severity {
    min             = "WARN"
    match_undefined = false
  }
}
action {
  key    = "alert"
  value  = "yes"
  action = "insert"
}
output { logs = [OUT] }
`,
  );
  await l.input.consumeLogs!(
    logs({}, [
      logRecord({ text: 'an error', severityNumber: 17 }),
      logRecord({ text: 'an error', severityNumber: 9 }),
      logRecord({ text: 'an error', severityNumber: 0 }),
      logRecord({ text: 'fine', severityNumber: 17 }),
    ]),
  );
  assert.deepEqual(
    allLogs(l.out.logs).map((r) => plain(r.attributes).alert ?? '-'),
    ['yes', '-', '-', '-'],
  );

  const m = buildFromBody(
    reg,
    `
exclude {
  match_type   = "strict"
  metric_names = ["skip_me"]
}
action {
  key    = "host"
  action = "delete"
}
output { metrics = [OUT] }
`,
  );
  await m.input.consumeMetrics!(
    metrics({}, [gauge('keep', [point(1, { host: 'h' })]), gauge('skip_me', [point(1, { host: 'h' })])]),
  );
  assert.deepEqual(
    allMetrics(m.out.metrics).map((x) => plain(x.gauge!.dataPoints[0]!.attributes)),
    [{}, { host: 'h' }],
  );
});

test('configuration errors', () => {
  assert.deepEqual(decodeErrors(reg, `action {\n  action = "insert"\n  value = 1\n}\noutput {}`), [
    'validation failed for action block number 1: the action insert requires the key argument to be set',
  ]);
  assert.deepEqual(decodeErrors(reg, `action {\n  action = "hash"\n}\noutput {}`), [
    'validation failed for action block number 1: the action hash requires at least the key argument or the pattern argument to be set',
  ]);
  const build = (body: string) => {
    try {
      buildFromBody(reg, body);
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(
    build(`action {\n  key = "a"\n  action = "insert"\n}\noutput {}`),
    'error creating AttrProc. Either field "value", "from_attribute" or "from_context" setting must be specified for 0-th action',
  );
  assert.equal(
    build(`action {\n  key = "a"\n  pattern = "(x)"\n  action = "extract"\n}\noutput {}`),
    'error creating AttrProc. Field "pattern" contains at least one unnamed matcher group at the 0-th actions',
  );
  assert.equal(
    build(`action {\n  key = "a"\n  converted_type = "float"\n  action = "convert"\n}\noutput {}`),
    'error creating AttrProc due to invalid value "float" in field "converted_type" for action "convert" at the 0-th action',
  );
  assert.equal(
    build(`include {\n  match_type = "strict"\n  services = ["a"]\n}\noutput { logs = [OUT] }`),
    'services, span_names, and span_kinds are not valid for log records',
  );
  assert.equal(
    build(`include {\n  match_type = "fuzzy"\n  services = ["a"]\n}\noutput { traces = [OUT] }`),
    "unrecognized match_type: 'fuzzy', valid types are: [regexp strict]",
  );
  assert.deepEqual(
    decodeErrors(
      reg,
      `include {\n  match_type = "strict"\n  log_severity {\n    min = "LOUD"\n    match_undefined = true\n  }\n}\noutput {}`,
    ),
    ['unrecognized severity level "LOUD"'],
  );
});
