/**
 * The running `prometheus.scrape` component (Alloy 1.18 `internal/component/prometheus/scrape`): one
 * scrape loop per valid target, reconfigured in place on `update`, fanning each scrape's batch out to
 * `forward_to`. Target failures never make the component unhealthy (as Alloy); they show in `debugInfo()`.
 *
 * Deviations from Alloy: removed targets and a stopping component forward staleness markers at once
 * (Prometheus waits up to two intervals for end-of-run staleness, and skips it when the whole manager
 * stops); `clustering` is accepted and ignored (single node); native histograms / protobuf are not scraped.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { untilAborted, type Component, type ComponentOptions } from '../../../runtime/component.js';
import { health, type Health } from '../../../runtime/health.js';
import type { Appendable, SampleBatch } from '../appendable.js';
import { httpClient, type HttpClient, type HttpClientArgs } from '../../common/http-client.js';
import { formatDuration } from '../../../runtime/duration.js';
import { acceptHeader, protocolMediaType, ScrapeLoop, type LoopConfig } from './loop.js';
import { populateTarget, type ScrapeTarget, type TargetConfig } from './targets.js';

/** Decoded arguments (durations in ms; see the registration in ../scrape.ts). */
export interface ScrapeArgs extends HttpClientArgs {
  targets: Record<string, string>[];
  forward_to: Appendable[];
  job_name?: string;
  honor_labels: boolean;
  honor_timestamps: boolean;
  track_timestamps_staleness: boolean;
  params?: Record<string, string[]>;
  scrape_interval: number;
  scrape_timeout: number;
  scrape_protocols: string[];
  metrics_path: string;
  scheme: string;
  body_size_limit?: string;
  sample_limit?: number;
  target_limit?: number;
  label_limit?: number;
  label_name_length_limit?: number;
  label_value_length_limit?: number;
  extra_metrics?: boolean;
  metric_name_validation_scheme: string;
  metric_name_escaping_scheme?: string;
  scrape_fallback_protocol: string;
  enable_compression: boolean;
}

export const USER_AGENT = 'Alloy/foundry';

/** `units.ParseBase2Bytes` (KB = 1024 …); '' or undefined → 0 (no limit). */
export function parseBase2Bytes(s: string | undefined): number {
  if (!s) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB|PB|PiB|EB|EiB)?$/.exec(s.trim());
  if (!m) throw new Error(`units: unknown unit in ${JSON.stringify(s)}`);
  const exp = { B: 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 }[(m[2] ?? 'B')[0] as 'B'] ?? 0;
  return Math.floor(Number(m[1]) * 1024 ** exp);
}

export class PrometheusScrape implements Component<ScrapeArgs> {
  private args!: ScrapeArgs;
  private receivers: Appendable[] = [];
  private readonly loops = new Map<string, ScrapeLoop>();
  private targetErrors: { labels: Record<string, string>; error: string }[] = [];
  private clientP: Promise<HttpClient> | undefined;
  private clientKey = '';
  private runningSignal: AbortSignal | undefined;
  private readonly targetsGauge: Gauge;
  private readonly fanoutLatency: Histogram;
  private readonly forwarded: Counter;
  private loopCfg!: LoopConfig;

  constructor(
    private readonly opts: ComponentOptions,
    args: ScrapeArgs,
  ) {
    this.targetsGauge = new Gauge({
      name: 'prometheus_scrape_targets_gauge',
      help: 'Number of targets this component is configured to scrape',
      registers: [opts.registry],
    });
    this.fanoutLatency = new Histogram({
      name: 'prometheus_fanout_latency',
      help: 'Write latency for sending to direct and indirect components',
      registers: [opts.registry],
    });
    this.forwarded = new Counter({
      name: 'prometheus_forwarded_samples_total',
      help: 'Total number of samples sent to downstream components.',
      registers: [opts.registry],
    });
    this.update(args);
  }

