/**
 * The stage pipeline of `loki.process` (Alloy's `stages.Pipeline`): builds the stages of the decoded
 * `stage` enum in order, runs batches through them, converts between the Loki signal's `LogEntry` and the
 * stages' mutable `StageEntry`, and drives the flushes of stages that hold entries back.
 *
 * - Conversion in: `labels` and `structuredMetadata` become Maps; `extracted` is pre-seeded with every
 *   label (Alloy: "we always add all labels as extracted data"), `__`-prefixed ones included.
 * - Conversion out: labels and structured metadata are re-frozen name-sorted (empty values dropped, as
 *   `labelsFromPairs`); when a stage left the labels as they were, the entry keeps its original `Labels`
 *   array so downstream per-series caches keep hitting.
 * - Flushes: `ctx.requestFlush(stage, ms)` schedules `flush()` on that stage (for a stage nested in a
 *   container such as stage.match: on the top-level stage that contains it, which must flush its nested
 *   stages) after `ms`; the earliest pending request per stage wins, and a stage may ask again from
 *   `flush()`. Flushed entries continue through the stages after the flushed one.
 * - `stop()` (pipeline rebuilt on update, or component stopping) calls `flush()` on every top-level
 *   stage in order — again while it returns entries, up to 3 times — sending each stage's entries
 *   through the stages after it, then `close()` on all.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../../../runtime/logger.js';
import { labelsFromPairs, type Labels } from '../../prometheus/labels.js';
import { NO_METADATA, type LogEntry } from '../entry.js';
import type { Stage, StageConfig, StageContext, StageEntry, StageFactory } from './stage.js';

export interface PipelineOptions {
  logger: Logger;
  registry: Registry;
  /** Counts dropped lines (`loki_process_dropped_lines_total{reason}`). */
  dropped(reason: string, count: number): void;
  /** Receives entries that leave the pipeline outside `process` (timed flushes). */
  output(entries: StageEntry[]): void;
  /** Stage factories by `stage.<type>` name. */
  stages: Record<string, StageFactory>;
}

export class Pipeline {
  readonly stages: Stage[] = [];
  /** Nested stages → index of the top-level stage that contains them. */
  private readonly owner = new Map<Stage, number>();
  private readonly timers = new Map<number, { at: number; timer: NodeJS.Timeout }>();
  private building = -1;
  private stopped = false;

  /**
   * Builds every stage in order.
   * @throws Error from a stage factory (invalid regex, missing source, …), prefixed "invalid stage config",
   * or for a stage type this engine does not implement.
   */
  constructor(
    configs: readonly StageConfig[],
    private readonly opts: PipelineOptions,
  ) {
    const ctx = this.context();
    try {
      for (let i = 0; i < configs.length; i++) {
        this.building = i;
        this.stages.push(this.build(configs[i]!, ctx));
      }
    } catch (err) {
      for (const s of this.stages) s.close?.();
      throw err;
    } finally {
      this.building = -1;
    }
  }

  private build(cfg: StageConfig, ctx: StageContext): Stage {
    const factory = this.opts.stages[cfg.type];
    if (!factory)
      throw new Error(`invalid stage config: stage.${cfg.type} is not implemented by this engine yet`);
    try {
      const stage = factory(cfg, ctx);
      return stage;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(msg.startsWith('invalid stage config') ? msg : `invalid stage config ${msg}`, {
        cause: err,
      });
    }
  }

  private context(): StageContext {
    return {
      logger: this.opts.logger,
      registry: this.opts.registry,
      dropped: (reason, count = 1) => this.opts.dropped(reason, count),
      buildStages: (configs) => {
        const top = this.building;
        const ctx = this.context();
        return configs.map((c) => {
          const s = this.build(c, ctx);
          if (top >= 0) this.owner.set(s, top);
          return s;
        });
      },
      requestFlush: (stage, afterMs) => this.requestFlush(stage, afterMs),
    };
  }

