import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Node arguments that run a TypeScript entry point straight from the workspace sources: tsx compiles
 * on load (cached under the OS temp folder) and the `foundry-source` export condition makes
 * `@foundry/*` imports resolve to `src/`, so `npm start` needs no `tsc` build first.
 */
export function typescriptEntry(path: string): string[] {
  return ['--conditions=foundry-source', `--import=${import.meta.resolve('tsx')}`, path];
}

/** One child process of the stack; its output goes to `<logDir>/<name>.log`. */
export interface Managed {
  name: string;
  proc: ChildProcess;
  log: WriteStream;
  /** Output seen so far (last 64 KiB), for readiness checks and error messages. */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Starts and stops the stack's processes: output to log files, stop in reverse order with SIGTERM and a
 * deadline before SIGKILL.
 */
export class Supervisor {
  private readonly children: Managed[] = [];

  /** @param cwd working folder of every child (the repository root, where tsx finds tsconfig.json) */
  constructor(
    private readonly logDir: string,
    private readonly cwd: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** How many children were started. */
  get size(): number {
    return this.children.length;
  }

  /** Spawns `command args` with extra environment. */
  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Managed {
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    log.write(`\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const proc = spawn(command, args, {
      cwd: this.cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const take = (d: Buffer) => {
      log.write(d);
      tail = (tail + d.toString()).slice(-65_536);
    };
    proc.stdout!.on('data', take);
    proc.stderr!.on('data', take);
    const exited = new Promise<number | null>((resolve) => {
      proc.once('exit', (code) => resolve(code));
      proc.once('error', (err) => {
        tail += `\n${err.message}`;
        resolve(-1);
      });
    });
    const m: Managed = { name, proc, log, output: () => tail, exited };
    this.children.push(m);
    return m;
  }

  /** Stops every child, last started first. */
  async stopAll(deadlineMs = 10_000): Promise<void> {
    for (const m of [...this.children].reverse()) {
      if (m.proc.exitCode !== null || m.proc.signalCode !== null) continue;
      m.proc.kill('SIGTERM');
      const timer = setTimeout(() => m.proc.kill('SIGKILL'), deadlineMs);
      await m.exited;
      clearTimeout(timer);
      m.log.end();
    }
  }
}

/**
 * Polls `check` every 200 ms until it returns true; fails when `child` (or any of `children`) exits, or
 * after `ms`.
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  opts: { ms: number; child?: Managed; children?: Managed[] },
): Promise<void> {
  const watched = [...(opts.child ? [opts.child] : []), ...(opts.children ?? [])];
  const end = Date.now() + opts.ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    const gone = watched.find((c) => c.proc.exitCode !== null || c.proc.signalCode !== null);
    if (gone)
      throw new Error(`${gone.name} exited while waiting for ${what}:\n${gone.output().slice(-3000)}`);
    if (Date.now() > end) {
      const tails = watched.map((c) => `--- ${c.name}\n${c.output().slice(-1500)}`).join('\n');
      throw new Error(`timed out waiting for ${what}${tails ? `:\n${tails}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether nothing listens on 127.0.0.1:`port` (binding it succeeds). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}
