/**
 * Shared helpers for Loki tests:
 *
 * - test components `testcomponents.loki_source` (tests call `lokiSources.get(id).push(entries)` to send
 *   entries to its `forward_to`) and `testcomponents.loki_recorder` (exports a `loki.LogsReceiver`
 *   `receiver` that records every entry it gets, in order, in `lokiRecorders.get(id).entries`);
 * - `entry()` to build a LogEntry from plain labels;
 * - `decodeStages()` to decode `stage.*` blocks (Alloy text, as they go inside loki.process) into the
 *   StageConfig list the component gets, with the catalogue's defaults and checks;
 * - `stageContext()`, a StageContext stub recording drops, flush requests and log lines.
 */
import { Registry } from 'prom-client';
import type { Component, ComponentRegistration } from '../../src/runtime/component.js';
import { Logger, LogSink } from '../../src/runtime/logger.js';
import { decodeBody, t } from '../../src/runtime/schema.js';
import { evaluate, Scope } from '../../src/syntax/eval.js';
import { parseFile } from '../../src/syntax/parser.js';
import { SourceFile } from '../../src/syntax/source.js';
import {
  logsReceiverCapsule,
  NO_METADATA,
  type LogEntry,
  type LogsReceiver,
} from '../../src/components/loki/entry.js';
import { labelsFromRecord, labelsToRecord } from '../../src/components/prometheus/labels.js';
import type { Stage, StageConfig, StageContext } from '../../src/components/loki/process/stage.js';
import { STAGES } from '../../src/components/loki/process/stages/index.js';
import { stageEnum } from '../../src/components/loki/stages/stages.js';

const idle = (signal: AbortSignal) =>
  new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true }));

/** Builds a LogEntry; `ts` in ns (default 1 s after the epoch). */
export function entry(
  line: string,
  labels: Record<string, string> = {},
  ts: bigint = 1_000_000_000n,
  metadata: Record<string, string> = {},
): LogEntry {
  return {
    labels: labelsFromRecord(labels),
    timestamp: ts,
    line,
    structuredMetadata: Object.keys(metadata).length ? labelsFromRecord(metadata) : NO_METADATA,
  };
}

/** A LogEntry as plain data (for deepEqual). */
export function plain(e: LogEntry): {
  line: string;
  labels: Record<string, string>;
  ts: bigint;
  metadata: Record<string, string>;
} {
  return {
    line: e.line,
    labels: { ...labelsToRecord(e.labels) },
    ts: e.timestamp,
    metadata: { ...labelsToRecord(e.structuredMetadata) },
  };
}

export class LokiSource implements Component {
  constructor(public args: { forward_to: LogsReceiver[] }) {}
  push(entries: LogEntry[]): void {
    for (const r of this.args.forward_to) r.push(entries);
  }
  run = idle;
  update(args: { forward_to: LogsReceiver[] }): void {
    this.args = args;
  }
}

export class LokiRecorder implements Component, LogsReceiver {
  entries: LogEntry[] = [];
  pushes = 0;
  push(entries: readonly LogEntry[]): void {
    this.pushes++;
    this.entries.push(...entries);
  }
  run = idle;
  update(): void {}
}

export const lokiSources = new Map<string, LokiSource>();
export const lokiRecorders = new Map<string, LokiRecorder>();

export const lokiSource: ComponentRegistration = {
  name: 'testcomponents.loki_source',
  stability: 'experimental',
  args: { attrs: { forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true } } },
  build: (opts, args) => {
    const s = new LokiSource(args);
    lokiSources.set(opts.id, s);
    return s;
  },
};

export const lokiRecorder: ComponentRegistration = {
  name: 'testcomponents.loki_recorder',
  stability: 'experimental',
  args: {},
  exports: { receiver: t.capsule('loki.LogsReceiver') },
  build: (opts) => {
    const r = new LokiRecorder();
    lokiRecorders.set(opts.id, r);
    opts.onStateChange({ receiver: logsReceiverCapsule(r) });
    return r;
  },
};

/** The Loki test components, for `startEngine(text, { components: lokiTestComponents })`. */
export const lokiTestComponents = [lokiSource, lokiRecorder];

/**
 * Decodes `stage.*` blocks as loki.process decodes them.
 * @throws Error with the decoder's messages when the blocks are invalid.
 */
export function decodeStages(text: string): StageConfig[] {
  const file = parseFile('stages.alloy', text);
  const src = new SourceFile('stages.alloy', text);
  const scope = new Scope(new Map());
  const { value, diagnostics } = decodeBody(
    file.body,
    { enums: stageEnum },
    {
      file: src,
      evaluate: (e) => evaluate(e, scope, src),
      rangeStart: 0,
      rangeEnd: text.length,
    },
  );
  if (diagnostics.length) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return value.stage as StageConfig[];
}

export interface StubContext extends StageContext {
  drops: Map<string, number>;
  flushRequests: { stage: Stage; afterMs: number }[];
  logs: string[];
}

/** A StageContext that records what stages do with it; nested stages are built from STAGES. */
export function stageContext(level: 'info' | 'debug' = 'info'): StubContext {
  const logs: string[] = [];
  const ctx: StubContext = {
    logger: new Logger(new LogSink({ level, write: (l) => logs.push(l) })),
    registry: new Registry(),
    drops: new Map(),
    flushRequests: [],
    logs,
    dropped(reason, count = 1) {
      ctx.drops.set(reason, (ctx.drops.get(reason) ?? 0) + count);
    },
    buildStages: (configs) => configs.map((c) => STAGES[c.type]!(c, ctx)),
    requestFlush(stage, afterMs) {
      ctx.flushRequests.push({ stage, afterMs });
    },
  };
  return ctx;
}
