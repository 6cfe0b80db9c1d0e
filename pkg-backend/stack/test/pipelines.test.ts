/**
 * The starter pipelines run on the real engine in both variants (remote write to Prometheus, or the debug
 * exporters when no Prometheus is installed): they load, every component turns healthy, and the
 * `agent` external label comes from FOUNDRY_AGENT. The stack test covers the Prometheus variant end to end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDefaultRegistry, Engine, LogSink } from '@foundry/engine';
import { AGENT_NAME_ENV, starterPipelines } from '../src/pipelines.js';

for (const variant of ['prometheus', 'debug'] as const) {
  test(`starter pipelines (${variant}) load and run healthy on the engine`, async () => {
    process.env[AGENT_NAME_ENV] = 'agent-test';
    const otlp = { host: '127.0.0.1', grpcPort: 0, httpPort: 0 }; // any free port
    const pipelines = starterPipelines(
      variant === 'prometheus' ? 'http://127.0.0.1:1/api/v1/write' : null,
      otlp,
    );
    assert.deepEqual(
      pipelines.map((p) => [p.name, p.matchers]),
      [
        ['agent-metrics', []],
        ['demo-otlp', ['team="shop"']],
      ],
    );
    for (const p of pipelines) {
      const storage = mkdtempSync(join(tmpdir(), 'foundry-starter-'));
      const logs: string[] = [];
      const engine = new Engine({
        registry: createDefaultRegistry(),
        minStability: 'experimental',
        storagePath: storage,
        logSink: new LogSink({ write: (l) => logs.push(l) }),
        shutdownDeadlineMs: 5000,
      });
      const loaded = engine.load([{ filename: `${p.name}.alloy`, text: p.content }]);
      assert.ok(loaded.committed, `${p.name}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
      assert.deepEqual(
        loaded.diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
      const abort = new AbortController();
      const done = engine.run(abort.signal);
      try {
        const deadline = Date.now() + 5000;
        let states: string[] = [];
        while (Date.now() < deadline) {
          states = engine.components().map((c) => `${c.localID}=${c.health.state}`);
          if (states.every((s) => s.endsWith('=healthy'))) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(
          states.every((s) => s.endsWith('=healthy')),
          `${p.name}: ${states.join(', ')}\n${logs.join('')}`,
        );
        if (variant === 'prometheus') {
          const rw = engine.components().find((c) => c.name === 'prometheus.remote_write')!;
          const args = rw.node.cell.args as {
            external_labels: Map<string, unknown> | Record<string, unknown>;
          };
          const labels =
            args.external_labels instanceof Map
              ? Object.fromEntries(args.external_labels)
              : args.external_labels;
          assert.equal(labels.agent, 'agent-test');
        }
      } finally {
        abort.abort();
        await done;
        rmSync(storage, { recursive: true, force: true });
      }
    }
  });
}
