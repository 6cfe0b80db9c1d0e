/**
 * The OTLP data model: plain objects mirroring the OpenTelemetry proto messages (opentelemetry-proto
 * v1.x, field numbers as listed in docs/reference/protocols.md §2.2), with proto3-JSON-style lowerCamelCase
 * field names.
 *
 * Conventions:
 * - every `*UnixNano` timestamp is a `bigint` of nanoseconds since the Unix epoch (fixed64 on the wire; a
 *   JS number would lose precision above 2^53 ns ≈ 104 days);
 * - 64-bit integer values (`intValue`, `asInt`) are `bigint`; 64-bit counts (`count`, `bucketCounts`,
 *   `zeroCount`, rejected counts) are `number`, exact up to 2^53;
 * - trace and span ids are `Uint8Array` (16 / 8 bytes), empty when unset;
 * - enums are plain integers (see the `*` constant objects below);
 * - decoders fill scalar fields with their proto3 defaults (0, '', empty arrays) and leave optional
 *   sub-messages (`resource`, `scope`, `status`, `body`, ...) `undefined` when absent on the wire.
 */

/** `opentelemetry.proto.common.v1.AnyValue`: a tagged union with exactly one key, or `{}` when unset. */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: bigint }
  | { doubleValue: number }
  | { arrayValue: ArrayValue }
  | { kvlistValue: KeyValueList }
  | { bytesValue: Uint8Array }
  | EmptyValue;

/** An AnyValue with no member set (valid on the wire: an empty message; `{}` in JSON). */
export interface EmptyValue {
  stringValue?: never;
  boolValue?: never;
  intValue?: never;
  doubleValue?: never;
  arrayValue?: never;
  kvlistValue?: never;
  bytesValue?: never;
}

/** An AnyValue with every member optional, for reading members without `in` narrowing. */
export interface LooseAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: bigint;
  doubleValue?: number;
  arrayValue?: ArrayValue;
  kvlistValue?: KeyValueList;
  bytesValue?: Uint8Array;
}

/** `ArrayValue`: 1 rep values AnyValue. */
export interface ArrayValue {
  values: AnyValue[];
}

/** `KeyValueList`: 1 rep values KeyValue. */
export interface KeyValueList {
  values: KeyValue[];
}

/** `KeyValue`: 1 key; 2 value. `value` is `{}` when absent on the wire. */
export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** `InstrumentationScope`: 1 name; 2 version; 3 rep attributes; 4 dropped_attributes_count. */
export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

/** `EntityRef`: 1 schema_url; 2 type; 3 rep id_keys; 4 rep description_keys. */
export interface EntityRef {
  schemaUrl: string;
  type: string;
  idKeys: string[];
  descriptionKeys: string[];
}

/** `Resource`: 1 rep attributes; 2 dropped_attributes_count; 3 rep entity_refs. */
export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount: number;
  entityRefs: EntityRef[];
}

// ---------------------------------------------------------------------------------------------- traces

/** `Span.SpanKind`. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** `Status.StatusCode`. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** `SpanFlags` bit masks (for `Span.flags` / `Link.flags`). */
export const SpanFlags = {
  TRACE_FLAGS_MASK: 0xff,
  CONTEXT_HAS_IS_REMOTE_MASK: 0x100,
  CONTEXT_IS_REMOTE_MASK: 0x200,
} as const;

/** `Status`: 2 message; 3 code (StatusCode). */
export interface Status {
  message: string;
  code: number;
}

/** `Span.Event`: 1 time_unix_nano fixed64; 2 name; 3 rep attributes; 4 dropped_attributes_count. */
export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

/** `Span.Link`: 1 trace_id; 2 span_id; 3 trace_state; 4 rep attributes; 5 dropped_attributes_count; 6 flags fixed32. */
export interface SpanLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

/**
 * `Span`: 1 trace_id bytes(16); 2 span_id bytes(8); 3 trace_state; 4 parent_span_id bytes (empty for a
 * root span); 16 flags fixed32; 5 name; 6 kind; 7/8 start/end_time_unix_nano fixed64 (ns); 9 rep attributes;
 * 10 dropped_attributes_count; 11 rep events; 12 dropped_events_count; 13 rep links; 14 dropped_links_count;
 * 15 status.
 */
export interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  parentSpanId: Uint8Array;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status?: Status;
}

/** `ScopeSpans`: 1 scope; 2 rep spans; 3 schema_url. */
export interface ScopeSpans {
  scope?: InstrumentationScope;
  spans: Span[];
  schemaUrl: string;
}

/** `ResourceSpans`: 1 resource; 2 rep scope_spans; 3 schema_url. */
export interface ResourceSpans {
  resource?: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl: string;
}

/** `ExportTraceServiceRequest` (= `TracesData`): 1 rep resource_spans. */
export interface ExportTraceServiceRequest {
  resourceSpans: ResourceSpans[];
}

/** `ExportTraceServiceResponse`: 1 partial_success {1 rejected_spans int64; 2 error_message}. */
export interface ExportTraceServiceResponse {
  partialSuccess?: { rejectedSpans: number; errorMessage: string };
}

// --------------------------------------------------------------------------------------------- metrics

/** `AggregationTemporality`. */
export const AggregationTemporality = { UNSPECIFIED: 0, DELTA: 1, CUMULATIVE: 2 } as const;

/** `DataPointFlags` bit masks. */
export const DataPointFlags = { NO_RECORDED_VALUE_MASK: 1 } as const;

/**
 * `Exemplar`: 7 rep filtered_attributes; 2 time_unix_nano fixed64; oneof {3 as_double double; 6 as_int
 * sfixed64}; 4 span_id; 5 trace_id. At most one of `asDouble` / `asInt` is set.
 */
export interface Exemplar {
  filteredAttributes: KeyValue[];
  timeUnixNano: bigint;
  asDouble?: number;
  asInt?: bigint;
  spanId: Uint8Array;
  traceId: Uint8Array;
}

/**
 * `NumberDataPoint`: 7 rep attributes; 2 start_time_unix_nano; 3 time_unix_nano (fixed64 ns); oneof
 * {4 as_double double; 6 as_int sfixed64}; 5 rep exemplars; 8 flags. At most one of `asDouble` / `asInt`.
 */
export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  asDouble?: number;
  asInt?: bigint;
  exemplars: Exemplar[];
  flags: number;
}

/**
 * `HistogramDataPoint`: 9 rep attributes; 2/3 start/time (ns); 4 count fixed64; 5 optional sum; 6 rep
 * bucket_counts fixed64; 7 rep explicit_bounds double; 8 rep exemplars; 10 flags; 11 optional min;
 * 12 optional max.
 */
export interface HistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum?: number;
  bucketCounts: number[];
  explicitBounds: number[];
  exemplars: Exemplar[];
  flags: number;
  min?: number;
  max?: number;
}

/** `ExponentialHistogramDataPoint.Buckets`: 1 offset sint32; 2 rep bucket_counts uint64. */
export interface ExponentialHistogramBuckets {
  offset: number;
  bucketCounts: number[];
}

/**
 * `ExponentialHistogramDataPoint`: 1 rep attributes; 2/3 start/time (ns); 4 count fixed64; 5 optional sum;
 * 6 scale sint32; 7 zero_count fixed64; 8 positive; 9 negative; 10 flags; 11 rep exemplars; 12 optional
 * min; 13 optional max; 14 zero_threshold double.
 */
export interface ExponentialHistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum?: number;
  scale: number;
  zeroCount: number;
  positive?: ExponentialHistogramBuckets;
  negative?: ExponentialHistogramBuckets;
  flags: number;
  exemplars: Exemplar[];
  min?: number;
  max?: number;
  zeroThreshold: number;
}

/** `SummaryDataPoint.ValueAtQuantile`: 1 quantile double; 2 value double. */
export interface ValueAtQuantile {
  quantile: number;
  value: number;
}

/**
 * `SummaryDataPoint`: 7 rep attributes; 2/3 start/time (ns); 4 count fixed64; 5 sum double; 6 rep
 * quantile_values; 8 flags.
 */
export interface SummaryDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum: number;
  quantileValues: ValueAtQuantile[];
  flags: number;
}

