/**
 * `otelcol.receiver.otlp` (Alloy 1.18 `internal/component/otelcol/receiver/otlp`, the collector's
 * otlpreceiver): an OTLP/gRPC server (`grpc.ts`) when the `grpc` block is present and an OTLP/HTTP server
 * (`http.ts`) when the `http` block is present, both feeding the consumers of the `output` block.
 *
 * - Protobuf requests are validated without being decoded and passed on as `EncodedTraces` etc.
 *   (`protocols/otlp/lazy.ts`): they decode only if a downstream component reads them. JSON requests are
 *   decoded (OTLP/JSON mapping).
 * - A request with no items is answered with success without calling the pipeline (as the collector).
 * - Outcome → status (the collector's `GetStatusFromError` / `GetHTTPStatusCodeFromStatus`): malformed
 *   request → INVALID_ARGUMENT / 400; retryable consumer error (e.g. memory_limiter, a full exporter queue)
 *   → UNAVAILABLE / 503, with RetryInfo / `Retry-After` when the error suggests a delay; permanent consumer
 *   error → INTERNAL / 500; a signal with no consumers in `output` → UNIMPLEMENTED / 404 (Alloy creates no
 *   receiver for it). The response never carries a partial success (the collector's receiver does not
 *   produce one).
 * - `include_metadata`: request headers / gRPC metadata (lower-case keys) travel as
 *   `ConsumeContext.metadata`; an `auth` handler's data travels as `ConsumeContext.auth`.
 * - Metrics: `otelcol_receiver_{accepted,refused}_*_total{receiver, transport}` (telemetry.ts).
 *
 * Updates: a changed `grpc` / `http` block restarts that server; a changed `output` takes effect for the
 * next request.
 */
import { untilAborted, type Component, type ComponentOptions } from '../../../../runtime/component.js';
import { health, type Health } from '../../../../runtime/health.js';
import { argsEqual } from '../../../../runtime/schema.js';
import {
  decodeExportLogsServiceRequestJson,
  decodeExportMetricsServiceRequestJson,
  decodeExportTraceServiceRequestJson,
  EncodedLogs,
  EncodedMetrics,
  EncodedTraces,
  GrpcCode,
  scanExportLogsServiceRequest,
  scanExportMetricsServiceRequest,
  scanExportTraceServiceRequest,
} from '../../../../protocols/otlp/index.js';
import {
  ConsumerError,
  countItems,
  fanout,
  type ConsumeContext,
  type OtelConsumer,
  type OtelSignal,
} from '../../consumer.js';
import { collectorId, ReceiverTelemetry } from '../../telemetry.js';
import type { AuthHandler } from '../../auth/handler.js';
import type { OtelTlsArgs } from '../../tls.js';
import { OtlpGrpcServer } from './grpc.js';
import { OtlpHttpServer } from './http.js';

export interface GrpcServerArgs {
  endpoint: string;
  transport: string;
  max_recv_msg_size?: string;
  max_concurrent_streams?: number;
  read_buffer_size?: string;
  write_buffer_size?: string;
  auth?: AuthHandler;
  include_metadata?: boolean;
  tls?: OtelTlsArgs;
  keepalive?: {
    server_parameters?: {
      max_connection_idle?: number;
      max_connection_age?: number;
      max_connection_age_grace?: number;
      time?: number;
      timeout?: number;
    };
    enforcement_policy?: { min_time?: number; permit_without_stream?: boolean };
  };
}

export interface HttpServerArgs {
  endpoint: string;
  auth?: AuthHandler;
  max_request_body_size?: string;
  include_metadata?: boolean;
  compression_algorithms?: string[];
  keep_alives_enabled?: boolean;
  idle_timeout?: number;
  read_timeout?: number;
  write_timeout?: number;
  read_header_timeout?: number;
  tls?: OtelTlsArgs;
  cors?: { allowed_origins?: string[]; allowed_headers?: string[]; max_age?: number };
  traces_url_path: string;
  metrics_url_path: string;
  logs_url_path: string;
}

export interface OutputArgs {
  traces?: OtelConsumer[];
  metrics?: OtelConsumer[];
  logs?: OtelConsumer[];
}

export interface ReceiverArgs {
  grpc?: GrpcServerArgs;
  http?: HttpServerArgs;
  output: OutputArgs;
}

/** The result of one export call, mapped to a status by each transport. */
export type ExportOutcome =
  { ok: true } | { ok: false; code: number; message: string; retryAfterSeconds?: number };

/** What the transports need from the component. */
export interface ExportSink {
  /** Whether `signal` has consumers (otherwise its service / path does not exist). */
  accepts(signal: OtelSignal): boolean;
  /** Validates and forwards a protobuf or JSON request. */
  exportBytes(
    signal: OtelSignal,
    body: Uint8Array,
    json: boolean,
    ctx: ConsumeContext | undefined,
    transport: 'grpc' | 'http',
  ): Promise<ExportOutcome>;
}

const SCAN = {
  traces: scanExportTraceServiceRequest,
  metrics: scanExportMetricsServiceRequest,
  logs: scanExportLogsServiceRequest,
};

function encoded(signal: OtelSignal, body: Uint8Array, count: number): object {
  if (signal === 'traces') return new EncodedTraces(body, count);
  if (signal === 'metrics') return new EncodedMetrics(body, count);
  return new EncodedLogs(body, count);
}

