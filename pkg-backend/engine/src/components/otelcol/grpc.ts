/**
 * OTLP over gRPC with @grpc/grpc-js and the engine's own codec: the three `Export` unary methods
 * (`/opentelemetry.proto.collector.<signal>.v1.<Signal>Service/Export`, protocols.md §2.1) as hand-written
 * service definitions whose (de)serializers pass bytes through — requests are validated / decoded by the
 * caller (`protocols/otlp`), so nothing goes through proto-loader or protobufjs.
 */
import * as grpc from '@grpc/grpc-js';
import type { OtelSignal } from './consumer.js';

export const EXPORT_PATHS: Record<OtelSignal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

export const SERVICE_NAMES: Record<OtelSignal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
};

const identity = (b: Buffer): Buffer => b;
const toBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** The service of one signal with a single raw-bytes `Export` method. */
export function exportService(signal: OtelSignal): grpc.ServiceDefinition {
  return {
    Export: {
      path: EXPORT_PATHS[signal],
      requestStream: false,
      responseStream: false,
      originalName: 'Export',
      requestSerialize: toBuffer,
      requestDeserialize: identity,
      responseSerialize: toBuffer,
      responseDeserialize: identity,
    },
  };
}

/** A generic client class with `Export(bytes, metadata, options, cb)` for one signal. */
export function exportClientClass(signal: OtelSignal): grpc.ServiceClientConstructor {
  return grpc.makeGenericClientConstructor(exportService(signal), SERVICE_NAMES[signal]);
}

/** A client of one signal's `Export` method, sending and receiving raw bytes. */
export interface ExportClient extends grpc.Client {
  Export(
    req: Buffer,
    md: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: Buffer) => void,
  ): grpc.ClientUnaryCall;
}

export function newExportClient(
  signal: OtelSignal,
  target: string,
  creds: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
): ExportClient {
  return new (exportClientClass(signal))(target, creds, options) as unknown as ExportClient;
}

/** Metadata → lower-case header map (binary `-bin` values are left out). */
export function metadataRecord(md: grpc.Metadata): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(md.toJSON())) {
    if (k.endsWith('-bin')) continue;
    out[k.toLowerCase()] = (v as (string | Buffer)[]).map(String);
  }
  return out;
}
