/**
 * `loki.process`: runs the entries pushed to its `receiver` through its `stage.*` blocks, in order, and
 * forwards the survivors to `forward_to`, as Alloy 1.18 `internal/component/loki/process`:
 *
 * - each push is processed synchronously and forwarded as one batch, so order is preserved;
 * - entries are copied on the way in (receivers must not mutate what they are given);
 * - `update` rebuilds the pipeline only when the stages changed (deep equality); the old pipeline is
 *   stopped — entries held back by its stages (multiline) are flushed to the previous `forward_to` —
 *   after the new one was built, so an invalid stage leaves the running pipeline in place;
 * - when `run` ends the pipeline is stopped the same way and later pushes are discarded.
 *
 * Metrics: `loki_process_dropped_lines_total{reason}` (registered once per component; stages count drops
 * through `StageContext.dropped`).
 */
import { isDeepStrictEqual } from 'node:util';
import { Counter } from 'prom-client';
import { untilAborted, type Component, type ComponentOptions } from '../../../runtime/component.js';
import type { Capsule } from '../../../syntax/value.js';
import { anyCongested, fanoutLogs, logsReceiverCapsule, type LogEntry, type LogsReceiver } from '../entry.js';
import { Pipeline, toLogEntry, toStageEntry } from './pipeline.js';
import type { StageConfig, StageEntry } from './stage.js';
import { STAGES } from './stages/index.js';

export interface LokiProcessArgs {
  forward_to: LogsReceiver[];
  /** Decoded `stage.*` blocks in source order (`{ type, ...args }`). */
  stage: StageConfig[];
}

export class LokiProcess implements Component<LokiProcessArgs> {
  private forwardTo: LogsReceiver[] = [];
  private stages: StageConfig[] | undefined;
  private pipeline!: Pipeline;
  private exited = false;
  private readonly droppedLines: Counter<'reason'>;
  private readonly receiverCapsule: Capsule<LogsReceiver>;
  /** The received entry each stage entry came from (to keep unchanged label arrays). */
  private origins = new WeakMap<StageEntry, LogEntry>();

  /** @throws Error when a stage is invalid (as Alloy fails the build). */
  constructor(
    private readonly opts: ComponentOptions,
    args: LokiProcessArgs,
  ) {
    this.droppedLines = new Counter({
      name: 'loki_process_dropped_lines_total',
      help: 'A count of all log lines dropped as a result of a pipeline stage',
      labelNames: ['reason'],
      registers: [opts.registry],
    });
    this.receiverCapsule = logsReceiverCapsule({
      push: (entries) => this.push(entries),
      congested: () => anyCongested(this.forwardTo),
    });
    this.update(args);
    opts.onStateChange({ receiver: this.receiverCapsule });
  }

  async run(signal: AbortSignal): Promise<void> {
    await untilAborted(signal);
    const flushed = this.pipeline.stop();
    this.forward(flushed, this.forwardTo);
    this.exited = true;
    this.forwardTo = [];
  }

  update(args: LokiProcessArgs): void {
    const stages = args.stage ?? [];
    if (this.stages === undefined || !isDeepStrictEqual(this.stages, stages)) {
      const next = new Pipeline(stages, {
        logger: this.opts.logger,
        registry: this.opts.registry,
        dropped: (reason, count) => this.droppedLines.inc({ reason }, count),
        output: (entries) => this.forward(entries, this.forwardTo),
        stages: STAGES,
      });
      const prev = this.pipeline as Pipeline | undefined;
      this.pipeline = next;
      this.stages = structuredClone(stages);
      if (prev) this.forward(prev.stop(), this.forwardTo);
    }
    this.forwardTo = args.forward_to;
  }

  debugInfo(): unknown {
    return { stages: this.pipeline.stages.length };
  }

  /** The receiver: processes one batch and forwards the survivors. Never throws for data. */
  push(entries: readonly LogEntry[]): void {
    if (this.exited || entries.length === 0) return;
    const batch: StageEntry[] = new Array<StageEntry>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const se = toStageEntry(entries[i]!);
      this.origins.set(se, entries[i]!);
      batch[i] = se;
    }
    let out: StageEntry[];
    try {
      out = this.pipeline.process(batch);
    } catch (err) {
      // A stage bug must not take the sender down; the batch is lost and counted.
      this.opts.logger.error('pipeline stage failed', { err: (err as Error).message });
      this.droppedLines.inc({ reason: 'stage_error' }, entries.length);
      return;
    }
    this.forward(out, this.forwardTo);
  }

  private forward(entries: StageEntry[], to: LogsReceiver[]): void {
    if (entries.length === 0 || to.length === 0) return;
    const out: LogEntry[] = new Array<LogEntry>(entries.length);
    for (let i = 0; i < entries.length; i++) out[i] = toLogEntry(entries[i]!, this.origins.get(entries[i]!));
    fanoutLogs(to, out);
  }
}
