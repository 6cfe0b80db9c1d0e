/**
 * `otelcol.processor.batch` (the collector's batchprocessor): per signal, and per distinct combination of
 * `metadata_keys` values, a batcher ("shard") accumulates requests:
 *
 * - When the pending items reach `send_batch_size`, a batch is sent ("size" trigger); with
 *   `send_batch_max_size` > 0 a batch holds at most that many items (the crossing request is split, envelopes
 *   repeated) and sending repeats while the rest still reaches `send_batch_size`.
 * - `timeout` after the first pending item (and again after each size-triggered send that left items), what
 *   is pending is sent ("timeout" trigger). `timeout = 0` or `send_batch_size = 0` sends every request at
 *   once (still split at `send_batch_max_size`).
 * - Requests are merged cheaply: still-encoded ones by concatenating their bytes; otherwise the merged model
 *   is encoded once and travels with its bytes (so `…_batch_send_size_bytes` is exact and an exporter
 *   downstream does not encode again).
 * - `metadata_keys` (case-insensitive): each combination of the request metadata values
 *   (`include_metadata` on the receiver) gets its own batcher, whose batches carry only those keys as
 *   `ConsumeContext.metadata`; more than `metadata_cardinality_limit` combinations (0 = unlimited) are
 *   refused with a permanent error "too many batcher metadata-value combinations". Without `metadata_keys`
 *   batches carry no metadata (as the collector).
 * - Consumers get `consume*` resolved once the request is in a batch; send errors downstream are logged
 *   ("Sender failed") and the batch is dropped, as the collector. Back-pressure: sends of one batcher are
 *   sequential and `consume*` waits while more than one formed batch waits behind the one being sent.
 * - On stop, everything pending is sent.
 *
 * Metrics: `otelcol_processor_batch_*` (telemetry.ts).
 */
import { untilAborted, type Component, type ComponentOptions } from '../../../../runtime/component.js';
import { argsEqual } from '../../../../runtime/schema.js';
import {
  ConsumerError,
  consumerCapsule,
  countItems,
  fanout,
  type ConsumeContext,
  type OtelConsumer,
  type OtelSignal,
} from '../../consumer.js';
import { BatchTelemetry, collectorId } from '../../telemetry.js';
import { mergeEncoded, splitRequest } from './split.js';

export interface BatchArgs {
  timeout: number;
  send_batch_size: number;
  send_batch_max_size: number;
  metadata_keys?: string[];
  metadata_cardinality_limit: number;
  output: { traces?: OtelConsumer[]; metrics?: OtelConsumer[]; logs?: OtelConsumer[] };
}

const SIGNALS: OtelSignal[] = ['traces', 'metrics', 'logs'];

interface Formed {
  req: object;
  items: number;
  bytes: number;
  trigger: 'size' | 'timeout';
}

class Shard {
  reqs: object[] = [];
  counts: number[] = [];
  items = 0;
  timer: NodeJS.Timeout | undefined;
  /** Formed batches waiting to be sent, in order. */
  readonly queue: Formed[] = [];
  sending = false;
  /** Resolvers waiting for the queue to shrink. */
  waiters: (() => void)[] = [];
  /** Resolvers waiting for everything to be sent. */
  idle: (() => void)[] = [];

  constructor(
    readonly p: BatchProcessor,
    readonly signal: OtelSignal,
    readonly ctx: ConsumeContext | undefined,
  ) {}

