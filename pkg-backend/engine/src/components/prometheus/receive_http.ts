/**
 * `prometheus.receive_http` (Alloy 1.18 `internal/component/prometheus/receive_http`): an HTTP server
 * (the shared `http` server block; `grpc` is accepted and unused) whose `POST /api/v1/metrics/write` takes
 * Prometheus Remote Write 1.0 requests (snappy + `prometheus.WriteRequest`) and forwards them as
 * `SampleBatch`es to `forward_to`. Exports nothing.
 *
 * Responses (Prometheus' write handler, protocols.md §1.2): 204 on success; 415 for a Content-Type other than
 * `application/x-protobuf` (with an optional `proto=prometheus.WriteRequest`) or a Content-Encoding other than
 * snappy; 400 with the reason for undecodable bodies or invalid labels; 404/405 for other paths/methods.
 * Label sets are interned, so a series keeps one `Labels` array across requests. Native histograms are not
 * converted (skipped and counted in the debug info). `io.prometheus.write.v2.Request` is refused at build
 * (not implemented by this engine yet); `append_metadata` and `enable_type_and_unit_labels` only concern
 * v2 payloads and are accepted.
 *
 * TLS: `http.tls` with cert/key as PEM or files, `client_ca`/`client_ca_file` and `client_auth_type`
 * (`RequireAndVerifyClientCert` requires client certificates). Timeouts map to Node's server settings:
 * `server_read_timeout` → requestTimeout, `server_idle_timeout` → keepAliveTimeout, `conn_limit` →
 * maxConnections.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram } from 'prom-client';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../runtime/component.js';
import { health, type Health } from '../../runtime/health.js';
import { argsEqual, t } from '../../runtime/schema.js';
import {
  decodeWriteRequest,
  InvalidWriteRequest,
  LabelInterner,
  ProtoError,
  snappyUncompress,
} from '../../protocols/remote-write.js';
import { serverAttrs, serverBlocks } from '../common/server-schema.js';
import type { Appendable } from './appendable.js';
import { HttpServer } from '../common/http-server.js';
import { ServerMetrics } from '../common/server-metrics.js';

const V1 = 'prometheus.WriteRequest';
const V2 = 'io.prometheus.write.v2.Request';
const ROUTE = 'api_v1_metrics_write';
/** Largest accepted body, compressed and decompressed. */
const MAX_BODY = 32 << 20;
const MAX_DECODED = 256 << 20;

export interface ReceiveHttpArgs {
  forward_to: Appendable[];
  append_metadata: boolean;
  enable_type_and_unit_labels: boolean;
  accepted_remote_write_protobuf_messages: string[];
  graceful_shutdown_timeout: number;
  http?: Record<string, any>;
  grpc?: Record<string, any>;
}

export class ReceiveHttp implements Component<ReceiveHttpArgs> {
  private args: ReceiveHttpArgs;
  private server: HttpServer | undefined;
  private readonly interner = new LabelInterner(1_000_000);
  private status: Health = health('healthy', '');
  private running = false;
  private histograms = 0;
  private readonly fanoutLatency: Histogram;
  private readonly forwarded: Counter;
  private readonly http: ServerMetrics;
  private address: string | undefined;

  /** @throws for an empty or unsupported `accepted_remote_write_protobuf_messages`. */
  constructor(
    private readonly opts: ComponentOptions,
    args: ReceiveHttpArgs,
  ) {
    checkArgs(args);
    this.args = args;
    const reg = opts.registry;
    this.fanoutLatency = new Histogram({
      name: 'prometheus_fanout_latency',
      help: 'Write latency for sending to direct and indirect components',
      registers: [reg],
    });
    this.forwarded = new Counter({
      name: 'prometheus_forwarded_samples_total',
      help: 'Total number of samples sent to downstream components.',
      registers: [reg],
    });
    this.http = new ServerMetrics(reg, 'prometheus_receive_http');
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    await this.startServer();
    await untilAborted(signal);
    this.running = false;
    await this.stopServer();
  }

  private async startServer(): Promise<void> {
    const server = new HttpServer(this.http, (req, res) => this.handle(req, res));
    this.server = server;
    try {
      this.address = await server.start(this.args.http);
    } catch (err) {
      this.status = health('unhealthy', `failed to listen: ${(err as Error).message}`);
      throw err;
    }
    this.status = health('healthy', `listening on ${this.address}`);
    this.opts.logger.info('server listening', { addr: this.address });
  }

