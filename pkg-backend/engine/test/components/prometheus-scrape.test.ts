/**
 * prometheus.scrape through a real Engine: against local node:http targets (gzip, auth header, staleness,
 * dead targets, honor_labels, sample_limit, OpenMetrics exemplars) and against the real node_exporter.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { appendableCapsule, type SampleBatch } from '../../src/components/prometheus/appendable.js';
import { t } from '../../src/runtime/schema.js';
import { acceptHeader } from '../../src/components/prometheus/scrape/loop.js';
import { DEFAULT_SCRAPE_PROTOCOLS } from '../../src/components/prometheus/scrape.js';
import { eventually, startEngine as startTestEngine } from '../runtime/helpers.js';

interface Rec {
  labels: Record<string, string>;
  ts: number;
  value: number;
  stale: boolean;
}
/** Batches received by `testcomponents.prom_recorder` (copied, since batches are reused). */
const batches: Rec[][] = [];
const exemplars: unknown[] = [];

const recorder: ComponentRegistration<Record<string, never>> = {
  name: 'testcomponents.prom_recorder',
  stability: 'experimental',
  args: {},
  exports: { receiver: t.capsule('storage.Appendable') },
  build: (opts) => {
    opts.onStateChange({
      receiver: appendableCapsule({
        append(b: SampleBatch) {
          const out: Rec[] = [];
          for (let i = 0; i < b.count; i++) {
            const l = b.series[i]!;
            const labels: Record<string, string> = {};
            for (let k = 0; k < l.length; k += 2) labels[l[k]!] = l[k + 1]!;
            out.push({ labels, ts: b.timestamps[i]!, value: b.values[i]!, stale: b.stale[i] === 1 });
          }
          for (const e of b.exemplars ?? []) exemplars.push({ ...e, series: out[e.sample]?.labels.__name__ });
          batches.push(out);
        },
      }),
    });
    return {
      run: (signal) => new Promise((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update: () => undefined,
    };
  },
};

function startEngine(text: string) {
  return startTestEngine(text, { components: [recorder], minStability: 'experimental' });
}

/** A target serving whatever `body` holds, recording request headers. */
function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const srv = http.createServer(handler);
  return new Promise<{ addr: string; close: () => Promise<void> }>((res) => {
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address() as AddressInfo;
      res({
        addr: `127.0.0.1:${a.port}`,
        close: () =>
          new Promise((r) => {
            srv.closeAllConnections();
            srv.close(() => r());
          }),
      });
    });
  });
}

const allSamples = () => batches.flat();
const named = (name: string) => allSamples().filter((s) => s.labels.__name__ === name);
const lastUp = (instance: string) =>
  named('up')
    .filter((s) => s.labels.instance === instance && !s.stale)
    .at(-1)?.value;

function config(addr: string, extra = '', targetsExtra = '') {
  return `
testcomponents.prom_recorder "rec" { }
prometheus.scrape "s" {
  targets = [{"__address__" = "${addr}"${targetsExtra}}]
  forward_to = [testcomponents.prom_recorder.rec.receiver]
  scrape_interval = "100ms"
  scrape_timeout = "90ms"
  ${extra}
}`;
}

