/**
 * The stage contract of `loki.process`. The pipeline turns each incoming LogEntry into a mutable
 * StageEntry, runs the stages in order, and turns survivors back into LogEntries for `forward_to`.
 * As Alloy's `stages.Entry`: `extracted` is pre-seeded with the entry's labels; stages read and write
 * `extracted`, `labels`, `timestamp`, `line` and `structuredMetadata`.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../../../runtime/logger.js';

export interface StageEntry {
  /** Stream labels, mutable. */
  labels: Map<string, string>;
  /** Values extracted by earlier stages (strings, numbers, booleans, null, or JSON-encoded complex values). */
  extracted: Map<string, unknown>;
  /** Nanoseconds since the epoch. */
  timestamp: bigint;
  line: string;
  structuredMetadata: Map<string, string>;
}

export interface Stage {
  /**
   * Processes a batch in order and returns the entries that continue (the same array or a new one).
   * Dropped entries are simply not returned (the stage counts them in `loki_process_dropped_lines_total`).
   */
  process(entries: StageEntry[]): StageEntry[];
  /**
   * Stages that hold entries back (multiline) return them here when their timeout passes or the
   * pipeline stops; the pipeline sends them on through the following stages.
   */
  flush?(): StageEntry[];
  /** Called when the pipeline is rebuilt or stopped. */
  close?(): void;
}

export interface StageContext {
  logger: Logger;
  /** The component's metrics registry (labels `component_path`, `component_id` already applied). */
  registry: Registry;
  /** Counts a dropped line (`loki_process_dropped_lines_total{reason}`). */
  dropped(reason: string, count?: number): void;
  /** Builds nested stages (stage.match). */
  buildStages(stages: StageConfig[]): Stage[];
  /** Asks the pipeline to call `flush()` on this stage soon (multiline timeouts). */
  requestFlush(stage: Stage, afterMs: number): void;
}

/** One decoded `stage.<type>` block: `type` plus its decoded arguments (as loki.process's enum schema gives them). */
export interface StageConfig {
  type: string;
  [arg: string]: unknown;
}

export type StageFactory = (config: StageConfig, ctx: StageContext) => Stage;
