/** Helpers for runtime tests: an engine on test components, running until the test ends. */
import { Engine } from '../../src/runtime/engine.js';
import { LogSink } from '../../src/runtime/logger.js';
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { testRegistry } from './testcomponents.js';

export interface Running {
  engine: Engine;
  load(text: string): ReturnType<Engine['load']>;
  stop(): Promise<void>;
  logs: string[];
}

export function startEngine(
  text: string,
  opts: {
    storagePath?: string;
    minStability?: 'experimental' | 'generally-available';
    /** Test-only components added to the registry. */
    components?: ComponentRegistration[];
  } = {},
): Running {
  const logs: string[] = [];
  const engine = new Engine({
    registry: testRegistry().extend(opts.components ?? []),
    logSink: new LogSink({ write: (l) => logs.push(l) }),
    storagePath: opts.storagePath,
    minStability: opts.minStability ?? 'experimental',
    shutdownDeadlineMs: 5000,
  });
  const load = (src: string) => engine.load([{ filename: 'main.alloy', text: src }]);
  const first = load(text);
  if (!first.committed || first.diagnostics.some((d) => d.severity === 'error')) {
    throw new Error(`initial load failed: ${first.diagnostics.map((d) => d.message).join('; ')}`);
  }
  const abort = new AbortController();
  const done = engine.run(abort.signal);
  return {
    engine,
    load,
    logs,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** Waits until `cond` holds (polling every 5 ms), failing after `ms`. */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  ms = 3000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets pending immediates (dependants' re-evaluation) run. */
export function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 20));
}
