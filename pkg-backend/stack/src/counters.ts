/** Data-flow counters summed over the agents' /metrics, for the start banner. */
export interface Counters {
  /** Samples remote-written (or converted for the debug exporter). */
  samples: number;
  /** Spans accepted by OTLP receivers. */
  spans: number;
  /** Log records accepted by OTLP receivers. */
  logs: number;
  /** Metric points accepted by OTLP receivers. */
  points: number;
}

const NAMES: Record<keyof Counters, string[]> = {
  samples: ['prometheus_remote_storage_samples_total', 'prometheus_remote_storage_sent_samples_total'],
  spans: ['otelcol_receiver_accepted_spans_total'],
  logs: ['otelcol_receiver_accepted_log_records_total'],
  points: ['otelcol_receiver_accepted_metric_points_total'],
};

/** Sums the counters over every agent's `/metrics` (agents that do not answer count as 0). */
export async function readCounters(ports: number[]): Promise<Counters> {
  const out: Counters = { samples: 0, spans: 0, logs: 0, points: 0 };
  const texts = await Promise.all(
    ports.map((p) =>
      fetch(`http://127.0.0.1:${p}/metrics`)
        .then((r) => r.text())
        .catch(() => ''),
    ),
  );
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (!name) continue;
      for (const key of Object.keys(NAMES) as (keyof Counters)[]) {
        if (NAMES[key].includes(name)) out[key] += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
      }
    }
  }
  return out;
}