  add(req: object, n: number): void {
    this.reqs.push(req);
    this.counts.push(n);
    this.items += n;
    const a = this.p.args;
    const timed = a.timeout > 0 && a.send_batch_size > 0;
    let sent = false;
    while (this.items > 0 && (!timed || this.items >= a.send_batch_size)) {
      this.form('size');
      sent = true;
    }
    if (!timed) return;
    if (sent) this.stopTimer();
    if (this.items > 0 && !this.timer) {
      this.timer = setTimeout(() => this.onTimer(), a.timeout);
      this.timer.unref?.();
    }
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.items > 0) this.form('timeout');
    if (this.items > 0) {
      this.timer = setTimeout(() => this.onTimer(), this.p.args.timeout);
      this.timer.unref?.();
    }
  }

  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Takes up to `send_batch_max_size` items into a formed batch and schedules its send. */
  form(trigger: 'size' | 'timeout'): void {
    const max = this.p.args.send_batch_max_size;
    let take: object[];
    let n: number;
    if (max > 0 && this.items > max) {
      take = [];
      n = 0;
      while (n < max) {
        const c = this.counts[0]!;
        if (n + c <= max) {
          take.push(this.reqs.shift()!);
          this.counts.shift();
          n += c;
        } else {
          const [h, t] = splitRequest(this.signal, this.reqs[0]!, max - n);
          take.push(h);
          this.reqs[0] = t;
          this.counts[0] = c - (max - n);
          n = max;
        }
      }
      this.items -= n;
    } else {
      take = this.reqs;
      n = this.items;
      this.reqs = [];
      this.counts = [];
      this.items = 0;
    }
    const merged = mergeEncoded(this.signal, take, n);
    this.queue.push({ req: merged.req, items: n, bytes: merged.bytes, trigger });
    if (!this.sending) void this.pump();
  }

  private async pump(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const b = this.queue.shift()!;
      this.wake();
      try {
        await fanout(this.signal, this.p.args.output[this.signal] ?? [], b.req, this.ctx);
        this.p.telemetry.record(b.trigger, b.items, b.bytes);
      } catch (err) {
        this.p.opts.logger.warn('Sender failed', { error: (err as Error).message });
      }
    }
    this.sending = false;
    this.wake();
    const idle = this.idle;
    this.idle = [];
    for (const r of idle) r();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  /** Resolves once at most one formed batch waits behind the one being sent. */
  async room(): Promise<void> {
    while (this.queue.length > 1) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Sends everything pending and resolves when it was sent. */
  async flush(): Promise<void> {
    this.stopTimer();
    while (this.items > 0) this.form('timeout');
    if (this.sending || this.queue.length) await new Promise<void>((r) => this.idle.push(r));
  }
}

export class BatchProcessor implements Component<BatchArgs> {
  args: BatchArgs;
  readonly telemetry: BatchTelemetry;
  private keys: string[];
  private readonly shards = new Map<OtelSignal, Map<string, Shard>>(SIGNALS.map((s) => [s, new Map()]));
  private stopped = false;

  constructor(
    readonly opts: ComponentOptions,
    args: BatchArgs,
  ) {
    this.args = args;
    this.keys = normKeys(args.metadata_keys);
    this.telemetry = new BatchTelemetry(opts.registry, collectorId('batch', opts.id), () =>
      this.keys.length === 0 ? 1 : Math.max(...[...this.shards.values()].map((m) => m.size)),
    );
    const consumer: OtelConsumer = {
      signals: new Set(SIGNALS),
      consumeTraces: (req, ctx) => this.consume('traces', req, ctx),
      consumeMetrics: (req, ctx) => this.consume('metrics', req, ctx),
      consumeLogs: (req, ctx) => this.consume('logs', req, ctx),
    };
    opts.onStateChange({ input: consumerCapsule(consumer) });
  }

  private shardFor(signal: OtelSignal, ctx: ConsumeContext | undefined): Shard {
    const m = this.shards.get(signal)!;
    if (this.keys.length === 0) {
      let s = m.get('');
      if (!s) m.set('', (s = new Shard(this, signal, undefined)));
      return s;
    }
    const md: Record<string, string[]> = {};
    for (const k of this.keys) md[k] = [...(ctx?.metadata?.[k] ?? [])];
    const key = JSON.stringify(this.keys.map((k) => md[k]));
    let s = m.get(key);
    if (!s) {
      const limit = this.args.metadata_cardinality_limit;
      if (limit !== 0 && m.size >= limit)
        throw new ConsumerError('too many batcher metadata-value combinations', false);
      m.set(key, (s = new Shard(this, signal, { metadata: md })));
    }
    return s;
  }

  private async consume(signal: OtelSignal, req: object, ctx: ConsumeContext | undefined): Promise<void> {
    const n = countItems(signal, req);
    if (n === 0) return;
    const shard = this.shardFor(signal, ctx);
    shard.add(req, n);
    if (this.stopped) await shard.flush();
    else await shard.room();
  }

  async run(signal: AbortSignal): Promise<void> {
    await untilAborted(signal);
    this.stopped = true;
    await this.flushAll();
  }

  private async flushAll(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const m of this.shards.values()) for (const s of m.values()) all.push(s.flush());
    await Promise.allSettled(all);
  }

  update(args: BatchArgs): void {
    const keysChanged = !argsEqual(normKeys(args.metadata_keys), this.keys);
    this.args = args;
    if (!keysChanged) return;
    // New partitioning: send what the old batchers hold, then start over.
    void this.flushAll();
    this.keys = normKeys(args.metadata_keys);
    for (const m of this.shards.values()) m.clear();
  }

  debugInfo(): unknown {
    const out: Record<string, unknown> = {};
    for (const [sig, m] of this.shards)
      out[sig] = [...m.values()].map((s) => ({ pending_items: s.items, queued_batches: s.queue.length }));
    return out;
  }
}

function normKeys(keys: string[] | undefined): string[] {
  return [...new Set((keys ?? []).map((k) => k.toLowerCase()))].sort();
}
