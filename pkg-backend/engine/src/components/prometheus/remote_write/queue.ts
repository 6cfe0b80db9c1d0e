/**
 * One endpoint's queue (Prometheus' QueueManager, `storage/remote/queue_manager.go`, reshaped around our
 * WAL): reads records from the WAL at its own cursor, spreads samples over shards by series ref
 * (`ref % shards`), and each shard sends batches of up to `max_samples_per_send` when full or after
 * `batch_send_deadline`, one request in flight per shard (so a series' samples stay in order).
 *
 * Retries (protocols.md §1.2): network errors, 5xx and — when `retry_on_http_429` — 429 are retried forever
 * with backoff from `min_backoff` doubling to `max_backoff`, sleeping `Retry-After` instead when the
 * response carries one; other statuses drop the batch (`…_samples_failed_total`). `sample_age_limit` > 0
 * drops samples older than that before each attempt (`…_samples_dropped_total{reason="too_old"}`).
 *
 * Delivery positions (exactly-once per series across restarts): a shard's position is the WAL position of
 * its oldest unacknowledged item, or the queue's cursor when it has none — every item of the shard's
 * series below it is delivered (or dropped). Positions advance only after a 2xx and are written to
 * `positions/<key>.json` (tmp + rename) right after each acknowledged request, before the next send.
 * A checkpoint is a list of rules `{n, positions[n]}`: an item (position p, ref r) is done when
 * `p < positions[r % n]` for any rule. On start the queue resumes at the highest "all shards done"
 * position over the rules, skips done items, and keeps the old rules (while the cursor is below them) in
 * later checkpoints, so a crash during replay or a different shard count never resends a delivered sample.
 *
 * Sharding (simplified calculateDesiredShards): every `shardUpdateIntervalMs` the EWMA rates of samples
 * in and out and of send time give `desired = timePerSample × (rateIn + 5% of the backlog)`; outside a 30%
 * tolerance band the queue drains (dispatch pauses, shards send what they hold at once) and restarts with
 * the new count, clamped to [min_shards, max_shards]. No resharding while a send is failing, nor downward
 * while more than 10 s behind.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricMetadata } from '../appendable.js';
import type { Labels } from '../labels.js';
import type { Logger } from '../../../runtime/logger.js';
import {
  encodeLabels,
  snappyCompress,
  WriteRequestEncoder,
  type EncodedExemplar,
} from '../../../protocols/remote-write.js';
import type { RemoteWriteMetrics } from './metrics.js';
import { EndpointClient, type SendResult } from './client.js';
import { REC_EXEMPLARS, type Wal, WalReader, type WalRecord } from './wal.js';

export interface QueueConfig {
  capacity: number;
  max_shards: number;
  min_shards: number;
  max_samples_per_send: number;
  /** ms */
  batch_send_deadline: number;
  /** ms */
  min_backoff: number;
  /** ms */
  max_backoff: number;
  retry_on_http_429: boolean;
  /** ms; 0 = off */
  sample_age_limit: number;
}

export interface MetadataConfig {
  send: boolean;
  /** ms */
  send_interval: number;
  max_samples_per_send: number;
}

export interface QueueSettings {
  /** Checkpoint identity (file name). */
  key: string;
  remoteName: string;
  url: string;
  /** Decoded endpoint block (url, headers, auth, TLS, remote_timeout, …). */
  endpoint: Record<string, any>;
  queue: QueueConfig;
  metadata: MetadataConfig;
  sendExemplars: boolean;
  /** External labels + write relabeling of a series; undefined drops it. */
  transform(labels: Labels): Labels | undefined;
  /** Current metadata by family (sent every `send_interval`). */
  metadataSource(): Iterable<MetricMetadata>;
  /** Highest timestamp appended (seconds), for the shard calculation. */
  highestIn(): number;
  shardUpdateIntervalMs: number;
}

interface Rule {
  n: number;
  positions: number[];
}

const KIND_SAMPLE = 0;
const KIND_EXEMPLAR = 1;
const KIND_DROPPED = 2;

