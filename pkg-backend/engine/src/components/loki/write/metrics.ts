/**
 * Metrics of `loki.write` with the names Alloy 1.18 exposes (`internal/component/common/loki/client/metrics.go`,
 * `…/loki/wal/writer.go`): per endpoint `host` (the URL's host:port) and `tenant`; drops add `reason`
 * (`ingester_error`, `rate_limited`, `stream_limited`, `line_too_long`, `queue_is_full`).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export const REASON_GENERIC = 'ingester_error';
export const REASON_RATE_LIMITED = 'rate_limited';
export const REASON_STREAM_LIMITED = 'stream_limited';
export const REASON_LINE_TOO_LONG = 'line_too_long';
export const REASON_QUEUE_IS_FULL = 'queue_is_full';
/** Reasons initialised to 0 for every host/tenant (Alloy's `reasons`). */
export const REASONS = [REASON_GENERIC, REASON_RATE_LIMITED, REASON_STREAM_LIMITED, REASON_LINE_TOO_LONG];

const HT = ['host', 'tenant'];
const HTR = ['host', 'tenant', 'reason'];
const KiB = 1024;
const MiB = 1024 * KiB;

export class LokiWriteMetrics {
  readonly encodedBytes: Counter;
  readonly sentBytes: Counter;
  readonly droppedBytes: Counter;
  readonly sentEntries: Counter;
  readonly droppedEntries: Counter;
  readonly requestSize: Histogram;
  readonly requestDuration: Histogram;
  readonly batchRetries: Counter;
  readonly propagationLatency: Histogram;
  // WAL
  readonly lastReadTimestamp: Gauge;
  readonly reclaimedSpace: Counter;
  readonly lastReclaimedSegment: Gauge;
  readonly lastWrittenTimestamp: Gauge;

  constructor(reg: Registry) {
    const c = (name: string, help: string, labelNames: string[]) =>
      new Counter({ name, help, labelNames, registers: [reg] });
    this.encodedBytes = c('loki_write_encoded_bytes_total', 'Number of bytes encoded and ready to send.', HT);
    this.sentBytes = c('loki_write_sent_bytes_total', 'Number of bytes sent.', HT);
    this.droppedBytes = c(
      'loki_write_dropped_bytes_total',
      'Number of bytes dropped because failed to be sent to the ingester after all retries.',
      HTR,
    );
    this.sentEntries = c('loki_write_sent_entries_total', 'Number of log entries sent to the ingester.', HT);
    this.droppedEntries = c(
      'loki_write_dropped_entries_total',
      'Number of log entries dropped because failed to be sent to the ingester after all retries.',
      HTR,
    );
    this.requestSize = new Histogram({
      name: 'loki_write_request_size_bytes',
      help: 'Number of bytes for requests.',
      labelNames: HT,
      buckets: [
        KiB,
        4 * KiB,
        16 * KiB,
        64 * KiB,
        256 * KiB,
        512 * KiB,
        MiB,
        2 * MiB,
        4 * MiB,
        8 * MiB,
        16 * MiB,
        20 * MiB,
      ],
      registers: [reg],
    });
    this.requestDuration = new Histogram({
      name: 'loki_write_request_duration_seconds',
      help: 'Duration of send requests.',
      labelNames: ['status_code', 'host', 'tenant'],
      registers: [reg],
    });
    this.batchRetries = c(
      'loki_write_batch_retries_total',
      'Number of times batches has had to be retried.',
      HT,
    );
    this.propagationLatency = new Histogram({
      name: 'loki_write_entry_propagation_latency_seconds',
      help: 'Time in seconds from entry creation until it is either successfully sent or dropped.',
      labelNames: HT,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [reg],
    });
    this.lastReadTimestamp = new Gauge({
      name: 'loki_write_last_read_timestamp',
      help: 'Latest timestamp read from the WAL',
      labelNames: ['id'],
      registers: [reg],
    });
    this.reclaimedSpace = c(
      'loki_write_wal_writer_reclaimed_space',
      'Number of bytes reclaimed from storage.',
      [],
    );
    this.lastReclaimedSegment = new Gauge({
      name: 'loki_write_wal_writer_last_reclaimed_segment',
      help: 'Last reclaimed segment number',
      registers: [reg],
    });
    this.lastWrittenTimestamp = new Gauge({
      name: 'loki_write_wal_writer_last_written_timestamp',
      help: 'Latest timestamp that was written to the WAL',
      registers: [reg],
    });
  }

  /** Exports the counters of a new host/tenant at 0 (Alloy's initBatchMetrics). */
  initTenant(host: string, tenant: string): void {
    for (const reason of REASONS) {
      this.droppedBytes.inc({ host, tenant, reason }, 0);
      this.droppedEntries.inc({ host, tenant, reason }, 0);
    }
    for (const cnt of [this.batchRetries, this.encodedBytes, this.sentBytes, this.sentEntries])
      cnt.inc({ host, tenant }, 0);
  }
}
