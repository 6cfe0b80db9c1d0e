/**
 * `prometheus.relabel`: relabels the series of every batch appended to its `receiver` with its `rule`
 * blocks and forwards the kept samples to `forward_to`, as Alloy 1.18
 * `internal/component/prometheus/relabel`:
 *
 * - each series is relabeled once and the result (new Labels, or "dropped") cached per series — keyed by
 *   the Labels array, which producers reuse for every sample of a series — in a bounded LRU of
 *   `max_cache_size` entries, or, with `max_cache_size = 0` and `cache_ttl` set, in a cache whose entries
 *   expire `cache_ttl` after their last use (scanned every `cache_ttl`/4);
 * - a staleness marker passes through (relabeled like any sample) and removes its series from the cache;
 * - exemplars follow their sample (dropped with it); metadata is forwarded as received;
 * - expanded `replace` targets must be legacy label names (Alloy hands its rules to Prometheus' relabeler
 *   with `LegacyValidation`);
 * - `update` recompiles the rules and starts with an empty cache; after `run` ends, batches are discarded.
 *
 * Metrics (Alloy's names): `alloy_prometheus_relabel_metrics_processed` / `_metrics_written` (samples in /
 * out), `_cache_hits`, `_cache_misses`, `_cache_deletes` (staleness markers), `_cache_ttl_evictions`,
 * and the gauge `_cache_size`.
 */
import { Counter, Gauge } from 'prom-client';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import type { Capsule } from '../../syntax/value.js';
import { RELABEL_RULES, RulesHolder } from '../../relabel/capsule.js';
import type { RelabelConfig } from '../../relabel/relabel.js';
import { relabelRulesBlock } from '../common/relabel-schema.js';
import { goDuration } from '../common/validation.js';
import {
  APPENDABLE,
  appendableCapsule,
  fanout,
  type Appendable,
  type Exemplar,
  type SampleBatch,
} from './appendable.js';
import type { Labels } from './labels.js';

/** `minCacheTTL` of prometheus.relabel. */
const MIN_CACHE_TTL_MS = 60_000;

export interface PrometheusRelabelArgs {
  forward_to: Appendable[];
  rule: RelabelConfig[];
  max_cache_size: number;
  /** Milliseconds; 0 = unset. */
  cache_ttl: number;
}

/** A cached relabel result: the new Labels, or null for a dropped series. */
type Result = Labels | null;

/** The per-series result cache: LRU (bounded) or TTL. `get` returns undefined on a miss. */
interface SeriesCache {
  readonly size: number;
  get(key: Labels): Result | undefined;
  add(key: Labels, value: Result): void;
  remove(key: Labels): void;
  close(): void;
}

interface LruEntry {
  key: Labels;
  value: Result;
  prev: LruEntry | undefined;
  next: LruEntry | undefined;
}

/** Exact LRU: a Map from key to a node of a doubly linked recency list (head = most recent). */
export class LruCache implements SeriesCache {
  private readonly map = new Map<Labels, LruEntry>();
  private head: LruEntry | undefined;
  private tail: LruEntry | undefined;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: Labels): Result | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e !== this.head) {
      this.unlink(e);
      this.pushFront(e);
    }
    return e.value;
  }

  add(key: Labels, value: Result): void {
    const e = this.map.get(key);
    if (e) {
      e.value = value;
      this.get(key);
      return;
    }
    if (this.map.size >= this.capacity && this.tail) {
      const old = this.tail;
      this.unlink(old);
      this.map.delete(old.key);
    }
    const n: LruEntry = { key, value, prev: undefined, next: undefined };
    this.map.set(key, n);
    this.pushFront(n);
  }

  remove(key: Labels): void {
    const e = this.map.get(key);
    if (!e) return;
    this.unlink(e);
    this.map.delete(key);
  }

  close(): void {}

  private unlink(e: LruEntry): void {
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = undefined;
  }

  private pushFront(e: LruEntry): void {
    e.next = this.head;
    if (this.head) this.head.prev = e;
    this.head = e;
    if (!this.tail) this.tail = e;
  }
}

/**
 * Alloy's TTL cache: unbounded; an entry expires `ttl` after it was added or last read (a read refreshes
 * it even when past expiry, as Alloy's); a scan every ttl/4 removes expired entries and counts them.
 */
export class TtlCache implements SeriesCache {
  private readonly map = new Map<Labels, { value: Result; expires: number }>();
  private timer: NodeJS.Timeout | undefined;
  /** Clock for expiries; set per batch by the component to avoid a Date.now() per sample. */
  now = Date.now();

