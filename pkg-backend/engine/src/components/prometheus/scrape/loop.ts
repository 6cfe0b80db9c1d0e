/**
 * One target's scrape loop, after Prometheus' `scrape.scrapeLoop` (scrape/scrape.go, v3):
 *
 * - first scrape after an offset derived from the target hash (spread over the interval), then every
 *   interval; a tick is skipped while a scrape is still running;
 * - request headers: `Accept` from `scrape_protocols` (q-weights from 0.6 down; PrometheusProto is
 *   declined: this engine has no protobuf exposition parser yet), `Accept-Encoding: gzip|identity`,
 *   `User-Agent`, `X-Prometheus-Scrape-Timeout-Seconds`; non-200 answers fail the scrape;
 * - the parser is chosen by Content-Type (`application/openmetrics-text` → OpenMetrics, `text/plain` →
 *   Prometheus text), with `scrape_fallback_protocol` for blank/unknown types;
 * - a scrape cache keyed by the raw series text holds the final Labels array (reused for every sample of
 *   the series), the iteration it was last seen in, and whether it is tracked for staleness;
 * - per scrape ONE SampleBatch (reused buffers) is forwarded: the samples, staleness markers of series
 *   that disappeared since the previous scrape, and the report series (`up`, `scrape_duration_seconds`,
 *   `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`, `scrape_series_added`, plus
 *   `scrape_timeout_seconds`, `scrape_sample_limit`, `scrape_body_size_bytes` with extra_metrics);
 * - a failed scrape (network, status, parse error, sample/label limits, invalid names) forwards none of
 *   its samples: every previously seen series gets a staleness marker and `up` is 0 (Prometheus rolls the
 *   appender back and appends an empty scrape);
 * - samples with exposition timestamps (honor_timestamps) get no staleness markers unless
 *   track_timestamps_staleness; duplicate series within one scrape are dropped;
 * - `stop(true)` writes staleness markers for every series and the report series (end of run).
 */
import type { Exemplar, MetricMetadata, MetricType, SampleBatch } from '../appendable.js';
import { compareBytes, type Labels } from '../labels.js';
import { BODY_SIZE_LIMIT_MESSAGE, type HttpClient } from '../../common/http-client.js';
import {
  decodeUtf8,
  Entry,
  ExpositionParser,
  type ExpositionFormat,
} from '../../../protocols/exposition/parser.js';
import type { ScrapeTarget } from './targets.js';

export interface LoopConfig {
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  /** Bytes; 0 = unlimited. */
  bodySizeLimit: number;
  extraMetrics: boolean;
  accept: string;
  enableCompression: boolean;
  /** Media type used when Content-Type is blank/unknown; '' = fail. */
  fallbackMediaType: string;
  legacyValidation: boolean;
  userAgent: string;
}

export interface LoopOutput {
  client(): Promise<HttpClient>;
  forward(batch: SampleBatch): void;
  logDebug(msg: string, fields: Record<string, unknown>): void;
}

/** Cache entry per raw series text. */
interface SeriesEntry {
  /** The raw series text, detached from the scrape body it came from. */
  key: string;
  labels: Labels;
  /** Iteration of the last append of this series. */
  seen: number;
  /** Iteration in which the series last counted for staleness (-1 when never). */
  tracked: number;
  /** `tracked` before this iteration set it (to undo a failed scrape). */
  prevTracked: number;
}

