import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lokiWriteTuning } from '../../src/components/loki/write/component.js';
import { encodePushRequest, snappyCompress } from '../../src/protocols/loki-push.js';
import { metricValue } from '../components/rw-helpers.js';
import {
  eventually,
  FakeLoki,
  feeders,
  freePort,
  linesByStream,
  makeEntries,
  startEngine,
  testLokiComponents,
  waitReady,
} from './loki-helpers.js';

function writeConfig(port: number, endpointBody: string, extra = ''): string {
  return `
    testloki.feeder "f" { forward_to = [loki.write.out.receiver] }
    loki.write "out" {
      ${extra}
      endpoint {
        url = "http://127.0.0.1:${port}/loki/api/v1/push"
        batch_wait = "20ms"
        min_backoff_period = "10ms"
        max_backoff_period = "40ms"
        ${endpointBody}
      }
    }`;
}

function expectLines(got: Map<string, string[]>, stream: string, prefix: string, n: number): void {
  assert.deepEqual(
    got.get(stream),
    Array.from({ length: n }, (_, i) => `${prefix} ${i}`),
    `stream ${stream}`,
  );
}

describe('loki.write', () => {
  test('tenants, external labels, headers, batching by size, order per stream', async () => {
    const port = await freePort();
    const loki = new FakeLoki(port);
    await loki.start();
    const run = startEngine(
      writeConfig(
        port,
        `tenant_id = "default-tenant"
         batch_size = "2KiB"
         headers = { "X-Custom" = "yes", "X-Scope-OrgID" = "ignored" }`,
        `external_labels = { cluster = "c1", job = "not-used" }`,
      ),
      { components: testLokiComponents },
    );
    try {
      await new Promise((r) => setTimeout(r, 50));
      const push = feeders.get('f')!;
      const a = makeEntries(['job', 'a'], 100, 'a-line-with-some-padding-to-fill-batches');
      const b = makeEntries(['__tenant_id__', 'other', 'job', 'b'], 30, 'b');
      push(a.slice(0, 50));
      push(b);
      push(a.slice(50));
      await eventually(() => loki.entries.length === 130, 5000, 'all entries');
      const byTenant = (t: string) => loki.entries.filter((e) => e.tenant === t);
      const ga = linesByStream(byTenant('default-tenant'));
      const gb = linesByStream(byTenant('other'));
      expectLines(ga, '{cluster="c1", job="a"}', 'a-line-with-some-padding-to-fill-batches', 100);
      expectLines(gb, '{cluster="c1", job="b"}', 'b', 30);
      assert.equal(loki.entries[0]!.timestamp, 1_700_000_000_000_000_000n);
      assert.ok(loki.requests.length >= 3, `batch_size splits batches (${loki.requests.length} requests)`);
      const h = loki.requests[0]!.headers;
      assert.equal(h['content-type'], 'application/x-protobuf');
      assert.equal(h['x-custom'], 'yes');
      assert.match(String(h['user-agent']), /^Alloy\//);
      assert.ok(
        loki.requests.every((r) => ['default-tenant', 'other'].includes(String(r.headers['x-scope-orgid']))),
      );
      const host = `host="127.0.0.1:${port}"`;
      // The fake Loki records a request before loki.write sees the response and counts it.
      let text = '';
      await eventually(
        async () => {
          text = await run.engine.metricsText();
          return (
            metricValue(text, 'loki_write_sent_entries_total', [host, 'tenant="default-tenant"']) === 100 &&
            metricValue(text, 'loki_write_sent_entries_total', [host, 'tenant="other"']) === 30
          );
        },
        5000,
        'sent entries counted',
      );
      assert.equal(
        metricValue(text, 'loki_write_sent_entries_total', [host, 'tenant="default-tenant"']),
        100,
      );
      assert.equal(metricValue(text, 'loki_write_sent_entries_total', [host, 'tenant="other"']), 30);
      assert.ok(metricValue(text, 'loki_write_sent_bytes_total', [host])! > 0);
      assert.equal(metricValue(text, 'loki_write_dropped_entries_total', [host, 'reason="rate_limited"']), 0);
      assert.ok(metricValue(text, 'loki_write_request_duration_seconds_count', ['status_code="204"'])! >= 3);
      assert.ok(metricValue(text, 'loki_write_entry_propagation_latency_seconds_count', [host])! >= 100);
    } finally {
      await run.stop();
      await loki.stop();
    }
  });

  test('429 and 500 for a while, then recovery: nothing lost, retries counted', async () => {
    const port = await freePort();
    const loki = new FakeLoki(port);
    loki.respond = (n) => (n < 3 ? 429 : n < 6 ? 500 : 204);
    await loki.start();
    const run = startEngine(writeConfig(port, 'max_backoff_retries = 0'), { components: testLokiComponents });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const push = feeders.get('f')!;
      for (let i = 0; i < 10; i++) {
        push(makeEntries(['job', 'r'], 500, 'r').slice(i * 50, i * 50 + 50));
        await new Promise((r) => setTimeout(r, 5));
      }
      await eventually(() => loki.entries.length >= 500, 8000, 'recovered delivery');
      expectLines(linesByStream(loki.entries), '{job="r"}', 'r', 500);
      assert.ok(loki.requests.slice(0, 6).every((r) => r.status !== 204));
      const text = await run.engine.metricsText();
      assert.ok(metricValue(text, 'loki_write_batch_retries_total')! >= 6);
      assert.equal(metricValue(text, 'loki_write_dropped_entries_total', ['reason="ingester_error"']), 0);
      assert.ok(metricValue(text, 'loki_write_request_duration_seconds_count', ['status_code="429"'])! >= 3);
    } finally {
      await run.stop();
      await loki.stop();
    }
  });

  test('drops: 429 without retry_on_http_429, 400, retries exhausted, max_streams', async () => {
    const port = await freePort();
    const loki = new FakeLoki(port);
    await loki.start();
    const run = startEngine(
      writeConfig(port, 'retry_on_http_429 = false\nmax_backoff_retries = 2', 'max_streams = 2'),
      {
        components: testLokiComponents,
      },
    );
    try {
      await new Promise((r) => setTimeout(r, 50));
      const push = feeders.get('f')!;
      const host = `host="127.0.0.1:${port}"`;
      const dropped = async (reason: string) =>
        metricValue(await run.engine.metricsText(), 'loki_write_dropped_entries_total', [
          host,
          `reason="${reason}"`,
        ]);
      loki.respond = () => 429;
      push(makeEntries(['job', 'x'], 3, 'x'));
      await eventually(() => loki.requests.length === 1, 3000, 'first request');
      await eventually(() => false, 100).catch(() => undefined);
      assert.equal(await dropped('rate_limited'), 3);
      assert.equal(loki.requests.length, 1, 'no retry of a 429');
      loki.respond = () => 400;
      push(makeEntries(['job', 'x'], 2, 'x'));
      await eventually(() => loki.requests.length === 2, 3000);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await dropped('ingester_error'), 2);
      loki.respond = () => 503;
      push(makeEntries(['job', 'x'], 4, 'x'));
      await eventually(() => loki.requests.length === 4, 3000, 'two attempts');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(loki.requests.length, 4, 'max_backoff_retries attempts');
      assert.equal(await dropped('ingester_error'), 6);
      loki.respond = () => 204;
      push([
        ...makeEntries(['job', 's1'], 1, 's1'),
        ...makeEntries(['job', 's2'], 1, 's2'),
        ...makeEntries(['job', 's3'], 1, 's3'),
      ]);
      await eventually(() => loki.entries.length === 2, 3000);
      assert.equal(await dropped('stream_limited'), 1);
    } finally {
      await run.stop();
      await loki.stop();
    }
  });

  test('queue capacity: drops with block_on_overflow = false, back-pressure (429) otherwise', async () => {
    const port = await freePort();
    const apiPort = await freePort();
    const loki = new FakeLoki(port);
    loki.respond = () => 503;
    await loki.start();
    const run = startEngine(
      `
      testloki.feeder "f" { forward_to = [loki.write.drop.receiver] }
      loki.write "drop" {
        endpoint {
          url = "http://127.0.0.1:${port}/loki/api/v1/push"
          batch_wait = "10ms"
          min_backoff_period = "10ms"
          max_backoff_period = "20ms"
          max_backoff_retries = 0
          queue_config {
            capacity = "1KiB"
            block_on_overflow = false
            drain_timeout = "100ms"
          }
        }
      }
      loki.source.api "in" {
        http {
          listen_address = "127.0.0.1"
          listen_port = ${apiPort}
        }
        forward_to = [loki.write.block.receiver]
      }
      loki.write "block" {
        endpoint {
          url = "http://127.0.0.1:${port}/loki/api/v1/push"
          batch_wait = "10ms"
          min_backoff_period = "10ms"
          max_backoff_period = "20ms"
          max_backoff_retries = 0
          queue_config {
            capacity = "1KiB"
            drain_timeout = "100ms"
          }
        }
      }`,
      { components: testLokiComponents },
    );
    try {
      await waitReady(apiPort);
      feeders.get('f')!(makeEntries(['job', 'q'], 100, 'q'.repeat(100)));
      const text = await run.engine.metricsText();
      assert.ok(
        metricValue(text, 'loki_write_dropped_entries_total', [
          'component_id="loki.write.drop"',
          'reason="queue_is_full"',
        ])! > 80,
      );
      const body = () =>
        snappyCompress(
          encodePushRequest([
            {
              labels: '{job="b"}',
              entries: [{ timestamp: 1n, line: 'y'.repeat(2000), structuredMetadata: [] }],
            },
          ]),
        );
      const post = () =>
        fetch(`http://127.0.0.1:${apiPort}/loki/api/v1/push`, { method: 'POST', body: body() });
      assert.equal((await post()).status, 204);
      assert.equal((await post()).status, 429, 'queue over capacity → back-pressure');
      loki.respond = () => 204;
      await eventually(() => loki.entries.length >= 1, 3000);
      await eventually(() => false, 50).catch(() => undefined);
      assert.equal((await post()).status, 204, 'accepted again once drained');
    } finally {
      await run.stop();
      await loki.stop();
    }
  });
});

