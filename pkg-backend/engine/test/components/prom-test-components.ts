/**
 * Test-only Prometheus components: `testcomponents.prom_source` (tests push batches into its `forward_to`)
 * and `testcomponents.prom_recorder` (exports a `storage.Appendable` receiver that records a copy of every
 * sample). Instances are found by component ID in `sources` / `recorders`.
 */
import { Engine } from '../../src/runtime/engine.js';
import { LogSink } from '../../src/runtime/logger.js';
import type { Component, ComponentRegistration } from '../../src/runtime/component.js';
import { createDefaultRegistry } from '../../src/registry.js';
import { t } from '../../src/runtime/schema.js';
import {
  appendableCapsule,
  type Appendable,
  type SampleBatch,
} from '../../src/components/prometheus/appendable.js';
import { labelsFromRecord, type Labels } from '../../src/components/prometheus/labels.js';

const idle = (signal: AbortSignal) =>
  new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true }));

export class PromSource implements Component {
  constructor(public args: { forward_to: Appendable[] }) {}
  push(batch: SampleBatch): void {
    for (const r of this.args.forward_to) r.append(batch);
  }
  run = idle;
  update(args: { forward_to: Appendable[] }): void {
    this.args = args;
  }
}

export interface RecordedSample {
  labels: Labels;
  timestamp: number;
  value: number;
  stale: boolean;
}

export class PromRecorder implements Component, Appendable {
  samples: RecordedSample[] = [];
  batches = 0;
  metadata: unknown[] = [];
  append(b: SampleBatch): void {
    this.batches++;
    for (let i = 0; i < b.count; i++) {
      this.samples.push({
        labels: b.series[i]!,
        timestamp: b.timestamps[i]!,
        value: b.values[i]!,
        stale: b.stale[i] === 1,
      });
    }
    if (b.metadata) this.metadata.push(...b.metadata);
  }
  run = idle;
  update(): void {}
}

export const sources = new Map<string, PromSource>();
export const recorders = new Map<string, PromRecorder>();

export const promSource: ComponentRegistration = {
  name: 'testcomponents.prom_source',
  stability: 'experimental',
  args: { attrs: { forward_to: { type: t.list(t.capsule('storage.Appendable')), required: true } } },
  build: (opts, args) => {
    const s = new PromSource(args);
    sources.set(opts.id, s);
    return s;
  },
};

export const promRecorder: ComponentRegistration = {
  name: 'testcomponents.prom_recorder',
  stability: 'experimental',
  args: {},
  exports: { receiver: t.capsule('storage.Appendable') },
  build: (opts) => {
    const r = new PromRecorder();
    recorders.set(opts.id, r);
    opts.onStateChange({ receiver: appendableCapsule(r) });
    return r;
  },
};

/** Starts an engine on the default registry plus the test components. */
export function startPromEngine(text: string, storagePath: string) {
  const logs: string[] = [];
  const engine = new Engine({
    registry: createDefaultRegistry().extend([promSource, promRecorder]),
    logSink: new LogSink({ write: (l) => logs.push(l) }),
    storagePath,
    minStability: 'experimental',
    shutdownDeadlineMs: 10_000,
  });
  const res = engine.load([{ filename: 'main.alloy', text }]);
  if (!res.committed || res.diagnostics.some((d) => d.severity === 'error')) {
    throw new Error(`load failed: ${res.diagnostics.map((d) => d.message).join('; ')}`);
  }
  const abort = new AbortController();
  const done = engine.run(abort.signal);
  return {
    engine,
    logs,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** A batch of one sample per series for `names` (labels {__name__, i}), at `ts`, value `v + i`. */
export function makeBatch(
  series: Labels[],
  ts: number,
  value: (i: number) => number,
  stale: (i: number) => boolean = () => false,
): SampleBatch {
  const n = series.length;
  const b: SampleBatch = {
    count: n,
    series: [...series],
    timestamps: new Float64Array(n).fill(ts),
    values: new Float64Array(n),
    stale: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    b.values[i] = value(i);
    b.stale[i] = stale(i) ? 1 : 0;
  }
  return b;
}

export function seriesSet(n: number, extra: Record<string, string> = {}): Labels[] {
  return Array.from({ length: n }, (_, i) =>
    labelsFromRecord({ __name__: `test_metric`, idx: String(i), ...extra }),
  );
}

/** Waits until `cond` holds (the runtime helpers' `eventually`). */
export { eventually as waitFor } from '../runtime/helpers.js';
