/**
 * `loki.relabel` (Alloy 1.18 `internal/component/loki/relabel/relabel.go`): relabels the labels of every entry
 * with its `rule` blocks (the shared `src/relabel` engine, legacy label names as Prometheus' relabeler) and
 * forwards the entries that keep at least one label to `forward_to`; exports `receiver` and `rules` (the
 * `relabel.Rules` capsule, e.g. for loki.source.api's `relabel_rules`).
 *
 * Results are cached per label set in an LRU of `max_cache_size` entries (by array identity first — sources
 * reuse one Labels array per stream — then by label content). `update` recompiles the rules and empties the
 * cache. Metrics (Alloy's names): `loki_relabel_entries_processed`, `loki_relabel_entries_written`,
 * `loki_relabel_cache_hits`, `loki_relabel_cache_misses`, `loki_relabel_cache_size`.
 * The receiver reports `congested()` when any `forward_to` receiver does (see loki.write).
 */
import { Counter, Gauge } from 'prom-client';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { RELABEL_RULES, RulesHolder } from '../../relabel/capsule.js';
import type { RelabelConfig } from '../../relabel/relabel.js';
import { relabelRulesBlock } from '../common/relabel-schema.js';
import type { Labels } from '../prometheus/labels.js';
import {
  anyCongested,
  LOGS_RECEIVER,
  logsReceiverCapsule,
  type LogEntry,
  type LogsReceiver,
} from './entry.js';

export interface LokiRelabelArgs {
  forward_to: LogsReceiver[];
  rule: RelabelConfig[];
  max_cache_size: number;
}

/** Relabel result: new Labels, or null when the entry is dropped. */
type Result = Labels | null;

/** An LRU of results keyed by label content (Map order = recency). */
class ResultLru {
  private readonly map = new Map<string, Result>();
  constructor(private readonly capacity: number) {}
  get size(): number {
    return this.map.size;
  }
  get(key: string): Result | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }
  add(key: string, v: Result): void {
    if (this.capacity <= 0) return;
    if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, v);
  }
}

export class LokiRelabel implements Component<LokiRelabelArgs> {
  private readonly holder = new RulesHolder('legacy');
  private forwardTo: LogsReceiver[] = [];
  private lru!: ResultLru;
  private byArray = new WeakMap<Labels, Result>();
  private exited = false;
  private readonly processed: Counter;
  private readonly written: Counter;
  private readonly hits: Counter;
  private readonly misses: Counter;
  private readonly receiver: LogsReceiver;

  /** @throws on an invalid regex. */
  constructor(
    private readonly opts: ComponentOptions,
    args: LokiRelabelArgs,
  ) {
    const reg = [opts.registry];
    const counter = (name: string, help: string) => new Counter({ name, help, registers: reg });
    this.processed = counter('loki_relabel_entries_processed', 'Total number of log entries processed');
    this.written = counter('loki_relabel_entries_written', 'Total number of log entries forwarded');
    this.hits = counter('loki_relabel_cache_hits', 'Total number of cache hits');
    this.misses = counter('loki_relabel_cache_misses', 'Total number of cache misses');
    const size = () => this.lru.size;
    new Gauge({
      name: 'loki_relabel_cache_size',
      help: 'Total size of relabel cache',
      registers: reg,
      collect() {
        this.set(size());
      },
    });
    this.receiver = {
      push: (entries) => this.push(entries),
      congested: () => anyCongested(this.forwardTo),
    };
    this.update(args);
  }

  async run(signal: AbortSignal): Promise<void> {
    await untilAborted(signal);
    this.exited = true;
    this.forwardTo = [];
  }

  update(args: LokiRelabelArgs): void {
    this.holder.set(args.rule);
    this.lru = new ResultLru(args.max_cache_size);
    this.byArray = new WeakMap();
    this.forwardTo = args.forward_to;
    this.opts.onStateChange({ receiver: logsReceiverCapsule(this.receiver), rules: this.holder.capsule });
  }

  private relabel(l: Labels): Result {
    let r = this.byArray.get(l);
    if (r !== undefined) {
      this.hits.inc();
      return r;
    }
    const key = l.join('\xff');
    r = this.lru.get(key);
    if (r === undefined) {
      this.misses.inc();
      const out = this.holder.rules.apply(l);
      r = out === undefined || out.length === 0 ? null : out;
      this.lru.add(key, r);
    } else this.hits.inc();
    this.byArray.set(l, r);
    return r;
  }

  /** The receiver: relabels and forwards kept entries. Never throws for data. */
  push(entries: readonly LogEntry[]): void {
    if (this.exited || entries.length === 0) return;
    this.processed.inc(entries.length);
    let out: LogEntry[] | undefined;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const r = this.relabel(e.labels);
      if (r === e.labels && !out) continue;
      out ??= entries.slice(0, i);
      if (r !== null) out.push(r === e.labels ? e : { ...e, labels: r });
    }
    const result = out ?? (entries as LogEntry[]);
    if (result.length === 0) return;
    this.written.inc(result.length);
    for (const f of this.forwardTo) f.push(result);
  }

  debugInfo(): unknown {
    return { cache_size: this.lru.size, rules: this.holder.rules.length };
  }
}

/** loki.relabel — arguments as Alloy 1.18 loki.relabel. */
export const lokiRelabel: ComponentRegistration<LokiRelabelArgs> = {
  name: 'loki.relabel',
  stability: 'generally-available',
  args: {
    attrs: {
      forward_to: { type: t.list(t.capsule(LOGS_RECEIVER)), required: true },
      max_cache_size: { type: t.int(), default: 10_000 },
    },
    blocks: { rule: relabelRulesBlock },
  },
  exports: { receiver: t.capsule(LOGS_RECEIVER), rules: t.capsule(RELABEL_RULES) },
  build: (opts, args) => new LokiRelabel(opts, args),
};
