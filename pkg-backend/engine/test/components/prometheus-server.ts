/**
 * Starts Debian's real Prometheus (`/usr/bin/prometheus`) as a Remote Write receiver for tests, or reports
 * why it cannot: tests skip (with the message) only when the binary is missing outside CI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './rw-helpers.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

/** A reason to skip, or undefined when Prometheus can run (in CI a missing binary is a failure, not a skip). */
export function prometheusSkipReason(): string | undefined {
  if (existsSync(PROMETHEUS_BIN)) return undefined;
  if (process.env.CI) return undefined; // let the test fail loudly in CI
  return `${PROMETHEUS_BIN} not found (install Debian's prometheus package); skipping real-Prometheus checks`;
}

export interface PrometheusServer {
  port: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** Instant query; returns the `data.result` array. */
  query(q: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

export async function startPrometheus(port?: number): Promise<PrometheusServer> {
  port ??= await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'foundry-prom-'));
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(cfg, 'global:\n  scrape_interval: 1m\n');
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${cfg}`,
      '--web.enable-remote-write-receiver',
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) break;
    } catch {
      // not yet
    }
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
    query: async (q, time) => {
      const u = new URL(`${url}/api/v1/query`);
      u.searchParams.set('query', q);
      if (time !== undefined) u.searchParams.set('time', String(time / 1000));
      const j = (await (await fetch(u)).json()) as any;
      if (j.status !== 'success') throw new Error(`query ${q}: ${JSON.stringify(j)}`);
      return j.data.result;
    },
  };
}
