/**
 * `otelcol.exporter.debug` (the collector's debugexporter): logs a summary line per request —
 * `Traces {resource spans, spans}`, `Metrics {resource metrics, metrics, data points}`,
 * `Logs {resource logs, log records}` — and, with `verbosity = "normal"` or `"detailed"`, the data in the
 * collector's text formats (format.ts). `use_internal_logger = true` writes through the agent's logger at
 * info level (subject to its level), sampled as zap: per message and second the first `sampling_initial`
 * entries, then every `sampling_thereafter`-th; otherwise the text goes to `output_paths` (`stdout`,
 * `stderr` or files, appended). Counts `otelcol_exporter_sent_*` as the exporterhelper does.
 */
import { appendFileSync } from 'node:fs';
import type { ComponentOptions } from '../../../../runtime/component.js';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
} from '../../../../protocols/otlp/index.js';
import { countDataPoints, countLogRecords, countSpans, type OtelSignal } from '../../consumer.js';
import { ExporterComponent, type Built, type ClosableDriver } from '../helper/component.js';
import {
  detailedLogs,
  detailedMetrics,
  detailedTraces,
  normalLogs,
  normalMetrics,
  normalTraces,
} from './format.js';

export interface DebugArgs {
  verbosity: string;
  sampling_initial: number;
  sampling_thereafter: number;
  use_internal_logger: boolean;
  output_paths?: string[];
}

interface DebugPayload {
  size: number;
  lines: [string, Record<string, unknown>][];
}

class DebugDriver implements ClosableDriver<DebugPayload> {
  private window = 0;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly a: DebugArgs,
    private readonly opts: ComponentOptions,
  ) {
    if (!['basic', 'normal', 'detailed'].includes(a.verbosity))
      throw new Error(`unrecognized verbosity: ${a.verbosity}`);
  }

  prepare(signal: OtelSignal, req: object): DebugPayload {
    const v = this.a.verbosity;
    const lines: [string, Record<string, unknown>][] = [];
    if (signal === 'traces') {
      const r = req as ExportTraceServiceRequest;
      const spans = countSpans(r);
      lines.push(['Traces', { 'resource spans': r.resourceSpans.length, spans }]);
      if (v !== 'basic') lines.push([v === 'detailed' ? detailedTraces(r) : normalTraces(r), {}]);
    } else if (signal === 'metrics') {
      const r = req as ExportMetricsServiceRequest;
      const points = countDataPoints(r);
      let metrics = 0;
      for (const rm of r.resourceMetrics) for (const sm of rm.scopeMetrics) metrics += sm.metrics.length;
      lines.push([
        'Metrics',
        { 'resource metrics': r.resourceMetrics.length, metrics, 'data points': points },
      ]);
      if (v !== 'basic') lines.push([v === 'detailed' ? detailedMetrics(r) : normalMetrics(r), {}]);
    } else {
      const r = req as ExportLogsServiceRequest;
      const records = countLogRecords(r);
      lines.push(['Logs', { 'resource logs': r.resourceLogs.length, 'log records': records }]);
      if (v !== 'basic') lines.push([v === 'detailed' ? detailedLogs(r) : normalLogs(r), {}]);
    }
    return { size: 0, lines };
  }

  /** zap's sampler: true when this entry is written. */
  private sampled(msg: string): boolean {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.window) {
      this.window = now;
      this.seen.clear();
    }
    const key = msg.length > 64 ? msg.slice(0, 64) : msg;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    const first = this.a.sampling_initial;
    const after = this.a.sampling_thereafter;
    if (n <= first) return true;
    return after > 0 && (n - first) % after === 0;
  }

  send(_signal: OtelSignal, p: DebugPayload): Promise<void> {
    for (const [msg, fields] of p.lines) {
      if (!this.sampled(msg)) continue;
      if (this.a.use_internal_logger) {
        this.opts.logger.info(msg, fields);
        continue;
      }
      const extra = Object.entries(fields)
        .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
        .join(', ');
      const line = `${new Date().toISOString()}\tinfo\t${msg}${extra ? `\t{${extra}}` : ''}\n`;
      for (const out of this.a.output_paths?.length ? this.a.output_paths : ['stdout']) {
        if (out === 'stdout') process.stdout.write(line);
        else if (out === 'stderr') process.stderr.write(line);
        else appendFileSync(out, line);
      }
    }
    return Promise.resolve();
  }
}

export function buildDebugExporter(opts: ComponentOptions, args: DebugArgs) {
  return new ExporterComponent<DebugArgs, DebugPayload>(opts, 'debug', args, (a): Built<DebugPayload> => ({
    driver: new DebugDriver(a, opts),
    helper: {
      sending_queue: { enabled: false, num_consumers: 1, queue_size: 1, sizer: 'requests' },
      retry_on_failure: {
        enabled: false,
        initial_interval: 0,
        randomization_factor: 0,
        multiplier: 2,
        max_interval: 0,
        max_elapsed_time: 0,
      },
    },
  }));
}
