/**
 * Stored self-metric snapshots (`{ "<name>{<labels>}": value }` per sample) turned into series of
 * `[unix ms, value]` points.
 */

export interface MetricSeries {
  name: string;
  labels: Record<string, string>;
  points: [number, number][];
}

/**
 * Splits a series key in Prometheus text notation (`name{a="x",b="y"}`) into name and labels.
 * Escapes `\\`, `\"` and `\n` in label values are decoded. Malformed label parts keep the whole key
 * as the name.
 */
export function parseSeriesKey(key: string): { name: string; labels: Record<string, string> } {
  const brace = key.indexOf('{');
  if (brace < 0 || !key.endsWith('}')) return { name: key, labels: {} };
  const name = key.slice(0, brace);
  const body = key.slice(brace + 1, -1);
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    while (body[i] === ',' || body[i] === ' ') i++;
    if (i >= body.length) break;
    const eq = body.indexOf('=', i);
    if (eq < 0 || body[eq + 1] !== '"') return { name: key, labels: {} };
    const label = body.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < body.length && body[j] !== '"'; j++) {
      if (body[j] === '\\' && j + 1 < body.length) {
        j++;
        value += body[j] === 'n' ? '\n' : body[j];
      } else value += body[j];
    }
    if (j >= body.length) return { name: key, labels: {} };
    labels[label] = value;
    i = j + 1;
  }
  return { name, labels };
}

/**
 * Builds series from samples (in time order); values that are not finite numbers (JSON has no NaN or
 * Inf) are skipped. Series are sorted by key.
 */
export function toSeries(samples: readonly { at: Date; values: unknown }[]): MetricSeries[] {
  const byKey = new Map<string, MetricSeries>();
  for (const s of samples) {
    const t = s.at.getTime();
    if (!s.values || typeof s.values !== 'object') continue;
    for (const [key, raw] of Object.entries(s.values as Record<string, unknown>)) {
      const v = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
      if (!Number.isFinite(v)) continue;
      let series = byKey.get(key);
      if (!series) {
        series = { ...parseSeriesKey(key), points: [] };
        byKey.set(key, series);
      }
      series.points.push([t, v]);
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
