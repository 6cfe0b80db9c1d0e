/**
 * `otelcol.processor.memory_limiter` (the collector's memorylimiterprocessor): every `check_interval` the
 * process's memory is measured against the limits; above the soft limit (`limit - spike_limit`) every
 * request is refused with a retryable error "data refused due to high memory usage" (receivers answer
 * UNAVAILABLE / 503, so clients retry later) until usage is back under it.
 *
 * - Limits: `limit` / `spike_limit` (whole MiB, as Alloy converts them; spike defaults to a fifth of the
 *   limit), or `limit_percentage` / `spike_limit_percentage` of the total memory (the cgroup limit when one
 *   is set, else the machine's).
 * - Measured quantity: the resident set size of the process (`process.memoryUsage.rss()`) — the collector
 *   measures the Go heap; in Node the RSS is what a container limit enforces, and it includes V8's heap and
 *   the Buffers holding requests.
 * - When usage is above the hard limit (and, at most every 10 s, above the soft limit) a GC is forced if the
 *   process exposes one (`--expose-gc`), and usage is measured again.
 * - Metrics: `otelcol_processor_incoming_items_total` / `…_outgoing_items_total`
 *   {processor, otel_signal} and `otelcol_processor_memory_limiter_{accepted,refused}_*_total`.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { untilAborted, type Component, type ComponentOptions } from '../../../../runtime/component.js';
import { health, type Health } from '../../../../runtime/health.js';
import { parseBase2Bytes } from '../../../prometheus/scrape/component.js';
import {
  ConsumerError,
  consumerCapsule,
  countItems,
  fanout,
  type ConsumeContext,
  type OtelConsumer,
  type OtelSignal,
} from '../../consumer.js';
import { collectorId, MemoryLimiterTelemetry, ProcessorTelemetry } from '../../telemetry.js';

export interface MemoryLimiterArgs {
  check_interval: number;
  limit?: string;
  spike_limit?: string;
  limit_percentage: number;
  spike_limit_percentage: number;
  output: { traces?: OtelConsumer[]; metrics?: OtelConsumer[]; logs?: OtelConsumer[] };
}

const MiB = 1024 * 1024;
const SIGNALS: OtelSignal[] = ['traces', 'metrics', 'logs'];
const MIN_SOFT_GC_INTERVAL_MS = 10_000;

/** The memory available to the process: the cgroup limit (v2, then v1) when set, else the machine's. */
export function totalMemory(): number {
  for (const f of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const v = readFileSync(f, 'utf8').trim();
      const n = Number(v);
      if (v !== 'max' && Number.isFinite(n) && n > 0 && n < totalmem()) return n;
    } catch {
      // not in a cgroup with a limit
    }
  }
  return totalmem();
}

/** Hard and soft limits in bytes. */
export function limits(a: MemoryLimiterArgs): { hard: number; soft: number } {
  const limitMiB = Math.floor(parseBase2Bytes(a.limit) / MiB);
  if (limitMiB > 0) {
    let spikeMiB = Math.floor(parseBase2Bytes(a.spike_limit) / MiB);
    if (spikeMiB === 0) spikeMiB = Math.floor(limitMiB / 5);
    return { hard: limitMiB * MiB, soft: (limitMiB - spikeMiB) * MiB };
  }
  const total = totalMemory();
  const hard = Math.floor((total * a.limit_percentage) / 100);
  const spike = Math.floor((total * a.spike_limit_percentage) / 100);
  return { hard, soft: hard - spike };
}

export class MemoryLimiter implements Component<MemoryLimiterArgs> {
  private args: MemoryLimiterArgs;
  private hard: number;
  private soft: number;
  private refusing = false;
  private timer: NodeJS.Timeout | undefined;
  private lastGC = 0;
  private lastUsage = 0;
  private readonly proc: ProcessorTelemetry;
  private readonly ml: MemoryLimiterTelemetry;
  /** Replaceable for tests: the measured usage in bytes. */
  measure: () => number = () => process.memoryUsage.rss();

