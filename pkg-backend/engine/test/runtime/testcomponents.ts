/**
 * Test-only components for runtime tests (in the spirit of Alloy's testcomponents):
 * `testcomponents.passthrough` copies `input` to `output` and records its lifecycle, so tests can check
 * instance identity, update calls and start/stop order.
 */
import { Capsule } from '../../src/syntax/value.js';
import type { Component, ComponentOptions, ComponentRegistration } from '../../src/runtime/component.js';
import { createDefaultRegistry } from '../../src/registry.js';
import { t } from '../../src/runtime/schema.js';
import { health } from '../../src/runtime/health.js';
import { community, count, experimental, summation } from './alloy-testcomponents.js';

export interface PassthroughArgs {
  input: string;
  fail_update?: boolean;
}

/** Lifecycle events in order: `build:id`, `update:id`, `start:id`, `stop:id`. */
export const events: string[] = [];
export const instances = new Map<string, Passthrough[]>();

export class Passthrough implements Component<PassthroughArgs> {
  runs = 0;
  updates: PassthroughArgs[] = [];
  constructor(
    readonly opts: ComponentOptions,
    public args: PassthroughArgs,
  ) {
    events.push(`build:${opts.id}`);
    const list = instances.get(opts.id) ?? [];
    list.push(this);
    instances.set(opts.id, list);
    opts.onStateChange({ output: args.input });
  }
  async run(signal: AbortSignal): Promise<void> {
    this.runs++;
    events.push(`start:${this.opts.id}`);
    await new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true }));
    events.push(`stop:${this.opts.id}`);
  }
  update(args: PassthroughArgs): void {
    if (args.fail_update) throw new Error('update refused');
    events.push(`update:${this.opts.id}`);
    this.updates.push(args);
    this.args = args;
    this.opts.onStateChange({ output: args.input });
  }
  /** Publishes a new output at run time (as a component reacting to the outside world would). */
  publish(v: string): void {
    this.opts.onStateChange({ output: v });
  }
  health() {
    return health('healthy', 'passthrough ok');
  }
}

export const passthrough: ComponentRegistration<PassthroughArgs> = {
  name: 'testcomponents.passthrough',
  stability: 'generally-available',
  args: {
    attrs: {
      input: { type: t.string(), required: true },
      fail_update: { type: t.bool(), default: false },
      // Accepted for Alloy's testcomponents.passthrough configs; the output follows at once.
      lag: { type: t.duration(), default: 0 },
    },
  },
  exports: { output: t.string() },
  build: (opts, args) => new Passthrough(opts, args),
};

/** A sink that receives strings through a receiver capsule (to test forward_to style wiring). */
export const received: string[] = [];
export const receiverSink: ComponentRegistration<Record<string, never>> = {
  name: 'testcomponents.sink',
  stability: 'experimental',
  args: {},
  exports: { receiver: t.capsule('test.Receiver') },
  build: (opts) => {
    opts.onStateChange({ receiver: new Capsule('test.Receiver', { push: (s: string) => received.push(s) }) });
    return {
      run: (signal) => new Promise((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update: () => undefined,
    };
  },
};

export function testRegistry() {
  return createDefaultRegistry().extend([
    passthrough,
    receiverSink,
    count,
    summation,
    experimental,
    community,
  ]);
}

export function resetEvents(): void {
  events.length = 0;
  instances.clear();
  received.length = 0;
}
