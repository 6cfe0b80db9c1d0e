/**
 * Test support for relabel tests: an Engine on the default registry plus a recording Appendable
 * (`testrelabel.recorder`, exporting `receiver`), helpers to read exports and to write Alloy rule blocks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Appendable, SampleBatch } from '../../src/components/prometheus/appendable.js';
import { appendableCapsule, APPENDABLE } from '../../src/components/prometheus/appendable.js';
import type { Labels } from '../../src/components/prometheus/labels.js';
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { Engine } from '../../src/runtime/engine.js';
import { LogSink } from '../../src/runtime/logger.js';
import { t } from '../../src/runtime/schema.js';
import type { RelabelConfig } from '../../src/relabel/index.js';
import { createDefaultRegistry } from '../../src/registry.js';
import { Capsule, type Value } from '../../src/syntax/value.js';
import { CORPUS } from '../support/corpus.js';

/** One sample as a recorder keeps it (copied out of the batch). */
export interface RecordedSample {
  labels: Labels;
  t: number;
  v: number;
  stale: boolean;
}

export interface RecordedBatch {
  samples: RecordedSample[];
  exemplars: { sample: number; value: number }[];
  metadata: string[];
  /** The batch object itself (only for identity checks: its arrays belong to the sender). */
  ref: SampleBatch;
}

/** Batches received by each recorder, by component ID. */
export const recorded = new Map<string, RecordedBatch[]>();

export const recorder: ComponentRegistration<Record<string, never>> = {
  name: 'testrelabel.recorder',
  stability: 'experimental',
  args: {},
  exports: { receiver: t.capsule(APPENDABLE) },
  build: (opts) => {
    const list: RecordedBatch[] = [];
    recorded.set(opts.id, list);
    const a: Appendable = {
      append(b: SampleBatch) {
        const samples: RecordedSample[] = [];
        for (let i = 0; i < b.count; i++)
          samples.push({
            labels: b.series[i]!,
            t: b.timestamps[i]!,
            v: b.values[i]!,
            stale: b.stale[i] === 1,
          });
        list.push({
          samples,
          exemplars: (b.exemplars ?? []).map((e) => ({ sample: e.sample, value: e.value })),
          metadata: (b.metadata ?? []).map((m) => m.family),
          ref: b,
        });
      },
    };
    opts.onStateChange({ receiver: appendableCapsule(a) });
    return {
      run: (signal) => new Promise((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update: () => undefined,
    };
  },
};

export interface RunningEngine {
  engine: Engine;
  load(text: string): ReturnType<Engine['load']>;
  exports(id: string): Map<string, Value>;
  stop(): Promise<void>;
}

/** Loads `text` on the default registry (+ the recorder) and runs it until `stop`. */
export function runEngine(text: string): RunningEngine {
  const engine = new Engine({
    registry: createDefaultRegistry().extend([recorder]),
    logSink: new LogSink({ write: () => undefined }),
    minStability: 'experimental',
    shutdownDeadlineMs: 5000,
  });
  const load = (src: string) => engine.load([{ filename: 'main.alloy', text: src }]);
  const first = load(text);
  const errors = first.diagnostics.filter((d) => d.severity === 'error');
  if (!first.committed || errors.length) {
    throw new Error(`load failed: ${errors.map((d) => d.message).join('; ')}`);
  }
  const abort = new AbortController();
  const done = engine.run(abort.signal);
  return {
    engine,
    load,
    exports(id) {
      const ex = engine.component(id)?.node.cell.exports;
      if (!(ex instanceof Map)) throw new Error(`no exports for ${id}`);
      return ex;
    },
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** The Appendable payload of a component's `receiver` export. */
export function receiverOf(r: RunningEngine, id: string): Appendable {
  const c = r.exports(id).get('receiver');
  if (!(c instanceof Capsule)) throw new Error(`${id} exports no receiver`);
  return c.value as Appendable;
}

/** A `list(target)` export as plain records. */
export function targetsOf(v: Value | undefined): Record<string, string>[] {
  if (!Array.isArray(v)) throw new Error('not a list of targets');
  return v.map((t) => {
    if (!(t instanceof Map)) throw new Error('target is not an object');
    return Object.fromEntries([...t].map(([k, x]) => [k, String(x)]));
  });
}

/** An Alloy string literal. */
export const str = (s: string) => JSON.stringify(s);

/** An Alloy object literal of string labels. */
export function alloyObject(rec: Record<string, string>): string {
  return `{${Object.entries(rec)
    .map(([k, v]) => `${str(k)} = ${str(v)}`)
    .join(', ')}}`;
}

/** Alloy `rule` blocks for relabel configs (fields at their defaults or empty are left out). */
export function ruleBlocks(configs: Partial<RelabelConfig>[], indent = '  '): string {
  return configs
    .map((c) => {
      const lines: string[] = [];
      if (c.source_labels?.length) lines.push(`source_labels = [${c.source_labels.map(str).join(', ')}]`);
      if (c.separator !== undefined && c.separator !== ';') lines.push(`separator = ${str(c.separator)}`);
      if (c.regex !== undefined && c.regex !== '(.*)') lines.push(`regex = ${str(c.regex)}`);
      if (c.modulus) lines.push(`modulus = ${c.modulus}`);
      if (c.target_label) lines.push(`target_label = ${str(c.target_label)}`);
      if (c.replacement !== undefined && c.replacement !== '$1')
        lines.push(`replacement = ${str(c.replacement)}`);
      if (c.action !== undefined && c.action !== 'replace') lines.push(`action = ${str(c.action)}`);
      return `${indent}rule {\n${lines.map((l) => `${indent}  ${l}\n`).join('')}${indent}}\n`;
    })
    .join('');
}

/** A JSON file of the shared relabel corpus (read in place). */
export function relabelCorpus<T>(name: string): T {
  return JSON.parse(readFileSync(join(CORPUS, 'relabel', name), 'utf8')) as T;
}

export interface CorpusCase {
  name: string;
  input: Record<string, string>;
  configs: RelabelConfig[];
  output: Record<string, string> | null;
  label_name_validation?: string;
  comment?: string;
}

/** Records sorted by key, for comparisons that ignore key order. */
export function sorted(rec: Record<string, string> | null | undefined): Record<string, string> | null {
  if (!rec) return null;
  return Object.fromEntries(Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
