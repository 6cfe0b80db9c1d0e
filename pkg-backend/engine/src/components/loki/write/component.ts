/**
 * `loki.write` (Alloy 1.18 `internal/component/loki/write/write.go`): exports a `receiver` that sends every
 * entry to each `endpoint` (endpoint.ts). `external_labels` are added to entries that lack them (entry labels
 * win, Alloy's `LabelSet.Merge`); `__tenant_id__` picks the tenant and is never sent as a label.
 *
 * Without a WAL, entries go straight into each endpoint's batches (memory only; a crash loses what was not
 * sent). With `wal { enabled = true }` every accepted push is first appended to the WAL (wal.ts) under
 * `<dataPath>/wal`; each endpoint then reads the WAL from its checkpoint at its own pace (directly from
 * memory while caught up, from disk while behind, and at least every `min_read_frequency`) and checkpoints
 * what it finished, so an endpoint outage or an agent restart loses nothing. Segments every endpoint has
 * finished are deleted when a segment is cut (segments are cut at `lokiWriteTuning.segmentSize`), and
 * closed segments older than `max_segment_age` are deleted regardless (Alloy's cleaner), which may drop
 * undelivered entries of a long outage. On stop, endpoints get `wal.drain_timeout` (else
 * `queue_config.drain_timeout`) to send what they hold.
 *
 * Updates rebuild the endpoints (as Alloy); with a WAL nothing is lost by that, without one the old
 * endpoints drain in the background. The receiver exposes `congested()` (see endpoint.ts) for back-pressure.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { untilAborted, type Component, type ComponentOptions } from '../../../runtime/component.js';
import { health, type Health } from '../../../runtime/health.js';
import { argsEqual } from '../../../runtime/schema.js';
import { position, segmentOf } from '../../common/segment-log.js';
import { compareBytes, withExternalLabels, type Labels } from '../../prometheus/labels.js';
import { logsReceiverCapsule, type LogEntry, type LogsReceiver } from '../entry.js';
import { LokiEndpoint, type EndpointArgs, type Track } from './endpoint.js';
import { LokiWriteMetrics } from './metrics.js';
import { CheckpointFile, LokiWal, LokiWalReader, type Checkpoint, type EntriesRecord } from './wal.js';

export interface WalArgs {
  enabled: boolean;
  max_segment_age: number;
  min_read_frequency: number;
  max_read_frequency: number;
  drain_timeout: number;
}

export interface LokiWriteArgs {
  endpoint: EndpointArgs[];
  external_labels?: Record<string, string>;
  max_streams?: number;
  wal?: WalArgs;
}

/** Engine-level knobs that are not Alloy arguments (tests lower them). */
export const lokiWriteTuning = {
  /** WAL segment size at which a new segment starts (bytes). */
  segmentSize: 16 << 20,
  /** fdatasync period of the WAL (ms). */
  fsyncIntervalMs: 1000,
};

const DEFAULT_WAL: WalArgs = {
  enabled: false,
  max_segment_age: 3_600_000,
  min_read_frequency: 250,
  max_read_frequency: 1_000,
  drain_timeout: 15_000,
};

