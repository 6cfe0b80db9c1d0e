import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { metricValue } from '../components/rw-helpers.js';
import {
  eventually,
  feeders,
  freePort,
  makeEntries,
  recordedBy,
  settle,
  startEngine,
  testLokiComponents,
  waitReady,
} from './loki-helpers.js';

describe('loki.relabel', () => {
  test('relabels with rule blocks, drops, caches per label set, exports rules', async () => {
    const got = recordedBy('relabeled');
    got.length = 0;
    const run = startEngine(
      `
      testloki.feeder "rl" { forward_to = [loki.relabel.r.receiver] }
      loki.relabel "r" {
        forward_to = [testloki.recorder.relabeled.receiver]
        max_cache_size = 2
        rule {
          source_labels = ["env"]
          regex = "dev"
          action = "drop"
        }
        rule {
          source_labels = ["job"]
          target_label = "service"
          replacement = "svc-$1"
        }
        rule {
          regex = "job"
          action = "labeldrop"
        }
      }
      testloki.recorder "relabeled" {}`,
      { components: testLokiComponents },
    );
    try {
      await settle();
      const push = feeders.get('rl')!;
      push([
        ...makeEntries(['env', 'prod', 'job', 'api'], 3, 'a'),
        ...makeEntries(['env', 'dev', 'job', 'api'], 2, 'dropped'),
        ...makeEntries(['job', 'db'], 1, 'd'),
      ]);
      push(makeEntries(['env', 'prod', 'job', 'api'], 2, 'again'));
      assert.deepEqual(
        got.map((e) => e.line),
        ['a 0', 'a 1', 'a 2', 'd 0', 'again 0', 'again 1'],
      );
      assert.deepEqual(got[0]!.labels, ['env', 'prod', 'service', 'svc-api']);
      assert.deepEqual(got[3]!.labels, ['service', 'svc-db']);
      assert.equal(got[0]!.timestamp, 1_700_000_000_000_000_000n);
      const text = await run.engine.metricsText();
      assert.equal(metricValue(text, 'loki_relabel_entries_processed'), 8);
      assert.equal(metricValue(text, 'loki_relabel_entries_written'), 6);
      assert.equal(
        metricValue(text, 'loki_relabel_cache_misses'),
        4,
        'three label sets, then one evicted by max_cache_size',
      );
      assert.equal(metricValue(text, 'loki_relabel_cache_hits'), 4);
      assert.equal(metricValue(text, 'loki_relabel_cache_size'), 2, 'bounded by max_cache_size');
    } finally {
      await run.stop();
    }
  });

  test('its rules drive loki.source.api relabel_rules', async () => {
    const port = await freePort();
    const got = recordedBy('viarules');
    got.length = 0;
    const run = startEngine(
      `
      loki.relabel "r" {
        forward_to = []
        rule {
          source_labels = ["app"]
          target_label = "application"
        }
      }
      loki.source.api "in" {
        http {
          listen_address = "127.0.0.1"
          listen_port = ${port}
        }
        relabel_rules = loki.relabel.r.rules
        forward_to = [testloki.recorder.viarules.receiver]
      }
      testloki.recorder "viarules" {}`,
      { components: testLokiComponents },
    );
    try {
      await waitReady(port);
      const res = await fetch(`http://127.0.0.1:${port}/loki/api/v1/push`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream: { app: 'x' }, values: [['1', 'l']] }] }),
      });
      assert.equal(res.status, 204);
      assert.deepEqual(got[0]!.labels, ['app', 'x', 'application', 'x']);
    } finally {
      await run.stop();
    }
  });
});

describe('loki.echo and logging { write_to }', () => {
  test('loki.echo logs each entry at info', async () => {
    const run = startEngine(
      `
      testloki.feeder "e" { forward_to = [loki.echo.out.receiver] }
      loki.echo "out" {}`,
      { components: testLokiComponents },
    );
    try {
      await settle();
      feeders.get('e')!(makeEntries(['job', 'x"y'], 2, 'hello'));
      const lines = run.logs.filter((l) => l.includes('receiver=loki.echo.out'));
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /level=info/);
      assert.match(lines[0]!, /entry="hello 0"/);
      assert.match(lines[0]!, /labels="\{job=\\"x\\\\\\"y\\"\}"/);
    } finally {
      await run.stop();
    }
  });

  test('the agent\'s own log lines flow to write_to receivers as {component="alloy"}', async () => {
    const port = await freePort();
    const got = recordedBy('agentlogs');
    got.length = 0;
    const run = startEngine(
      `
      logging {
        level = "info"
        format = "logfmt"
        write_to = [testloki.recorder.agentlogs.receiver, loki.echo.loop.receiver]
      }
      loki.echo "loop" {}
      testloki.recorder "agentlogs" {}
      loki.source.api "in" {
        http {
          listen_address = "127.0.0.1"
          listen_port = ${port}
        }
        forward_to = []
      }`,
      { components: testLokiComponents },
    );
    try {
      await waitReady(port);
      await eventually(() => got.some((e) => e.line.includes('starting push API server')), 3000, 'log line');
      const e = got.find((x) => x.line.includes('starting push API server'))!;
      assert.deepEqual(e.labels, ['component', 'alloy']);
      assert.match(
        e.line,
        /^ts=\S+ level=info msg="starting push API server" .*component_id=loki\.source\.api\.in/,
      );
      assert.ok(e.line.endsWith('\n'), 'the formatted line, as Alloy writes it');
      const ms = Date.parse(/^ts=(\S+)/.exec(e.line)![1]!);
      assert.equal(e.timestamp, BigInt(ms) * 1_000_000n);
      assert.ok(got.every((x) => !x.line.includes('level=debug')));
      // loki.echo logged the forwarded line (once: its own log line is not forwarded again).
      const echoed = run.logs.filter((l) => l.includes('receiver=loki.echo.loop'));
      assert.ok(echoed.length >= 1);
      assert.ok(got.every((x) => !x.line.includes('receiver=loki.echo.loop')));
      // Removing the logging block stops forwarding.
      const n = got.length;
      run.load(`
      loki.echo "loop" {}
      testloki.recorder "agentlogs" {}
      loki.source.api "in" {
        http {
          listen_address = "127.0.0.1"
          listen_port = ${port}
        }
        forward_to = []
      }`);
      run.engine.logger.info('after the reload');
      await settle();
      assert.ok(got.slice(n).every((x) => !x.line.includes('after the reload')));
    } finally {
      await run.stop();
    }
  });
});