function decodeJson(signal: OtelSignal, body: Uint8Array): object {
  if (signal === 'traces') return decodeExportTraceServiceRequestJson(body);
  if (signal === 'metrics') return decodeExportMetricsServiceRequestJson(body);
  return decodeExportLogsServiceRequestJson(body);
}

export class OtlpReceiver implements Component<ReceiverArgs>, ExportSink {
  private args: ReceiverArgs;
  private readonly telemetry: ReceiverTelemetry;
  private grpc: OtlpGrpcServer | undefined;
  private http: OtlpHttpServer | undefined;
  private running = false;
  private status: Health = health('healthy', '');
  private errors = new Map<string, string>();

  constructor(
    private readonly opts: ComponentOptions,
    args: ReceiverArgs,
  ) {
    this.args = args;
    this.telemetry = new ReceiverTelemetry(
      opts.registry,
      collectorId('otlp', opts.id),
      this.transports(args),
    );
  }

  private transports(a: ReceiverArgs): string[] {
    return [...(a.grpc ? ['grpc'] : []), ...(a.http ? ['http'] : [])];
  }

  accepts(signal: OtelSignal): boolean {
    return (this.args.output[signal]?.length ?? 0) > 0;
  }

  async exportBytes(
    signal: OtelSignal,
    body: Uint8Array,
    json: boolean,
    ctx: ConsumeContext | undefined,
    transport: 'grpc' | 'http',
  ): Promise<ExportOutcome> {
    let req: object;
    try {
      if (json) req = decodeJson(signal, body);
      else {
        const n = SCAN[signal](body);
        if (n === 0) return { ok: true };
        req = encoded(signal, body, n);
      }
    } catch (err) {
      return { ok: false, code: GrpcCode.INVALID_ARGUMENT, message: (err as Error).message };
    }
    const n = countItems(signal, req);
    if (n === 0) return { ok: true };
    try {
      await fanout(signal, this.args.output[signal] ?? [], req, ctx);
      this.telemetry.count(signal, transport, n, 0);
      return { ok: true };
    } catch (err) {
      this.telemetry.count(signal, transport, 0, n);
      const retryable = !(err instanceof ConsumerError) || err.retryable;
      return {
        ok: false,
        code: retryable ? GrpcCode.UNAVAILABLE : GrpcCode.INTERNAL,
        message: err instanceof Error ? err.message : String(err),
        retryAfterSeconds: err instanceof ConsumerError ? err.retryAfterSeconds : undefined,
      };
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    await this.startServers(this.args);
    await untilAborted(signal);
    this.running = false;
    await this.stopServers();
  }

  private async startServers(a: ReceiverArgs): Promise<void> {
    const starts: Promise<void>[] = [];
    if (a.grpc) {
      const s = new OtlpGrpcServer(this, a.grpc, this.opts.logger);
      this.grpc = s;
      starts.push(this.startOne('grpc', () => s.start()));
    }
    if (a.http) {
      const s = new OtlpHttpServer(this, a.http, this.opts.logger);
      this.http = s;
      starts.push(this.startOne('http', () => s.start()));
    }
    await Promise.all(starts);
  }

  private async startOne(name: string, start: () => Promise<string>): Promise<void> {
    try {
      const addr = await start();
      this.errors.delete(name);
      this.opts.logger.info(`Starting ${name === 'grpc' ? 'GRPC' : 'HTTP'} server`, { endpoint: addr });
    } catch (err) {
      this.errors.set(name, `failed to start the ${name} server: ${(err as Error).message}`);
      this.opts.logger.error(`failed to start the ${name} server`, { err: (err as Error).message });
    }
    this.status =
      this.errors.size > 0
        ? health('unhealthy', [...this.errors.values()].join('; '))
        : health('healthy', 'started');
  }

  private async stopServers(which: { grpc?: boolean; http?: boolean } = { grpc: true, http: true }) {
    const stops: Promise<void>[] = [];
    if (which.grpc && this.grpc) {
      stops.push(this.grpc.stop());
      this.grpc = undefined;
    }
    if (which.http && this.http) {
      stops.push(this.http.stop());
      this.http = undefined;
    }
    await Promise.allSettled(stops);
  }

  update(args: ReceiverArgs): void {
    const old = this.args;
    this.args = args;
    if (!this.running) return;
    const grpcChanged = !argsEqual(old.grpc, args.grpc);
    const httpChanged = !argsEqual(old.http, args.http);
    if (!grpcChanged && !httpChanged) return;
    void (async () => {
      await this.stopServers({ grpc: grpcChanged, http: httpChanged });
      if (!this.running) return;
      if (grpcChanged) this.errors.delete('grpc');
      if (httpChanged) this.errors.delete('http');
      await this.startServers({
        output: args.output,
        grpc: grpcChanged ? args.grpc : undefined,
        http: httpChanged ? args.http : undefined,
      });
    })().catch((err: Error) => this.opts.logger.error('failed to restart servers', { err: err.message }));
  }

  health(): Health {
    return this.status;
  }

  debugInfo(): unknown {
    return { grpc: this.grpc?.address, http: this.http?.address };
  }
}
