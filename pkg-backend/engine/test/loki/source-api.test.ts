import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import {
  encodePushJSON,
  encodePushRequest,
  snappyCompress,
  type PushStream,
} from '../../src/protocols/loki-push.js';
import { logsReceiverCapsule, nowNs, type LogsReceiver } from '../../src/components/loki/entry.js';
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { t } from '../../src/runtime/schema.js';
import { metricValue } from '../components/rw-helpers.js';
import { freePort, recordedBy, startEngine, testLokiComponents, waitReady } from './loki-helpers.js';

const TS1 = 1_700_000_000_123_456_789n;

function protoBody(streams: PushStream[]): Buffer {
  return snappyCompress(encodePushRequest(streams));
}

async function post(
  port: number,
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('loki.source.api', () => {
  let port = 0;
  let run: ReturnType<typeof startEngine>;
  const got = recordedBy('api');

  before(async () => {
    port = await freePort();
    run = startEngine(
      `
      loki.relabel "rules" {
        forward_to = []
        rule {
          source_labels = ["drop"]
          regex = "yes"
          action = "drop"
        }
        rule {
          source_labels = ["__meta"]
          target_label = "from_meta"
        }
      }
      loki.source.api "in" {
        http {
          listen_address = "127.0.0.1"
          listen_port = ${port}
        }
        labels = { added = "x", job = "overridden" }
        relabel_rules = loki.relabel.rules.rules
        use_incoming_timestamp = true
        max_send_message_size = "64KiB"
        forward_to = [testloki.recorder.api.receiver]
      }
      testloki.recorder "api" {}
      `,
      { components: testLokiComponents },
    );
    await waitReady(port);
  });

  after(async () => {
    await run.stop();
  });

  test('protobuf + snappy: labels added and relabeled, internal labels removed, exact ns kept', async () => {
    got.length = 0;
    const res = await post(
      port,
      '/loki/api/v1/push',
      protoBody([
        {
          labels: '{job="api", __meta="m"}',
          entries: [
            { timestamp: TS1, line: 'hello', structuredMetadata: ['z', '1', 'a', '2'] },
            { timestamp: TS1 + 1n, line: 'world', structuredMetadata: [] },
          ],
        },
        { labels: '{drop="yes"}', entries: [{ timestamp: TS1, line: 'dropped', structuredMetadata: [] }] },
      ]),
      { 'Content-Type': 'application/x-protobuf' },
    );
    assert.equal(res.status, 204, res.text);
    assert.equal(got.length, 2);
    assert.deepEqual(got[0]!.labels, ['added', 'x', 'from_meta', 'm', 'job', 'overridden']);
    assert.equal(got[0]!.timestamp, TS1);
    assert.equal(got[1]!.timestamp, TS1 + 1n);
    assert.deepEqual(
      got.map((e) => e.line),
      ['hello', 'world'],
    );
    assert.deepEqual(got[0]!.structuredMetadata, ['a', '2', 'z', '1'], 'metadata sorted by name');
    assert.equal(got[0]!.labels, got[1]!.labels, 'one Labels array per stream');
  });

  test('the /api/v1/push alias, no Content-Type, and X-Scope-OrgID → __tenant_id__', async () => {
    got.length = 0;
    const res = await post(
      port,
      '/api/v1/push',
      protoBody([{ labels: '{job="a"}', entries: [{ timestamp: TS1, line: 'x', structuredMetadata: [] }] }]),
      { 'X-Scope-OrgID': 'team-1' },
    );
    assert.equal(res.status, 204);
    assert.deepEqual(got[0]!.labels, ['__tenant_id__', 'team-1', 'added', 'x', 'job', 'overridden']);
  });

  test('JSON, plain, gzip and deflate', async () => {
    got.length = 0;
    const streams: PushStream[] = [
      {
        labels: '{job="j"}',
        entries: [{ timestamp: TS1, line: 'json', structuredMetadata: ['trace', 't1'] }],
      },
    ];
    const json = encodePushJSON(streams);
    const ct = { 'Content-Type': 'application/json; charset=utf-8' };
    assert.equal((await post(port, '/loki/api/v1/push', json, ct)).status, 204);
    assert.equal(
      (await post(port, '/loki/api/v1/push', gzipSync(json), { ...ct, 'Content-Encoding': 'gzip' })).status,
      204,
    );
    assert.equal(
      (await post(port, '/loki/api/v1/push', deflateSync(json), { ...ct, 'Content-Encoding': 'deflate' }))
        .status,
      204,
    );
    assert.equal(got.length, 3);
    for (const e of got) {
      assert.equal(e.line, 'json');
      assert.equal(e.timestamp, TS1);
      assert.deepEqual(e.structuredMetadata, ['trace', 't1']);
    }
  });

  test('raw lines get the configured labels and the current time', async () => {
    got.length = 0;
    const t0 = nowNs();
    const res = await post(port, '/loki/api/v1/raw', 'one\r\ntwo\n\nthree');
    assert.equal(res.status, 204);
    assert.deepEqual(
      got.map((e) => e.line),
      ['one', 'two', 'three'],
    );
    assert.deepEqual(got[0]!.labels, ['added', 'x', 'job', 'overridden']);
    assert.ok(got[0]!.timestamp >= t0);
    assert.equal((await post(port, '/api/v1/raw', 'four')).status, 204);
    assert.equal(got.length, 4);
  });

  test('errors: 400 with reason (valid streams still accepted), 413, 404, 405, /ready', async () => {
    got.length = 0;
    let res = await post(
      port,
      '/loki/api/v1/push',
      protoBody([
        { labels: '{bad', entries: [{ timestamp: TS1, line: 'no', structuredMetadata: [] }] },
        { labels: '{job="ok"}', entries: [{ timestamp: TS1, line: 'yes', structuredMetadata: [] }] },
      ]),
    );
    assert.equal(res.status, 400);
    assert.match(res.text, /parse error/);
    assert.deepEqual(
      got.map((e) => e.line),
      ['yes'],
    );
    res = await post(port, '/loki/api/v1/push', Buffer.from('not snappy at all'));
    assert.equal(res.status, 400);
    res = await post(port, '/loki/api/v1/push', '{"streams": 1}', { 'Content-Type': 'application/json' });
    assert.equal(res.status, 400);
    assert.match(res.text, /streams must be an array/);
    res = await post(port, '/loki/api/v1/push', 'x', { 'Content-Encoding': 'br' });
    assert.equal(res.status, 400);
    assert.match(res.text, /Content-Encoding "br" not supported/);
    res = await post(port, '/loki/api/v1/raw', Buffer.alloc(70 * 1024, 'a'));
    assert.equal(res.status, 413);
    res = await post(port, '/loki/api/v1/push', gzipSync(Buffer.alloc(200 * 1024, 'a')), {
      'Content-Type': 'application/json',
      'Content-Encoding': 'gzip',
    });
    assert.equal(res.status, 413, 'decompressed size is bounded too');
    res = await post(port, '/nope', 'x');
    assert.equal(res.status, 404);
    const get = await fetch(`http://127.0.0.1:${port}/loki/api/v1/push`);
    assert.equal(get.status, 405);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ready');
  });

  test('metrics carry Alloy names', async () => {
    const text = await run.engine.metricsText();
    assert.ok((metricValue(text, 'loki_source_api_entries_written') ?? 0) > 0);
    assert.ok(
      metricValue(text, 'loki_source_api_request_duration_seconds_count', [
        'route="loki_api_v1_push"',
        'status_code="204"',
      ])! > 0,
    );
    assert.ok(metricValue(text, 'loki_source_api_request_message_bytes_count', ['route="api_v1_raw"'])! > 0);
    assert.notEqual(metricValue(text, 'loki_source_api_tcp_connections'), undefined);
    assert.notEqual(metricValue(text, 'loki_source_api_inflight_requests'), undefined);
  });
});

describe('loki.source.api without use_incoming_timestamp', () => {
  test('entries get the receive time; 429 while the pipeline is congested', async () => {
    const port = await freePort();
    const got = recordedBy('now');
    let congested = false;
    const gate: ComponentRegistration<{ forward_to: LogsReceiver[] }> = {
      name: 'testloki.gate',
      stability: 'experimental',
      args: { attrs: { forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true } } },
      exports: { receiver: t.capsule('loki.LogsReceiver') },
      build: (opts, args) => {
        opts.onStateChange({
          receiver: logsReceiverCapsule({
            push: (e) => args.forward_to.forEach((r) => r.push(e)),
            congested: () => congested,
          } as LogsReceiver),
        });
        return {
          run: (s) => new Promise<void>((r) => s.addEventListener('abort', () => r())),
          update: () => undefined,
        };
      },
    };
    const run = startEngine(
      `
      loki.source.api "in" {
        http {
          listen_address = "127.0.0.1"
          listen_port = ${port}
        }
        forward_to = [testloki.gate.g.receiver]
      }
      testloki.gate "g" { forward_to = [testloki.recorder.now.receiver] }
      testloki.recorder "now" {}
      `,
      { components: [...testLokiComponents, gate] },
    );
    try {
      await waitReady(port);
      const t0 = nowNs();
      const body = protoBody([
        { labels: '{a="b"}', entries: [{ timestamp: 5n, line: 'x', structuredMetadata: [] }] },
      ]);
      assert.equal((await post(port, '/loki/api/v1/push', body)).status, 204);
      assert.ok(got[0]!.timestamp >= t0, 'receive time, not the pushed one');
      congested = true;
      const res = await post(port, '/loki/api/v1/push', body);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '1');
      congested = false;
      assert.equal((await post(port, '/loki/api/v1/push', body)).status, 204);
      assert.equal(got.length, 2);
    } finally {
      await run.stop();
    }
  });
});
