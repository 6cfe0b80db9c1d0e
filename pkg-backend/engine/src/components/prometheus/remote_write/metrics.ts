/**
 * Metrics of `prometheus.remote_write` with the names Alloy 1.18 exposes (Prometheus v0.31x
 * `storage/remote/queue_manager.go` and `write.go`, Alloy `internal/static/metrics/wal/wal.go`).
 * Queue metrics carry `remote_name` and `url` (Prometheus' const labels); dropped counters add `reason`.
 *
 * Foundry additions (documented, not in Alloy): `prometheus_remote_write_wal_size_bytes` (gauge) and
 * the `reason` values `wal_size_limit` / `wal_max_keepalive` on `…_samples_dropped_total` for samples lost
 * when the WAL bound forces undelivered segments out.
 */
import { Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client';

const Q = ['remote_name', 'url'];
const QR = ['remote_name', 'url', 'reason'];
/** prometheus.DefBuckets + 25, 60, 120, 300. */
const SEND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300];

export class RemoteWriteMetrics {
  readonly samplesTotal: Counter;
  readonly exemplarsTotal: Counter;
  readonly histogramsTotal: Counter;
  readonly metadataTotal: Counter;
  readonly samplesFailed: Counter;
  readonly exemplarsFailed: Counter;
  readonly histogramsFailed: Counter;
  readonly metadataFailed: Counter;
  readonly samplesRetried: Counter;
  readonly exemplarsRetried: Counter;
  readonly histogramsRetried: Counter;
  readonly metadataRetried: Counter;
  readonly samplesDropped: Counter;
  readonly exemplarsDropped: Counter;
  readonly enqueueRetries: Counter;
  readonly sentBatchDuration: Histogram;
  readonly queueHighestTimestamp: Gauge;
  readonly queueHighestSentTimestamp: Gauge;
  readonly samplesPending: Gauge;
  readonly exemplarsPending: Gauge;
  readonly histogramsPending: Gauge;
  readonly shardCapacity: Gauge;
  readonly shards: Gauge;
  readonly shardsMax: Gauge;
  readonly shardsMin: Gauge;
  readonly shardsDesired: Gauge;
  readonly bytesTotal: Counter;
  readonly metadataBytesTotal: Counter;
  readonly maxSamplesPerSend: Gauge;
  // Storage level (no labels).
  readonly samplesIn: Counter;
  readonly exemplarsIn: Counter;
  readonly histogramsIn: Counter;
  readonly highestTimestampIn: Gauge;
  // WAL.
  readonly walActiveSeries: Gauge;
  readonly walDeletedSeries: Gauge;
  readonly walOutOfOrder: Counter;
  readonly walCreatedSeries: Counter;
  readonly walRemovedSeries: Counter;
  readonly walSamplesAppended: Counter;
  readonly walExemplarsAppended: Counter;
  readonly walMetadataUpdates: Counter;
  readonly walReplayDuration: Gauge;
  readonly walTruncateDuration: Summary;
  readonly walCorruptions: Counter;
  readonly walSize: Gauge;

