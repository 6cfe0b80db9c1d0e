/**
 * The OTLP/gRPC side of otelcol.receiver.otlp: a grpc-js server with the three `Export` services
 * (`../../grpc.ts`), configured from the `grpc` block (the collector's configgrpc ServerConfig):
 *
 * - `endpoint` (`host:port`; with `transport = "unix"` a socket path), `tls` (certificate and key; a
 *   `client_ca_file` requires and verifies client certificates), `max_recv_msg_size` (default 4MiB →
 *   RESOURCE_EXHAUSTED above it, checked by grpc-js after decompression), `max_concurrent_streams`,
 *   `keepalive.server_parameters` (`time`, `timeout`, `max_connection_idle`, `max_connection_age`,
 *   `max_connection_age_grace`), `include_metadata`, `auth` (server side of an otelcol.auth handler;
 *   failures → UNAUTHENTICATED).
 * - Request compression: gzip and deflate (what grpc-js decodes); responses are never compressed.
 * - Not honoured: `keepalive.enforcement_policy` (grpc-js has no client ping policing),
 *   `read_buffer_size`, `write_buffer_size`.
 */
import * as grpc from '@grpc/grpc-js';
import { parseBase2Bytes } from '../../../prometheus/scrape/component.js';
import { encodeRpcStatus, retryInfoDetail } from '../../../../protocols/otlp/index.js';
import type { Logger } from '../../../../runtime/logger.js';
import type { ConsumeContext, OtelSignal } from '../../consumer.js';
import { exportService, metadataRecord, SERVICE_NAMES } from '../../grpc.js';
import { loadTls, splitHostPort } from '../../tls.js';
import type { ExportSink, GrpcServerArgs } from './component.js';

const SIGNALS: OtelSignal[] = ['traces', 'metrics', 'logs'];
const EMPTY = Buffer.alloc(0);

function grpcError(code: number, message: string, retryAfterSeconds?: number): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (retryAfterSeconds !== undefined) {
    const st = encodeRpcStatus({ code, message, details: [retryInfoDetail(retryAfterSeconds)] });
    metadata.set('grpc-status-details-bin', Buffer.from(st));
  }
  return Object.assign(new Error(message), { code, details: message, metadata });
}

export class OtlpGrpcServer {
  private server: grpc.Server | undefined;
  address = '';

  constructor(
    private readonly sink: ExportSink,
    private readonly args: GrpcServerArgs,
    private readonly logger: Logger,
  ) {}

  /** Binds the server. @returns the bound address. @throws when it cannot bind or read TLS files. */
  async start(): Promise<string> {
    const a = this.args;
    const maxRecv = a.max_recv_msg_size ? parseBase2Bytes(a.max_recv_msg_size) : 4 << 20;
    const options: grpc.ServerOptions = {
      'grpc.max_receive_message_length': maxRecv || 4 << 20,
      'grpc.max_send_message_length': -1,
      // Channelz (a debugging service this engine does not expose) costs a few % per call.
      'grpc.enable_channelz': 0,
    };
    if (a.max_concurrent_streams) options['grpc.max_concurrent_streams'] = a.max_concurrent_streams;
    const sp = a.keepalive?.server_parameters;
    if (sp?.time) options['grpc.keepalive_time_ms'] = sp.time;
    if (sp?.timeout) options['grpc.keepalive_timeout_ms'] = sp.timeout;
    if (sp?.max_connection_idle) options['grpc.max_connection_idle_ms'] = sp.max_connection_idle;
    if (sp?.max_connection_age) options['grpc.max_connection_age_ms'] = sp.max_connection_age;
    if (sp?.max_connection_age_grace)
      options['grpc.max_connection_age_grace_ms'] = sp.max_connection_age_grace;
    let creds = grpc.ServerCredentials.createInsecure();
    if (a.tls) {
      const t = loadTls(a.tls);
      if (!t.cert || !t.key) throw new Error('tls: a certificate and a key are required');
      creds = grpc.ServerCredentials.createSsl(
        t.clientCa ? Buffer.from(t.clientCa) : null,
        [{ private_key: Buffer.from(t.key), cert_chain: Buffer.from(t.cert) }],
        !!t.clientCa,
      );
    }
    let target: string;
    if (a.transport === 'unix') target = `unix:${a.endpoint}`;
    else {
      const { host, port } = splitHostPort(a.endpoint);
      target = `${host === '' ? '0.0.0.0' : host.includes(':') ? `[${host}]` : host}:${port}`;
    }
    const server = new grpc.Server(options);
    for (const signal of SIGNALS) {
      server.addService(exportService(signal), {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
          this.export(signal, call, cb),
      });
    }
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync(target, creds, (err, p) => (err ? rej(err) : res(p))),
    );
    this.server = server;
    this.address = a.transport === 'unix' ? target : target.replace(/:\d+$/, `:${port}`);
    return this.address;
  }

  private export(
    signal: OtelSignal,
    call: grpc.ServerUnaryCall<Buffer, Buffer>,
    cb: grpc.sendUnaryData<Buffer>,
  ) {
    if (!this.sink.accepts(signal)) {
      cb(grpcError(grpc.status.UNIMPLEMENTED, `unknown service ${SERVICE_NAMES[signal]}`));
      return;
    }
    const a = this.args;
    const go = (ctx: ConsumeContext | undefined) =>
      this.sink.exportBytes(signal, call.request, false, ctx, 'grpc').then(
        (out) => {
          if (out.ok) cb(null, EMPTY);
          else cb(grpcError(out.code, out.message, out.retryAfterSeconds));
        },
        (err: Error) => cb(grpcError(grpc.status.INTERNAL, err.message)),
      );
    if (!a.auth && !a.include_metadata) {
      void go(undefined);
      return;
    }
    const headers = metadataRecord(call.metadata);
    const ctx: ConsumeContext = a.include_metadata ? { metadata: headers } : {};
    if (!a.auth) {
      void go(ctx);
      return;
    }
    if (!a.auth.server) {
      cb(grpcError(grpc.status.UNAUTHENTICATED, `${a.auth.id} does not support server authentication`));
      return;
    }
    a.auth.server(headers).then(
      (data) => void go({ ...ctx, auth: data }),
      (err: Error) => cb(grpcError(grpc.status.UNAUTHENTICATED, err.message)),
    );
  }

  /** Stops accepting calls, lets running ones finish for up to `graceMs`, then closes connections. */
  async stop(graceMs = 5000): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((res) => {
      const t = setTimeout(() => {
        s.forceShutdown();
        res();
      }, graceMs);
      s.tryShutdown(() => {
        clearTimeout(t);
        res();
      });
    });
    this.logger.debug('gRPC server stopped', { endpoint: this.address });
  }
}