function endpointKey(ep: EndpointArgs, seen: Map<string, number>): string {
  let key = createHash('sha256')
    .update(`${ep.url}\n${ep.name ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const dup = seen.get(key) ?? 0;
  seen.set(key, dup + 1);
  if (dup) key += `-${dup}`;
  return key;
}

/**
 * Feeds one endpoint from the WAL: reads records while the endpoint has room, tracks which items are
 * finished and checkpoints the first unfinished one.
 */
class WalFeeder {
  private readonly reader: LokiWalReader;
  private readonly tracks: Track[] = [];
  private readonly ckpt: CheckpointFile;
  private last: Checkpoint | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Called after the checkpoint moved (the component deletes segments everyone finished). */
  onAdvance: () => void = () => undefined;
  /** Items to skip in the first record read (from the checkpoint). */
  private skip: { pos: number; skip: number } | undefined;
  /** No more reading (the endpoint is stopping). */
  stopped = false;
  /** No more checkpoint writes (a successor may own the file). */
  private closed = false;

  constructor(
    private readonly wal: LokiWal,
    readonly ep: LokiEndpoint,
    key: string,
    positionsDir: string,
    private readonly id: string,
    private readonly m: LokiWriteMetrics,
    readFrequencyMs: number,
  ) {
    this.ckpt = new CheckpointFile(positionsDir, key);
    const saved = this.ckpt.load();
    const start = saved ? Math.max(saved.pos, position(wal.log.firstSeg, 0)) : wal.log.head();
    if (saved && saved.pos === start && saved.skip > 0) this.skip = saved;
    this.reader = new LokiWalReader(wal, start);
    ep.onFinished = (tracks, items) => this.finished(tracks, items);
    ep.onRoom = () => this.pump();
    this.save();
    this.timer = setInterval(() => this.pump(), readFrequencyMs);
    this.timer.unref();
  }

  /** The live path: a record just appended; used directly when caught up, else read from disk later. */
  offer(rec: EntriesRecord): void {
    if (this.stopped) return;
    if (this.reader.pos === rec.pos && this.ep.hasRoom()) {
      this.reader.pos = rec.end;
      this.dispatch(rec);
    } else this.pump();
  }

  pump(): void {
    while (!this.stopped && this.ep.hasRoom()) {
      let rec: EntriesRecord | null;
      try {
        rec = this.reader.next();
      } catch {
        return;
      }
      if (!rec) return;
      this.dispatch(rec);
    }
  }

  private dispatch(rec: EntriesRecord): void {
    const n = rec.entries.length;
    if (n === 0) return;
    const t: Track = { pos: rec.pos, count: n, done: new Uint8Array(n), left: n };
    let from = 0;
    if (this.skip && this.skip.pos === rec.pos) {
      from = Math.min(this.skip.skip, n);
      t.done.fill(1, 0, from);
      t.left -= from;
    }
    this.skip = undefined;
    if (t.left === 0) return;
    this.tracks.push(t);
    const last = rec.entries[n - 1]!;
    this.m.lastReadTimestamp.set({ id: this.id }, Number(last.timestamp / 1_000_000_000n));
    this.ep.enqueue(rec.entries, t, from);
  }

  private finished(tracks: Track[], items: number[]): void {
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i]!;
      const k = items[i]!;
      if (t.done[k] === 0) {
        t.done[k] = 1;
        t.left--;
      }
    }
    this.save();
  }

  /** The first unfinished item (or the reader's cursor). */
  watermark(): Checkpoint {
    while (this.tracks.length && this.tracks[0]!.left === 0) this.tracks.shift();
    const t = this.tracks[0];
    if (!t) return this.skip ?? { pos: this.reader.pos, skip: 0 };
    let k = 0;
    while (k < t.count && t.done[k] === 1) k++;
    return { pos: t.pos, skip: k };
  }

  save(): void {
    if (this.closed) return;
    const w = this.watermark();
    if (this.last && this.last.pos === w.pos && this.last.skip === w.skip) return;
    const moved = this.last !== undefined && segmentOf(this.last.pos) !== segmentOf(w.pos);
    this.last = w;
    try {
      this.ckpt.save(w, this.ep.url);
    } catch {
      // Retried with the next finished batch.
    }
    if (moved) this.onAdvance();
  }

  /** Final checkpoint; later finishes are not recorded (their items are re-sent by a successor). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.save();
    this.closed = true;
    this.reader.close();
  }
}

export class LokiWrite implements Component<LokiWriteArgs> {
  private args: LokiWriteArgs;
  private readonly m: LokiWriteMetrics;
  private ext: [string, string][] = [];
  private readonly extCache = new WeakMap<Labels, Labels>();
  private endpoints: LokiEndpoint[] = [];
  private feeders: WalFeeder[] = [];
  private wal: LokiWal | undefined;
  private running = false;
  private stopped = false;
  private status: Health = health('healthy', '');
  private readonly draining = new Set<Promise<void>>();
  private cleaner: NodeJS.Timeout | undefined;

  /** @throws for unsupported endpoint options or an unopenable WAL. */
  constructor(
    private readonly opts: ComponentOptions,
    args: LokiWriteArgs,
  ) {
    this.m = new LokiWriteMetrics(opts.registry);
    this.args = args;
    this.build(args);
    const receiver: LogsReceiver = {
      push: (entries) => this.push(entries),
      congested: () => !this.wal && this.endpoints.some((e) => e.congested()),
    };
    opts.onStateChange({ receiver: logsReceiverCapsule(receiver) });
  }

  private walArgs(args: LokiWriteArgs): WalArgs {
    return { ...DEFAULT_WAL, ...(args.wal ?? {}) };
  }

  /** Builds endpoints (and opens the WAL when enabled). Throws before changing anything on bad input. */
  private build(args: LokiWriteArgs): void {
    const seen = new Map<string, number>();
    const eps = (args.endpoint ?? []).map(
      (ep) => new LokiEndpoint(ep, args.max_streams ?? 0, this.m, this.opts.logger),
    );
    const keys = (args.endpoint ?? []).map((ep) => endpointKey(ep, seen));
    const w = this.walArgs(args);
    this.ext = Object.entries(args.external_labels ?? {})
      .filter(([, v]) => v !== '')
      .sort((a, b) => compareBytes(a[0], b[0]));
    if (w.enabled && !this.wal) {
      const dir = join(this.opts.dataPath, 'wal');
      this.wal = new LokiWal({
        dir: join(dir, 'segments'),
        segmentSize: lokiWriteTuning.segmentSize,
        fsyncIntervalMs: lokiWriteTuning.fsyncIntervalMs,
        onCorruption: (what) => this.opts.logger.warn('WAL corruption or torn record skipped', { what }),
      });
      this.wal.log.onCut = () => this.truncate(false);
    }
    this.endpoints = eps;
    this.feeders = this.wal
      ? eps.map(
          (ep, i) =>
            new WalFeeder(
              this.wal!,
              ep,
              keys[i]!,
              join(this.opts.dataPath, 'wal', 'positions'),
              ep.args.name || ep.host,
              this.m,
              w.min_read_frequency,
            ),
        )
      : [];
    for (const f of this.feeders) f.onAdvance = () => this.truncate(false);
    if (this.wal) {
      clearInterval(this.cleaner);
      this.cleaner = setInterval(() => this.truncate(true), Math.max(1000, w.max_segment_age / 10));
      this.cleaner.unref();
    }
  }

  /** The receiver: external labels, then the WAL or the endpoints. Never throws. */
  push(entries: readonly LogEntry[]): void {
    if (this.stopped || entries.length === 0) return;
    let out = entries as LogEntry[];
    if (this.ext.length) {
      out = new Array(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        let l = this.extCache.get(e.labels);
        if (!l) {
          l = withExternalLabels(e.labels, this.ext);
          this.extCache.set(e.labels, l);
        }
        out[i] = l === e.labels ? e : { ...e, labels: l };
      }
    }
    if (this.wal) {
      let rec: EntriesRecord;
      try {
        rec = this.wal.append(out);
      } catch (err) {
        this.status = health('unhealthy', `failed to append to the WAL: ${(err as Error).message}`);
        this.opts.logger.error('failed to write entry', { err: (err as Error).message });
        return;
      }
      this.m.lastWrittenTimestamp.set(Number(out[out.length - 1]!.timestamp / 1_000_000_000n));
      for (const f of this.feeders) f.offer(rec);
      return;
    }
    for (const ep of this.endpoints) ep.enqueue(out);
  }

  /** Deletes segments every endpoint finished; with `byAge`, also closed segments past max_segment_age. */
  private truncate(byAge: boolean): void {
    const wal = this.wal;
    if (!wal) return;
    let low = wal.log.head();
    for (const f of this.feeders) low = Math.min(low, f.watermark().pos);
    let before = segmentOf(low);
    if (byAge) {
      const cutoff = Date.now() - this.walArgs(this.args).max_segment_age;
      for (const s of wal.log.closedSegments()) if (s.mtimeMs < cutoff) before = Math.max(before, s.seg + 1);
    }
    const bytes = wal.log.deleteBefore(before);
    if (bytes) {
      this.m.reclaimedSpace.inc(bytes);
      this.m.lastReclaimedSegment.set(before - 1);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.startEndpoints();
    await untilAborted(signal);
    this.running = false;
    this.stopped = true;
    clearInterval(this.cleaner);
    await this.stopEndpoints(this.endpoints, this.feeders);
    await Promise.allSettled([...this.draining]);
    this.wal?.close();
  }

  private startEndpoints(): void {
    for (const ep of this.endpoints) {
      ep.run().catch((err: Error) => {
        this.status = health('unhealthy', `endpoint ${ep.url}: ${err.message}`);
        this.opts.logger.error('failed to start endpoint', { url: ep.url, err: err.message });
      });
    }
    for (const f of this.feeders) f.pump();
  }

  private async stopEndpoints(eps: LokiEndpoint[], feeders: WalFeeder[]): Promise<void> {
    for (const f of feeders) f.stopped = true;
    const w = this.walArgs(this.args);
    await Promise.allSettled(eps.map((ep) => ep.stop(this.wal ? w.drain_timeout : ep.drainTimeout)));
    for (const f of feeders) f.stop();
  }

  update(args: LokiWriteArgs): void {
    if (argsEqual(args, this.args)) return;
    const oldEps = this.endpoints;
    const oldFeeders = this.feeders;
    const walWas = this.walArgs(this.args).enabled;
    if (walWas !== this.walArgs(args).enabled)
      this.opts.logger.warn('enabling or disabling the loki.write WAL takes effect at the next start');
    // Validate first (the constructors throw on bad endpoints) — then swap.
    for (const ep of args.endpoint ?? []) new URL(ep.url);
    const prevArgs = this.args;
    this.args = args;
    try {
      // Old feeders must checkpoint before new ones read their positions.
      for (const f of oldFeeders) f.stop();
      this.build(args);
    } catch (err) {
      this.args = prevArgs;
      throw err;
    }
    const done = this.stopEndpoints(oldEps, []);
    this.draining.add(done);
    void done.finally(() => this.draining.delete(done));
    if (this.running) this.startEndpoints();
  }

  health(): Health {
    return this.status;
  }

  debugInfo(): unknown {
    return {
      wal: this.wal
        ? {
            first_segment: this.wal.log.firstSeg,
            head_segment: this.wal.log.headSeg,
            bytes: this.wal.log.size(),
          }
        : undefined,
      endpoints: this.endpoints.map((e, i) => ({
        url: e.url,
        pending_entries: e.pending(),
        queued_bytes: e.queuedBytes,
        checkpoint: this.feeders[i]?.watermark(),
      })),
    };
  }
}
