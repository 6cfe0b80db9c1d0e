import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { squashHttpClient } from '../common/http-client-schema.js';
import { goDuration } from '../common/validation.js';
import { PrometheusScrape, type ScrapeArgs } from './scrape/component.js';

/** `config.DefaultScrapeProtocols` of Prometheus v3 (the default of `scrape_protocols`). */
export const DEFAULT_SCRAPE_PROTOCOLS = [
  'OpenMetricsText1.0.0',
  'OpenMetricsText0.0.1',
  'PrometheusText1.0.0',
  'PrometheusText0.0.4',
];
/** `config.DefaultProtoFirstScrapeProtocols` (used with native histograms). */
export const PROTO_FIRST_SCRAPE_PROTOCOLS = [
  'PrometheusProto',
  'OpenMetricsText1.0.0',
  'OpenMetricsText0.0.1',
  'PrometheusText1.0.0',
  'PrometheusText0.0.4',
];
const SCRAPE_PROTOCOLS = new Set(PROTO_FIRST_SCRAPE_PROTOCOLS);
const ESCAPING_SCHEMES = ['allow-utf-8', 'underscores', 'dots', 'values'];

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Prometheus `ScrapeProtocol.Validate()` message. */
function protocolError(p: string): string {
  return `unknown scrape protocol ${p}, supported: [${[...SCRAPE_PROTOCOLS].sort().join(' ')}]`;
}

/**
 * `Arguments.Validate()`. Like Alloy it rewrites `scrape_protocols` / `scrape_native_histograms` for
 * `enable_protobuf_negotiation` and native histograms, and fills `metric_name_escaping_scheme`.
 */
function validateScrape(a: Record<string, any>): string | undefined {
  if (a.scrape_timeout > a.scrape_interval) {
    return `scrape_timeout (${goDuration(a.scrape_timeout)}) greater than scrape_interval (${goDuration(a.scrape_interval)}) for scrape config with job name ${JSON.stringify(a.job_name ?? '')}`;
  }
  if (a.enable_protobuf_negotiation) {
    if (!sameList(a.scrape_protocols, DEFAULT_SCRAPE_PROTOCOLS)) {
      return 'both enable_protobuf_negotiation and scrape_protocols are set, only one can be set at a time';
    }
    a.scrape_protocols = [...PROTO_FIRST_SCRAPE_PROTOCOLS];
    a.scrape_native_histograms = true;
  }
  if (a.scrape_native_histograms) {
    if (sameList(a.scrape_protocols, DEFAULT_SCRAPE_PROTOCOLS))
      a.scrape_protocols = [...PROTO_FIRST_SCRAPE_PROTOCOLS];
    if (!a.scrape_protocols.includes('PrometheusProto')) {
      return 'scrape_native_histograms is set to true, but PrometheusProto is not in scrape_protocols';
    }
  }
  const seen = new Set<string>();
  for (const p of a.scrape_protocols as string[]) {
    if (seen.has(p))
      return `duplicate scrape protocol ${JSON.stringify(p)}: make sure the scrape protocols provided are unique`;
    if (!SCRAPE_PROTOCOLS.has(p)) return `invalid scrape protocol ${JSON.stringify(p)}: ${protocolError(p)}`;
    seen.add(p);
  }
  if (a.scrape_fallback_protocol !== '' && !SCRAPE_PROTOCOLS.has(a.scrape_fallback_protocol)) {
    return `invalid scrape_fallback_protocol ${JSON.stringify(a.scrape_fallback_protocol)}: ${protocolError(a.scrape_fallback_protocol)}`;
  }
  if (a.metric_name_validation_scheme !== 'utf8' && a.metric_name_validation_scheme !== 'legacy') {
    return `invalid metric_name_validation_scheme ${JSON.stringify(a.metric_name_validation_scheme)}: must be either "utf8" or "legacy"`;
  }
  const esc = a.metric_name_escaping_scheme ?? '';
  if (esc === '') {
    a.metric_name_escaping_scheme =
      a.metric_name_validation_scheme === 'legacy' ? 'underscores' : 'allow-utf-8';
  } else if (!ESCAPING_SCHEMES.includes(esc)) {
    return `invalid metric_name_escaping_scheme: ${JSON.stringify(esc)}, supported values: [${ESCAPING_SCHEMES.join(' ')}]`;
  }
  if (a.metric_name_escaping_scheme === 'allow-utf-8' && a.metric_name_validation_scheme !== 'utf8') {
    return "metric_name_escaping_scheme cannot be set to 'allow-utf-8' while metric_name_validation_scheme is not set to 'utf8'";
  }
  return undefined;
}

/** prometheus.scrape — arguments as Alloy 1.18 prometheus.scrape (`internal/component/prometheus/scrape/scrape.go`). */
export const prometheusScrape: ComponentRegistration<ScrapeArgs> = {
  name: 'prometheus.scrape',
  stability: 'generally-available',
  args: squashHttpClient({
    attrs: {
      targets: { type: t.targets(), required: true },
      forward_to: { type: t.list(t.capsule('storage.Appendable')), required: true },
      job_name: { type: t.string() },
      honor_labels: { type: t.bool(), default: false },
      honor_timestamps: { type: t.bool(), default: true },
      track_timestamps_staleness: { type: t.bool(), default: false },
      params: { type: t.map(t.list(t.string())) },
      scrape_classic_histograms: { type: t.bool() },
      scrape_native_histograms: { type: t.bool(), default: false },
      scrape_failure_log_file: { type: t.string() },
      scrape_interval: { type: t.duration(), default: 60_000 },
      scrape_timeout: { type: t.duration(), default: 10_000 },
      scrape_protocols: { type: t.list(t.string()), default: DEFAULT_SCRAPE_PROTOCOLS },
      metrics_path: { type: t.string(), default: '/metrics' },
      scheme: { type: t.string(), default: 'http' },
      body_size_limit: { type: t.string() },
      sample_limit: { type: t.int() },
      target_limit: { type: t.int() },
      label_limit: { type: t.int() },
      label_name_length_limit: { type: t.int() },
      label_value_length_limit: { type: t.int() },
      extra_metrics: { type: t.bool() },
      enable_protobuf_negotiation: { type: t.bool() },
      metric_name_validation_scheme: { type: t.string(), default: 'legacy' },
      metric_name_escaping_scheme: { type: t.string() },
      scrape_fallback_protocol: { type: t.string(), default: 'PrometheusText0.0.4' },
      convert_classic_histograms_to_nhcb: { type: t.bool(), default: false },
      enable_compression: { type: t.bool(), default: true },
      native_histogram_bucket_limit: { type: t.int(), default: 0 },
      native_histogram_min_bucket_factor: { type: t.number(), default: 0 },
      honor_metadata: { type: t.bool() },
      enable_type_and_unit_labels: { type: t.bool() },
    },
    blocks: {
      clustering: { schema: { attrs: { enabled: { type: t.bool(), required: true } } } },
    },
    validate: validateScrape,
  }),
  build: (opts, args) => new PrometheusScrape(opts, args),
};
