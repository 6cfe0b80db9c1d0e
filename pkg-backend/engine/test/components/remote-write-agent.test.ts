/**
 * Durability through the real agent process: prometheus.receive_http → prometheus.remote_write with the
 * endpoint down, SIGKILL, restart, endpoint up — every sample arrives, none twice within a series.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { labelsFromRecord } from '../../src/components/prometheus/labels.js';
import { encodeWriteRequest, snappyCompress } from '../../src/protocols/remote-write.js';
import { FakeEndpoint, freePort, metricValue } from './rw-helpers.js';
import { prometheusSkipReason, startPrometheus } from './prometheus-server.js';
import { killAgents, startAgent, type Agent } from '../support/agent.js';

const SERIES = 30;

async function kill(a: Agent): Promise<void> {
  a.child.kill('SIGKILL');
  await a.exited;
}

const series = Array.from({ length: SERIES }, (_, i) =>
  labelsFromRecord({ __name__: 'durable_metric', idx: String(i) }),
);

/** Pushes one Remote Write request (one sample per series at `ts`) into the agent's receive_http. */
async function push(port: number, ts: number): Promise<void> {
  const body = snappyCompress(
    encodeWriteRequest({
      timeseries: series.map((labels, i) => ({ labels, samples: [{ value: i, timestamp: ts }] })),
    }),
  );
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/metrics/write`, {
        method: 'POST',
        body,
        headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
      });
      if (res.status === 204) return;
      throw new Error(`receive_http answered ${res.status}: ${await res.text()}`);
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function config(receivePort: number, endpointUrl: string): string {
  return `prometheus.receive_http "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${receivePort}
  }
  forward_to = [prometheus.remote_write.rw.receiver]
}

prometheus.remote_write "rw" {
  endpoint {
    url = "${endpointUrl}"

    queue_config {
      max_samples_per_send = ${SERIES}
      batch_send_deadline  = "20ms"
      min_backoff          = "20ms"
      max_backoff          = "200ms"
    }
  }
}
`;
}

async function walAppended(a: Agent): Promise<number> {
  const text = await (await fetch(`${a.base}/metrics`)).text();
  return metricValue(text, 'prometheus_remote_write_wal_samples_appended_total') ?? 0;
}

describe('prometheus.remote_write durability through the agent (SIGKILL)', () => {
  after(() => {
    killAgents();
  });

  test('outage + SIGKILL + restart + SIGKILL mid-delivery: every sample once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-rw-agent-'));
    const storage = join(dir, 'data');
    const [receivePort, endpointPort] = [await freePort(), await freePort()];
    const cfg = join(dir, 'config.alloy');
    writeFileSync(cfg, config(receivePort, `http://127.0.0.1:${endpointPort}/api/v1/write`));
    const ep = new FakeEndpoint(endpointPort);
    ep.delayMs = 100;
    let ts = 1_700_000_000_000;
    try {
      // Phase 1: the endpoint is down.
      let a = await startAgent(cfg, storage);
      for (let k = 0; k < 20; k++) await push(receivePort, (ts += 1000));
      assert.equal(await walAppended(a), 20 * SERIES);
      await kill(a);

      // Phase 2: restart, endpoint up (slow: 100 ms per request), SIGKILL in the middle of delivery.
      await ep.start();
      a = await startAgent(cfg, storage);
      for (let k = 0; k < 10; k++) await push(receivePort, (ts += 1000));
      const end = Date.now() + 30_000;
      while (ep.samples.length < 8 * SERIES && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      assert.ok(ep.samples.length >= 8 * SERIES, 'delivery started');
      // Kill between responses: once the next request has arrived (the agent sends it only after it has
      // recorded the previous acknowledgement) and while it waits in the endpoint's processing delay.
      const seen = ep.requests.length;
      while (ep.arrivals <= seen && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
      assert.ok(ep.arrivals > ep.requests.length, 'a request is in flight');
      await kill(a);
      const atKill = ep.samples.length;
      assert.ok(atKill < 30 * SERIES, `killed mid-delivery (${atKill} delivered)`);

      // Phase 3: restart; more data; everything arrives exactly once.
      a = await startAgent(cfg, storage);
      for (let k = 0; k < 5; k++) await push(receivePort, (ts += 1000));
      const end3 = Date.now() + 60_000;
      while (ep.samples.length < 35 * SERIES && Date.now() < end3)
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 500));
      a.child.kill('SIGTERM');
      assert.equal(await a.exited, 0, a.stderr());
      assert.equal(ep.samples.length, 35 * SERIES, 'every sample, none twice');
      const counts = ep.checkOrderedUnique();
      assert.equal(counts.size, SERIES);
      for (const c of counts.values()) assert.equal(c, 35);
    } finally {
      await ep.stop();
    }
  });

  test(
    'outage + SIGKILL + restart into a real Prometheus: every sample queryable',
    { skip: prometheusSkipReason() },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'foundry-rw-agent-prom-'));
      const storage = join(dir, 'data');
      const [receivePort, promPort] = [await freePort(), await freePort()];
      const cfg = join(dir, 'config.alloy');
      writeFileSync(cfg, config(receivePort, `http://127.0.0.1:${promPort}/api/v1/write`));
      const base = Math.floor(Date.now() / 1000) * 1000 - 15 * 60_000;
      let a = await startAgent(cfg, storage);
      for (let k = 0; k < 20; k++) await push(receivePort, base + k * 15_000);
      assert.equal(await walAppended(a), 20 * SERIES);
      await kill(a);
      a = await startAgent(cfg, storage);
      const prom = await startPrometheus(promPort);
      try {
        for (let k = 20; k < 25; k++) await push(receivePort, base + k * 15_000);
        const q = 'sum(count_over_time(durable_metric[1h]))';
        let n = 0;
        const end = Date.now() + 60_000;
        while (Date.now() < end) {
          const r = await prom.query(q, base + 25 * 15_000);
          n = r.length ? Number(r[0]!.value[1]) : 0;
          if (n >= 25 * SERIES) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(n, 25 * SERIES);
        const text = await (await fetch(`${a.base}/metrics`)).text();
        assert.equal(
          metricValue(text, 'prometheus_remote_storage_samples_failed_total'),
          0,
          'no rejected batch',
        );
        a.child.kill('SIGTERM');
        assert.equal(await a.exited, 0);
      } finally {
        await prom.stop();
      }
    },
  );
});
