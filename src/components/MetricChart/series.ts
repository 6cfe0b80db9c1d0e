import type { MetricSeries } from '../../api/types';

/** A line to draw: a name and `[unix ms, value]` points. */
export interface Line {
  name: string;
  points: Array<[number, number]>;
}

/** Sums the series of one metric name over their labels (components), per timestamp. */
export function sumByName(series: MetricSeries[], name: string): Array<[number, number]> {
  const sums = new Map<number, number>();
  for (const s of series) {
    if (s.name !== name) {
      continue;
    }
    for (const [t, v] of s.points) {
      sums.set(t, (sums.get(t) ?? 0) + v);
    }
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Per-second rate of a counter: (v2 − v1) / (t2 − t1) between neighbours; a decrease (counter reset) gives
 * no point.
 */
export function rate(points: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 1; i < points.length; i++) {
    const [t1, v1] = points[i - 1];
    const [t2, v2] = points[i];
    if (t2 > t1 && v2 >= v1) {
      out.push([t2, ((v2 - v1) * 1000) / (t2 - t1)]);
    }
  }
  return out;
}

/** A chart's definition: metrics to draw (counters as rates), the unit of the values. */
export interface ChartSpec {
  title: string;
  unit: 'short' | 'percentunit' | 'bytes' | 'cores' | 'persec';
  metrics: Array<{ name: string; label: string; counter: boolean }>;
}

/** The agent page's charts, from the self-metrics agents report (Alloy's metric names). */
export const AGENT_CHARTS: ChartSpec[] = [
  {
    title: 'Throughput',
    unit: 'persec',
    metrics: [
      { name: 'prometheus_remote_storage_samples_total', label: 'samples sent', counter: true },
      { name: 'prometheus_forwarded_samples_total', label: 'samples forwarded', counter: true },
      { name: 'loki_write_sent_entries_total', label: 'log entries sent', counter: true },
      { name: 'loki_source_file_read_lines_total', label: 'log lines read', counter: true },
      { name: 'otelcol_exporter_sent_spans_total', label: 'spans sent', counter: true },
      { name: 'otelcol_receiver_accepted_spans_total', label: 'spans received', counter: true },
    ],
  },
  {
    title: 'Failures',
    unit: 'persec',
    metrics: [
      { name: 'prometheus_remote_storage_samples_failed_total', label: 'samples failed', counter: true },
      { name: 'loki_write_dropped_entries_total', label: 'log entries dropped', counter: true },
      { name: 'loki_process_dropped_lines_total', label: 'log lines dropped', counter: true },
      { name: 'otelcol_exporter_send_failed_spans_total', label: 'spans failed', counter: true },
    ],
  },
  {
    title: 'Queue',
    unit: 'short',
    metrics: [
      { name: 'prometheus_remote_storage_samples_pending', label: 'samples pending', counter: false },
      { name: 'otelcol_exporter_queue_size', label: 'span queue', counter: false },
    ],
  },
  {
    title: 'CPU',
    unit: 'cores',
    metrics: [{ name: 'process_cpu_seconds_total', label: 'CPU', counter: true }],
  },
  {
    title: 'Memory',
    unit: 'bytes',
    metrics: [{ name: 'process_resident_memory_bytes', label: 'resident memory', counter: false }],
  },
];

/** The lines of a chart from an agent's series: metrics the agent has, counters turned into rates. */
export function chartLines(spec: ChartSpec, series: MetricSeries[]): Line[] {
  const lines: Line[] = [];
  for (const m of spec.metrics) {
    const summed = sumByName(series, m.name);
    if (summed.length === 0) {
      continue;
    }
    lines.push({ name: m.label, points: m.counter ? rate(summed) : summed });
  }
  return lines;
}

/** A value with its unit, short: 1.5K/s, 12.3 MiB, 0.02 cores. */
export function formatValue(v: number, unit: ChartSpec['unit']): string {
  const short = (x: number) => {
    const abs = Math.abs(x);
    if (abs >= 1e9) {
      return `${(x / 1e9).toFixed(1)}G`;
    }
    if (abs >= 1e6) {
      return `${(x / 1e6).toFixed(1)}M`;
    }
    if (abs >= 1e3) {
      return `${(x / 1e3).toFixed(1)}K`;
    }
    if (abs >= 10 || x === 0) {
      return x.toFixed(0);
    }
    return abs >= 1 ? x.toFixed(1) : x.toPrecision(2);
  };
  switch (unit) {
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let x = v;
      let i = 0;
      while (Math.abs(x) >= 1024 && i < units.length - 1) {
        x /= 1024;
        i++;
      }
      return `${x.toFixed(x >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
    }
    case 'percentunit':
      return `${(v * 100).toFixed(1)}%`;
    case 'cores':
      return `${short(v)} cores`;
    case 'persec':
      return `${short(v)}/s`;
    default:
      return short(v);
  }
}
