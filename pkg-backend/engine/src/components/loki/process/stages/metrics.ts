/**
 * `stage.metrics`, as Alloy's stage.metrics (`stages/metric.go`, `process/metric/*.go`): counters, gauges
 * and histograms fed from the extracted map, one series per stream label set, exposed in the component's
 * registry (`ctx.registry`) as `<prefix><name>` (prefix default `loki_process_custom_`).
 *
 * Decoded shape: `{ metric: ({ type: "counter"|"gauge"|"histogram", name, description?, source? (default
 * name), prefix?, max_idle_duration: number (ms, default 300000), value?, action (counter: inc|add; gauge:
 * set|inc|dec|add|sub), match_all? & count_entry_bytes? (counter), buckets: number[] (histogram) })[] }`.
 *
 * Per entry and metric: the `source` key must be in the extracted map (except counters with `match_all`,
 * which count every entry — or its line's UTF-8 bytes with `count_entry_bytes`); with `value` set, the
 * extracted value's string form (Go `getString`) must equal it. `add`/`set`/`sub` and histogram observations
 * use Go `getFloat` (numbers, booleans as 1/0, numeric strings, Go durations as seconds); values without a
 * float form are skipped, and so are negative counter additions (Go's client would panic).
 *
 * Series labels are the entry's stream labels minus names starting with `__` or invalid ones (series are
 * keyed by that cleaned set; Alloy keys by the full set, which can emit duplicate series). A series not
 * updated for `max_idle_duration` (whole seconds, as Alloy) is removed when the registry is collected.
 * Metrics of the same name from several stages (or from the pipeline being replaced) are exposed as one
 * family, like Alloy's unchecked collectors; `close()` deletes this stage's series.
 *
 * Errors: the Validate texts of Alloy's metric configs ("the 'action' counter field must be either 'inc' or
 * 'add'", …) and "histogram buckets must be in increasing order: a >= b" (client_golang's panic text).
 */
import type { Registry } from 'prom-client';
import type { Stage, StageConfig, StageEntry, StageFactory } from '../stage.js';
import { isValidLabelName } from '../../../common/validation.js';
import { byteLength, getFloat, getString, labelSetKey } from './extra-util.js';

interface MetricArgs {
  type: 'counter' | 'gauge' | 'histogram';
  name: string;
  description?: string;
  source?: string;
  prefix?: string;
  max_idle_duration?: number;
  value?: string;
  action?: string;
  match_all?: boolean;
  count_entry_bytes?: boolean;
  buckets?: number[];
}

type Kind = MetricArgs['type'];

interface Series {
  labels: Record<string, string>;
  /** Unix seconds of the last update. */
  lastModSec: number;
  value: number;
  /** Histograms: per-bucket (non-cumulative) counts, sum and count. */
  bucketCounts?: number[];
  sum?: number;
  count?: number;
}

/** One stage's vector of series for a metric (Alloy's metricVec). */
class MetricVec {
  readonly series = new Map<string, Series>();

  constructor(
    readonly kind: Kind,
    readonly help: string,
    readonly buckets: readonly number[],
    private readonly maxAgeSec: number,
  ) {}

