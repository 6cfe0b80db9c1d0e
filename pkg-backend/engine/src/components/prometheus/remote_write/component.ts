/**
 * `prometheus.remote_write` (Alloy 1.18 `internal/component/prometheus/remotewrite`): a durable
 * `storage.Appendable`. Every accepted batch is appended to the WAL under `<dataPath>/wal` first (see
 * wal.ts), then each `endpoint` queue (queue.ts) delivers from the WAL at its own pace and remembers its
 * position, so endpoint outages and agent crashes lose nothing within the WAL's bounds and resend nothing
 * already acknowledged.
 *
 * Series labels are stored as appended; each endpoint adds `external_labels` (unless the series has the
 * label) and then applies its `write_relabel_config` rules when it sends, as Prometheus does.
 *
 * WAL truncation (Alloy's `wal` block): every `truncate_frequency`, segments delivered by every endpoint are
 * deleted, and so are segments last written more than `max_keepalive_time` ago even when undelivered
 * (counted as `…_samples_dropped_total{reason="wal_max_keepalive"}`). Delivered segments are also deleted
 * whenever a segment is cut, to keep the disk footprint low between ticks. The WAL is bounded to
 * `remoteWriteTuning.maxWalBytes` (1 GiB; not an Alloy argument): past it, the oldest closed segments go
 * (`reason="wal_size_limit"`). Series not appended within `min_keepalive_time` whose last sample was in a
 * deleted segment are forgotten.
 *
 * Metadata from batches is kept in memory (latest per family) and sent every `metadata_config.send_interval`;
 * it is not written to the WAL (counted in `prometheus_remote_write_wal_metadata_updates_total` on change).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { untilAborted, type Component, type ComponentOptions } from '../../../runtime/component.js';
import { health, type Health } from '../../../runtime/health.js';
import { argsEqual } from '../../../runtime/schema.js';
import { compileRules, type RelabelRules } from '../../../relabel/index.js';
import { appendableCapsule, type Appendable, type MetricMetadata, type SampleBatch } from '../appendable.js';
import { checkSupported } from './client.js';
import { RemoteWriteMetrics } from './metrics.js';
import { EndpointQueue, type MetadataConfig, type QueueConfig, type QueueSettings } from './queue.js';
import { position, segmentOf, Wal } from './wal.js';
import { compareBytes, withExternalLabels } from '../labels.js';

export interface RemoteWriteArgs {
  external_labels?: Record<string, string>;
  endpoint: Record<string, any>[];
  wal?: { truncate_frequency: number; min_keepalive_time: number; max_keepalive_time: number };
}

/** Engine-level knobs that are not Alloy arguments (tests lower them). */
export const remoteWriteTuning = {
  /** Head segment size at which a new segment starts (bytes). */
  segmentSize: 32 << 20,
  /** Upper bound of the WAL on disk (bytes); the oldest segments are dropped past it. */
  maxWalBytes: 1 << 30,
  /** fdatasync period of the WAL (ms). */
  fsyncIntervalMs: 1000,
  /** Period of the shard calculation (Prometheus' shardUpdateDuration, ms). */
  shardUpdateIntervalMs: 10_000,
  /** Time in-flight requests get to finish when a queue stops (ms). */
  stopGraceMs: 5000,
};

const DEFAULT_QUEUE: QueueConfig = {
  capacity: 10_000,
  max_shards: 50,
  min_shards: 1,
  max_samples_per_send: 2_000,
  batch_send_deadline: 5_000,
  min_backoff: 30,
  max_backoff: 5_000,
  retry_on_http_429: true,
  sample_age_limit: 0,
};
const DEFAULT_METADATA: MetadataConfig = { send: true, send_interval: 60_000, max_samples_per_send: 2_000 };
const DEFAULT_WAL = {
  truncate_frequency: 7_200_000,
  min_keepalive_time: 300_000,
  max_keepalive_time: 28_800_000,
};

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

