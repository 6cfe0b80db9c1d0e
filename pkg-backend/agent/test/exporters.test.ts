import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, waitFor } from './support.js';

const SRC_MAIN = resolve(import.meta.dirname, '../src/main.ts');
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

/** Metric family name → sorted label names of its first sample, from exposition text. */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?/.exec(line)!;
    if (out.has(m[1]!)) continue;
    const names = [...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((x) => x[1]).sort();
    out.set(m[1]!, names.join(','));
  }
  return out;
}

async function startAgent(config: string) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--conditions=foundry-source',
      '--import',
      'tsx',
      SRC_MAIN,
      'run',
      '--server.http.listen-addr',
      `127.0.0.1:${port}`,
      '--storage.path',
      mkdtempSync(join(tmpdir(), 'foundry-data-')),
      config,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/-/ready`, child);
  return { base, child };
}

describe('prometheus.exporter.unix and prometheus.exporter.self', () => {
  test('serve node_exporter-named metrics and their targets through the agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-exporters-'));
    const config = join(dir, 'config.alloy');
    writeFileSync(config, 'prometheus.exporter.unix "default" { }\n\nprometheus.exporter.self "agent" { }\n');
    const { base, child } = await startAgent(config);

    const comp = (await (
      await fetch(`${base}/api/v0/web/components/prometheus.exporter.unix.default`)
    ).json()) as any;
    const targets = comp.exports.find((e: any) => e.name === 'targets').value.value;
    const target = Object.fromEntries(targets[0].value.map((kv: any) => [kv.key, kv.value.value]));
    assert.equal(target.__address__, new URL(base).host);
    assert.equal(target.__metrics_path__, '/api/v0/component/prometheus.exporter.unix.default/metrics');
    assert.equal(target.job, 'integrations/unix');
    assert.equal(target.__meta_component_name, 'prometheus.exporter.unix');

    const unix = await (await fetch(`${base}${target.__metrics_path__}`)).text();
    const ours = families(unix);
    for (const name of [
      'node_cpu_seconds_total',
      'node_memory_MemTotal_bytes',
      'node_load1',
      'node_filesystem_size_bytes',
      'node_network_receive_bytes_total',
      'node_uname_info',
      'node_time_seconds',
    ]) {
      assert.ok(ours.has(name), `${name} present`);
    }
    assert.ok(
      !/node_scrape_collector_success\{collector="[a-z]+"\} 0/.test(unix),
      'every collector succeeded',
    );

    const self = await (
      await fetch(`${base}/api/v0/component/prometheus.exporter.self.agent/metrics`)
    ).text();
    assert.match(self, /^alloy_build_info\{/m);

    // Real node_exporter with the same collectors: every family we emit exists there with the same label names.
    if (!existsSync(NODE_EXPORTER)) {
      assert.ok(!process.env.CI, 'node_exporter must be installed in CI');
      child.kill('SIGTERM');
      return;
    }
    const port = await freePort();
    const collectors = ['cpu', 'meminfo', 'loadavg', 'filesystem', 'netdev', 'diskstats', 'uname', 'time'];
    const ne = spawn(
      NODE_EXPORTER,
      [
        `--web.listen-address=127.0.0.1:${port}`,
        '--collector.disable-defaults',
        ...collectors.map((c) => `--collector.${c}`),
      ],
      { stdio: 'ignore' },
    );
    children.push(ne);
    await waitFor(`http://127.0.0.1:${port}/metrics`, ne);
    const theirs = families(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    const missing: string[] = [];
    for (const [name, labels] of ours) {
      if (!theirs.has(name)) {
        // Hardware- and kernel-dependent families may differ between runs; the label shape must match where both have them.
        if (!/^node_(memory|disk)_/.test(name)) missing.push(name);
        continue;
      }
      if (name === 'node_filesystem_device_error' || name === 'node_filesystem_readonly') continue;
      assert.equal(labels, theirs.get(name), `labels of ${name}`);
    }
    assert.deepEqual(missing, [], 'families unknown to node_exporter');
    ne.kill('SIGTERM');
    child.kill('SIGTERM');
  });
});