  with(labels: Map<string, string>): Series {
    const clean = new Map<string, string>();
    for (const [k, v] of labels) if (isValidLabelName(k) && !k.startsWith('__')) clean.set(k, v);
    const key = labelSetKey(clean);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: Object.fromEntries(clean), lastModSec: 0, value: 0 };
      if (this.kind === 'histogram') {
        s.bucketCounts = new Array<number>(this.buckets.length).fill(0);
        s.sum = 0;
        s.count = 0;
      }
      this.series.set(key, s);
    }
    return s;
  }

  touch(s: Series): void {
    s.lastModSec = Math.floor(Date.now() / 1000);
  }

  prune(): void {
    const now = Math.floor(Date.now() / 1000);
    for (const [k, s] of this.series) if (now - s.lastModSec >= this.maxAgeSec) this.series.delete(k);
  }
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** A family registered once per registry and name; its members are the vectors of live stages. */
class Family {
  readonly members = new Set<MetricVec>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: Kind,
  ) {}

  get(): { name: string; help: string; type: Kind; values: MetricValue[]; aggregator: 'sum' } {
    const values: MetricValue[] = [];
    for (const vec of this.members) {
      vec.prune();
      for (const s of vec.series.values()) {
        if (vec.kind !== 'histogram') {
          values.push({ value: s.value, labels: s.labels });
          continue;
        }
        let cum = 0;
        vec.buckets.forEach((le, i) => {
          cum += s.bucketCounts![i]!;
          values.push({ value: cum, labels: { ...s.labels, le }, metricName: `${this.name}_bucket` });
        });
        values.push({
          value: s.count!,
          labels: { ...s.labels, le: '+Inf' },
          metricName: `${this.name}_bucket`,
        });
        values.push({ value: s.sum!, labels: s.labels, metricName: `${this.name}_sum` });
        values.push({ value: s.count!, labels: s.labels, metricName: `${this.name}_count` });
      }
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  reset(): void {
    for (const vec of this.members) vec.series.clear();
  }
}

const families = new WeakMap<Registry, Map<string, Family>>();

function join(registry: Registry, name: string, vec: MetricVec): () => void {
  let byName = families.get(registry);
  if (!byName) families.set(registry, (byName = new Map()));
  let fam = byName.get(name);
  if (!fam || registry.getSingleMetric(name) !== (fam as unknown)) {
    fam = new Family(name, vec.help, vec.kind);
    registry.registerMetric(fam as unknown as Parameters<Registry['registerMetric']>[0]);
    byName.set(name, fam);
  }
  const f = fam;
  f.members.add(vec);
  return () => {
    vec.series.clear();
    f.members.delete(vec);
    if (f.members.size === 0 && byName.get(name) === f) {
      byName.delete(name);
      if (registry.getSingleMetric(name) === (f as unknown)) registry.removeSingleMetric(name);
    }
  };
}

/** Alloy's metric config Validate (also run while decoding; repeated for configs built in code). */
function validate(m: MetricArgs): string | undefined {
  if (m.type === 'counter') {
    if (m.action !== 'inc' && m.action !== 'add')
      return "the 'action' counter field must be either 'inc' or 'add'";
    if (m.match_all && m.value)
      return "a 'counter' metric supports either 'match_all' or a 'value', but not both";
    if (m.count_entry_bytes && (!m.match_all || m.action !== 'add'))
      return "the 'count_entry_bytes' counter field must be specified along with match_all set to true or action set to 'add'";
  } else if (m.type === 'gauge') {
    if (!['set', 'inc', 'dec', 'add', 'sub'].includes(m.action ?? ''))
      return "the 'action' gauge field must be one of the following values: [set, inc, dec, add, sub]";
  } else if (m.type === 'histogram') {
    const b = m.buckets ?? [];
    for (let i = 1; i < b.length; i++) {
      if (b[i]! <= b[i - 1]!) return `histogram buckets must be in increasing order: ${b[i - 1]} >= ${b[i]}`;
    }
  } else return `undefined stage type in '${String((m as { type?: unknown }).type)}', exiting`;
  return undefined;
}

interface Recorder {
  readonly cfg: MetricArgs;
  readonly source: string;
  readonly vec: MetricVec;
}

export const metricsStage: StageFactory = (config: StageConfig, ctx) => {
  const list = ((config as unknown as { metric?: MetricArgs[] }).metric ?? []).slice();
  const recorders: Recorder[] = [];
  const leaves: (() => void)[] = [];
  try {
    for (const m of list) {
      const err = validate(m);
      if (err) throw new Error(err);
      const buckets = (m.buckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]).filter(
        (b, i, all) => !(b === Infinity && i === all.length - 1),
      );
      const maxAgeSec = Math.trunc((m.max_idle_duration ?? 300_000) / 1000);
      const vec = new MetricVec(m.type, m.description ?? '', buckets, maxAgeSec);
      const name = (m.prefix || 'loki_process_custom_') + m.name;
      leaves.push(join(ctx.registry, name, vec));
      recorders.push({ cfg: m, source: m.source || m.name, vec });
    }
  } catch (err) {
    for (const leave of leaves) leave();
    throw err;
  }
  // Alloy keeps the metrics in a map keyed by name: a later metric of the same name replaces an earlier one.
  const byName = new Map<string, Recorder>();
  for (const r of recorders) byName.set(r.cfg.name, r);
  const active = [...byName.values()];

  const debug = (msg: string, fields: Record<string, unknown>) => ctx.logger.debug(msg, fields);

  /** Go `getString` comparison with `value`; false when the value differs or has no string form. */
  const valueMatches = (r: Recorder, v: unknown): boolean => {
    if (!r.cfg.value) return true;
    try {
      return getString(v) === r.cfg.value;
    } catch (err) {
      debug("failed to convert extracted value to string, can't perform value comparison", {
        metric: r.cfg.name,
        err: (err as Error).message,
      });
      return false;
    }
  };

  const float = (r: Recorder, v: unknown): number | undefined => {
    try {
      return getFloat(v);
    } catch (err) {
      debug('failed to convert extracted value to float', {
        metric: r.cfg.name,
        err: (err as Error).message,
      });
      return undefined;
    }
  };

  const recordCounter = (r: Recorder, labels: Map<string, string>, v: unknown): void => {
    if (!valueMatches(r, v)) return;
    if (r.cfg.action === 'inc') {
      const s = r.vec.with(labels);
      s.value += 1;
      r.vec.touch(s);
      return;
    }
    const f = float(r, v);
    if (f === undefined || !(f >= 0)) return;
    const s = r.vec.with(labels);
    s.value += f;
    r.vec.touch(s);
  };

  const recordGauge = (r: Recorder, labels: Map<string, string>, v: unknown): void => {
    if (!valueMatches(r, v)) return;
    const action = r.cfg.action;
    let f = 0;
    if (action === 'set' || action === 'add' || action === 'sub') {
      const x = float(r, v);
      if (x === undefined) return;
      f = x;
    }
    const s = r.vec.with(labels);
    if (action === 'set') s.value = f;
    else if (action === 'inc') s.value += 1;
    else if (action === 'dec') s.value -= 1;
    else if (action === 'add') s.value += f;
    else s.value -= f;
    r.vec.touch(s);
  };

  const recordHistogram = (r: Recorder, labels: Map<string, string>, v: unknown): void => {
    if (!valueMatches(r, v)) return;
    const f = float(r, v);
    if (f === undefined) return;
    const s = r.vec.with(labels);
    const i = r.vec.buckets.findIndex((le) => f <= le);
    if (i >= 0) s.bucketCounts![i]!++;
    s.sum! += f;
    s.count!++;
    r.vec.touch(s);
  };

  const processOne = (e: StageEntry): void => {
    for (const r of active) {
      if (r.cfg.type === 'counter' && r.cfg.match_all) {
        recordCounter(r, e.labels, r.cfg.count_entry_bytes ? byteLength(e.line) : null);
        continue;
      }
      if (!e.extracted.has(r.source)) {
        debug('source does not exist', { source: r.source });
        continue;
      }
      const v = e.extracted.get(r.source);
      if (r.cfg.type === 'counter') recordCounter(r, e.labels, v);
      else if (r.cfg.type === 'gauge') recordGauge(r, e.labels, v);
      else recordHistogram(r, e.labels, v);
    }
  };

  const stage: Stage = {
    process(entries) {
      for (const e of entries) processOne(e);
      return entries;
    },
    close() {
      for (const leave of leaves.splice(0)) leave();
    },
  };
  return stage;
};
