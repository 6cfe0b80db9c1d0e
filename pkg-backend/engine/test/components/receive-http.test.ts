import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { labelsFromRecord } from '../../src/components/prometheus/labels.js';
import { encodeWriteRequest, snappyCompress } from '../../src/protocols/remote-write.js';
import { recorders, startPromEngine, waitFor } from './prom-test-components.js';
import { freePort } from './rw-helpers.js';

test('prometheus.receive_http: status codes, metadata, interning', async () => {
  const port = await freePort();
  const r = startPromEngine(
    `
prometheus.receive_http "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}
  }
  forward_to      = [testcomponents.prom_recorder.rec.receiver]
  append_metadata = true
}

testcomponents.prom_recorder "rec" {}
`,
    mkdtempSync(join(tmpdir(), 'foundry-recv-')),
  );
  const url = `http://127.0.0.1:${port}/api/v1/metrics/write`;
  try {
    const body = snappyCompress(
      encodeWriteRequest({
        timeseries: [
          { labels: labelsFromRecord({ __name__: 'm', a: 'b' }), samples: [{ value: 1, timestamp: 5 }] },
        ],
        metadata: [{ family: 'm', type: 'counter', help: 'h', unit: '' }],
      }),
    );
    const post = async (b: Uint8Array, headers: Record<string, string> = {}, u = url, method = 'POST') => {
      for (let i = 0; ; i++) {
        try {
          return await fetch(u, { method, body: method === 'POST' ? b : undefined, headers });
        } catch (err) {
          if (i > 100) throw err;
          await new Promise((res) => setTimeout(res, 50));
        }
      }
    };
    assert.equal((await post(body)).status, 204);
    assert.equal(
      (await post(body, { 'Content-Type': 'application/x-protobuf;proto=prometheus.WriteRequest' })).status,
      204,
    );
    const rec = recorders.get('testcomponents.prom_recorder.rec')!;
    await waitFor(() => rec.samples.length === 2, 2000, 'samples');
    assert.equal(rec.samples[0]!.labels, rec.samples[1]!.labels, 'interned');
    assert.equal(rec.metadata.length, 2);
    const bad = await post(Buffer.from('not snappy at all'));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /snappy/);
    const badProto = await post(snappyCompress(Buffer.from([0x0a, 0x05, 0x01])));
    assert.equal(badProto.status, 400);
    assert.equal((await post(body, { 'Content-Type': 'text/plain' })).status, 415);
    assert.equal(
      (await post(body, { 'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' }))
        .status,
      415,
    );
    assert.equal((await post(body, { 'Content-Encoding': 'gzip' })).status, 415);
    assert.equal((await post(body, {}, `http://127.0.0.1:${port}/nope`)).status, 404);
    assert.equal((await post(body, {}, url, 'GET')).status, 405);
    const metrics = await r.engine.metricsText();
    assert.match(metrics, /prometheus_receive_http_request_duration_seconds_count\{[^}]*status_code="204"/);
    assert.match(metrics, /prometheus_forwarded_samples_total\{[^}]*\} 2/);
  } finally {
    await r.stop();
  }
});

test('prometheus.receive_http refuses remote write v2 (not implemented)', () => {
  assert.throws(
    () =>
      startPromEngine(
        `prometheus.receive_http "in" {
  forward_to = []
  accepted_remote_write_protobuf_messages = ["io.prometheus.write.v2.Request"]
}`,
        mkdtempSync(join(tmpdir(), 'foundry-recv-')),
      ),
    /not supported by this engine yet/,
  );
});