describe('prometheus.scrape against local targets', () => {
  it('sends the Accept header of Prometheus for the default protocols', () => {
    assert.equal(
      acceptHeader(DEFAULT_SCRAPE_PROTOCOLS, 'underscores'),
      'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=underscores;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    );
  });

  it('scrapes gzip with auth, attaches job/instance, marks vanished series and removed targets stale', async () => {
    batches.length = 0;
    let body = '# TYPE a counter\na_total{x="1"} 1\nb 2\n';
    const headers: http.IncomingHttpHeaders[] = [];
    const target = await serve((req, res) => {
      headers.push(req.headers);
      if (req.headers.authorization !== 'Bearer s3cret') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip' });
      res.end(gzipSync(body));
    });
    const eng = startEngine(config(target.addr, 'bearer_token = "s3cret"'));
    try {
      await eventually(() => named('b').length > 0, 3000, 'first scrape');
      const b = named('b')[0]!;
      assert.deepEqual(b.labels, { __name__: 'b', instance: target.addr, job: 'prometheus.scrape.s' });
      assert.equal(lastUp(target.addr), 1);
      assert.equal(headers[0]!['accept-encoding'], 'gzip');
      assert.equal(headers[0]!['x-prometheus-scrape-timeout-seconds'], '0.09');
      assert.match(String(headers[0]!.accept), /^application\/openmetrics-text;version=1\.0\.0/);
      // The series `b` disappears: the next scrape forwards a staleness marker for it.
      body = '# TYPE a counter\na_total{x="1"} 2\n';
      await eventually(() => named('b').some((s) => s.stale), 3000, 'stale marker for b');
      const staleB = named('b').find((s) => s.stale)!;
      assert.deepEqual(staleB.labels, b.labels);
      // Report series of one scrape.
      for (const n of [
        'scrape_duration_seconds',
        'scrape_samples_scraped',
        'scrape_samples_post_metric_relabeling',
        'scrape_series_added',
      ])
        assert.ok(named(n).length > 0, n);
      // Remove the target by a reload: its series and report series go stale.
      const r = eng.load(config('127.0.0.1:1', 'bearer_token = "s3cret"'));
      assert.ok(r.committed);
      await eventually(
        () =>
          named('a_total').some((s) => s.stale) &&
          named('up').some((s) => s.stale && s.labels.instance === target.addr),
        3000,
        'end-of-target staleness',
      );
      // The new target is dead: up = 0.
      await eventually(() => lastUp('127.0.0.1:1') === 0, 3000, 'up=0 for a dead target');
    } finally {
      await eng.stop();
      await target.close();
    }
  });

  it('honor_labels, sample_limit (up=0 and nothing forwarded), OpenMetrics exemplars', async () => {
    batches.length = 0;
    exemplars.length = 0;
    const target = await serve((req, res) => {
      if (req.url?.startsWith('/om')) {
        res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
        res.end('# TYPE c counter\nc_total{job="mine"} 5 # {trace_id="t1"} 1 1700000000.5\n# EOF\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('m{job="mine",instance="x"} 1\nn 2\no 3\n');
    });
    const eng = startEngine(`
testcomponents.prom_recorder "rec" { }
prometheus.scrape "honor" {
  targets = [{"__address__" = "${target.addr}"}]
  forward_to = [testcomponents.prom_recorder.rec.receiver]
  scrape_interval = "100ms"
  scrape_timeout = "90ms"
  honor_labels = true
  job_name = "j"
}
prometheus.scrape "plain" {
  targets = [{"__address__" = "${target.addr}", "team" = "t"}]
  forward_to = [testcomponents.prom_recorder.rec.receiver]
  scrape_interval = "100ms"
  scrape_timeout = "90ms"
  job_name = "p"
}
prometheus.scrape "limited" {
  targets = [{"__address__" = "${target.addr}", "lim" = "1"}]
  forward_to = [testcomponents.prom_recorder.rec.receiver]
  scrape_interval = "100ms"
  scrape_timeout = "90ms"
  sample_limit = 2
  job_name = "l"
  extra_metrics = true
}
prometheus.scrape "om" {
  targets = [{"__address__" = "${target.addr}"}]
  forward_to = [testcomponents.prom_recorder.rec.receiver]
  scrape_interval = "100ms"
  scrape_timeout = "90ms"
  metrics_path = "/om"
  job_name = "om"
}`);
    try {
      await eventually(
        () =>
          named('m').some((s) => s.labels.job === 'mine') &&
          named('m').some((s) => s.labels.job === 'p') &&
          named('up').some((s) => s.labels.job === 'l') &&
          exemplars.length > 0,
        3000,
        'all four scrapes',
      );
      const honored = named('m').find((s) => s.labels.job === 'mine')!;
      assert.deepEqual(honored.labels, { __name__: 'm', instance: 'x', job: 'mine' });
      const plain = named('m').find((s) => s.labels.job === 'p')!;
      assert.deepEqual(plain.labels, {
        __name__: 'm',
        exported_instance: 'x',
        exported_job: 'mine',
        instance: target.addr,
        job: 'p',
        team: 't',
      });
      // sample_limit 2 < 3 samples: the scrape fails, no sample of it is forwarded, up = 0.
      assert.ok(
        !allSamples().some((s) => s.labels.lim === '1' && ['m', 'n', 'o'].includes(s.labels.__name__!)),
      );
      const up = named('up').find((s) => s.labels.job === 'l')!;
      assert.equal(up.value, 0);
      assert.equal(named('scrape_sample_limit').find((s) => s.labels.job === 'l')!.value, 2);
      assert.equal(named('scrape_samples_scraped').find((s) => s.labels.job === 'l')!.value, 3);
      // OpenMetrics: exemplar with its own timestamp.
      assert.deepEqual(exemplars[0], {
        sample: 0,
        labels: ['trace_id', 't1'],
        value: 1,
        timestamp: 1700000000500,
        series: 'c_total',
      });
      assert.equal(named('c_total').find((s) => !s.stale)!.labels.exported_job, 'mine');
    } finally {
      await eng.stop();
      await target.close();
    }
  });
});

describe('prometheus.scrape against node_exporter', () => {
  const bin = '/usr/bin/prometheus-node-exporter';
  let proc: ChildProcess | undefined;
  let port = 0;
  const missing = !existsSync(bin);
  before(async () => {
    if (missing) return;
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    proc = spawn(
      bin,
      [
        `--web.listen-address=127.0.0.1:${port}`,
        '--collector.disable-defaults',
        '--collector.loadavg',
        '--collector.meminfo',
        '--collector.time',
        '--collector.cpu',
      ],
      { stdio: 'ignore' },
    );
  });
  after(() => {
    if (proc?.pid && proc.exitCode === null) process.kill(proc.pid, 'SIGTERM');
  });

  it(
    'scrapes node_* series with job/instance and up=1',
    { skip: missing && !process.env.CI ? `${bin} is not installed` : false },
    async () => {
      assert.ok(!missing, `${bin} is required in CI`);
      batches.length = 0;
      const addr = `127.0.0.1:${port}`;
      const eng = startEngine(
        config(addr)
          .replace('scrape_interval = "100ms"', 'scrape_interval = "200ms"')
          .replace('"90ms"', '"190ms"'),
      );
      try {
        await eventually(() => lastUp(addr) === 1, 8000, 'up=1 from node_exporter');
        const node = allSamples().filter((s) => s.labels.__name__!.startsWith('node_') && !s.stale);
        assert.ok(node.length > 10, `node_* series: ${node.length}`);
        assert.ok(node.some((s) => s.labels.__name__ === 'node_load1'));
        for (const s of node) {
          assert.equal(s.labels.job, 'prometheus.scrape.s');
          assert.equal(s.labels.instance, addr);
        }
      } finally {
        await eng.stop();
      }
    },
  );
});
