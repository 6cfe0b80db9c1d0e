/**
 * `otelcol.exporter.otlphttp` (the collector's otlphttpexporter on confighttp): POSTs each request to its
 * signal's URL — `traces_endpoint` / `metrics_endpoint` / `logs_endpoint`, else `client.endpoint` +
 * `/v1/traces` etc. — as protobuf (`encoding = "proto"`, the request's bytes as they are) or OTLP/JSON,
 * compressed with `client.compression` (gzip — the default —, zlib/deflate, snappy, none).
 * `client.headers` and `client.auth` set headers; `client.tls` and `client.timeout` as confighttp; keep-alive
 * connections through the engine's shared HTTP client (`common/http-client.ts`).
 *
 * Responses (as the exporter): 2xx → sent (a partial success in the body is logged); 429, 502, 503, 504 →
 * retried, honouring `Retry-After` (seconds or HTTP date); any other status → permanent, with the
 * `google.rpc.Status` message of the body in the error. Connection errors and timeouts are retried.
 * Not honoured: `proxy_url`, `max_idle_conns*`, `max_conns_per_host`, `idle_conn_timeout`,
 * `http2_*`, `force_attempt_http2` (requests use HTTP/1.1), `cookies`, `compression_params`,
 * `read_buffer_size`, `write_buffer_size`, zstd compression (refused at build).
 */
import { deflateSync, gzipSync } from 'node:zlib';
import type { ComponentOptions } from '../../../../runtime/component.js';
import {
  decodeRpcStatus,
  decodeRpcStatusJson,
  encodeExportLogsServiceRequestJson,
  encodeExportMetricsServiceRequestJson,
  encodeExportTraceServiceRequestJson,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
} from '../../../../protocols/otlp/index.js';
import { snappyCompress } from '../../../../protocols/remote-write.js';
import { httpClient, type HttpClient } from '../../../common/http-client.js';
import type { AuthHandler } from '../../auth/handler.js';
import type { ConsumeContext, OtelSignal } from '../../consumer.js';
import { loadTls, type OtelTlsArgs } from '../../tls.js';
import { ExporterComponent, type Built, type ClosableDriver } from '../helper/component.js';
import { SendError, type QueueArgs, type RetryArgs } from '../helper/exporterhelper.js';
import { checkPartialSuccess, protoBytes } from '../payload.js';

export interface OtlpHttpExporterArgs {
  traces_endpoint?: string;
  metrics_endpoint?: string;
  logs_endpoint?: string;
  encoding: string;
  sending_queue?: QueueArgs;
  retry_on_failure?: RetryArgs;
  client: {
    endpoint?: string;
    compression?: string;
    timeout?: number;
    headers?: Record<string, string>;
    auth?: AuthHandler;
    tls?: OtelTlsArgs;
    proxy_url?: string;
  };
}

interface HttpPayload {
  body: Buffer;
  size: number;
}

const PATHS: Record<OtelSignal, string> = { traces: 'v1/traces', metrics: 'v1/metrics', logs: 'v1/logs' };
const RETRYABLE = new Set([429, 502, 503, 504]);
const TLS_NAMES: Record<string, string> = {
  TLSv1: 'TLS10',
  'TLSv1.1': 'TLS11',
  'TLSv1.2': 'TLS12',
  'TLSv1.3': 'TLS13',
};

/** The collector's `composeSignalURL`. */
export function signalUrl(a: OtlpHttpExporterArgs, signal: OtelSignal): string | undefined {
  const override =
    signal === 'traces' ? a.traces_endpoint : signal === 'metrics' ? a.metrics_endpoint : a.logs_endpoint;
  if (override) return override;
  const base = a.client.endpoint;
  if (!base) return undefined;
  return base.endsWith('/') ? base + PATHS[signal] : `${base}/${PATHS[signal]}`;
}

