/** Runs the real foundry-agent (from source) for tests that need a separate process (SIGKILL, restarts). */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from './net.js';

const MAIN = resolve(import.meta.dirname, '../../../agent/src/main.ts');

/** Agents started and not yet exited (kill them in an `after` hook). */
export const runningAgents = new Set<ChildProcess>();

export interface Agent {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` of its HTTP server. */
  base: string;
  exited: Promise<number | null>;
  stderr(): string;
}

/** Starts `foundry-agent run config` with `--storage.path storage`; resolves once `/-/ready` answers 200 (60 s at most). */
export async function startAgent(config: string, storage: string): Promise<Agent> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--conditions=foundry-source',
      '--import',
      'tsx',
      MAIN,
      'run',
      '--server.http.listen-addr',
      `127.0.0.1:${port}`,
      '--storage.path',
      storage,
      config,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  runningAgents.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      runningAgents.delete(child);
      res(code);
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const end = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/-/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > end) throw new Error(`agent did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, base, exited, stderr: () => stderr };
}

/** SIGKILLs every agent still running. */
export function killAgents(): void {
  for (const c of runningAgents) c.kill('SIGKILL');
}