  private async stopServer(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await s?.stop(this.args.graceful_shutdown_timeout);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    const url = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const route = url === '/api/v1/metrics/write' ? ROUTE : 'notfound';
    const done = (status: number, body = '') => {
      const b = body ? Buffer.from(body + '\n') : undefined;
      if (b) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.writeHead(status);
      res.end(b);
      this.http.duration.observe(
        { method, route, status_code: String(status), ws: 'false' },
        (performance.now() - t0) / 1000,
      );
      this.http.resBytes.observe({ method, route }, b?.length ?? 0);
    };
    if (route !== ROUTE) {
      req.resume();
      return done(404, '404 page not found');
    }
    if (method !== 'POST') {
      req.resume();
      return done(405, 'method not allowed');
    }
    const ct = String(req.headers['content-type'] ?? '');
    const proto = checkContentType(ct, this.args.accepted_remote_write_protobuf_messages);
    if (proto !== undefined) {
      req.resume();
      return done(415, proto);
    }
    const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
    if (enc !== '' && enc !== 'snappy') {
      req.resume();
      return done(415, `unsupported compression: ${enc}. Only snappy compression is supported`);
    }
    this.http.inflight.inc({ method, route });
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on('error', () => this.http.inflight.dec({ method, route }));
    req.on('end', () => {
      this.http.inflight.dec({ method, route });
      this.http.reqBytes.observe({ method, route }, size);
      if (tooBig) return done(400, `request body too large (over ${MAX_BODY} bytes)`);
      let decoded;
      try {
        const raw = snappyUncompress(Buffer.concat(chunks, size), MAX_DECODED);
        decoded = decodeWriteRequest(raw, this.interner);
      } catch (err) {
        if (err instanceof ProtoError || err instanceof InvalidWriteRequest) {
          this.opts.logger.warn('error decoding remote write request', { err: err.message });
          return done(400, err.message);
        }
        this.opts.logger.error('error handling remote write request', { err: (err as Error).message });
        return done(500, (err as Error).message);
      }
      this.histograms += decoded.histograms;
      const batch = decoded.batch;
      if (!this.args.append_metadata) delete batch.metadata;
      if (batch.count > 0 || batch.metadata?.length) {
        const f0 = performance.now();
        for (const r of this.args.forward_to) {
          try {
            r.append(batch);
          } catch (err) {
            this.opts.logger.error('receiver failed to append', { err: (err as Error).message });
          }
        }
        this.fanoutLatency.observe((performance.now() - f0) / 1000);
        this.forwarded.inc(batch.count);
      }
      done(204);
    });
  }

  update(args: ReceiveHttpArgs): void {
    checkArgs(args);
    const restart = !argsEqual(args.http, this.args.http);
    this.args = args;
    if (restart && this.running) {
      void this.stopServer()
        .then(() => (this.running ? this.startServer() : undefined))
        .catch((err: Error) => this.opts.logger.error('failed to restart server', { err: err.message }));
    }
  }

  health(): Health {
    return this.status;
  }

  debugInfo(): unknown {
    return {
      address: this.address,
      interned_series: this.interner.size,
      skipped_histograms: this.histograms,
    };
  }
}

function checkArgs(args: ReceiveHttpArgs): void {
  const msgs = args.accepted_remote_write_protobuf_messages;
  if (!msgs || msgs.length === 0)
    throw new Error('accepted_remote_write_protobuf_messages must not be empty');
  for (const m of msgs) {
    if (m === V2) throw new Error(`using ${JSON.stringify(V2)} is not supported by this engine yet`);
    if (m !== V1)
      throw new Error(
        `unsupported protocol version ${JSON.stringify(m)}: valid values are "${V1}" and "${V2}"`,
      );
  }
}

/** Returns an error message for an unacceptable Content-Type, or undefined (empty = Remote Write 1.0). */
function checkContentType(ct: string, accepted: string[]): string | undefined {
  if (ct === '') return undefined;
  const parts = ct.split(';').map((s) => s.trim());
  if (parts[0]!.toLowerCase() !== 'application/x-protobuf')
    return `expected application/x-protobuf as the first (media) part, got ${ct} content-type`;
  for (const p of parts.slice(1)) {
    const [k, v] = p.split('=').map((s) => s.trim());
    if (k?.toLowerCase() === 'proto' && v !== undefined) {
      const msg = v.replace(/^"|"$/g, '');
      if (!accepted.includes(msg))
        return `${msg} protobuf message is not accepted by this server; accepted ${accepted.join(', ')}`;
    }
  }
  return undefined;
}

/** prometheus.receive_http — arguments as Alloy 1.18 (server blocks from `internal/component/common/net`). */
export const prometheusReceiveHttp: ComponentRegistration<ReceiveHttpArgs> = {
  name: 'prometheus.receive_http',
  stability: 'generally-available',
  args: {
    attrs: {
      ...serverAttrs,
      forward_to: { type: t.list(t.capsule('storage.Appendable')), required: true },
      append_metadata: { type: t.bool(), default: false },
      enable_type_and_unit_labels: { type: t.bool(), default: false },
      accepted_remote_write_protobuf_messages: { type: t.list(t.string()), default: [V1] },
    },
    blocks: { ...serverBlocks },
  },
  build: (opts, args) => new ReceiveHttp(opts, args),
};
