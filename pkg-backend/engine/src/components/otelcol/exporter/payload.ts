/**
 * What the OTLP exporters send: the request's protobuf bytes (taken as they are from a still-encoded
 * request, else encoded once when the request is accepted, so the exporter owns them), plus the
 * partial-success handling of responses shared by the gRPC and HTTP exporters.
 */
import {
  decodeExportLogsServiceResponse,
  decodeExportLogsServiceResponseJson,
  decodeExportMetricsServiceResponse,
  decodeExportMetricsServiceResponseJson,
  decodeExportTraceServiceResponse,
  decodeExportTraceServiceResponseJson,
  encodeExportLogsServiceRequest,
  encodeExportMetricsServiceRequest,
  encodeExportTraceServiceRequest,
  rawOf,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
} from '../../../protocols/otlp/index.js';
import type { Logger } from '../../../runtime/logger.js';
import type { OtelSignal } from '../consumer.js';

export interface BytesPayload {
  bytes: Buffer;
  size: number;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The protobuf encoding of a request (no copy for a still-encoded one). */
export function protoBytes(signal: OtelSignal, req: object): Buffer {
  const raw = rawOf(req);
  if (raw) return asBuffer(raw);
  if (signal === 'traces') return asBuffer(encodeExportTraceServiceRequest(req as ExportTraceServiceRequest));
  if (signal === 'metrics')
    return asBuffer(encodeExportMetricsServiceRequest(req as ExportMetricsServiceRequest));
  return asBuffer(encodeExportLogsServiceRequest(req as ExportLogsServiceRequest));
}

const ITEMS: Record<OtelSignal, string> = {
  traces: 'dropped_spans',
  metrics: 'dropped_data_points',
  logs: 'dropped_log_records',
};

/**
 * Logs a partial success in an export response (protobuf or JSON), as the collector's exporters:
 * a warning, the request still counts as sent (partial success is never retried).
 */
export function checkPartialSuccess(
  signal: OtelSignal,
  body: Uint8Array,
  json: boolean,
  logger: Logger,
): void {
  if (body.length === 0) return;
  let ps: { rejected: number; errorMessage: string } | undefined;
  try {
    if (signal === 'traces') {
      const r = json ? decodeExportTraceServiceResponseJson(body) : decodeExportTraceServiceResponse(body);
      ps = r.partialSuccess && {
        rejected: r.partialSuccess.rejectedSpans,
        errorMessage: r.partialSuccess.errorMessage,
      };
    } else if (signal === 'metrics') {
      const r = json
        ? decodeExportMetricsServiceResponseJson(body)
        : decodeExportMetricsServiceResponse(body);
      ps = r.partialSuccess && {
        rejected: r.partialSuccess.rejectedDataPoints,
        errorMessage: r.partialSuccess.errorMessage,
      };
    } else {
      const r = json ? decodeExportLogsServiceResponseJson(body) : decodeExportLogsServiceResponse(body);
      ps = r.partialSuccess && {
        rejected: r.partialSuccess.rejectedLogRecords,
        errorMessage: r.partialSuccess.errorMessage,
      };
    }
  } catch (err) {
    logger.debug('could not decode the export response', { err: (err as Error).message });
    return;
  }
  if (ps && (ps.rejected !== 0 || ps.errorMessage !== ''))
    logger.warn('Partial success response', { message: ps.errorMessage, [ITEMS[signal]]: ps.rejected });
}