/** A shard's FIFO of pending items in parallel arrays (ring buffer, grows by doubling) and its loop's wake-up. */
export class Shard {
  cap = 256;
  head = 0;
  len = 0;
  refs = new Uint32Array(this.cap);
  ts = new Float64Array(this.cap);
  vals = new Float64Array(this.cap);
  stale = new Uint8Array(this.cap);
  pos = new Float64Array(this.cap);
  kind = new Uint8Array(this.cap);
  exLabels: (Uint8Array | undefined)[] = new Array(this.cap);
  /** When the current batch started waiting (ms). */
  since = 0;
  retired = false;
  failing = false;
  private waiter: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  push(
    ref: number,
    ts: number,
    val: number,
    stale: number,
    pos: number,
    kind: number,
    ex?: Uint8Array,
  ): void {
    if (this.len === this.cap) this.grow();
    const i = (this.head + this.len) & (this.cap - 1);
    this.refs[i] = ref;
    this.ts[i] = ts;
    this.vals[i] = val;
    this.stale[i] = stale;
    this.pos[i] = pos;
    this.kind[i] = kind;
    this.exLabels[i] = ex;
    this.len++;
    if (this.len === 1) {
      // The loop sleeps while the shard is empty: start the batch deadline.
      this.since = Date.now();
      this.wake();
    }
  }

  private grow(): void {
    const cap = this.cap * 2;
    const order = (a: any, make: (n: number) => any) => {
      const out = make(cap);
      for (let k = 0; k < this.len; k++) out[k] = a[(this.head + k) & (this.cap - 1)];
      return out;
    };
    this.refs = order(this.refs, (n) => new Uint32Array(n));
    this.ts = order(this.ts, (n) => new Float64Array(n));
    this.vals = order(this.vals, (n) => new Float64Array(n));
    this.stale = order(this.stale, (n) => new Uint8Array(n));
    this.pos = order(this.pos, (n) => new Float64Array(n));
    this.kind = order(this.kind, (n) => new Uint8Array(n));
    this.exLabels = order(this.exLabels, (n) => new Array(n));
    this.head = 0;
    this.cap = cap;
  }

  /** Index of the k-th pending item. */
  at(k: number): number {
    return (this.head + k) & (this.cap - 1);
  }

  pop(n: number): void {
    for (let k = 0; k < n; k++) this.exLabels[this.at(k)] = undefined;
    this.head = (this.head + n) & (this.cap - 1);
    this.len -= n;
    this.since = Date.now();
  }

  /** A wake() that arrived while nobody waited: the next wait() returns at once (no lost wake-ups). */
  private woken = false;

  /** Waits until woken or `ms` elapsed. */
  wait(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((res) => {
      this.waiter = res;
      if (Number.isFinite(ms)) this.timer = setTimeout(() => this.wake(), Math.max(0, ms));
    });
  }

  wake(): void {
    clearTimeout(this.timer);
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w();
    else this.woken = true;
  }
}

