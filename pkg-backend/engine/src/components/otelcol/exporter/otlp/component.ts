/**
 * `otelcol.exporter.otlp` (the collector's otlpexporter on configgrpc): OTLP/gRPC with grpc-js over one
 * channel for the three signals, sending the requests' protobuf bytes as they are.
 *
 * `client`: `endpoint` (`host:port`, `dns:///…`, `unix:…`; an `http://` prefix means plaintext, `https://`
 * TLS), `tls` (default TLS with the system CAs; `insecure = true` for plaintext; `ca_*`, `cert_*`/`key_*` for
 * mutual TLS, `insecure_skip_verify`, `server_name`), `compression` (gzip — the default — or none),
 * `headers` and `auth` (otelcol.auth.* client side) as call metadata, `authority`, `balancer_name`
 * (round_robin / pick_first), `wait_for_ready`, `keepalive` (`ping_wait`, `ping_response_timeout`,
 * `ping_without_stream`). `timeout` is each call's deadline.
 *
 * Errors (the otlpexporter's `shouldRetry`): CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
 * UNAVAILABLE, DATA_LOSS are retried, RESOURCE_EXHAUSTED only with RetryInfo, whose delay is honoured; any
 * other code is permanent. A partial success is logged and counts as sent.
 * Queue and retries: helper/exporterhelper.ts. Not honoured: `read_buffer_size`, `write_buffer_size`.
 */
import * as grpc from '@grpc/grpc-js';
import type { ComponentOptions } from '../../../../runtime/component.js';
import { decodeRpcStatus, grpcCodeRetryable, retryDelayMs } from '../../../../protocols/otlp/index.js';
import type { ConsumeContext, OtelSignal } from '../../consumer.js';
import type { AuthHandler } from '../../auth/handler.js';
import { newExportClient, type ExportClient } from '../../grpc.js';
import { loadTls, type OtelTlsArgs } from '../../tls.js';
import { ExporterComponent, type Built, type ClosableDriver } from '../helper/component.js';
import { SendError, type QueueArgs, type RetryArgs } from '../helper/exporterhelper.js';
import { checkPartialSuccess, protoBytes, type BytesPayload } from '../payload.js';

export interface OtlpExporterArgs {
  timeout: number;
  sending_queue?: QueueArgs;
  retry_on_failure?: RetryArgs;
  client: {
    endpoint: string;
    compression?: string;
    headers?: Record<string, string>;
    balancer_name?: string;
    authority?: string;
    auth?: AuthHandler;
    wait_for_ready?: boolean;
    tls?: OtelTlsArgs;
    keepalive?: { ping_wait?: number; ping_response_timeout?: number; ping_without_stream?: boolean };
  };
}

const CODE_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

/** The grpc-js channel credentials and options of a `client` block. @throws on unsupported settings. */
export function grpcClientSetup(c: OtlpExporterArgs['client']): {
  target: string;
  creds: grpc.ChannelCredentials;
  options: grpc.ChannelOptions;
} {
  let target = c.endpoint.trim();
  let plaintext = c.tls?.insecure === true;
  if (target.startsWith('http://')) {
    target = target.slice(7);
    plaintext = true;
  } else if (target.startsWith('https://')) {
    target = target.slice(8);
    plaintext = false;
  }
  const options: grpc.ChannelOptions = {
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
    'grpc.enable_channelz': 0,
  };
  const comp = c.compression ?? 'gzip';
  if (comp === 'gzip') options['grpc.default_compression_algorithm'] = 2;
  else if (comp !== 'none' && comp !== '')
    throw new Error(`compression ${JSON.stringify(comp)} is not supported by this engine's gRPC client`);
  if (c.authority) options['grpc.default_authority'] = c.authority;
  if (c.balancer_name === 'round_robin' || c.balancer_name === 'pick_first')
    options['grpc.service_config'] = JSON.stringify({ loadBalancingConfig: [{ [c.balancer_name]: {} }] });
  const ka = c.keepalive;
  if (ka?.ping_wait) options['grpc.keepalive_time_ms'] = ka.ping_wait;
  if (ka?.ping_response_timeout) options['grpc.keepalive_timeout_ms'] = ka.ping_response_timeout;
  if (ka?.ping_without_stream) options['grpc.keepalive_permit_without_calls'] = 1;
  let creds: grpc.ChannelCredentials;
  if (plaintext) creds = grpc.credentials.createInsecure();
  else {
    const t = c.tls ? loadTls(c.tls) : {};
    const skip = c.tls?.insecure_skip_verify === true;
    creds = grpc.credentials.createSsl(
      t.ca ? Buffer.from(t.ca) : null,
      t.key ? Buffer.from(t.key) : null,
      t.cert ? Buffer.from(t.cert) : null,
      skip ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
    );
    if (c.tls?.server_name) options['grpc.ssl_target_name_override'] = c.tls.server_name;
  }
  return { target, creds, options };
}

