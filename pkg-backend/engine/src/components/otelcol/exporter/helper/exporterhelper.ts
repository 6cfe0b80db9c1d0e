/**
 * The collector's exporterhelper for OTLP exporters: per signal a sending queue and a retrying sender,
 * with the exporter metrics (telemetry.ts). Order as the collector: queue → metrics → retry → timeout →
 * send, so `otelcol_exporter_sent_*` / `…_send_failed_*` count requests once their retries are over.
 *
 * Sending queue (`sending_queue`, one queue per signal):
 * - `enabled = false`: `consume*` sends (with retries) before resolving, and rejects when the data is
 *   dropped (retryable error unless the failure was permanent), so receivers answer accordingly.
 * - enabled: `consume*` resolves once the request is queued (or, with `wait_for_result`, once it was sent or
 *   dropped); `num_consumers` workers send concurrently. `queue_size` is counted with `sizer` (requests,
 *   items, or the encoded bytes). A full queue refuses the request with a retryable "sending queue is full"
 *   (counted in `otelcol_exporter_enqueue_failed_*`), or with `block_on_overflow` waits for room.
 * - Not honoured: `storage` (persistent queue) and the queue's `batch` block (exporter-side batching).
 *
 * Retries (`retry_on_failure`): a failure the sender marks retryable is retried with exponential backoff —
 * `initial_interval`, randomised by ±`randomization_factor`, multiplied by `multiplier` up to
 * `max_interval` — at least as long as a server-requested delay (gRPC RetryInfo, HTTP Retry-After), until
 * `max_elapsed_time` (0 = no limit) would be exceeded; permanent failures are dropped at once. Dropped data
 * is counted in `otelcol_exporter_send_failed_*` and logged ("Exporting failed. Dropping data.").
 *
 * Stop: retry waits are interrupted (that data is dropped), then the queue is drained with one attempt per
 * request for at most `drainMs`.
 */
import type { ComponentOptions } from '../../../../runtime/component.js';
import {
  ConsumerError,
  countItems,
  type ConsumeContext,
  type OtelConsumer,
  type OtelSignal,
} from '../../consumer.js';
import type { ExporterTelemetry } from '../../telemetry.js';

export interface QueueArgs {
  enabled: boolean;
  num_consumers: number;
  queue_size: number;
  block_on_overflow?: boolean;
  sizer: string;
  wait_for_result?: boolean;
  storage?: unknown;
  batch?: unknown;
}

export interface RetryArgs {
  enabled: boolean;
  initial_interval: number;
  randomization_factor: number;
  multiplier: number;
  max_interval: number;
  max_elapsed_time: number;
}

export const DEFAULT_QUEUE: QueueArgs = {
  enabled: true,
  num_consumers: 10,
  queue_size: 1000,
  sizer: 'requests',
};

export const DEFAULT_RETRY: RetryArgs = {
  enabled: true,
  initial_interval: 5_000,
  randomization_factor: 0.5,
  multiplier: 1.5,
  max_interval: 30_000,
  max_elapsed_time: 300_000,
};

/** A failed send: `retryable` per the protocol, with an optional server-requested delay (ms). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly throttleMs?: number,
  ) {
    super(message);
  }
}

/** An encoded request owned by the exporter. */
export interface Payload {
  /** Size in bytes (for the `bytes` sizer). */
  size: number;
}

/** What an exporter provides: how to own a request and how to send it. */
export interface ExportDriver<P extends Payload> {
  /** Turns a request into the exporter's own payload (synchronously; the caller may reuse `req` later). */
  prepare(signal: OtelSignal, req: object): P;
  /** One attempt. Rejects with SendError (anything else counts as retryable). */
  send(signal: OtelSignal, payload: P, ctx: ConsumeContext | undefined, abort: AbortSignal): Promise<void>;
}

interface Item<P> {
  payload: P;
  items: number;
  ctx: ConsumeContext | undefined;
  units: number;
  done?: (err?: unknown) => void;
}