  constructor(
    private readonly ttl: number,
    private readonly onEvict: (n: number) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  start(): void {
    this.timer ??= setInterval(() => this.scan(Date.now()), Math.max(1, this.ttl / 4));
    this.timer.unref();
  }

  get(key: Labels): Result | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    e.expires = this.now + this.ttl;
    return e.value;
  }

  add(key: Labels, value: Result): void {
    const e = this.map.get(key);
    if (e) e.expires = this.now + this.ttl;
    else this.map.set(key, { value, expires: this.now + this.ttl });
  }

  remove(key: Labels): void {
    this.map.delete(key);
  }

  /** Removes entries expired at `now`; returns how many. */
  scan(now: number): number {
    let n = 0;
    for (const [k, e] of this.map) {
      if (now > e.expires) {
        this.map.delete(k);
        n++;
      }
    }
    if (n) this.onEvict(n);
    return n;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

export class PrometheusRelabel implements Component<PrometheusRelabelArgs> {
  private readonly rules = new RulesHolder('legacy');
  private forwardTo: Appendable[] = [];
  private cache!: SeriesCache;
  private running = false;
  private exited = false;
  private readonly receiverCapsule: Capsule<Appendable>;
  private readonly processed: Counter;
  private readonly written: Counter;
  private readonly hits: Counter;
  private readonly misses: Counter;
  private readonly deletes: Counter;
  private readonly ttlEvictions: Counter;
  /** Output buffers reused across batches (a receiver copies what it keeps). */
  private out: SampleBatch = emptyBatch(0);
  private results: Result[] = [];
  private remap = new Int32Array(0);

  /** @throws Error on an invalid regex (as Alloy fails the build). */
  constructor(
    private readonly opts: ComponentOptions,
    args: PrometheusRelabelArgs,
  ) {
    const reg = [opts.registry];
    const counter = (name: string, help: string) => new Counter({ name, help, registers: reg });
    this.processed = counter(
      'alloy_prometheus_relabel_metrics_processed',
      'Total number of metrics processed',
    );
    this.written = counter('alloy_prometheus_relabel_metrics_written', 'Total number of metrics written');
    this.misses = counter('alloy_prometheus_relabel_cache_misses', 'Total number of cache misses');
    this.hits = counter('alloy_prometheus_relabel_cache_hits', 'Total number of cache hits');
    this.deletes = counter('alloy_prometheus_relabel_cache_deletes', 'Total number of cache deletes');
    this.ttlEvictions = counter(
      'alloy_prometheus_relabel_cache_ttl_evictions',
      'Number of relabel cache entries removed by the periodic TTL scan. Always 0 when cache_ttl is unset.',
    );
    const cacheSize = () => this.cache.size;
    new Gauge({
      name: 'alloy_prometheus_relabel_cache_size',
      help: 'Total size of relabel cache.',
      registers: reg,
      collect() {
        this.set(cacheSize());
      },
    });
    this.receiverCapsule = appendableCapsule({ append: (b) => this.append(b) });
    this.update(args);
  }

  private newCache(args: PrometheusRelabelArgs): SeriesCache {
    if (args.cache_ttl > 0) {
      const c = new TtlCache(args.cache_ttl, (n) => this.ttlEvictions.inc(n));
      if (this.running) c.start();
      return c;
    }
    return new LruCache(args.max_cache_size);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    if (this.cache instanceof TtlCache) this.cache.start();
    await untilAborted(signal);
    this.exited = true;
    this.running = false;
    this.cache.close();
    this.forwardTo = [];
  }

  update(args: PrometheusRelabelArgs): void {
    this.rules.set(args.rule);
    this.cache?.close();
    this.cache = this.newCache(args);
    this.forwardTo = args.forward_to;
    this.opts.onStateChange({ receiver: this.receiverCapsule, rules: this.rules.capsule });
  }

  debugInfo(): unknown {
    return { cache_size: this.cache.size, rules: this.rules.rules.length };
  }

  /** The receiver: relabels, drops and forwards one batch. Never throws for data. */
  append(batch: SampleBatch): void {
    if (this.exited) return;
    const n = batch.count;
    const rules = this.rules.rules;
    const cache = this.cache;
    if (cache instanceof TtlCache) cache.now = Date.now();
    if (this.results.length < n) this.results = new Array<Result>(n);
    const results = this.results;
    let hits = 0;
    let misses = 0;
    let deletes = 0;
    let kept = 0;
    let unchanged = true;
    for (let i = 0; i < n; i++) {
      const series = batch.series[i]!;
      let r = cache.get(series);
      if (r === undefined) {
        r = rules.apply(series) ?? null;
        cache.add(series, r);
        misses++;
      } else hits++;
      if (batch.stale[i]) {
        cache.remove(series);
        deletes++;
      }
      results[i] = r;
      if (r !== null) kept++;
      if (r !== series) unchanged = false;
    }
    if (n) {
      this.processed.inc(n);
      if (hits) this.hits.inc(hits);
      if (misses) this.misses.inc(misses);
      if (deletes) this.deletes.inc(deletes);
      if (kept) this.written.inc(kept);
    }
    const targets = this.forwardTo;
    if (unchanged) {
      // Every series kept as is (or an empty batch): forward the batch itself.
      if (targets.length) fanout(targets, batch);
      results.fill(null, 0, n);
      return;
    }
    const out = this.outBatch(kept);
    const remap = batch.exemplars?.length ? this.remapBuffer(n) : undefined;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const r = results[i]!;
      results[i] = null;
      if (r === null) {
        if (remap) remap[i] = -1;
        continue;
      }
      out.series[j] = r;
      out.timestamps[j] = batch.timestamps[i]!;
      out.values[j] = batch.values[i]!;
      out.stale[j] = batch.stale[i]!;
      if (remap) remap[i] = j;
      j++;
    }
    out.count = j;
    out.exemplars = remap ? remapExemplars(batch.exemplars!, remap) : undefined;
    out.metadata = batch.metadata;
    if ((j > 0 || out.metadata?.length) && targets.length) fanout(targets, out);
    out.series.fill(undefined as unknown as Labels, 0, j);
    out.exemplars = undefined;
    out.metadata = undefined;
  }

  private outBatch(n: number): SampleBatch {
    if (this.out.timestamps.length < n) this.out = emptyBatch(Math.max(n, this.out.timestamps.length * 2));
    return this.out;
  }

  private remapBuffer(n: number): Int32Array {
    if (this.remap.length < n) this.remap = new Int32Array(Math.max(n, this.remap.length * 2));
    return this.remap;
  }
}

function emptyBatch(n: number): SampleBatch {
  return {
    count: 0,
    series: new Array<Labels>(n),
    timestamps: new Float64Array(n),
    values: new Float64Array(n),
    stale: new Uint8Array(n),
  };
}

/** Exemplars of kept samples, pointing at their sample's new index. */
function remapExemplars(exemplars: Exemplar[], remap: Int32Array): Exemplar[] | undefined {
  const out: Exemplar[] = [];
  for (const e of exemplars) {
    const k = remap[e.sample]!;
    if (k < 0) continue;
    out.push(k === e.sample ? e : { ...e, sample: k });
  }
  return out.length ? out : undefined;
}

/** prometheus.relabel — arguments as Alloy 1.18 prometheus.relabel (`internal/component/prometheus/relabel/relabel.go`). */
export const prometheusRelabel: ComponentRegistration<PrometheusRelabelArgs> = {
  name: 'prometheus.relabel',
  stability: 'generally-available',
  args: {
    attrs: {
      forward_to: { type: t.list(t.capsule(APPENDABLE)), required: true },
      max_cache_size: { type: t.int(), default: 100_000 },
      cache_ttl: { type: t.duration(), default: 0 },
    },
    blocks: { rule: relabelRulesBlock },
    validate: (a: PrometheusRelabelArgs) => {
      if (a.max_cache_size < 0) return `max_cache_size must be >= 0; got ${a.max_cache_size}`;
      if (a.cache_ttl < 0) return `cache_ttl must be >= 0; got ${goDuration(a.cache_ttl)}`;
      if (a.max_cache_size > 0 && a.cache_ttl > 0) {
        return 'max_cache_size and cache_ttl are mutually exclusive: set max_cache_size = 0 to use cache_ttl, or unset cache_ttl to keep the bounded LRU cache';
      }
      if (a.max_cache_size === 0 && a.cache_ttl === 0)
        return 'one of max_cache_size or cache_ttl must be set';
      if (a.cache_ttl > 0 && a.cache_ttl < MIN_CACHE_TTL_MS) {
        return `cache_ttl must be at least ${goDuration(MIN_CACHE_TTL_MS)} when set; got ${goDuration(a.cache_ttl)}`;
      }
      return undefined;
    },
  },
  exports: { receiver: t.capsule(APPENDABLE), rules: t.capsule(RELABEL_RULES) },
  build: (opts, args) => new PrometheusRelabel(opts, args),
};