class GrpcDriver implements ClosableDriver<BytesPayload> {
  private readonly channel: grpc.Channel;
  private readonly clients: Record<OtelSignal, ExportClient>;
  private readonly headers: [string, string][];

  constructor(
    private readonly args: OtlpExporterArgs,
    private readonly opts: ComponentOptions,
  ) {
    const { target, creds, options } = grpcClientSetup(args.client);
    this.channel = new grpc.Channel(target, creds, options);
    const mk = (s: OtelSignal) => newExportClient(s, target, creds, { channelOverride: this.channel });
    this.clients = { traces: mk('traces'), metrics: mk('metrics'), logs: mk('logs') };
    this.headers = Object.entries(args.client.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
  }

  prepare(signal: OtelSignal, req: object): BytesPayload {
    const bytes = protoBytes(signal, req);
    return { bytes, size: bytes.length };
  }

  async send(signal: OtelSignal, p: BytesPayload, ctx: ConsumeContext | undefined): Promise<void> {
    const md = new grpc.Metadata({ waitForReady: this.args.client.wait_for_ready === true });
    const auth = this.args.client.auth;
    if (auth) {
      if (!auth.client) throw new SendError(`${auth.id} does not support client authentication`, false);
      const h: Record<string, string> = Object.fromEntries(this.headers);
      await auth.client(h, ctx);
      for (const [k, v] of Object.entries(h)) md.set(k, v);
    } else for (const [k, v] of this.headers) md.set(k, v);
    const callOpts: grpc.CallOptions = {};
    if (this.args.timeout > 0) callOpts.deadline = Date.now() + this.args.timeout;
    const res = await new Promise<Buffer>((resolve, reject) => {
      this.clients[signal].Export(p.bytes, md, callOpts, (err, out) => {
        if (!err) return resolve(out ?? Buffer.alloc(0));
        const bin = err.metadata?.get('grpc-status-details-bin')[0];
        const delay = Buffer.isBuffer(bin) ? retryDelayMs(decodeRpcStatus(bin)) : undefined;
        const name = CODE_NAMES[err.code] ?? `Code(${err.code})`;
        reject(
          new SendError(
            `rpc error: code = ${name} desc = ${err.details}`,
            grpcCodeRetryable(err.code, delay !== undefined),
            delay,
          ),
        );
      });
    });
    checkPartialSuccess(signal, res, false, this.opts.logger);
  }

  close(): void {
    for (const c of Object.values(this.clients)) c.close();
    this.channel.close();
  }
}

export function buildOtlpExporter(opts: ComponentOptions, args: OtlpExporterArgs) {
  return new ExporterComponent<OtlpExporterArgs, BytesPayload>(
    opts,
    'otlp',
    args,
    (a): Built<BytesPayload> => ({
      driver: new GrpcDriver(a, opts),
      helper: { sending_queue: a.sending_queue, retry_on_failure: a.retry_on_failure, timeout: 0 },
    }),
  );
}