const SIGNALS: OtelSignal[] = ['traces', 'metrics', 'logs'];
/** The abort signal of attempts without a timeout. */
const NEVER = new AbortController().signal;

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((res) => {
    if (signal.aborted) return res(false);
    const onAbort = () => {
      clearTimeout(t);
      res(false);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      res(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

class SignalQueue<P extends Payload> {
  readonly items: Item<P>[] = [];
  head = 0;
  size = 0;
  private wakeWorkers: (() => void)[] = [];
  private wakeProducers: (() => void)[] = [];
  private workers: Promise<void>[] = [];
  closed = false;

  constructor(
    private readonly h: ExporterHelper<P>,
    readonly signal: OtelSignal,
    readonly capacity: number,
    private readonly sizer: string,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  unitsOf(items: number, payload: P): number {
    return this.sizer === 'items' ? items : this.sizer === 'bytes' ? payload.size : 1;
  }

  hasRoom(units: number): boolean {
    return this.size === 0 || this.size + units <= this.capacity;
  }

  push(it: Item<P>): void {
    this.items.push(it);
    this.size += it.units;
    const w = this.wakeWorkers.shift();
    w?.();
  }

  async waitRoom(units: number): Promise<void> {
    while (!this.hasRoom(units) && !this.closed) await new Promise<void>((r) => this.wakeProducers.push(r));
  }

  private take(): Item<P> | undefined {
    if (this.head >= this.items.length) return undefined;
    const it = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as Item<P>;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.size -= it.units;
    const w = this.wakeProducers;
    this.wakeProducers = [];
    for (const r of w) r();
    return it;
  }

  start(n: number): void {
    for (let i = 0; i < n; i++) this.workers.push(this.work());
  }

  private async work(): Promise<void> {
    for (;;) {
      const it = this.take();
      if (!it) {
        if (this.closed) return;
        await new Promise<void>((r) => this.wakeWorkers.push(r));
        continue;
      }
      const err = await this.h.sendWithRetry(this.signal, it);
      it.done?.(err);
    }
  }

  /** No more items: workers finish what is queued and end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.wakeWorkers.splice(0)) r();
    for (const r of this.wakeProducers.splice(0)) r();
    await Promise.all(this.workers);
  }

  /** Drops what is still queued (after the drain deadline). */
  dropAll(): void {
    for (;;) {
      const it = this.take();
      if (!it) return;
      this.h.drop(this.signal, it, 'the exporter stopped before the data could be sent');
    }
  }
}

export interface HelperArgs {
  sending_queue?: QueueArgs;
  retry_on_failure?: RetryArgs;
  /** Per-attempt timeout, ms (0 = none). */
  timeout?: number;
}

export class ExporterHelper<P extends Payload> {
  private queues: Map<OtelSignal, SignalQueue<P>> | undefined;
  private retry: RetryArgs;
  private timeout: number;
  private readonly stopRetries = new AbortController();
  private stopping = false;
  readonly consumer: OtelConsumer;

  constructor(
    private readonly opts: ComponentOptions,
    readonly telemetry: ExporterTelemetry,
    args: HelperArgs,
    private readonly driver: ExportDriver<P>,
    signals: OtelSignal[] = SIGNALS,
  ) {
    this.retry = { ...DEFAULT_RETRY, ...(args.retry_on_failure ?? {}) };
    this.timeout = args.timeout ?? 0;
    const q = { ...DEFAULT_QUEUE, ...(args.sending_queue ?? {}) };
    if (q.enabled) {
      if (q.storage !== undefined)
        opts.logger.warn('sending_queue.storage is not supported by this engine; using an in-memory queue');
      this.queues = new Map();
      for (const s of signals) {
        const sq = new SignalQueue(this, s, q.queue_size, q.sizer);
        this.queues.set(s, sq);
        this.telemetry.queue(s, () => sq.size, q.queue_size);
        sq.start(Math.max(1, q.num_consumers));
      }
    }
    this.queueArgs = q;
    this.consumer = {
      signals: new Set(signals),
      consumeTraces: (req, ctx) => this.consume('traces', req, ctx),
      consumeMetrics: (req, ctx) => this.consume('metrics', req, ctx),
      consumeLogs: (req, ctx) => this.consume('logs', req, ctx),
    };
  }

  private readonly queueArgs: QueueArgs;

  private async consume(signal: OtelSignal, req: object, ctx: ConsumeContext | undefined): Promise<void> {
    const items = countItems(signal, req);
    let payload: P;
    try {
      payload = this.driver.prepare(signal, req);
    } catch (err) {
      this.telemetry.sendFailed[signal].inc(items);
      throw new ConsumerError((err as Error).message, false);
    }
    const q = this.queues?.get(signal);
    if (!q) {
      const err = await this.sendWithRetry(signal, { payload, items, ctx, units: 0 });
      if (err) throw err;
      return;
    }
    const it: Item<P> = { payload, items, ctx, units: q.unitsOf(items, payload) };
    if (this.stopping) {
      this.telemetry.enqueueFailed[signal].inc(items);
      throw new ConsumerError('the exporter is shutting down', true);
    }
    if (!q.hasRoom(it.units)) {
      if (this.queueArgs.block_on_overflow) await q.waitRoom(it.units);
      else {
        this.telemetry.enqueueFailed[signal].inc(items);
        throw new ConsumerError('sending queue is full', true);
      }
    }
    if (!this.queueArgs.wait_for_result) {
      q.push(it);
      return;
    }
    const err = await new Promise<unknown>((res) => {
      it.done = res;
      q.push(it);
    });
    if (err) throw err;
  }

  /** Sends with retries; resolves to undefined when sent, else the ConsumerError it was dropped with. */
  async sendWithRetry(signal: OtelSignal, it: Item<P>): Promise<ConsumerError | undefined> {
    const r = this.retry;
    const start = Date.now();
    let interval = r.initial_interval;
    this.telemetry.inFlightAdd(signal, 1);
    try {
      for (;;) {
        let err: unknown;
        try {
          const abort = this.timeout > 0 ? AbortSignal.timeout(this.timeout) : NEVER;
          await this.driver.send(signal, it.payload, it.ctx, abort);
          this.telemetry.sent[signal].inc(it.items);
          return undefined;
        } catch (e) {
          err = e;
        }
        const se =
          err instanceof SendError ? err : new SendError((err as Error)?.message ?? String(err), true);
        if (!se.retryable) return this.drop(signal, it, `not retryable error: ${se.message}`, false);
        if (!r.enabled || this.stopping) return this.drop(signal, it, se.message, true);
        const rf = r.randomization_factor;
        let delay = interval - rf * interval + Math.random() * (2 * rf * interval);
        interval = Math.min(interval * r.multiplier, r.max_interval);
        if (se.throttleMs !== undefined) delay = Math.max(delay, se.throttleMs);
        if (r.max_elapsed_time > 0 && Date.now() + delay > start + r.max_elapsed_time)
          return this.drop(signal, it, `no more retries left: ${se.message}`, true);
        this.opts.logger.info('Exporting failed. Will retry the request after interval.', {
          error: se.message,
          interval: `${Math.round(delay)}ms`,
        });
        if (!(await sleep(delay, this.stopRetries.signal)))
          return this.drop(signal, it, `interrupted due to shutdown: ${se.message}`, true);
      }
    } finally {
      this.telemetry.inFlightAdd(signal, -1);
    }
  }

  /** Counts and logs dropped data; returns the error for a synchronous caller. */
  drop(signal: OtelSignal, it: Item<P>, message: string, retryable = true): ConsumerError {
    this.telemetry.sendFailed[signal].inc(it.items);
    this.opts.logger.error('Exporting failed. Dropping data.', { error: message, dropped_items: it.items });
    return new ConsumerError(message, retryable);
  }

  /** Stops: interrupts retry waits, drains the queues for at most `drainMs`, drops the rest. */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    this.stopRetries.abort();
    const qs = [...(this.queues?.values() ?? [])];
    const drained = Promise.all(qs.map((q) => q.close()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((res) => {
      timer = setTimeout(() => {
        for (const q of qs) q.dropAll();
        res();
      }, drainMs);
    });
    await Promise.race([drained, deadline]);
    clearTimeout(timer);
  }

  /** Items waiting per signal (debug info). */
  queued(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [s, q] of this.queues ?? []) out[s] = q.length;
    return out;
  }
}