const PROTOCOL_HEADERS: Record<string, string> = {
  PrometheusProto:
    'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  PrometheusText0_0_4: 'text/plain;version=0.0.4',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};

/** Prometheus `acceptHeader`, declining PrometheusProto (not parsed by this engine). */
export function acceptHeader(protocols: string[], escaping: string): string {
  const vals: string[] = [];
  let weight = 6; // len(ScrapeProtocolsHeaders) + 1
  for (const p of protocols) {
    const base = PROTOCOL_HEADERS[p];
    const w = weight--;
    if (!base || p === 'PrometheusProto') continue;
    let v = base;
    if (p === 'PrometheusText1.0.0' || p === 'OpenMetricsText1.0.0') v += `;escaping=${escaping}`;
    vals.push(`${v};q=0.${w}`);
  }
  vals.push(`*/*;q=0.${weight}`);
  return vals.join(',');
}

/** Media type of a scrape protocol name (for `scrape_fallback_protocol`). */
export function protocolMediaType(p: string): string {
  if (p.startsWith('OpenMetrics')) return 'application/openmetrics-text';
  if (p.startsWith('PrometheusText')) return 'text/plain';
  if (p === 'PrometheusProto') return 'application/vnd.google.protobuf';
  return '';
}

const REPORT_NAMES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'scrape_timeout_seconds',
  'scrape_sample_limit',
  'scrape_body_size_bytes',
];
const REPORT_META: MetricMetadata[] = [
  ['Health of the scrape target. 1 means the target is healthy, 0 if the scrape failed.', 'targets'],
  ['Duration of the last scrape in seconds.', 'seconds'],
  ['Number of samples last scraped.', 'samples'],
  ['Number of samples remaining after metric relabeling was applied.', 'samples'],
  ['Number of series in the last scrape.', 'series'],
  ['The configured scrape timeout for a target.', 'seconds'],
  ['The configured sample limit for a target. Returns zero if there is no limit configured.', 'samples'],
  [
    'The uncompressed size of the last scrape response, if successful. Scrapes failing because body_size_limit is exceeded report -1, other scrape failures report 0.',
    'bytes',
  ],
].map(([help, unit], i) => ({
  family: REPORT_NAMES[i]!,
  type: 'gauge' as MetricType,
  help: help!,
  unit: unit!,
}));

const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

class ScrapeFailure extends Error {}

/** Target health for the components API. */
export type TargetHealth = 'up' | 'down' | 'unknown';

export class ScrapeLoop {
  health: TargetHealth = 'unknown';
  lastError = '';
  /** ms since epoch, 0 before the first scrape. */
  lastScrape = 0;
  /** ms. */
  lastScrapeDuration = 0;

  private readonly cache = new Map<string, SeriesEntry>();
  /** Entries in the order the last successful scrape exposed them: the in-place comparison fast path. */
  private order: SeriesEntry[] = [];
  private nextOrder: SeriesEntry[] = [];
  private iter = 0;
  private prevIter = -1;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private abort = new AbortController();
  private stopped = false;
  private reportLabels: Labels[] = [];
  private readonly metadata = new Map<string, MetricMetadata>();
  private metadataList: MetricMetadata[] = [];
  private metadataDirty = false;
  private readonly batch: SampleBatch = {
    count: 0,
    series: [],
    timestamps: new Float64Array(1024),
    values: new Float64Array(1024),
    stale: new Uint8Array(1024),
  };

  constructor(
    public target: ScrapeTarget,
    public cfg: LoopConfig,
    private readonly out: LoopOutput,
  ) {
    this.buildReportLabels();
  }

  /** Replaces the target labels/config in place (keeps the cache, as Prometheus' reload with cache reuse). */
  reconfigure(target: ScrapeTarget, cfg: LoopConfig): void {
    const reschedule = target.interval !== this.target.interval;
    const relabel = target.labels !== this.target.labels || cfg.honorLabels !== this.cfg.honorLabels;
    this.target = target;
    this.cfg = cfg;
    if (relabel) {
      this.cache.clear();
      this.order.length = 0;
      this.buildReportLabels();
    }
    if (reschedule && this.timer) this.start();
  }

  private buildReportLabels(): void {
    this.reportLabels = REPORT_NAMES.map((name) => {
      const pairs: [string, string][] = [['__name__', name]];
      const t = this.target.labels;
      for (let i = 0; i < t.length; i += 2) pairs.push([t[i]!, t[i + 1]!]);
      pairs.sort((a, b) => compareBytes(a[0], b[0]));
      return Object.freeze(pairs.flat());
    });
  }