  private requestFlush(stage: Stage, afterMs: number): void {
    if (this.stopped) return;
    let idx = this.stages.indexOf(stage);
    if (idx < 0) idx = this.owner.get(stage) ?? this.building;
    if (idx < 0) return;
    const at = Date.now() + Math.max(0, afterMs);
    const pending = this.timers.get(idx);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => this.flushStage(idx), Math.max(0, afterMs));
    timer.unref?.();
    this.timers.set(idx, { at, timer });
  }

  private flushStage(idx: number): void {
    this.timers.delete(idx);
    if (this.stopped) return;
    const stage = this.stages[idx];
    if (!stage?.flush) return;
    let out: StageEntry[];
    try {
      out = this.runFrom(idx + 1, stage.flush());
    } catch (err) {
      this.opts.logger.error('failed to flush pipeline stage', { err: (err as Error).message });
      return;
    }
    if (out.length) this.opts.output(out);
  }

  /** Runs a batch through every stage, in order; returns the surviving entries. */
  process(entries: StageEntry[]): StageEntry[] {
    return this.runFrom(0, entries);
  }

  private runFrom(start: number, entries: StageEntry[]): StageEntry[] {
    let cur = entries;
    for (let i = start; i < this.stages.length && cur.length > 0; i++) cur = this.stages[i]!.process(cur);
    return cur;
  }

  /** Flushes every stage (in order, through the stages after it), closes them, and returns what came out. */
  stop(): StageEntry[] {
    if (this.stopped) return [];
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    const out: StageEntry[] = [];
    for (let i = 0; i < this.stages.length; i++) {
      const s = this.stages[i]!;
      if (!s.flush) continue;
      try {
        // A stage may release only its expired entries on a flush; asking again releases the rest.
        for (let round = 0; round < 3; round++) {
          const flushed = s.flush();
          if (flushed.length === 0) break;
          out.push(...this.runFrom(i + 1, flushed));
        }
      } catch (err) {
        this.opts.logger.error('failed to flush pipeline stage', { err: (err as Error).message });
      }
    }
    for (const s of this.stages) {
      try {
        s.close?.();
      } catch {
        // a stage's cleanup must not keep the others from closing
      }
    }
    return out;
  }
}

// ------------------------------------------------------------------------------------------ conversion

/** Turns a received entry into a mutable stage entry (`extracted` seeded with the labels). */
export function toStageEntry(e: LogEntry): StageEntry {
  const labels = new Map<string, string>();
  const extracted = new Map<string, unknown>();
  const l = e.labels;
  for (let i = 0; i < l.length; i += 2) {
    labels.set(l[i]!, l[i + 1]!);
    extracted.set(l[i]!, l[i + 1]!);
  }
  const structuredMetadata = new Map<string, string>();
  const sm = e.structuredMetadata;
  for (let i = 0; i < sm.length; i += 2) structuredMetadata.set(sm[i]!, sm[i + 1]!);
  return { labels, extracted, timestamp: e.timestamp, line: e.line, structuredMetadata };
}

/** Whether a label Map holds exactly the pairs of `orig`. */
function sameLabels(m: Map<string, string>, orig: Labels): boolean {
  if (m.size * 2 !== orig.length) return false;
  for (let i = 0; i < orig.length; i += 2) if (m.get(orig[i]!) !== orig[i + 1]) return false;
  return true;
}

function freeze(m: Map<string, string>): Labels {
  const pairs: string[] = [];
  for (const [k, v] of m) pairs.push(k, v);
  return labelsFromPairs(pairs);
}

/**
 * Turns a processed stage entry back into a LogEntry. `orig` (the received entry, when known) lets
 * unchanged label sets and metadata keep their original arrays.
 */
export function toLogEntry(se: StageEntry, orig?: LogEntry): LogEntry {
  const labels = orig && sameLabels(se.labels, orig.labels) ? orig.labels : freeze(se.labels);
  let structuredMetadata: Labels;
  if (se.structuredMetadata.size === 0) structuredMetadata = NO_METADATA;
  else if (orig && sameLabels(se.structuredMetadata, orig.structuredMetadata))
    structuredMetadata = orig.structuredMetadata;
  else structuredMetadata = freeze(se.structuredMetadata);
  return { labels, timestamp: se.timestamp, line: se.line, structuredMetadata };
}