describe('loki.write WAL', () => {
  test('endpoint down + engine restart: nothing lost, nothing re-sent after delivery', async () => {
    const saved = { ...lokiWriteTuning };
    lokiWriteTuning.segmentSize = 4096;
    const storage = mkdtempSync(join(tmpdir(), 'foundry-lokiwal-'));
    const port = await freePort();
    const loki = new FakeLoki(port);
    loki.respond = () => 503;
    await loki.start();
    const cfg = writeConfig(
      port,
      'max_backoff_retries = 0',
      `wal {
         enabled = true
         drain_timeout = "200ms"
       }`,
    );
    try {
      let run = startEngine(cfg, { components: testLokiComponents, storagePath: storage });
      await new Promise((r) => setTimeout(r, 50));
      let push = feeders.get('f')!;
      const all = makeEntries(['job', 'w'], 600, 'w'.repeat(40));
      for (let i = 0; i < 6; i++) push(all.slice(i * 100, i * 100 + 100));
      await eventually(() => loki.requests.length >= 2, 3000, 'failing attempts');
      await run.stop();
      assert.equal(loki.entries.length, 0);
      const segs = readdirSync(join(storage, 'loki.write.out', 'wal', 'segments'));
      assert.ok(segs.length > 3, `cut into segments (${segs.length})`);

      // Restart with the endpoint up: the backlog arrives, in order, once.
      loki.respond = () => 204;
      run = startEngine(cfg, { components: testLokiComponents, storagePath: storage });
      await eventually(() => loki.entries.length >= 600, 8000, 'backlog delivered');
      push = feeders.get('f')!;
      const more = makeEntries(['job', 'w'], 700, 'w'.repeat(40)).slice(600);
      push(more);
      await eventually(() => loki.entries.length >= 700, 5000, 'live entries delivered');
      expectLines(linesByStream(loki.entries), '{job="w"}', 'w'.repeat(40), 700);
      await run.stop();
      // Delivered segments were removed.
      const left = readdirSync(join(storage, 'loki.write.out', 'wal', 'segments'));
      assert.ok(left.length < segs.length, `segments truncated (${left.length} of ${segs.length})`);

      // A third start re-sends nothing.
      run = startEngine(cfg, { components: testLokiComponents, storagePath: storage });
      await new Promise((r) => setTimeout(r, 300));
      await run.stop();
      assert.equal(loki.entries.length, 700);
    } finally {
      Object.assign(lokiWriteTuning, saved);
      await loki.stop();
    }
  });
});