interface PlannedQueue {
  key: string;
  settings: QueueSettings;
  /** Arguments that, when equal, let a running queue continue untouched. */
  identity: unknown;
}

export class RemoteWrite implements Component<RemoteWriteArgs>, Appendable {
  private args: RemoteWriteArgs;
  private readonly m: RemoteWriteMetrics;
  private readonly wal: Wal;
  private readonly positionsDir: string;
  private queues = new Map<string, { q: EndpointQueue; identity: unknown; done?: Promise<void> }>();
  private readonly metadata = new Map<string, MetricMetadata>();
  private highestIn = 0;
  private running = false;
  private closed = false;
  private lastHeadSeg: number;
  private sendExemplars = true;
  private truncateTimer: NodeJS.Timeout | undefined;
  private status: Health = health('healthy', '');
  private readonly capsule = appendableCapsule(this);

  /** @throws for unsupported endpoint options or when the WAL cannot be opened. */
  constructor(
    private readonly opts: ComponentOptions,
    args: RemoteWriteArgs,
  ) {
    this.args = args;
    this.m = new RemoteWriteMetrics(opts.registry);
    const t0 = performance.now();
    const walDir = join(opts.dataPath, 'wal');
    this.positionsDir = join(walDir, 'positions');
    mkdirSync(this.positionsDir, { recursive: true });
    this.wal = new Wal({
      dir: walDir,
      segmentSize: remoteWriteTuning.segmentSize,
      fsyncIntervalMs: remoteWriteTuning.fsyncIntervalMs,
      onCorruption: (what) => {
        this.m.walCorruptions.inc();
        opts.logger.warn('WAL corruption or torn record skipped', { what });
      },
    });
    this.wal.onSeriesCreated = () => this.m.walCreatedSeries.inc();
    this.lastHeadSeg = this.wal.headSeg;
    this.m.walReplayDuration.set((performance.now() - t0) / 1000);
    this.m.walActiveSeries.set(this.wal.activeSeries);
    this.m.walDeletedSeries.set(0);
    this.m.walSize.set(this.wal.size());
    this.m.highestTimestampIn.set(0);
    this.applyArgs(args);
    opts.onStateChange({ receiver: this.capsule });
  }

  /** Plans one queue per endpoint; validates what we do not support. */
  private plan(args: RemoteWriteArgs): PlannedQueue[] {
    const ext = Object.entries(args.external_labels ?? {})
      .filter(([, v]) => v !== '')
      .sort((a, b) => compareBytes(a[0], b[0]));
    const out: PlannedQueue[] = [];
    const seen = new Map<string, number>();
    for (const ep of args.endpoint ?? []) {
      checkSupported(ep);
      if (ep.protobuf_message && ep.protobuf_message !== 'prometheus.WriteRequest')
        throw new Error(
          `endpoint ${ep.url}: protobuf_message ${ep.protobuf_message} is not supported by this engine yet`,
        );
      const name: string = ep.name ?? '';
      let key = sha(`${ep.url}\n${name}`).slice(0, 16);
      const dup = seen.get(key) ?? 0;
      seen.set(key, dup + 1);
      if (dup) key += `-${dup}`;
      const rules: RelabelRules | undefined = ep.write_relabel_config?.length
        ? compileRules(ep.write_relabel_config, { nameValidation: 'legacy' })
        : undefined;
      const queue: QueueConfig = { ...DEFAULT_QUEUE, ...(ep.queue_config ?? {}) };
      const metadata: MetadataConfig = { ...DEFAULT_METADATA, ...(ep.metadata_config ?? {}) };
      const settings: QueueSettings = {
        key,
        remoteName: name || sha(ep.url).slice(0, 6),
        url: ep.url,
        endpoint: ep,
        queue,
        metadata,
        sendExemplars: ep.send_exemplars ?? true,
        transform: (l) => {
          const withExt = withExternalLabels(l, ext);
          return rules ? rules.apply(withExt) : withExt;
        },
        metadataSource: () => this.metadata.values(),
        highestIn: () => this.highestIn / 1000,
        shardUpdateIntervalMs: remoteWriteTuning.shardUpdateIntervalMs,
      };
      out.push({ key, settings, identity: { ep, ext } });
    }
    return out;
  }

