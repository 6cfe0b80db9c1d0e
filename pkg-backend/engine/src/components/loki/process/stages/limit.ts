/**
 * `stage.limit`, as Alloy's stage.limit (`stages/limit.go`): a token bucket (golang.org/x/time/rate:
 * `rate` tokens per second, `burst` capacity, initially full) per stage, or per value of the
 * `by_label_name` label.
 *
 * Decoded shape: `{ rate: number (entries/s), burst: number, drop: boolean, by_label_name?: string,
 * max_distinct_labels: number (default 10000) }`.
 *
 * - `drop = true`: entries over the rate are dropped, counted in
 *   `loki_process_dropped_lines_total{reason="ratelimit_drop_stage"}`; with `by_label_name` also in
 *   `loki_process_dropped_lines_by_label_total{label_name, label_value}`. Entries without the label pass.
 *   At most `max_distinct_labels` (raised to 10000 if lower) buckets are kept in two generations; starting
 *   a new generation resets the by-label counter, as Alloy's GenerationalMap does.
 * - `drop = false`: entries over the rate wait (Alloy blocks the pipeline). Here they queue in order and
 *   are released through `ctx.requestFlush`/`flush()` as tokens accrue; entries still waiting when the
 *   stage closes are lost, as Alloy loses them when its limiter's wait is cancelled. The queue is unbounded.
 *
 * Errors (Alloy's texts): "limit stage failed to parse rate or burst", "when ratelimiting by label, drop
 * must be true".
 */
import { Counter, type Registry } from 'prom-client';
import type { Stage, StageContext, StageEntry, StageFactory } from '../stage.js';

interface LimitArgs {
  rate: number;
  burst: number;
  drop?: boolean;
  by_label_name?: string;
  max_distinct_labels?: number;
}

const DROP_REASON = 'ratelimit_drop_stage';
const MIN_REASONABLE_MAX_DISTINCT_LABELS = 10_000;
const TIMER_SLACK_MS = 2;

/** golang.org/x/time/rate's Limiter, reduced to Allow and the time until the next token (ms clock). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private advance(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
  }

  /** Takes a token if one is available. */
  allow(now = Date.now()): boolean {
    if (this.rate === Infinity) return true;
    this.advance(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token is available (0 when one is). */
  waitMs(now = Date.now()): number {
    this.advance(now);
    if (this.tokens >= 1 || this.rate === Infinity) return 0;
    return ((1 - this.tokens) / this.rate) * 1000;
  }
}

function byLabelCounter(registry: Registry): Counter<'label_name' | 'label_value'> {
  const name = 'loki_process_dropped_lines_by_label_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'label_name' | 'label_value'>;
  return new Counter({
    name,
    help: 'A count of all log lines dropped as a result of a pipeline stage',
    labelNames: ['label_name', 'label_value'],
    registers: [registry],
  });
}

export const limitStage: StageFactory = (config, ctx) => {
  const a = config as unknown as LimitArgs;
  if (!(a.rate > 0) || !(a.burst > 0)) throw new Error('limit stage failed to parse rate or burst');
  const byLabel = a.by_label_name ?? '';
  if (byLabel !== '' && !a.drop) throw new Error('when ratelimiting by label, drop must be true');
  if (byLabel !== '') {
    let max = a.max_distinct_labels ?? MIN_REASONABLE_MAX_DISTINCT_LABELS;
    if (max < MIN_REASONABLE_MAX_DISTINCT_LABELS) {
      ctx.logger.warn(
        `max_distinct_labels was adjusted up to the minimal reasonable value of ${MIN_REASONABLE_MAX_DISTINCT_LABELS}`,
      );
      max = MIN_REASONABLE_MAX_DISTINCT_LABELS;
    }
    return new LimitByLabelStage(a.rate, a.burst, byLabel, max, byLabelCounter(ctx.registry), ctx);
  }
  return a.drop
    ? new LimitDropStage(new TokenBucket(a.rate, a.burst), ctx)
    : new LimitWaitStage(a.rate, a.burst, ctx);
};

class LimitDropStage implements Stage {
  constructor(
    private readonly bucket: TokenBucket,
    private readonly ctx: StageContext,
  ) {}

  process(entries: StageEntry[]): StageEntry[] {
    const out: StageEntry[] = [];
    for (const e of entries) if (this.bucket.allow()) out.push(e);
    if (out.length < entries.length) this.ctx.dropped(DROP_REASON, entries.length - out.length);
    return out;
  }
}

class LimitByLabelStage implements Stage {
  private oldgen = new Map<string, TokenBucket>();
  private newgen = new Map<string, TokenBucket>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly label: string,
    private readonly maxSize: number,
    private readonly byLabelDropped: Counter<'label_name' | 'label_value'>,
    private readonly ctx: StageContext,
  ) {}

  /** Alloy's GenerationalMap.GetOrCreate. */
  private bucket(value: string): TokenBucket {
    let b = this.newgen.get(value);
    if (b) return b;
    b = this.oldgen.get(value) ?? new TokenBucket(this.rate, this.burst);
    this.newgen.set(value, b);
    if (this.newgen.size === this.maxSize) {
      this.oldgen = this.newgen;
      this.newgen = new Map();
      this.byLabelDropped.reset();
    }
    return b;
  }

  process(entries: StageEntry[]): StageEntry[] {
    const out: StageEntry[] = [];
    let dropped = 0;
    for (const e of entries) {
      const v = e.labels.get(this.label);
      if (v === undefined || this.bucket(v).allow()) {
        out.push(e);
        continue;
      }
      dropped++;
      this.byLabelDropped.inc({ label_name: this.label, label_value: v });
    }
    if (dropped > 0) this.ctx.dropped(DROP_REASON, dropped);
    return out;
  }
}

class LimitWaitStage implements Stage {
  private readonly bucket: TokenBucket;
  private queue: StageEntry[] = [];
  private closed = false;
  private requested = false;

  constructor(
    rate: number,
    burst: number,
    private readonly ctx: StageContext,
  ) {
    this.bucket = new TokenBucket(rate, burst);
  }

  process(entries: StageEntry[]): StageEntry[] {
    if (this.closed) return [];
    const out: StageEntry[] = [];
    for (const e of entries) {
      if (this.queue.length === 0 && this.bucket.allow()) out.push(e);
      else this.queue.push(e);
    }
    this.schedule();
    return out;
  }

  private schedule(): void {
    if (this.queue.length === 0 || this.requested || this.closed) return;
    this.requested = true;
    this.ctx.requestFlush(this, Math.ceil(this.bucket.waitMs()));
  }

  /** Releases the queued entries whose tokens have accrued; the rest keep waiting. */
  flush(): StageEntry[] {
    this.requested = false;
    const now = Date.now();
    let i = 0;
    while (i < this.queue.length && (this.bucket.allow(now) || this.bucket.allow(now + TIMER_SLACK_MS))) i++;
    const out = this.queue.slice(0, i);
    if (i > 0) this.queue = this.queue.slice(i);
    this.schedule();
    return out;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }
}
