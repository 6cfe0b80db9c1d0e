/**
 * Fakes of Alloy's `testcomponents.count` and `testcomponents.summation` (facts from
 * `internal/runtime/internal/testcomponents`), so the alloy-runtime txtar corpus can run:
 * `count` increments `count` every `frequency` up to `max`; `summation` adds each new `input` to `sum`
 * and exports it as `last_added`.
 */
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { t } from '../../src/runtime/schema.js';

export const count: ComponentRegistration<{ frequency: number; max: number }> = {
  name: 'testcomponents.count',
  stability: 'experimental',
  args: {
    attrs: { frequency: { type: t.duration(), required: true }, max: { type: t.int(), required: true } },
  },
  exports: { count: t.int() },
  build: (opts, initial) => {
    let args = initial;
    let n = 0;
    opts.onStateChange({ count: n });
    return {
      async run(signal) {
        while (!signal.aborted && n < args.max) {
          await new Promise((r) => setTimeout(r, args.frequency));
          if (signal.aborted) break;
          n++;
          opts.onStateChange({ count: n });
        }
        await new Promise<void>((res) =>
          signal.aborted ? res() : signal.addEventListener('abort', () => res(), { once: true }),
        );
      },
      update(a) {
        args = a;
      },
    };
  },
};

export const summation: ComponentRegistration<{ input: number }> = {
  name: 'testcomponents.summation',
  stability: 'experimental',
  args: { attrs: { input: { type: t.int(), required: true } } },
  exports: { sum: t.int(), last_added: t.int() },
  build: (opts, args) => {
    let sum = args.input;
    opts.onStateChange({ sum, last_added: args.input });
    return {
      run: (signal) => new Promise((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update(a) {
        sum += a.input;
        opts.onStateChange({ sum, last_added: a.input });
      },
    };
  },
};

/** `testcomponents.experimental`: a component at experimental stability (for stability-gate scenarios). */
export const experimental: ComponentRegistration = {
  name: 'testcomponents.experimental',
  stability: 'experimental',
  args: {},
  build: () => ({
    run: (signal) => new Promise((res) => signal.addEventListener('abort', () => res(), { once: true })),
    update: () => undefined,
  }),
};

/** `testcomponents.community`: a community component (needs --feature.community-components.enabled). */
export const community: ComponentRegistration = {
  ...experimental,
  name: 'testcomponents.community',
  stability: 'generally-available',
  community: true,
};