  private applyArgs(args: RemoteWriteArgs): void {
    const planned = this.plan(args);
    this.sendExemplars = planned.some((p) => p.settings.sendExemplars);
    const keep = new Set(planned.map((p) => p.key));
    for (const [key, entry] of this.queues) {
      if (keep.has(key)) continue;
      this.queues.delete(key);
      void entry.q.stop(remoteWriteTuning.stopGraceMs).then(() => {
        entry.q.removeMetrics();
        rmSync(join(this.positionsDir, `${key}.json`), { force: true });
      });
    }
    for (const p of planned) {
      const cur = this.queues.get(p.key);
      if (cur && argsEqual(cur.identity, p.identity)) continue;
      if (cur) {
        // Same endpoint, new settings: the new queue resumes from the old one's final checkpoint.
        const done = cur.q.stop(remoteWriteTuning.stopGraceMs);
        const entry = { q: cur.q, identity: p.identity, done };
        this.queues.set(p.key, entry);
        void done.then(() => {
          if (this.queues.get(p.key) !== entry || this.closed) return;
          this.startQueue(p, p.identity);
        });
      } else this.startQueue(p, p.identity);
    }
    // Positions of endpoints that are no longer configured would pin the WAL forever.
    for (const f of safeReaddir(this.positionsDir)) {
      const key = f.replace(/\.json(\.tmp)?$/, '');
      if (!keep.has(key)) rmSync(join(this.positionsDir, f), { force: true });
    }
  }

  private startQueue(p: PlannedQueue, identity: unknown): void {
    const q = new EndpointQueue(this.wal, this.m, p.settings, this.positionsDir, this.opts.logger);
    this.queues.set(p.key, { q, identity });
    if (this.running) this.runQueue(q);
  }

  private runQueue(q: EndpointQueue): void {
    q.run().catch((err: Error) => {
      this.status = health('unhealthy', `endpoint ${q.settings.url}: ${err.message}`);
    });
  }

  /** Accepts a batch: WAL first, then the live path of each caught-up queue. Never throws. */
  append(batch: SampleBatch): void {
    if (this.closed || batch.count === 0) return;
    const n = batch.count;
    this.m.samplesIn.inc(n);
    const ex = batch.exemplars?.length ?? 0;
    if (ex) this.m.exemplarsIn.inc(ex);
    let highest = this.highestIn;
    for (let i = 0; i < n; i++) if (batch.timestamps[i]! > highest) highest = batch.timestamps[i]!;
    if (highest > this.highestIn) {
      this.highestIn = highest;
      this.m.highestTimestampIn.set(highest / 1000);
    }
    if (batch.metadata) {
      for (const md of batch.metadata) {
        const old = this.metadata.get(md.family);
        if (!old || old.help !== md.help || old.type !== md.type || old.unit !== md.unit) {
          this.metadata.set(md.family, { ...md });
          this.m.walMetadataUpdates.inc();
        }
      }
    }
    let recs;
    try {
      recs = this.wal.append(batch, this.sendExemplars);
    } catch (err) {
      this.status = health('unhealthy', `failed to append to the WAL: ${(err as Error).message}`);
      this.opts.logger.error('failed to append to the WAL', { err: (err as Error).message });
      return;
    }
    this.m.walSamplesAppended.inc(n);
    if (ex && this.sendExemplars) this.m.walExemplarsAppended.inc(ex);
    this.m.walActiveSeries.set(this.wal.activeSeries);
    for (const { q } of this.queues.values()) q.offer(recs);
    if (this.wal.headSeg !== this.lastHeadSeg) {
      this.lastHeadSeg = this.wal.headSeg;
      this.truncate(false);
    }
    this.m.walSize.set(this.wal.size());
  }

