/**
 * Snapshots the fleet protocol reports carry: the health of every component (local config and remote
 * pipelines) and a selection of the agent's self-metrics, summed per metric name and component.
 */
import type { Engine } from '@foundry/engine';
import type { ComponentHealth, MetricSample } from '@foundry/proto';

/** Node kinds that are components (config blocks such as `logging` are not reported). */
const COMPONENT_KINDS = new Set(['component', 'custom', 'import']);

/**
 * Health of every component: the local config's (pipeline '') and each module's (pipeline = module
 * name), component IDs local to their module, `updatedUnixMs` = when the state was last set (ms).
 */
export function healthSnapshot(engine: Engine): ComponentHealth[] {
  const out: ComponentHealth[] = [];
  for (const moduleID of ['', ...engine.moduleNames()]) {
    for (const c of engine.components(moduleID)) {
      if (!COMPONENT_KINDS.has(c.node.kind)) continue;
      out.push({
        pipeline: moduleID,
        componentId: c.localID,
        health: c.health.state,
        message: c.health.message,
        updatedUnixMs: c.health.updateTime,
      });
    }
  }
  return out;
}

/**
 * A key that changes when any component's state or message changes, appears or disappears (not when
 * only the update time moves, which happens on every re-evaluation).
 */
export function healthKey(list: readonly ComponentHealth[]): string {
  return JSON.stringify(list.map((c) => [c.pipeline, c.componentId, c.health, c.message]));
}

/** Metric names a MetricsReport carries (Alloy's names), when the agent has them. */
export const REPORTED_METRICS: readonly string[] = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'prometheus_remote_storage_samples_total',
  'prometheus_remote_storage_samples_failed_total',
  'prometheus_remote_storage_samples_pending',
  'prometheus_scrape_targets_gauge',
  'prometheus_forwarded_samples_total',
  'loki_write_sent_entries_total',
  'loki_write_dropped_entries_total',
  'loki_source_file_read_lines_total',
  'loki_process_dropped_lines_total',
  'otelcol_receiver_accepted_spans_total',
  'otelcol_exporter_sent_spans_total',
  'otelcol_exporter_send_failed_spans_total',
  'otelcol_exporter_queue_size',
];

/**
 * Selects `names` from a Prometheus text exposition and sums the series per (metric name, component):
 * each sample's labels are only `{component_id}` — the component's global ID (`<pipeline>/<local ID>` for
 * a remote pipeline's component, the local ID for the local config's), taken from the series'
 * `component_path` and `component_id` labels — or none for series without a component (process
 * metrics). NaN values are skipped. Samples are sorted by name, then component.
 */
export function selectMetrics(text: string, names: Iterable<string> = REPORTED_METRICS): MetricSample[] {
  const wanted = new Set(names);
  const sums = new Map<string, MetricSample>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!m || !wanted.has(m[0])) continue;
    const parsed = parseSeries(line, m[0].length);
    if (!parsed || Number.isNaN(parsed.value)) continue;
    const path = parsed.labels.component_path;
    const local = parsed.labels.component_id;
    const component =
      local === undefined ? undefined : path && path !== '/' ? `${path.replace(/^\//, '')}/${local}` : local;
    const key = `${m[0]}\0${component ?? ''}`;
    const s = sums.get(key);
    if (s) s.value += parsed.value;
    else
      sums.set(key, {
        name: m[0],
        labels: component === undefined ? {} : { component_id: component },
        value: parsed.value,
      });
  }
  return [...sums.values()].sort((a, b) =>
    a.name !== b.name
      ? a.name < b.name
        ? -1
        : 1
      : (a.labels.component_id ?? '') < (b.labels.component_id ?? '')
        ? -1
        : 1,
  );
}

/** Parses `{labels} value [timestamp]` after the metric name; undefined for a malformed line. */
function parseSeries(line: string, i: number): { labels: Record<string, string>; value: number } | undefined {
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!name) return undefined;
      i += name[0].length;
      while (line[i] === ' ') i++;
      if (line[i] !== '=' || line[i + 1] !== '"') return undefined;
      i += 2;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) return undefined;
        if (c === '"') break;
        if (c === '\\') {
          const n = line[i + 1];
          value += n === 'n' ? '\n' : (n ?? '');
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      i++;
      labels[name[0]] = value;
    }
  }
  const token = line.slice(i).trim().split(/\s+/)[0] ?? '';
  const value = token === '+Inf' || token === 'Inf' ? Infinity : token === '-Inf' ? -Infinity : Number(token);
  if (token === '' || (Number.isNaN(value) && token !== 'NaN')) return undefined;
  return { labels, value };
}
