/** Helpers for agent tests: free loopback ports and waiting for an HTTP endpoint. */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Resolves once `url` answers 2xx; fails when `child` exits first or after 30 s. */
export async function waitFor(url: string, child: ChildProcess, what = () => ''): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > end) throw new Error(`${url} did not come up ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