  /** Applies arguments: new client settings, loop config and the target set. @throws on invalid settings. */
  update(args: ScrapeArgs): void {
    const bodyLimit = parseBase2Bytes(args.body_size_limit);
    this.args = args;
    this.receivers = args.forward_to;
    const clientArgs: HttpClientArgs = {
      bearer_token: args.bearer_token,
      bearer_token_file: args.bearer_token_file,
      basic_auth: args.basic_auth,
      authorization: args.authorization,
      oauth2: args.oauth2,
      tls_config: args.tls_config,
      http_headers: args.http_headers,
      follow_redirects: args.follow_redirects,
      proxy_url: args.proxy_url,
      proxy_from_environment: args.proxy_from_environment,
    };
    if (args.oauth2) throw new Error('oauth2 is not supported yet by this engine');
    if (args.proxy_url || args.proxy_from_environment)
      throw new Error('proxy_url / proxy_from_environment are not supported yet by this engine');
    const key = JSON.stringify(clientArgs, (_k, v) =>
      v && typeof v === 'object' && 'value' in v ? v.value : v,
    );
    if (key !== this.clientKey) {
      const old = this.clientP;
      this.clientKey = key;
      this.clientP = httpClient(clientArgs);
      this.clientP.catch(() => undefined);
      old?.then((c) => c.close()).catch(() => undefined);
    }
    this.loopCfg = {
      honorLabels: args.honor_labels,
      honorTimestamps: args.honor_timestamps,
      trackTimestampsStaleness: args.track_timestamps_staleness,
      sampleLimit: args.sample_limit ?? 0,
      labelLimit: args.label_limit ?? 0,
      labelNameLengthLimit: args.label_name_length_limit ?? 0,
      labelValueLengthLimit: args.label_value_length_limit ?? 0,
      bodySizeLimit: bodyLimit,
      extraMetrics: !!args.extra_metrics,
      accept: acceptHeader(args.scrape_protocols, args.metric_name_escaping_scheme || 'underscores'),
      enableCompression: args.enable_compression,
      fallbackMediaType: protocolMediaType(args.scrape_fallback_protocol),
      legacyValidation: args.metric_name_validation_scheme !== 'utf8',
      userAgent: USER_AGENT,
    };
    this.syncTargets();
  }

  private syncTargets(): void {
    const a = this.args;
    const cfg: TargetConfig = {
      jobName: a.job_name || this.opts.id,
      scheme: a.scheme,
      metricsPath: a.metrics_path,
      interval: a.scrape_interval,
      timeout: a.scrape_timeout,
      params: a.params ?? {},
    };
    const wanted = new Map<string, ScrapeTarget>();
    this.targetErrors = [];
    for (const t of a.targets) {
      const r = populateTarget(t, cfg);
      if (r === undefined) continue;
      if ('error' in r) {
        this.targetErrors.push({ labels: t, error: r.error });
        this.opts.logger.warn('invalid scrape target', { target: JSON.stringify(t), err: r.error });
        continue;
      }
      wanted.set(r.key, r);
    }
    this.targetsGauge.set(wanted.size);
    const limit = a.target_limit ?? 0;
    for (const [k, loop] of this.loops) {
      if (!wanted.has(k)) {
        this.loops.delete(k);
        void loop.stop(true);
      }
    }
    let n = 0;
    for (const [k, t] of wanted) {
      if (limit > 0 && ++n > limit) break;
      const existing = this.loops.get(k);
      if (existing) existing.reconfigure(t, this.loopCfg);
      else {
        const loop = new ScrapeLoop(t, this.loopCfg, {
          client: () => this.clientP!,
          forward: (b) => this.forward(b),
          logDebug: (msg, fields) => this.opts.logger.debug(msg, fields),
        });
        this.loops.set(k, loop);
        if (this.runningSignal) loop.start();
      }
    }
  }

  private forward(b: SampleBatch): void {
    const start = performance.now();
    for (const r of this.receivers) {
      try {
        r.append(b);
      } catch (err) {
        this.opts.logger.error('failed to forward samples', { err: (err as Error).message });
      }
    }
    this.fanoutLatency.observe((performance.now() - start) / 1000);
    this.forwarded.inc(b.count);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.runningSignal = signal;
    for (const loop of this.loops.values()) loop.start();
    await untilAborted(signal);
    await Promise.all([...this.loops.values()].map((l) => l.stop(true)));
    this.loops.clear();
    (await this.clientP?.catch(() => undefined))?.close();
  }

  /** Alloy never turns prometheus.scrape unhealthy for target failures. */
  health(): Health {
    return health('healthy', 'scrape loops running');
  }

  /** Alloy's `ScraperStatus`: one `target` entry per active target. */
  debugInfo(): unknown {
    const job = this.args.job_name || this.opts.id;
    return {
      target: [...this.loops.values()].map((l) => ({
        job,
        url: l.target.url,
        health: l.health,
        labels: Object.fromEntries(
          Array.from({ length: l.target.labels.length / 2 }, (_, i) => [
            l.target.labels[2 * i]!,
            l.target.labels[2 * i + 1]!,
          ]),
        ),
        last_error: l.lastError,
        last_scrape: new Date(l.lastScrape || 0).toISOString(),
        last_scrape_duration: formatDuration(l.lastScrapeDuration),
      })),
    };
  }

  /** Loops by target key (tests). */
  get activeLoops(): ReadonlyMap<string, ScrapeLoop> {
    return this.loops;
  }
}