/** Exponentially weighted moving average of a per-second rate, ticked every interval (Prometheus ewmaRate). */
class EwmaRate {
  private pending = 0;
  private value = 0;
  private init = false;
  constructor(private readonly intervalS: number) {}
  add(n: number): void {
    this.pending += n;
  }
  tick(): void {
    const instant = this.pending / this.intervalS;
    this.pending = 0;
    if (this.init) this.value += 0.2 * (instant - this.value);
    else if (instant > 0) {
      this.value = instant;
      this.init = true;
    }
  }
  rate(): number {
    return this.value;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal.aborted) return res();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      res();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class EndpointQueue {
  private shards: Shard[] = [];
  private reader: WalReader;
  private priors: Rule[] = [];
  private running = false;
  private stopped = false;
  /** Aborts backoff sleeps and batch waits at once. */
  private readonly stopSleeps = new AbortController();
  /** Aborts in-flight requests (after a grace period on stop). */
  private readonly stopRequests = new AbortController();
  private client: EndpointClient | undefined;
  private labelCache: (Uint8Array | null | undefined)[] = [];
  private reshardTo = 0;
  private readonly enc = new WriteRequestEncoder();
  private readonly ckptDir: string;
  private readonly ckptPath: string;
  private pending = 0;
  private pendingExemplars = 0;
  private readonly dataIn: EwmaRate;
  private readonly dataOut: EwmaRate;
  private readonly dataDropped: EwmaRate;
  private readonly dataOutDuration: EwmaRate;
  private highestSent = 0;
  private inflight = new Set<Promise<unknown>>();
  private loops: Promise<void>[] = [];
  private timers: NodeJS.Timeout[] = [];
  private readonly labels: { remote_name: string; url: string };

  constructor(
    private readonly wal: Wal,
    private readonly m: RemoteWriteMetrics,
    readonly settings: QueueSettings,
    positionsDir: string,
    private readonly logger: Logger,
  ) {
    this.labels = { remote_name: settings.remoteName, url: settings.url };
    const s = settings.shardUpdateIntervalMs / 1000;
    this.dataIn = new EwmaRate(s);
    this.dataOut = new EwmaRate(s);
    this.dataDropped = new EwmaRate(s);
    this.dataOutDuration = new EwmaRate(s);
    this.ckptDir = positionsDir;
    this.ckptPath = join(positionsDir, `${settings.key}.json`);
    mkdirSync(positionsDir, { recursive: true });
    let start = wal.head();
    const saved = this.loadCheckpoint();
    if (saved && saved.length) {
      this.priors = saved;
      start = Math.max(...saved.map((r) => Math.min(...r.positions)));
      this.initShards(saved[0]!.n);
    } else {
      this.initShards(settings.queue.min_shards);
    }
    this.reader = new WalReader(wal, start);
    // A new endpoint records where it starts, so a crash before its first delivery loses nothing.
    this.saveCheckpoint();
    const q = settings.queue;
    this.m.shardCapacity.set(this.labels, q.capacity);
    this.m.shardsMax.set(this.labels, q.max_shards);
    this.m.shardsMin.set(this.labels, q.min_shards);
    this.m.maxSamplesPerSend.set(this.labels, q.max_samples_per_send);
    this.m.samplesPending.set(this.labels, 0);
    this.m.exemplarsPending.set(this.labels, 0);
    this.m.histogramsPending.set(this.labels, 0);
    this.m.shardsDesired.set(this.labels, this.shards.length);
    this.m.queueHighestSentTimestamp.set(this.labels, 0);
    this.m.queueHighestTimestamp.set(this.labels, 0);
    for (const c of [this.m.samplesTotal, this.m.samplesFailed, this.m.samplesRetried, this.m.bytesTotal]) {
      c.inc(this.labels, 0);
    }
  }

  private initShards(n: number): void {
    n = Math.max(1, Math.min(n, Math.max(1, this.settings.queue.max_shards)));
    this.shards = Array.from({ length: n }, () => new Shard());
    this.m.shards.set(this.labels, n);
  }

  private loadCheckpoint(): Rule[] | undefined {
    try {
      const j = JSON.parse(readFileSync(this.ckptPath, 'utf8')) as { rules?: Rule[] };
      const rules = (j.rules ?? []).filter(
        (r) => Number.isInteger(r.n) && r.n > 0 && Array.isArray(r.positions) && r.positions.length === r.n,
      );
      return rules.length ? rules : undefined;
    } catch {
      return undefined;
    }
  }

  /** Delivery position of each current shard. */
  private currentRule(): Rule {
    const cursor = this.reader.pos;
    return {
      n: this.shards.length,
      positions: this.shards.map((s) => (s.len > 0 ? s.pos[s.head]! : cursor)),
    };
  }

  /** The lowest position not yet delivered by every shard (what the WAL must keep for this endpoint). */
  lowWatermark(): number {
    // Old rules only skip work; the current rule alone decides what must stay readable.
    return Math.min(...this.currentRule().positions);
  }

  /** Writes the checkpoint (tmp + rename; survives a process crash immediately). */
  saveCheckpoint(): void {
    const cursor = this.reader.pos;
    this.priors = this.priors.filter((r) => Math.max(...r.positions) > cursor);
    const rules = [this.currentRule(), ...this.priors];
    const tmp = `${this.ckptPath}.tmp`;
    try {
      writeFileSync(
        tmp,
        JSON.stringify({ version: 1, url: this.settings.url, name: this.settings.remoteName, rules }),
      );
      renameSync(tmp, this.ckptPath);
    } catch (err) {
      this.logger.error('failed to write remote_write position', { err: (err as Error).message });
    }
  }

  /** True when an item is already delivered according to an older checkpoint rule. */
  private done(pos: number, ref: number): boolean {
    for (const r of this.priors) if (pos < r.positions[ref % r.n]!) return true;
    return false;
  }

  /** Label bytes of a series for this endpoint (external labels, relabeling); null = dropped. */
  private seriesBytes(ref: number): Uint8Array | null | undefined {
    const cached = this.labelCache[ref];
    if (cached !== undefined) return cached;
    const l = this.wal.labels[ref];
    if (l === undefined) return undefined;
    const t = this.settings.transform(l);
    const b = t && t.length ? encodeLabels(t) : null;
    this.labelCache[ref] = b;
    return b;
  }

  /** Forgets cached label bytes of series removed from the WAL. */
  forget(refs: readonly number[]): void {
    for (const r of refs) this.labelCache[r] = undefined;
  }

  private room(): boolean {
    return this.pending < this.settings.queue.capacity * this.shards.length;
  }

  /** Live path: records just appended; dispatched directly when the queue is caught up and has room. */
  offer(recs: readonly WalRecord[]): void {
    if (!this.running || this.stopped) return;
    for (const rec of recs) {
      if (this.reshardTo || this.reader.pos !== rec.pos || !this.room()) {
        if (!this.room()) this.m.enqueueRetries.inc(this.labels);
        this.pump();
        return;
      }
      this.dispatch(rec);
      this.reader.pos = rec.end;
    }
  }

  /** Reads records from disk while there is room. */
  pump(): void {
    if (!this.running || this.stopped || this.reshardTo) return;
    while (this.room()) {
      let rec: WalRecord | null;
      try {
        rec = this.reader.next();
      } catch (err) {
        this.logger.error('failed to read the WAL', { err: (err as Error).message });
        return;
      }
      if (!rec) return;
      this.dispatch(rec);
    }
  }

  private dispatch(rec: WalRecord): void {
    const n = this.shards.length;
    const isEx = rec.type === REC_EXEMPLARS;
    if (isEx && !this.settings.sendExemplars) return;
    let highest = 0;
    let added = 0;
    for (let k = 0; k < rec.count; k++) {
      const ref = rec.refs[k]!;
      const pos = rec.pos + k;
      if (this.priors.length && this.done(pos, ref)) continue;
      const lb = this.seriesBytes(ref);
      if (!lb) {
        const reason = lb === null ? 'dropped_series' : 'unintentionally_dropped_series';
        (isEx ? this.m.exemplarsDropped : this.m.samplesDropped).inc({ ...this.labels, reason });
        continue;
      }
      const ts = rec.timestamps[k]!;
      if (ts > highest) highest = ts;
      const shard = this.shards[ref % n]!;
      if (isEx) {
        shard.push(ref, ts, rec.values[k]!, 0, pos, KIND_EXEMPLAR, encodeLabels(rec.exemplarLabels![k]!));
        this.pendingExemplars++;
      } else shard.push(ref, ts, rec.values[k]!, rec.stale[k]!, pos, KIND_SAMPLE);
      added++;
      if (shard.len === this.settings.queue.max_samples_per_send) shard.wake();
    }
    this.pending += added;
    this.dataIn.add(added);
    this.bumpHighest(highest);
    this.updatePending();
  }

  private highestQueued = 0;
  private bumpHighest(ts: number): void {
    if (ts > this.highestQueued) {
      this.highestQueued = ts;
      this.m.queueHighestTimestamp.set(this.labels, ts / 1000);
    }
  }

  private updatePending(): void {
    this.m.samplesPending.set(this.labels, this.pending - this.pendingExemplars);
    this.m.exemplarsPending.set(this.labels, this.pendingExemplars);
  }

  /** Starts sending; resolves when stopped. */
  async run(): Promise<void> {
    try {
      this.client = await EndpointClient.create(this.settings.endpoint);
    } catch (err) {
      this.logger.error('cannot create the remote_write client', { err: (err as Error).message });
      throw err;
    }
    if (this.stopped) return;
    this.running = true;
    this.startLoops();
    this.pump();
    const reshard = setInterval(() => this.updateShards(), this.settings.shardUpdateIntervalMs);
    reshard.unref();
    this.timers.push(reshard);
    const md = this.settings.metadata;
    let mdLoop: Promise<void> = Promise.resolve();
    if (md.send && md.send_interval > 0) mdLoop = this.metadataLoop();
    await new Promise<void>((res) =>
      this.stopSleeps.signal.addEventListener('abort', () => res(), { once: true }),
    );
    await Promise.all([...this.loops, mdLoop]);
  }

  private startLoops(): void {
    this.loops = this.shards.map((s) => this.shardLoop(s));
  }

  private async shardLoop(s: Shard): Promise<void> {
    const q = this.settings.queue;
    while (!this.stopped && !s.retired) {
      if (s.len === 0) {
        // Finishing a reshard retires this very shard: leave instead of waiting for a wake-up.
        if (this.reshardTo) this.maybeFinishReshard();
        if (s.retired || this.stopped) break;
        await s.wait(Infinity);
        continue;
      }
      if (s.len < q.max_samples_per_send && !this.reshardTo) {
        const waitMs = s.since + q.batch_send_deadline - Date.now();
        if (waitMs > 0) {
          await s.wait(waitMs);
          continue;
        }
      }
      const n = Math.min(s.len, q.max_samples_per_send);
      const delivered = await this.sendBatch(s, n);
      if (!delivered) return; // stopped
      let ex = 0;
      for (let k = 0; k < n; k++) if (s.kind[s.at(k)] === KIND_EXEMPLAR) ex++;
      s.pop(n);
      this.pending -= n;
      this.pendingExemplars -= ex;
      this.updatePending();
      this.saveCheckpoint();
      this.pump();
    }
  }

  /**
   * Sends the shard's first `n` items until acknowledged, dropped (4xx / too old) or stopped.
   * Returns false when stopped before the outcome was known.
   */
  private async sendBatch(s: Shard, n: number): Promise<boolean> {
    const q = this.settings.queue;
    let backoff = q.min_backoff;
    for (let attempt = 0; ; attempt++) {
      if (this.stopped && attempt > 0) return false;
      const enc = this.enc;
      enc.reset();
      let samples = 0;
      let exemplars = 0;
      let highest = 0;
      const minTs = q.sample_age_limit > 0 ? Date.now() - q.sample_age_limit : -Infinity;
      let tooOld = 0;
      for (let k = 0; k < n; k++) {
        const i = s.at(k);
        const kind = s.kind[i];
        if (kind === KIND_DROPPED) continue;
        const ts = s.ts[i]!;
        if (ts < minTs) {
          s.kind[i] = KIND_DROPPED;
          if (kind === KIND_EXEMPLAR) this.m.exemplarsDropped.inc({ ...this.labels, reason: 'too_old' });
          else tooOld++;
          continue;
        }
        const lb = this.seriesBytes(s.refs[i]!);
        if (!lb) {
          s.kind[i] = KIND_DROPPED;
          continue;
        }
        if (kind === KIND_EXEMPLAR) {
          const e: EncodedExemplar = { labels: s.exLabels[i]!, value: s.vals[i]!, timestamp: ts };
          enc.exemplar(lb, e);
          exemplars++;
        } else {
          enc.sample(lb, s.vals[i]!, ts, s.stale[i] === 1);
          samples++;
          if (ts > highest) highest = ts;
        }
      }
      if (tooOld) {
        this.m.samplesDropped.inc({ ...this.labels, reason: 'too_old' }, tooOld);
        this.dataDropped.add(tooOld);
      }
      if (samples + exemplars === 0) return true;
      const body = snappyCompress(enc.finish());
      const t0 = performance.now();
      let res: SendResult | undefined;
      let error = '';
      const p = this.client!.post(body, attempt, this.stopRequests.signal);
      this.inflight.add(p);
      try {
        res = await p;
      } catch (err) {
        error = (err as Error).message;
      } finally {
        this.inflight.delete(p);
      }
      const secs = (performance.now() - t0) / 1000;
      this.m.sentBatchDuration.observe(this.labels, secs);
      if (res && res.status >= 200 && res.status < 300) {
        s.failing = false;
        this.m.samplesTotal.inc(this.labels, samples);
        this.m.exemplarsTotal.inc(this.labels, exemplars);
        this.m.bytesTotal.inc(this.labels, body.length);
        this.dataOut.add(samples + exemplars);
        this.dataOutDuration.add(secs);
        if (highest > this.highestSent) {
          this.highestSent = highest;
          this.m.queueHighestSentTimestamp.set(this.labels, highest / 1000);
        }
        return true;
      }
      if (this.stopped && !res) return false;
      const recoverable = !res || res.status >= 500 || (res.status === 429 && q.retry_on_http_429);
      if (!recoverable) {
        s.failing = false;
        this.m.samplesFailed.inc(this.labels, samples);
        this.m.exemplarsFailed.inc(this.labels, exemplars);
        this.dataDropped.add(samples + exemplars);
        this.logger.error('non-recoverable error while sending samples', {
          remote_name: this.settings.remoteName,
          url: this.settings.url,
          count: samples,
          exemplarCount: exemplars,
          err: `server returned HTTP status ${res!.status}: ${res!.body}`,
        });
        return true;
      }
      s.failing = true;
      this.m.samplesRetried.inc(this.labels, samples);
      this.m.exemplarsRetried.inc(this.labels, exemplars);
      const wait = res && res.retryAfterMs > 0 ? res.retryAfterMs : backoff;
      this.logger.warn('failed to send batch, retrying', {
        remote_name: this.settings.remoteName,
        url: this.settings.url,
        err: res ? `server returned HTTP status ${res.status}: ${res.body}` : error,
        retry_in_ms: wait,
      });
      await sleep(wait, this.stopSleeps.signal);
      backoff = Math.min(backoff * 2, q.max_backoff);
      if (this.stopped) return false;
    }
  }

  /** Sends the known metadata every `send_interval`, in chunks of `max_samples_per_send`. */
  private async metadataLoop(): Promise<void> {
    const md = this.settings.metadata;
    const q = this.settings.queue;
    const enc = new WriteRequestEncoder(16 * 1024);
    while (!this.stopped) {
      await sleep(md.send_interval, this.stopSleeps.signal);
      if (this.stopped) return;
      const all = [...this.settings.metadataSource()];
      for (let i = 0; i < all.length && !this.stopped; i += md.max_samples_per_send) {
        const chunk = all.slice(i, i + md.max_samples_per_send);
        enc.reset();
        for (const m of chunk) enc.metadata(m);
        const body = snappyCompress(enc.finish());
        let backoff = q.min_backoff;
        const until = Date.now() + md.send_interval;
        for (let attempt = 0; !this.stopped; attempt++) {
          let res: SendResult | undefined;
          try {
            res = await this.client!.post(body, attempt, this.stopRequests.signal);
          } catch {
            res = undefined;
          }
          if (res && res.status >= 200 && res.status < 300) {
            this.m.metadataTotal.inc(this.labels, chunk.length);
            this.m.metadataBytesTotal.inc(this.labels, body.length);
            break;
          }
          const recoverable = !res || res.status >= 500 || (res.status === 429 && q.retry_on_http_429);
          if (!recoverable || Date.now() + backoff > until) {
            this.m.metadataFailed.inc(this.labels, chunk.length);
            break;
          }
          this.m.metadataRetried.inc(this.labels, chunk.length);
          await sleep(res && res.retryAfterMs > 0 ? res.retryAfterMs : backoff, this.stopSleeps.signal);
          backoff = Math.min(backoff * 2, q.max_backoff);
        }
      }
    }
  }

  /** The simplified calculateDesiredShards (see the file comment); starts a reshard when needed. */
  private updateShards(): void {
    this.dataIn.tick();
    this.dataOut.tick();
    this.dataDropped.tick();
    this.dataOutDuration.tick();
    if (this.stopped || this.reshardTo) return;
    const q = this.settings.queue;
    const inRate = this.dataIn.rate();
    const outRate = this.dataOut.rate();
    if (outRate <= 0) return;
    const kept = outRate / (this.dataDropped.rate() + outRate);
    const delay = this.settings.highestIn() - this.highestSent / 1000;
    const backlog = 0.05 * delay * inRate * kept;
    const timePerSample = this.dataOutDuration.rate() / outRate;
    let desired = timePerSample * (inRate * kept + backlog);
    this.m.shardsDesired.set(this.labels, desired);
    const cur = this.shards.length;
    desired = Math.ceil(desired);
    if (desired >= cur * 0.7 && desired <= cur * 1.3) return;
    if (desired < cur && delay > 10) return;
    desired = Math.max(q.min_shards, Math.min(q.max_shards, desired));
    if (desired === cur || this.shards.some((s) => s.failing)) return;
    this.logger.info('remote storage resharding', { from: cur, to: desired });
    this.reshardTo = desired;
    for (const s of this.shards) s.wake();
    this.maybeFinishReshard();
  }

  private maybeFinishReshard(): void {
    if (!this.reshardTo || this.stopped) return;
    if (this.shards.some((s) => s.len > 0)) return;
    const n = this.reshardTo;
    for (const s of this.shards) {
      s.retired = true;
      s.wake();
    }
    this.initShards(n);
    this.reshardTo = 0;
    const loops = this.shards.map((s) => this.shardLoop(s));
    this.loops.push(...loops);
    this.saveCheckpoint();
    this.pump();
  }

  /**
   * Stops: no new sends; backoff sleeps end at once; in-flight requests get `graceMs` to complete (so a
   * request the server accepted is acknowledged) before they are aborted. Writes the final checkpoint.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.stopSleeps.abort();
    for (const s of this.shards) s.wake();
    if (this.inflight.size) {
      const t = setTimeout(() => this.stopRequests.abort(), graceMs);
      await Promise.allSettled([...this.inflight]);
      clearTimeout(t);
    }
    await Promise.allSettled(this.loops);
    this.saveCheckpoint();
    this.reader.close();
    this.client?.close();
  }

  /** Removes this queue's metric series (endpoint removed from the config). */
  removeMetrics(): void {
    const m = this.m;
    for (const g of [
      m.samplesTotal,
      m.exemplarsTotal,
      m.histogramsTotal,
      m.metadataTotal,
      m.samplesFailed,
      m.exemplarsFailed,
      m.histogramsFailed,
      m.metadataFailed,
      m.samplesRetried,
      m.exemplarsRetried,
      m.histogramsRetried,
      m.metadataRetried,
      m.enqueueRetries,
      m.sentBatchDuration,
      m.queueHighestTimestamp,
      m.queueHighestSentTimestamp,
      m.samplesPending,
      m.exemplarsPending,
      m.histogramsPending,
      m.shardCapacity,
      m.shards,
      m.shardsMax,
      m.shardsMin,
      m.shardsDesired,
      m.bytesTotal,
      m.metadataBytesTotal,
      m.maxSamplesPerSend,
    ]) {
      try {
        (g as { remove(l: Record<string, string>): void }).remove(this.labels);
      } catch {
        // not present
      }
    }
  }

  /** Debug information for the components API. */
  debugInfo(): Record<string, unknown> {
    return {
      remote_name: this.settings.remoteName,
      url: this.settings.url,
      shards: this.shards.length,
      pending: this.pending,
      cursor: this.reader.pos,
      low_watermark: this.lowWatermark(),
    };
  }
}
