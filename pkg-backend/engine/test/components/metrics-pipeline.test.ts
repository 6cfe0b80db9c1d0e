/**
 * The metrics pipeline end to end on real peers: node_exporter → prometheus.scrape → prometheus.relabel →
 * prometheus.remote_write → a real Prometheus remote-write receiver, checked through its query API.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { prometheusSkipReason, startPrometheus, type PrometheusServer } from './prometheus-server.js';
import { freePort } from './rw-helpers.js';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const skip =
  prometheusSkipReason() ??
  (!existsSync(NODE_EXPORTER) && !process.env.CI ? `${NODE_EXPORTER} not found` : undefined);

let engine: Running | undefined;
let prom: PrometheusServer | undefined;
let exporter: ChildProcess | undefined;
after(async () => {
  await engine?.stop();
  exporter?.kill('SIGKILL');
  await prom?.stop();
});

test('node_exporter → scrape → relabel → remote_write → Prometheus', { skip, timeout: 120_000 }, async () => {
  prom = await startPrometheus();
  const port = await freePort();
  exporter = spawn(
    NODE_EXPORTER,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      '--collector.loadavg',
      '--collector.meminfo',
      '--collector.time',
    ],
    { stdio: 'ignore' },
  );
  await eventually(() => exporter!.exitCode === null, 1000, 'node_exporter running');

  engine = startEngine(
    `
prometheus.scrape "node" {
  targets         = [{"__address__" = "127.0.0.1:${port}", "env" = "test"}]
  job_name        = "node"
  scrape_interval = "1s"
  scrape_timeout  = "1s"
  forward_to      = [prometheus.relabel.node.receiver]
}

prometheus.relabel "node" {
  rule {
    source_labels = ["__name__"]
    regex         = "node_memory_.*"
    action        = "drop"
  }

  rule {
    source_labels = ["env"]
    target_label  = "environment"
  }

  rule {
    action = "labeldrop"
    regex  = "env"
  }

  forward_to = [prometheus.remote_write.prom.receiver]
}

prometheus.remote_write "prom" {
  endpoint {
    url = "${prom.url}/api/v1/write"

    queue_config {
      batch_send_deadline = "200ms"
    }
  }
}
`,
    { storagePath: mkdtempSync(join(tmpdir(), 'foundry-pipeline-')) },
  );

  let up: Awaited<ReturnType<PrometheusServer['query']>> = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    up = await prom.query('up{job="node"}');
    if (up.length && (await prom.query('node_load1{job="node"}')).length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(up.length, 1, 'up arrived');
  assert.equal(up[0]!.value[1], '1');
  assert.equal(up[0]!.metric.instance, `127.0.0.1:${port}`);
  assert.equal(up[0]!.metric.environment, 'test', 'relabeled label');
  assert.equal(up[0]!.metric.env, undefined, 'labeldrop applied');
  const load = await prom.query('node_load1{job="node",environment="test"}');
  assert.equal(load.length, 1);
  assert.deepEqual(await prom.query('{__name__=~"node_memory_.*"}'), [], 'dropped series never arrive');

  // Target health for the components API.
  const info = engine.engine.component('prometheus.scrape.node')!.node.cell.instance!.debugInfo!() as {
    target: { health: string; url: string }[];
  };
  assert.equal(info.target[0]!.health, 'up');
  assert.equal(info.target[0]!.url, `http://127.0.0.1:${port}/metrics`);
});