/** Retry-After as milliseconds (delay-seconds or HTTP-date). */
function retryAfterMs(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

class HttpDriver implements ClosableDriver<HttpPayload> {
  private readonly clientP: Promise<HttpClient>;
  private readonly urls: Record<OtelSignal, string | undefined>;
  private readonly json: boolean;
  private readonly compression: string;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly args: OtlpHttpExporterArgs,
    private readonly opts: ComponentOptions,
  ) {
    const c = args.client;
    if (c.proxy_url) throw new Error('client.proxy_url is not supported by this engine');
    this.compression = c.compression ?? 'gzip';
    if (!['gzip', 'zlib', 'deflate', 'snappy', 'none', ''].includes(this.compression))
      throw new Error(`compression ${JSON.stringify(this.compression)} is not supported by this engine`);
    this.json = args.encoding === 'json';
    this.urls = {
      traces: signalUrl(args, 'traces'),
      metrics: signalUrl(args, 'metrics'),
      logs: signalUrl(args, 'logs'),
    };
    for (const u of Object.values(this.urls)) if (u) new URL(u);
    let tls_config;
    if (c.tls && !c.tls.insecure) {
      const t = loadTls(c.tls);
      tls_config = {
        ca_pem: t.ca,
        cert_pem: t.cert,
        key_pem: t.key,
        server_name: c.tls.server_name,
        insecure_skip_verify: c.tls.insecure_skip_verify,
        min_version: t.minVersion ? TLS_NAMES[t.minVersion] : undefined,
      };
    }
    this.clientP = httpClient({ tls_config, follow_redirects: false });
    this.clientP.catch(() => undefined);
    this.headers = {
      'content-type': this.json ? 'application/json' : 'application/x-protobuf',
      'user-agent': 'Foundry OpenTelemetry Collector exporter',
    };
    if (this.compression !== 'none' && this.compression !== '')
      this.headers['content-encoding'] = this.compression === 'deflate' ? 'deflate' : this.compression;
    for (const [k, v] of Object.entries(c.headers ?? {})) this.headers[k.toLowerCase()] = v;
  }

  prepare(signal: OtelSignal, req: object): HttpPayload {
    let body: Buffer;
    if (this.json) {
      const text =
        signal === 'traces'
          ? encodeExportTraceServiceRequestJson(req as ExportTraceServiceRequest)
          : signal === 'metrics'
            ? encodeExportMetricsServiceRequestJson(req as ExportMetricsServiceRequest)
            : encodeExportLogsServiceRequestJson(req as ExportLogsServiceRequest);
      body = Buffer.from(text);
    } else body = protoBytes(signal, req);
    if (this.compression === 'gzip') body = gzipSync(body);
    else if (this.compression === 'zlib' || this.compression === 'deflate') body = deflateSync(body);
    else if (this.compression === 'snappy') body = Buffer.from(snappyCompress(body));
    return { body, size: body.length };
  }

  async send(signal: OtelSignal, p: HttpPayload, ctx: ConsumeContext | undefined, abort: AbortSignal) {
    const url = this.urls[signal];
    if (!url) throw new SendError(`no endpoint for ${signal}`, false);
    const client = await this.clientP;
    let headers = this.headers;
    const auth = this.args.client.auth;
    if (auth) {
      if (!auth.client) throw new SendError(`${auth.id} does not support client authentication`, false);
      headers = { ...this.headers };
      await auth.client(headers, ctx);
    }
    let res;
    try {
      res = await client.request(url, {
        method: 'POST',
        headers,
        body: p.body,
        signal: abort,
        timeoutMs: this.args.client.timeout ?? 30_000,
        maxBodyBytes: 4 << 20,
      });
    } catch (err) {
      throw new SendError(`failed to make an HTTP request: ${(err as Error).message}`, true);
    }
    const ct = String(res.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    if (res.status >= 200 && res.status < 300) {
      checkPartialSuccess(signal, res.body, ct === 'application/json', this.opts.logger);
      return;
    }
    let msg: string;
    if (ct === 'application/x-protobuf') msg = decodeRpcStatus(res.body).message;
    else if (ct === 'application/json') msg = decodeRpcStatusJson(res.body.toString('utf8')).message;
    else msg = res.body.subarray(0, 1024).toString('utf8').trim();
    const text = `error exporting items, request to ${url} responded with HTTP Status Code ${res.status}${msg ? `, Message=${msg}` : ''}`;
    if (RETRYABLE.has(res.status)) throw new SendError(text, true, retryAfterMs(res.headers['retry-after']));
    throw new SendError(text, false);
  }

  close(): void {
    void this.clientP.then((c) => c.close()).catch(() => undefined);
  }
}

export function buildOtlpHttpExporter(opts: ComponentOptions, args: OtlpHttpExporterArgs) {
  return new ExporterComponent<OtlpHttpExporterArgs, HttpPayload>(
    opts,
    'otlphttp',
    args,
    (a): Built<HttpPayload> => ({
      driver: new HttpDriver(a, opts),
      helper: { sending_queue: a.sending_queue, retry_on_failure: a.retry_on_failure, timeout: 0 },
    }),
  );
}
