/**
 * Scrape targets from discovery targets, as Prometheus' `scrape.PopulateLabels` / `Target.URL` (v3, the
 * version Alloy 1.x embeds; no relabeling — Alloy does that in discovery.relabel):
 *
 * - defaults added when absent: `job` (job_name, else the component ID), `__scheme__`, `__metrics_path__`,
 *   `__scrape_interval__`, `__scrape_timeout__` (Prometheus duration text, e.g. `1m`), `__param_<k>` (first
 *   value of each `params` entry);
 * - `__address__` is required and may not contain `/`; no default port is added (Prometheus v3);
 * - per-target interval/timeout come from `__scrape_interval__`/`__scrape_timeout__` (must parse, be > 0,
 *   timeout ≤ interval);
 * - every `__`-prefixed label is then dropped; `instance` defaults to `__address__`;
 * - the URL is `<__scheme__>://<__address__><__metrics_path__>?<params with __param_* overriding the first value>`.
 */
import { compareBytes, labelsFromPairs, type Labels } from '../labels.js';
import { parseDuration } from '../../../runtime/duration.js';

export interface TargetConfig {
  jobName: string;
  scheme: string;
  metricsPath: string;
  /** Milliseconds. */
  interval: number;
  /** Milliseconds. */
  timeout: number;
  params: Record<string, string[]>;
}

export interface ScrapeTarget {
  /** Identity of the target: its discovered label set (`{a="1", …}` text). */
  key: string;
  /** Final target labels attached to every sample (sorted, no `__` labels). */
  labels: Labels;
  /** Labels as discovered (for the API). */
  discovered: Record<string, string>;
  url: string;
  /** Milliseconds. */
  interval: number;
  /** Milliseconds. */
  timeout: number;
  /** FNV-1a hash of labels and URL, spreads scrape offsets over the interval. */
  hash: number;
}

/** Prometheus `model.Duration.String()` for milliseconds (`1m`, `1m30s`, `500ms`, `0s`). */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units: [string, number][] = [
    ['y', 365 * 86_400_000],
    ['w', 7 * 86_400_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  let out = '';
  let rest = Math.round(ms);
  for (const [u, f] of units) {
    if (rest >= f) {
      const n = Math.floor(rest / f);
      out += `${n}${u}`;
      rest -= n * f;
    }
  }
  return out;
}

/** Prometheus `model.ParseDuration` (also Go durations with fractions, which Prometheus rejects; close enough). */
function parsePromDuration(s: string): number {
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(s);
  if (m && s !== '') {
    const f = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];
    return f.reduce((acc, k, i) => acc + Number(m[i + 1] ?? 0) * k, 0);
  }
  return parseDuration(s);
}

/** 53-bit FNV-1a over a string's UTF-16 units (Prometheus hashes labels + URL with FNV-64a). */
export function fnv1a(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ (c >> 3), 0x01000193) >>> 0;
  }
  return (h2 & 0x1fffff) * 0x100000000 + h1;
}

function urlEncode(params: Record<string, string[]>): string {
  // Go url.Values.Encode: keys sorted, QueryEscape (space → +).
  const keys = Object.keys(params).sort(compareBytes);
  const enc = (s: string) =>
    encodeURIComponent(s)
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const parts: string[] = [];
  for (const k of keys) for (const v of params[k]!) parts.push(`${enc(k)}=${enc(v)}`);
  return parts.join('&');
}

/**
 * Builds a scrape target from discovered labels.
 * @returns the target, or `{ error }` with Prometheus' message when the target is invalid (or
 *   `undefined` when it has no labels at all, as a target dropped by relabeling).
 */
export function populateTarget(
  discovered: Record<string, string>,
  cfg: TargetConfig,
): ScrapeTarget | { error: string } | undefined {
  if (Object.keys(discovered).length === 0) return undefined;
  const lb = new Map<string, string>(Object.entries(discovered));
  const setDefault = (k: string, v: string) => {
    if (!lb.has(k)) lb.set(k, v);
  };
  setDefault('job', cfg.jobName);
  setDefault('__scrape_interval__', formatPromDuration(cfg.interval));
  setDefault('__scrape_timeout__', formatPromDuration(cfg.timeout));
  setDefault('__metrics_path__', cfg.metricsPath);
  setDefault('__scheme__', cfg.scheme);
  for (const [k, v] of Object.entries(cfg.params)) if (v.length) setDefault(`__param_${k}`, v[0]!);

  const addr = lb.get('__address__') ?? '';
  if (addr === '') return { error: 'no address' };
  if (addr.includes('/')) return { error: `${JSON.stringify(addr)} is not a valid hostname` };

  let interval: number;
  let timeout: number;
  const iv = lb.get('__scrape_interval__') ?? '';
  const to = lb.get('__scrape_timeout__') ?? '';
  try {
    interval = parsePromDuration(iv);
  } catch {
    return { error: `error parsing scrape interval: not a valid duration string: ${JSON.stringify(iv)}` };
  }
  try {
    timeout = parsePromDuration(to);
  } catch {
    return { error: `error parsing scrape timeout: not a valid duration string: ${JSON.stringify(to)}` };
  }
  if (interval === 0) return { error: 'scrape interval cannot be 0' };
  if (timeout === 0) return { error: 'scrape timeout cannot be 0' };
  if (timeout > interval)
    return {
      error: `scrape timeout cannot be greater than scrape interval (${JSON.stringify(to)} > ${JSON.stringify(iv)})`,
    };

  const params: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(cfg.params)) params[k] = [...v];
  for (const [k, v] of lb) {
    if (!k.startsWith('__param_')) continue;
    const p = k.slice('__param_'.length);
    if (params[p]?.length) params[p]![0] = v;
    else params[p] = [v];
  }
  const query = urlEncode(params);
  const url = `${lb.get('__scheme__')}://${addr}${lb.get('__metrics_path__')}${query ? '?' + query : ''}`;

  const pairs: string[] = [];
  for (const [k, v] of lb) if (!k.startsWith('__')) pairs.push(k, v);
  if (!lb.has('instance') || lb.get('instance') === '') pairs.push('instance', addr);
  const labels = labelsFromPairs(pairs);
  for (let i = 0; i < labels.length; i += 2) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(labels[i]!) && labels[i]!.length === 0)
      return { error: `invalid label name ${JSON.stringify(labels[i])}` };
  }
  const key = Object.keys(discovered)
    .sort(compareBytes)
    .map((k) => `${k}=${JSON.stringify(discovered[k])}`)
    .join(',');
  return { key, labels, discovered, url, interval, timeout, hash: fnv1a(key + '\x00' + url) };
}
