/**
 * `npm start` for real: the stack's entry point (what the root `start` script runs) on shifted ports
 * and a fresh data folder, with its own embedded PostgreSQL and, when installed, a real Prometheus.
 * Checks the banner, three healthy agents with both starter pipelines applied, growing counters, the
 * Fleet page being served, a clean Ctrl-C, and that a second start resumes from the same folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { allPorts, stackPorts, type StackPorts } from '../src/ports.js';
import { portFree } from '../src/processes.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'pkg-backend/stack/src/main.ts');

/** An offset whose ports are all free, below the ephemeral range where possible. */
async function freeOffset(): Promise<number> {
  for (let offset = 20_000; offset < 20_400; offset += 7) {
    const free = await Promise.all(allPorts(stackPorts(offset)).map(portFree));
    if (free.every(Boolean)) return offset;
  }
  throw new Error('no free port offset between 20000 and 20400');
}

interface Run {
  proc: ChildProcess;
  output(): string;
  /** Resolves when the output matches `re`; rejects when the process exits first or after `ms`. */
  waitFor(re: RegExp, ms: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

function start(dataDir: string, offset: number): Run {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FOUNDRY_DATA_DIR: dataDir,
    FOUNDRY_PORT_OFFSET: String(offset),
  };
  delete env.DATABASE_URL; // the stack's own embedded PostgreSQL, as on a fresh machine
  delete env.GRAFANA_URL;
  const proc = spawn(process.execPath, ['--conditions=foundry-source', '--import', 'tsx', MAIN], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const take = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    output: () => out,
    exited,
    waitFor(re, ms) {
      return new Promise((resolveMatch, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) {
            cleanup();
            resolveMatch(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${ms} ms waiting for ${re}:\n${out.slice(-4000)}`));
        }, ms);
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`npm start exited (${code}) before ${re}:\n${out.slice(-4000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          proc.off('exit', onExit);
        };
        waiters.add(check);
        proc.once('exit', onExit);
        check();
      });
    },
  };
}

async function stop(run: Run): Promise<number | null> {
  if (run.proc.exitCode !== null) return run.proc.exitCode;
  run.proc.kill('SIGINT');
  const killer = setTimeout(() => run.proc.kill('SIGKILL'), 30_000);
  const code = await run.exited;
  clearTimeout(killer);
  return code;
}

async function get(ports: StackPorts, token: string, path: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${ports.controller}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
}

function hasPrometheus(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'foundry-stack-'));
chmodSync(dataDir, 0o755); // as root, the embedded PostgreSQL runs as `postgres`, which must enter it
const running: Run[] = [];
after(async () => {
  await Promise.all(running.map(stop));
  rmSync(dataDir, { recursive: true, force: true });
});

test(
  'npm start brings up the stack, data flows, Ctrl-C stops it and a second start resumes',
  { timeout: 300_000 },
  async () => {
    const offset = await freeOffset();
    const ports = stackPorts(offset);
    const prometheus = hasPrometheus();

    const first = start(dataDir, offset);
    running.push(first);
    const up = await first.waitFor(/Foundry is up \(([\d.]+) s\)[\s\S]*Press Ctrl-C to stop\./, 150_000);
    const out = first.output();
    for (let n = 1; n <= 8; n++) assert.match(out, new RegExp(`\\] ${n}/8 `), `progress step ${n}/8`);
    assert.match(
      out,
      new RegExp(`Fleet app\\s+http://127\\.0\\.0\\.1:${ports.host}/a/foundry-fleet-app/fleet`),
    );
    assert.match(out, /agent-shop: agent-metrics v1, demo-otlp v1/);
    assert.match(out, /agent-dev: agent-metrics v1\b/);
    assert.match(
      out,
      prometheus
        ? new RegExp(`Data goes to\\s+Prometheus http://127\\.0\\.0\\.1:${ports.prometheus}`)
        : /Data goes to\s+the agents' debug outputs/,
    );
    const admin = /Admin token\s+(\S+)/.exec(out)?.[1];
    assert.ok(admin, 'the banner shows the admin token');
    console.log(`stack up in ${up[1]} s (port offset ${offset}, Prometheus ${prometheus ? 'on' : 'absent'})`);

    // The controller's view: three healthy agents, every desired pipeline applied.
    const summary = await get(ports, admin, '/api/v1/fleet/summary');
    assert.equal(summary.agents.total, 3);
    assert.equal(summary.agents.healthy, 3);
    const shop = await get(ports, admin, '/api/v1/agents/agent-shop');
    assert.deepEqual(
      shop.pipelines.map((p: any) => [p.name, p.status, p.appliedVersion]),
      [
        ['agent-metrics', 'applied', 1],
        ['demo-otlp', 'applied', 1],
      ],
    );

    // Data flows: a status line where samples and spans both grew since the previous one.
    await first.waitFor(
      /samples sent \d+ \(\+[1-9]\d*\) · spans \d+ \(\+[1-9]\d*\) · log records \d+ \(\+[1-9]\d*\)/,
      60_000,
    );
    if (prometheus) {
      // Remote-written by the agents' pipelines: node_exporter-named series and the demo shop's span metrics.
      // (scrape interval 15 s, batch timeout 2 s: poll until both are there.)
      const count = async (expr: string) => {
        const res = await fetch(
          `http://127.0.0.1:${ports.prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`,
        );
        return ((await res.json()) as any).data.result.length as number;
      };
      let seen = { load: 0, spans: 0 };
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        seen = {
          load: await count('count by (agent) (node_load1)'),
          spans: await count('{__name__=~".*span_metrics_calls_total"}'),
        };
        if (seen.load >= 3 && seen.spans > 0) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.ok(seen.load >= 3, `node_load1 from the three agents (saw ${seen.load} series)`);
      assert.ok(seen.spans > 0, 'span metrics of the demo shop');
    }

    // The Fleet app is served by the plugin host.
    const page = await fetch(`http://127.0.0.1:${ports.host}/a/foundry-fleet-app/fleet`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script/);

    // Ctrl-C: everything stops, exit 0.
    assert.equal(await stop(first), 0);
    assert.match(first.output(), /stopped\. State is kept in/);
    for (const port of [ports.controller, ports.host, ...ports.agents])
      assert.ok(await portFree(port), `port ${port} released`);

    // Second start on the same folder: same tokens, pipelines not created again.
    const second = start(dataDir, offset);
    running.push(second);
    await second.waitFor(/Foundry is up/, 150_000);
    assert.ok(second.output().includes(admin), 'the same admin token');
    const pipelines = await get(ports, admin, '/api/v1/pipelines');
    const names = (Array.isArray(pipelines) ? pipelines : pipelines.items).map((p: any) => p.name).sort();
    assert.deepEqual(names, ['agent-metrics', 'demo-otlp']);
    assert.equal(await stop(second), 0);
  },
);

test(
  'npm start refuses to start when one of its ports is taken, naming it',
  { timeout: 60_000 },
  async () => {
    const offset = await freeOffset();
    const ports = stackPorts(offset);
    const squatter = createServer().listen(ports.host, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    const dir = mkdtempSync(join(tmpdir(), 'foundry-stack-busy-'));
    try {
      const run = start(dir, offset);
      const code = await run.exited;
      assert.equal(code, 1);
      assert.match(run.output(), new RegExp(`in use on 127\\.0\\.0\\.1: ${ports.host} \\(plugin host\\)`));
      assert.match(run.output(), /FOUNDRY_PORT_OFFSET/);
      assert.doesNotMatch(run.output(), /1\/8/, 'nothing was started');
    } finally {
      squatter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