  /**
   * Deletes what may go (see the file comment). `tick` adds the max_keepalive rule. Counts samples lost
   * by forced deletions per endpoint.
   */
  truncate(tick: boolean): void {
    const t0 = performance.now();
    const walArgs = { ...DEFAULT_WAL, ...(this.args.wal ?? {}) };
    const lows = new Map<EndpointQueue, number>();
    let low = this.wal.head();
    for (const { q } of this.queues.values()) {
      const l = q.lowWatermark();
      lows.set(q, l);
      low = Math.min(low, l);
    }
    const delivered = segmentOf(low);
    let forcedUpTo = 0;
    let reason = '';
    const closed = this.wal.closedSegments();
    if (tick) {
      const cutoff = Date.now() - walArgs.max_keepalive_time;
      for (const s of closed) {
        if (s.mtimeMs < cutoff && s.seg + 1 > forcedUpTo) {
          forcedUpTo = s.seg + 1;
          reason = 'wal_max_keepalive';
        }
      }
    }
    let size = this.wal.size();
    for (const s of closed) {
      if (size <= remoteWriteTuning.maxWalBytes) break;
      size -= s.size;
      if (s.seg + 1 > forcedUpTo) {
        forcedUpTo = s.seg + 1;
        if (s.seg >= delivered) reason = 'wal_size_limit';
      }
    }
    if (forcedUpTo > delivered) {
      for (const [q, l] of lows) {
        let lost = 0;
        for (let seg = segmentOf(l); seg < forcedUpTo; seg++) {
          if (seg < this.wal.firstSeg) continue;
          lost += this.wal.countSamples(seg, Math.max(l, position(seg, 0)));
        }
        if (lost) {
          this.m.samplesDropped.inc(
            { remote_name: q.settings.remoteName, url: q.settings.url, reason },
            lost,
          );
          this.opts.logger.warn('dropping undelivered WAL segments', {
            url: q.settings.url,
            samples: lost,
            reason,
          });
        }
      }
    }
    const before = Math.max(delivered, forcedUpTo);
    const removed = this.wal.truncate(before, walArgs.min_keepalive_time);
    if (removed.length) {
      this.m.walRemovedSeries.inc(removed.length);
      for (const { q } of this.queues.values()) q.forget(removed);
    }
    this.m.walActiveSeries.set(this.wal.activeSeries);
    this.m.walSize.set(this.wal.size());
    if (tick) this.m.walTruncateDuration.observe((performance.now() - t0) / 1000);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    for (const { q, done } of this.queues.values()) if (!done) this.runQueue(q);
    const schedule = () => {
      const freq = { ...DEFAULT_WAL, ...(this.args.wal ?? {}) }.truncate_frequency;
      this.truncateTimer = setTimeout(() => {
        try {
          this.truncate(true);
        } catch (err) {
          this.opts.logger.warn('could not truncate WAL', { err: (err as Error).message });
        }
        schedule();
      }, freq);
    };
    schedule();
    await untilAborted(signal);
    clearTimeout(this.truncateTimer);
    this.running = false;
    const stops: Promise<void>[] = [];
    for (const { q, done } of this.queues.values()) {
      stops.push(q.stop(remoteWriteTuning.stopGraceMs));
      if (done) stops.push(done);
    }
    await Promise.allSettled(stops);
    this.closed = true;
    this.wal.close();
  }

  update(args: RemoteWriteArgs): void {
    this.plan(args); // throws before anything changes
    this.args = args;
    this.applyArgs(args);
  }

  health(): Health {
    return this.status;
  }

  debugInfo(): unknown {
    return {
      wal: { first_segment: this.wal.firstSeg, head_segment: this.wal.headSeg, bytes: this.wal.size() },
      active_series: this.wal.activeSeries,
      endpoints: [...this.queues.values()].map(({ q }) => q.debugInfo()),
    };
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