  constructor(reg: Registry) {
    const c = (name: string, help: string, labelNames = Q) =>
      new Counter({ name, help, labelNames, registers: [reg] });
    const g = (name: string, help: string, labelNames = Q) =>
      new Gauge({ name, help, labelNames, registers: [reg] });
    const p = 'prometheus_remote_storage_';
    this.samplesTotal = c(`${p}samples_total`, 'Total number of samples sent to remote storage.');
    this.exemplarsTotal = c(`${p}exemplars_total`, 'Total number of exemplars sent to remote storage.');
    this.histogramsTotal = c(`${p}histograms_total`, 'Total number of histograms sent to remote storage.');
    this.metadataTotal = c(`${p}metadata_total`, 'Total number of metadata entries sent to remote storage.');
    const failed = 'which failed on send to remote storage, non-recoverable errors.';
    this.samplesFailed = c(`${p}samples_failed_total`, `Total number of samples ${failed}`);
    this.exemplarsFailed = c(`${p}exemplars_failed_total`, `Total number of exemplars ${failed}`);
    this.histogramsFailed = c(`${p}histograms_failed_total`, `Total number of histograms ${failed}`);
    this.metadataFailed = c(`${p}metadata_failed_total`, `Total number of metadata entries ${failed}`);
    const retried =
      'which failed on send to remote storage but were retried because the send error was recoverable.';
    this.samplesRetried = c(`${p}samples_retried_total`, `Total number of samples ${retried}`);
    this.exemplarsRetried = c(`${p}exemplars_retried_total`, `Total number of exemplars ${retried}`);
    this.histogramsRetried = c(`${p}histograms_retried_total`, `Total number of histograms ${retried}`);
    this.metadataRetried = c(`${p}metadata_retried_total`, `Total number of metadata entries ${retried}`);
    const dropped =
      'which were dropped after being read from the WAL before being sent via remote write, either via relabelling, due to being too old or unintentionally because of an unknown reference ID.';
    this.samplesDropped = c(`${p}samples_dropped_total`, `Total number of samples ${dropped}`, QR);
    this.exemplarsDropped = c(`${p}exemplars_dropped_total`, `Total number of exemplars ${dropped}`, QR);
    this.enqueueRetries = c(
      `${p}enqueue_retries_total`,
      'Total number of times enqueue has failed because a shards queue was full.',
    );
    this.sentBatchDuration = new Histogram({
      name: `${p}sent_batch_duration_seconds`,
      help: 'Duration of send calls to the remote storage.',
      labelNames: Q,
      buckets: SEND_BUCKETS,
      registers: [reg],
    });
    this.queueHighestTimestamp = g(
      `${p}queue_highest_timestamp_seconds`,
      'Highest timestamp that was enqueued, in seconds since epoch. Initialized to 0 when no data has been received yet.',
    );
    this.queueHighestSentTimestamp = g(
      `${p}queue_highest_sent_timestamp_seconds`,
      'Highest timestamp successfully sent by this queue, in seconds since epoch. Initialized to 0 when no data has been sent yet.',
    );
    const pending = 'pending in the queues shards to be sent to the remote storage.';
    this.samplesPending = g(`${p}samples_pending`, `The number of samples ${pending}`);
    this.exemplarsPending = g(`${p}exemplars_pending`, `The number of exemplars ${pending}`);
    this.histogramsPending = g(`${p}histograms_pending`, `The number of histograms ${pending}`);
    this.shardCapacity = g(
      `${p}shard_capacity`,
      'The capacity of each shard of the queue used for parallel sending to the remote storage.',
    );
    this.shards = g(`${p}shards`, 'The number of shards used for parallel sending to the remote storage.');
    this.shardsMax = g(`${p}shards_max`, 'The maximum number of shards that the queue is allowed to run.');
    this.shardsMin = g(`${p}shards_min`, 'The minimum number of shards that the queue is allowed to run.');
    this.shardsDesired = g(
      `${p}shards_desired`,
      'The number of shards that the queues shard calculation wants to run based on the rate of samples in vs. samples out.',
    );
    this.bytesTotal = c(
      `${p}bytes_total`,
      'The total number of bytes of data (not metadata) sent by the queue after compression. Note that when exemplars over remote write is enabled the exemplars included in a remote write request count towards this metric.',
    );
    this.metadataBytesTotal = c(
      `${p}metadata_bytes_total`,
      'The total number of bytes of metadata sent by the queue after compression.',
    );
    this.maxSamplesPerSend = g(
      `${p}max_samples_per_send`,
      'The maximum number of samples to be sent, in a single request, to the remote storage. Note that, when sending of exemplars over remote write is enabled, exemplars count towards this limit.',
    );
    this.samplesIn = c(
      `${p}samples_in_total`,
      'Samples in to remote storage, compare to samples out for queue managers.',
      [],
    );
    this.exemplarsIn = c(
      `${p}exemplars_in_total`,
      'Exemplars in to remote storage, compare to exemplars out for queue managers.',
      [],
    );
    this.histogramsIn = c(
      `${p}histograms_in_total`,
      'HistogramSamples in to remote storage, compare to histograms out for queue managers.',
      [],
    );
    this.highestTimestampIn = g(
      `${p}highest_timestamp_in_seconds`,
      'Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch. Initialized to 0 when no data has been received yet.',
      [],
    );
    const w = 'prometheus_remote_write_';
    this.walActiveSeries = g(
      `${w}wal_storage_active_series`,
      'Current number of active series being tracked by the WAL storage',
      [],
    );
    this.walDeletedSeries = g(
      `${w}wal_storage_deleted_series`,
      'Current number of series marked for deletion from memory',
      [],
    );
    this.walOutOfOrder = c(
      `${w}wal_out_of_order_samples_total`,
      'Total number of out of order samples ingestion failed attempts.',
      [],
    );
    this.walCreatedSeries = c(
      `${w}wal_storage_created_series_total`,
      'Total number of created series appended to the WAL',
      [],
    );
    this.walRemovedSeries = c(
      `${w}wal_storage_removed_series_total`,
      'Total number of created series removed from the WAL',
      [],
    );
    this.walSamplesAppended = c(
      `${w}wal_samples_appended_total`,
      'Total number of samples appended to the WAL',
      [],
    );
    this.walExemplarsAppended = c(
      `${w}wal_exemplars_appended_total`,
      'Total number of exemplars appended to the WAL',
      [],
    );
    this.walMetadataUpdates = c(
      `${w}wal_metadata_updates_total`,
      'Total number of metadata updates sent through the WAL',
      [],
    );
    this.walReplayDuration = g(
      `${w}data_replay_duration_seconds`,
      'Time taken to replay the data on disk.',
      [],
    );
    this.walTruncateDuration = new Summary({
      name: `${w}wal_truncate_duration_seconds`,
      help: 'Duration of WAL truncation.',
      registers: [reg],
    });
    this.walCorruptions = c(`${w}wal_corruptions_total`, 'Total number of WAL corruptions.', []);
    this.walSize = g(`${w}wal_size_bytes`, 'Bytes on disk of the WAL segments (Foundry).', []);
  }
}
