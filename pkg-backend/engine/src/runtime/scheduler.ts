/**
 * Running component tasks (Alloy's `scheduler.go`): a started task runs `component.run` until its
 * signal aborts; stopping waits for it up to the shutdown deadline, then releases its metrics. Run
 * health follows Alloy: "started component", "component shut down cleanly" or "… with error".
 */
import type { EngineContext } from './context.js';
import { health } from './health.js';
import type { Cell } from './nodes.js';

export function startTask(cell: Cell, ctx: EngineContext): void {
  const inst = cell.instance!;
  const abort = new AbortController();
  cell.abort = abort;
  cell.runHealth = health('healthy', 'started component');
  cell.running = (async () => {
    try {
      await inst.run(abort.signal);
      cell.runHealth = health('exited', 'component shut down cleanly');
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      cell.runHealth = health('exited', `component shut down with error: ${msg}`);
      ctx.logger.error('component exited with error', { component_id: cell.id, err: msg });
    }
  })();
}

/** Aborts a task and waits until it returned or the shutdown deadline passed. */
export async function stopTask(ctx: EngineContext, cell: Cell): Promise<void> {
  if (cell.running) {
    cell.abort!.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      cell.running,
      new Promise<void>((res) => {
        timer = setTimeout(() => {
          ctx.logger.warn('component did not stop before the shutdown deadline', { component_id: cell.id });
          res();
        }, ctx.shutdownDeadlineMs);
      }),
    ]);
    clearTimeout(timer);
    cell.running = undefined;
  }
  if (cell.metrics) ctx.releaseComponentRegistry(cell.metrics);
  cell.metrics = undefined;
}