  /** Schedules the loop: first scrape at the target's offset within the interval. */
  start(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    const interval = this.target.interval;
    const now = Date.now();
    const base = interval - (now % interval);
    let next = base + (this.target.hash % interval);
    if (next > interval) next -= interval;
    this.timer = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), interval);
      this.timer.unref?.();
    }, next);
    this.timer.unref?.();
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    this.running = this.scrapeOnce().finally(() => {
      this.running = undefined;
    });
  }

  /** Runs one scrape now (tests and the first tick). */
  async scrapeOnce(): Promise<void> {
    const start = Date.now();
    const ts = start;
    const b = this.batch;
    b.count = 0;
    b.exemplars = undefined;
    let err: unknown;
    let bytes = 0;
    try {
      const client = await this.out.client();
      const res = await client.request(this.target.url, {
        headers: {
          Accept: this.cfg.accept,
          'Accept-Encoding': this.cfg.enableCompression ? 'gzip' : 'identity',
          'User-Agent': this.cfg.userAgent,
          'X-Prometheus-Scrape-Timeout-Seconds': String(this.target.timeout / 1000),
        },
        timeoutMs: this.target.timeout,
        signal: this.abort.signal,
        maxBodyBytes: this.cfg.bodySizeLimit > 0 ? this.cfg.bodySizeLimit : undefined,
      });
      if (this.stopped) return;
      if (res.status !== 200) throw new ScrapeFailure(`server returned HTTP status ${res.statusText}`);
      bytes = res.body.length;
      const format = this.formatOf(String(res.headers['content-type'] ?? ''));
      this.append(res.body, format, ts);
    } catch (e) {
      if (this.stopped) return;
      err = e;
      if (e instanceof Error && e.message === BODY_SIZE_LIMIT_MESSAGE) bytes = -1;
      else if (!(e instanceof ScrapeFailure) && !(e instanceof Error && 'line' in e)) bytes = 0;
      b.count = 0;
      b.exemplars = undefined;
    }
    const [total, added, seriesAdded] = this.counts as [number, number, number];
    this.counts[0] = this.counts[1] = this.counts[2] = 0;
    const iter = this.iter++;
    if (err !== undefined) {
      // Failed scrape = empty scrape: every previously tracked series goes stale.
      this.appendStale(ts, iter, true);
      this.out.logDebug('Scrape failed', { target: this.target.url, err: errorText(err) });
    } else {
      this.appendStale(ts, iter, false);
      // Forget series not seen in this successful scrape (Prometheus' cache flush).
      for (const [k, e] of this.cache) if (e.seen !== iter) this.cache.delete(k);
    }
    this.prevIter = iter;
    const duration = Date.now() - start;
    const vals = [err === undefined ? 1 : 0, duration / 1000, total, added, seriesAdded];
    if (this.cfg.extraMetrics) vals.push(this.target.timeout / 1000, this.cfg.sampleLimit, bytes);
    for (let k = 0; k < vals.length; k++) this.push(this.reportLabels[k]!, start, vals[k]!, 0);
    if (this.metadataDirty) {
      this.metadataList = [...this.metadata.values(), ...REPORT_META];
      this.metadataDirty = false;
    }
    b.metadata = this.metadataList.length ? this.metadataList : REPORT_META;
    this.health = err === undefined ? 'up' : 'down';
    this.lastError = err === undefined ? '' : errorText(err);
    this.lastScrape = start;
    this.lastScrapeDuration = duration;
    this.out.forward(b);
  }

  private formatOf(contentType: string): ExpositionFormat {
    let media = contentType.split(';', 1)[0]!.trim().toLowerCase();
    if (
      media !== 'application/openmetrics-text' &&
      media !== 'text/plain' &&
      media !== 'application/vnd.google.protobuf'
    ) {
      if (!this.cfg.fallbackMediaType) {
        throw new ScrapeFailure(
          contentType === ''
            ? 'non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target'
            : `received unsupported Content-Type ${JSON.stringify(contentType)} and no fallback_scrape_protocol specified for target`,
        );
      }
      media = this.cfg.fallbackMediaType;
    }
    if (media === 'application/vnd.google.protobuf')
      throw new ScrapeFailure('the protobuf exposition format is not supported by this engine yet');
    return media === 'application/openmetrics-text' ? 'openmetrics' : 'prometheus';
  }

  /** [total, added, seriesAdded] of the current scrape, also when it fails (Prometheus reports them). */
  private readonly counts = [0, 0, 0];

  /** Parses the body into the batch, counting into `counts`. @throws on any scrape error. */
  private append(body: Buffer, format: ExpositionFormat, defTs: number): void {
    const { text, lossy } = decodeUtf8(body);
    const p = new ExpositionParser(text, format, { lossy });
    const cfg = this.cfg;
    const iter = this.iter;
    const cache = this.cache;
    const counts = this.counts;
    let limitHit = false;
    const order = this.order;
    const nextOrder = this.nextOrder;
    let pos = 0;
    for (;;) {
      // Targets usually expose the same series in the same order: the parser checks the line against the
      // series seen at this position last time and, when it matches, skips scanning its labels.
      p.expect = order[pos]?.key;
      const e = p.next();
      if (e === Entry.SERIES) {
        counts[0]++;
        const explicitTs = cfg.honorTimestamps && p.timestamp === p.timestamp;
        const t = explicitTs ? p.timestamp : defTs;
        let ent: SeriesEntry | undefined = order[pos];
        if (!p.fastMatched && (ent === undefined || !p.seriesIs(ent.key))) ent = cache.get(p.series);
        const isNew = ent === undefined;
        if (ent === undefined) {
          const labels = this.finalLabels(p.labels());
          ent = { key: detach(p.series), labels, seen: -1, tracked: -1, prevTracked: -1 };
        } else if (ent.seen === iter && !explicitTs) {
          counts[1]++; // duplicate sample for timestamp: dropped but counted, as Prometheus
          continue;
        }
        if (cfg.sampleLimit > 0 && counts[1] >= cfg.sampleLimit) {
          limitHit = true;
          counts[1]++;
          continue;
        }
        const idx = this.push(ent.labels, t, p.value, 0);
        nextOrder[pos++] = ent;
        counts[1]++;
        ent.seen = iter;
        if (!explicitTs || cfg.trackTimestampsStaleness) {
          ent.prevTracked = ent.tracked;
          ent.tracked = iter;
        }
        if (isNew) {
          cache.set(ent.key, ent);
          counts[2]++;
        }
        if (p.hasExemplar) {
          const ex: Exemplar = {
            sample: idx,
            labels: p.exemplarLabels(),
            value: p.exemplarValue,
            timestamp: p.exemplarTimestamp === p.exemplarTimestamp ? p.exemplarTimestamp : t,
          };
          (this.batch.exemplars ??= []).push(ex);
        }
      } else if (e === Entry.EOF) {
        break;
      } else if (e === Entry.TYPE || e === Entry.HELP || e === Entry.UNIT) {
        const name = p.metaName;
        let m = this.metadata.get(name);
        if (!m) {
          m = { family: name, type: 'unknown', help: '', unit: '' };
          this.metadata.set(name, m);
          this.metadataDirty = true;
        }
        if (e === Entry.TYPE && m.type !== p.mtype) {
          m.type = p.mtype;
          this.metadataDirty = true;
        } else if (e === Entry.HELP && m.help !== p.metaText) {
          m.help = p.metaText;
          this.metadataDirty = true;
        } else if (e === Entry.UNIT && m.unit !== p.metaText) {
          m.unit = p.metaText;
          this.metadataDirty = true;
        }
      }
    }
    if (limitHit) throw new ScrapeFailure('sample limit exceeded');
    nextOrder.length = pos;
    this.nextOrder = order;
    this.order = nextOrder;
  }

  /** Target labels merged into the exposed ones (`mutateSampleLabels`), validated and limited. */
  private finalLabels(l: Labels): Labels {
    const cfg = this.cfg;
    const t = this.target.labels;
    const m = new Map<string, string>();
    for (let i = 0; i < l.length; i += 2) m.set(l[i]!, l[i + 1]!);
    if (cfg.honorLabels) {
      for (let i = 0; i < t.length; i += 2) if (!m.has(t[i]!)) m.set(t[i]!, t[i + 1]!);
    } else {
      const conflicts: [string, string][] = [];
      for (let i = 0; i < t.length; i += 2) {
        const existing = m.get(t[i]!);
        if (existing) conflicts.push([t[i]!, existing]);
        m.set(t[i]!, t[i + 1]!);
      }
      conflicts.sort((a, b) => a[0].length - b[0].length);
      for (const [name, value] of conflicts) {
        let n = name;
        for (;;) {
          n = 'exported_' + n;
          if (!m.get(n)) {
            m.set(n, value);
            break;
          }
        }
      }
    }
    const names = [...m.keys()].sort(compareBytes);
    const out: string[] = [];
    for (const n of names) {
      const v = m.get(n)!;
      if (v !== '') out.push(n, v);
    }
    const name = m.get('__name__') ?? '';
    if (!name) throw new ScrapeFailure('__name__ label is missing');
    const str = () => '{' + names.map((n) => `${n}=${JSON.stringify(m.get(n))}`).join(', ') + '}';
    if (cfg.legacyValidation) {
      if (!LEGACY_METRIC.test(name)) throw new ScrapeFailure(`invalid metric name or label names: ${str()}`);
      for (let i = 0; i < out.length; i += 2)
        if (!LEGACY_LABEL.test(out[i]!) && out[i] !== '__name__')
          throw new ScrapeFailure(`invalid metric name or label names: ${str()}`);
    }
    const met = name.slice(0, 50);
    if (cfg.labelLimit > 0 && out.length / 2 > cfg.labelLimit)
      throw new ScrapeFailure(
        `label_limit exceeded (metric: ${met}, number of labels: ${out.length / 2}, limit: ${cfg.labelLimit})`,
      );
    for (let i = 0; i < out.length; i += 2) {
      const ln = out[i]!;
      const lv = out[i + 1]!;
      if (cfg.labelNameLengthLimit > 0 && utf8Len(ln) > cfg.labelNameLengthLimit)
        throw new ScrapeFailure(
          `label_name_length_limit exceeded (metric: ${met}, label name: ${ln.slice(0, 50)}, length: ${utf8Len(ln)}, limit: ${cfg.labelNameLengthLimit})`,
        );
      if (cfg.labelValueLengthLimit > 0 && utf8Len(lv) > cfg.labelValueLengthLimit)
        throw new ScrapeFailure(
          `label_value_length_limit exceeded (metric: ${met}, label name: ${ln.slice(0, 50)}, value: ${JSON.stringify(lv.slice(0, 50))}, length: ${utf8Len(lv)}, limit: ${cfg.labelValueLengthLimit})`,
        );
    }
    return Object.freeze(out);
  }

  /** Staleness markers for series tracked in the previous iteration and absent from `iter`. */
  private appendStale(ts: number, iter: number, failed: boolean): void {
    const all = failed;
    const prev = this.prevIter;
    if (prev < 0) return;
    for (const e of this.cache.values()) {
      // A series seen in this (successful) scrape has tracked === iter; after a failed scrape, series it
      // touched are recognised by prevTracked.
      const wasTracked = e.tracked === prev || (all && e.tracked === iter && e.prevTracked === prev);
      if (wasTracked) this.push(e.labels, ts, NaN, 1);
      if (wasTracked || (all && e.tracked === iter)) e.tracked = -1;
    }
  }

  private push(labels: Labels, ts: number, value: number, stale: number): number {
    const b = this.batch;
    const i = b.count;
    if (i === b.values.length) {
      const n = i * 2;
      const tsA = new Float64Array(n);
      tsA.set(b.timestamps);
      const vA = new Float64Array(n);
      vA.set(b.values);
      const sA = new Uint8Array(n);
      sA.set(b.stale);
      b.timestamps = tsA;
      b.values = vA;
      b.stale = sA;
    }
    b.series[i] = labels;
    b.timestamps[i] = ts;
    b.values[i] = value;
    b.stale[i] = stale;
    b.count = i + 1;
    return i;
  }

  /**
   * Stops the loop; with `staleness`, forwards staleness markers for every series of the last scrape and
   * for the report series (Prometheus' end-of-run staleness), at the current time.
   */
  async stop(staleness: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.abort.abort();
    await this.running?.catch(() => undefined);
    if (!staleness || this.lastScrape === 0) return;
    const b = this.batch;
    b.count = 0;
    b.exemplars = undefined;
    b.metadata = undefined;
    const ts = Date.now();
    for (const e of this.cache.values()) if (e.tracked === this.prevIter) this.push(e.labels, ts, NaN, 1);
    const n = this.cfg.extraMetrics ? 8 : 5;
    for (let k = 0; k < n; k++) this.push(this.reportLabels[k]!, ts, NaN, 1);
    this.out.forward(b);
  }
}

function utf8Len(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A copy of `s` that does not keep the string it was sliced from alive (V8 slices longer strings by
 * reference, and a cached key must not pin a whole scrape body).
 */
function detach(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}