  constructor(
    private readonly opts: ComponentOptions,
    args: MemoryLimiterArgs,
  ) {
    this.args = args;
    ({ hard: this.hard, soft: this.soft } = limits(args));
    const id = collectorId('memory_limiter', opts.id);
    this.proc = new ProcessorTelemetry(opts.registry, id);
    this.ml = new MemoryLimiterTelemetry(opts.registry, id);
    if (!args.limit || parseBase2Bytes(args.limit) < MiB)
      opts.logger.info('Using percentage memory limiter', {
        total_memory_mib: Math.floor(totalMemory() / MiB),
        limit_percentage: args.limit_percentage,
        spike_limit_percentage: args.spike_limit_percentage,
      });
    const input: OtelConsumer = {
      signals: new Set(SIGNALS),
      consumeTraces: (req, ctx) => this.consume('traces', req, ctx),
      consumeMetrics: (req, ctx) => this.consume('metrics', req, ctx),
      consumeLogs: (req, ctx) => this.consume('logs', req, ctx),
    };
    opts.onStateChange({ input: consumerCapsule(input) });
  }

  private async consume(signal: OtelSignal, req: object, ctx: ConsumeContext | undefined): Promise<void> {
    const n = countItems(signal, req);
    this.proc.incoming[signal].inc(n);
    if (this.refusing) {
      this.ml.refused[signal].inc(n);
      throw new ConsumerError('data refused due to high memory usage', true);
    }
    await fanout(signal, this.args.output[signal] ?? [], req, ctx);
    this.ml.accepted[signal].inc(n);
    this.proc.outgoing[signal].inc(n);
  }

  /** One check (exported for tests). */
  check(): void {
    let usage = this.measure();
    const mib = (b: number) => Math.floor(b / MiB);
    this.opts.logger.debug('Currently used memory.', { cur_mem_mib: mib(usage) });
    if (usage >= this.soft) {
      const gc = (globalThis as { gc?: () => void }).gc;
      const now = Date.now();
      const gate = usage >= this.hard ? 0 : MIN_SOFT_GC_INTERVAL_MS;
      if (gc && now - this.lastGC > gate) {
        this.opts.logger.info(
          `Memory usage is above ${usage >= this.hard ? 'hard' : 'soft'} limit. Forcing a GC.`,
          { cur_mem_mib: mib(usage) },
        );
        gc();
        this.lastGC = Date.now();
        usage = this.measure();
        this.opts.logger.info('Memory usage after GC.', { cur_mem_mib: mib(usage) });
      }
    }
    this.lastUsage = usage;
    const above = usage >= this.soft;
    if (above && !this.refusing)
      this.opts.logger.warn('Memory usage is above soft limit. Refusing data.', { cur_mem_mib: mib(usage) });
    if (!above && this.refusing)
      this.opts.logger.info('Memory usage back within limits. Resuming normal operation.', {
        cur_mem_mib: mib(usage),
      });
    this.refusing = above;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.schedule();
    await untilAborted(signal);
    clearInterval(this.timer);
  }

  private schedule(): void {
    clearInterval(this.timer);
    this.check();
    this.timer = setInterval(() => this.check(), Math.max(1, this.args.check_interval));
  }

  update(args: MemoryLimiterArgs): void {
    const { hard, soft } = limits(args);
    const reschedule = args.check_interval !== this.args.check_interval;
    this.args = args;
    this.hard = hard;
    this.soft = soft;
    if (reschedule && this.timer) this.schedule();
  }

  health(): Health {
    return this.refusing
      ? health('unhealthy', 'data refused due to high memory usage')
      : health('healthy', '');
  }

  debugInfo(): unknown {
    return {
      usage_mib: Math.floor(this.lastUsage / MiB),
      soft_limit_mib: Math.floor(this.soft / MiB),
      hard_limit_mib: Math.floor(this.hard / MiB),
      refusing: this.refusing,
    };
  }
}
