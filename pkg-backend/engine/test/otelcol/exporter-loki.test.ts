/**
 * otelcol.exporter.loki: OTLP log records → Loki entries (labels from hints, JSON / logfmt / raw lines),
 * and end to end through loki.write into a fake Loki.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logToLokiEntry } from '../../src/components/otelcol/exporter/loki.js';
import { labelsKey } from '../../src/components/prometheus/labels.js';
import { lokiWriteTuning } from '../../src/components/loki/write/component.js';
import { FakeLoki, freePort } from '../loki/loki-helpers.js';
import {
  attrs,
  eventually,
  hexId,
  logRecord,
  logs,
  producers,
  startEngine,
  testOtelComponents,
} from './support.js';

void lokiWriteTuning;

const scope = (name = '', version = '') => ({ name, version, attributes: [], droppedAttributesCount: 0 });

test('labels from hints, level, job/instance; promoted attributes leave the JSON line', () => {
  const lr = logRecord({
    severityNumber: 9,
    severityText: 'Info',
    text: 'AUTH log message',
    attrs: { 'attr.1': '12345', 'attr.2': 'fake_token', 'loki.attribute.labels': 'attr.1' },
  });
  const e = logToLokiEntry(lr, [], scope());
  assert.equal(labelsKey(e.labels), '{attr_1="12345", exporter="OTLP", level="INFO"}');
  assert.equal(e.line, '{"body":"AUTH log message","severity":"Info","attributes":{"attr.2":"fake_token"}}');
  assert.equal(e.timestamp, 1_700_000_000_123_456_789n);
  // The input record is not changed.
  assert.equal(lr.attributes.length, 3);

  const res = attrs({
    'service.name': 'api',
    'service.namespace': 'shop',
    'service.instance.id': 'i-1',
    'k8s.pod.name': 'p-1',
    cluster: 'c1',
    'loki.resource.labels': 'k8s.pod.name, cluster',
    nested: { a: { b: 'deep' } },
  });
  const lr2 = logRecord({
    text: 'hi <there> & "you"',
    traceId: hexId('0102030405060708090a0b0c0d0e0f10'),
    spanId: hexId('0102030405060708'),
    flags: 1,
    attrs: { 'loki.attribute.labels': ['x'], x: 7, big: 12345678901234567890n },
  });
  const e2 = logToLokiEntry(lr2, res, scope('lib', '1.0'));
  assert.equal(
    labelsKey(e2.labels),
    '{cluster="c1", exporter="OTLP", instance="i-1", job="shop/api", k8s_pod_name="p-1", x="7"}',
  );
  assert.equal(
    e2.line,
    '{"body":"hi \\u003cthere\\u003e \\u0026 \\"you\\"","traceid":"0102030405060708090a0b0c0d0e0f10","spanid":"0102030405060708","flags":1,' +
      '"attributes":{"big":12345678901234567890},"resources":{"nested":{"a":{"b":"deep"}},"service.instance.id":"i-1","service.name":"api","service.namespace":"shop"},' +
      '"instrumentation_scope":{"name":"lib","version":"1.0"}}',
  );
  // Nested hint keys.
  const e3 = logToLokiEntry(logRecord({ attrs: { 'loki.resource.labels': 'nested.a.b' } }), res, scope());
  assert.equal(
    labelsKey(e3.labels),
    '{cluster="c1", exporter="OTLP", instance="i-1", job="shop/api", k8s_pod_name="p-1", nested_a_b="deep"}',
  );
});

test('logfmt and raw formats', () => {
  const res = attrs({ 'service.name': 'api', 'loki.format': 'logfmt' });
  const kv = logToLokiEntry(
    logRecord({
      text: 'level=warn msg="disk full" pct=97',
      severityText: 'WARN',
      attrs: { user: 'bob smith', n: 2500000.5 },
    }),
    res,
    scope('lib'),
  );
  assert.equal(
    kv.line,
    'level=warn msg="disk full" pct=97 severity=WARN attribute_user="bob smith" attribute_n=2.5000005e+06 resource_service.name=api instrumentation_scope_name=lib',
  );
  const plainText = logToLokiEntry(logRecord({ text: 'oops "quoted' }), res, scope());
  assert.equal(plainText.line, 'msg="oops \\"quoted" resource_service.name=api');
  const map = logToLokiEntry(
    logRecord({
      body: { kvlistValue: { values: attrs({ a: 1, b: { c: true } }) } },
      traceId: hexId('0102030405060708090a0b0c0d0e0f10'),
    }),
    res,
    scope(),
  );
  assert.equal(map.line, 'a=1 b_c=true traceID=0102030405060708090a0b0c0d0e0f10 resource_service.name=api');
  const raw = logToLokiEntry(logRecord({ text: 'just text', attrs: { 'loki.format': 'raw' } }), [], scope());
  assert.equal(raw.line, 'just text');
  assert.throws(
    () => logToLokiEntry(logRecord({ attrs: { 'loki.format': 'xml' } }), [], scope()),
    /invalid format xml/,
  );
  // Timestamps: observed time when the time is unset.
  const obs = logToLokiEntry(logRecord({ timeUnixNano: 0n, observedTimeUnixNano: 42n }), [], scope());
  assert.equal(obs.timestamp, 42n);
});

test('OTLP logs → exporter.loki → loki.write → Loki', async () => {
  const port = await freePort();
  const loki = new FakeLoki(port);
  await loki.start();
  const r = startEngine(
    `
testotel.producer "app" {
  output { logs = [otelcol.exporter.loki.default.input] }
}
otelcol.exporter.loki "default" {
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url = "http://127.0.0.1:${port}/loki/api/v1/push"
    batch_wait = "20ms"
  }
}
`,
    { components: testOtelComponents },
  );
  try {
    await producers.get('app')!.logs(
      logs({ 'service.name': 'checkout', 'loki.resource.labels': 'service.name' }, [
        logRecord({ text: 'first', severityNumber: 17, timeUnixNano: 1_700_000_000_000_000_001n }),
        logRecord({
          text: 'second',
          severityNumber: 9,
          timeUnixNano: 1_700_000_000_000_000_002n,
          attrs: { user: 'u1' },
        }),
      ]),
    );
    await eventually(() => loki.entries.length === 2, 5000, 'entries in Loki');
    const byLine = new Map(loki.entries.map((e) => [e.line, e]));
    const first = byLine.get('{"body":"first"}')!;
    assert.equal(first.labels, '{exporter="OTLP", job="checkout", level="ERROR", service_name="checkout"}');
    assert.equal(first.timestamp, 1_700_000_000_000_000_001n);
    const second = byLine.get('{"body":"second","attributes":{"user":"u1"}}')!;
    assert.equal(second.labels, '{exporter="OTLP", job="checkout", level="INFO", service_name="checkout"}');
    assert.equal(second.timestamp, 1_700_000_000_000_000_002n);
  } finally {
    await r.stop();
    await loki.stop();
  }
});