/** `Gauge`: 1 rep data_points. */
export interface Gauge {
  dataPoints: NumberDataPoint[];
}

/** `Sum`: 1 rep data_points; 2 aggregation_temporality; 3 is_monotonic. */
export interface Sum {
  dataPoints: NumberDataPoint[];
  aggregationTemporality: number;
  isMonotonic: boolean;
}

/** `Histogram`: 1 rep data_points; 2 aggregation_temporality. */
export interface Histogram {
  dataPoints: HistogramDataPoint[];
  aggregationTemporality: number;
}

/** `ExponentialHistogram`: 1 rep data_points; 2 aggregation_temporality. */
export interface ExponentialHistogram {
  dataPoints: ExponentialHistogramDataPoint[];
  aggregationTemporality: number;
}

/** `Summary`: 1 rep data_points. */
export interface Summary {
  dataPoints: SummaryDataPoint[];
}

/**
 * `Metric`: 1 name; 2 description; 3 unit; oneof data {5 gauge; 7 sum; 9 histogram; 10
 * exponential_histogram; 11 summary}; 12 rep metadata. At most one data member is set.
 */
export interface Metric {
  name: string;
  description: string;
  unit: string;
  gauge?: Gauge;
  sum?: Sum;
  histogram?: Histogram;
  exponentialHistogram?: ExponentialHistogram;
  summary?: Summary;
  metadata: KeyValue[];
}

/** `ScopeMetrics`: 1 scope; 2 rep metrics; 3 schema_url. */
export interface ScopeMetrics {
  scope?: InstrumentationScope;
  metrics: Metric[];
  schemaUrl: string;
}

/** `ResourceMetrics`: 1 resource; 2 rep scope_metrics; 3 schema_url. */
export interface ResourceMetrics {
  resource?: Resource;
  scopeMetrics: ScopeMetrics[];
  schemaUrl: string;
}

/** `ExportMetricsServiceRequest` (= `MetricsData`): 1 rep resource_metrics. */
export interface ExportMetricsServiceRequest {
  resourceMetrics: ResourceMetrics[];
}

/** `ExportMetricsServiceResponse`: 1 partial_success {1 rejected_data_points int64; 2 error_message}. */
export interface ExportMetricsServiceResponse {
  partialSuccess?: { rejectedDataPoints: number; errorMessage: string };
}

// ------------------------------------------------------------------------------------------------ logs

/** `SeverityNumber` range starts (each level spans 4 numbers, e.g. INFO 9–12). */
export const SeverityNumber = {
  UNSPECIFIED: 0,
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  ERROR: 17,
  FATAL: 21,
} as const;

/**
 * `LogRecord`: 1 time_unix_nano fixed64; 11 observed_time_unix_nano fixed64 (ns); 2 severity_number;
 * 3 severity_text; 5 body AnyValue; 6 rep attributes; 7 dropped_attributes_count; 8 flags fixed32 (low
 * byte = W3C trace flags); 9 trace_id; 10 span_id; 12 event_name.
 */
export interface LogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body?: AnyValue;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
  traceId: Uint8Array;
  spanId: Uint8Array;
  eventName: string;
}

/** `ScopeLogs`: 1 scope; 2 rep log_records; 3 schema_url. */
export interface ScopeLogs {
  scope?: InstrumentationScope;
  logRecords: LogRecord[];
  schemaUrl: string;
}

/** `ResourceLogs`: 1 resource; 2 rep scope_logs; 3 schema_url. */
export interface ResourceLogs {
  resource?: Resource;
  scopeLogs: ScopeLogs[];
  schemaUrl: string;
}

/** `ExportLogsServiceRequest` (= `LogsData`): 1 rep resource_logs. */
export interface ExportLogsServiceRequest {
  resourceLogs: ResourceLogs[];
}

/** `ExportLogsServiceResponse`: 1 partial_success {1 rejected_log_records int64; 2 error_message}. */
export interface ExportLogsServiceResponse {
  partialSuccess?: { rejectedLogRecords: number; errorMessage: string };
}

/** Thrown by the OTLP decoders (protobuf and JSON) on malformed input. */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}
