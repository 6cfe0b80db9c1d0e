/**
 * The HTTP side of loki.source.api: a node:http(s) server configured from the decoded `http` block of
 * Alloy's `common/net` ServerConfig (`components/common/server-schema.ts`), with the dskit server metrics
 * Alloy registers under the `loki_source_api` namespace:
 * `loki_source_api_request_duration_seconds{method,route,status_code,ws}`,
 * `…_request_message_bytes{method,route}`, `…_response_message_bytes{method,route}`,
 * `…_inflight_requests{method,route}` and `…_tcp_connections{protocol}`.
 *
 * TLS: `tls` with cert/key as PEM or files, `client_ca`/`client_ca_file` and `client_auth_type`. Timeouts map
 * to Node's server settings: `server_read_timeout` → requestTimeout, `server_idle_timeout` →
 * keepAliveTimeout, `conn_limit` → maxConnections. Route names follow dskit (`/loki/api/v1/push` →
 * `loki_api_v1_push`; unknown paths → `notfound`).
 */
import { ServerMetrics } from '../../../common/server-metrics.js';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Secret } from '../../../../syntax/value.js';

/** Defaults of the `http` block (DefaultServerConfig). */
export const DEFAULT_HTTP = {
  listen_address: '',
  listen_port: 8080,
  conn_limit: 0,
  server_read_timeout: 30_000,
  server_write_timeout: 30_000,
  server_idle_timeout: 120_000,
};

function text(v: unknown): string {
  return v instanceof Secret ? v.value : v === undefined || v === null ? '' : String(v);
}

/** Per-request bookkeeping handed to route handlers: `done` answers and records the metrics. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  route: string;
  /**
   * Sends `status` with an optional plain-text body (a newline is appended, as Go's http.Error, unless
   * `exact`).
   */
  done(status: number, body?: string, headers?: Record<string, string>, exact?: boolean): void;
  /** Records the request body size. */
  requestBytes(n: number): void;
}

/** dskit's route name of a path: `/loki/api/v1/push` → `loki_api_v1_push`. */
export function routeName(path: string): string {
  return path
    .replace(/^\/+/, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .replace(/_+$/, '');
}

/** A running server; `stop` closes it, destroying connections after `graceMs`. */
export class PushServer {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  address = '';

  constructor(
    private readonly metrics: ServerMetrics,
    private readonly route: (path: string, method: string) => string,
    private readonly handle: (x: Exchange) => void,
  ) {}

  /** Listens with the decoded `http` block. Rejects when the address cannot be bound. */
  async start(httpArgs: Record<string, any> | undefined): Promise<string> {
    const h: Record<string, any> = { ...DEFAULT_HTTP, ...(httpArgs ?? {}) };
    const handler = (req: IncomingMessage, res: ServerResponse) => this.dispatch(req, res);
    let server: http.Server;
    if (h.tls) {
      const tls = h.tls;
      const pemOr = (pem: unknown, file: unknown) =>
        text(pem) !== '' ? text(pem) : file ? readFileSync(String(file), 'utf8') : undefined;
      const requireCert = /^RequireAndVerifyClientCert$|^VerifyClientCertIfGiven$/.test(
        tls.client_auth_type ?? '',
      );
      server = https.createServer(
        {
          cert: pemOr(tls.cert_pem, tls.cert_file),
          key: pemOr(tls.key_pem, tls.key_file),
          ca: pemOr(tls.client_ca, tls.client_ca_file),
          requestCert: requireCert,
          rejectUnauthorized: tls.client_auth_type === 'RequireAndVerifyClientCert',
        },
        handler,
      );
    } else server = http.createServer(handler);
    server.requestTimeout = h.server_read_timeout;
    server.keepAliveTimeout = h.server_idle_timeout;
    if (h.conn_limit > 0) server.maxConnections = h.conn_limit;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      this.metrics.conns.inc({ protocol: 'http' });
      s.on('close', () => {
        this.sockets.delete(s);
        this.metrics.conns.dec({ protocol: 'http' });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(h.listen_port, h.listen_address || undefined, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address() as AddressInfo;
    this.address = `${a.address}:${a.port}`;
    return this.address;
  }

  async stop(graceMs: number): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    const closed = new Promise<void>((res) => s.close(() => res()));
    s.closeIdleConnections();
    const timer = setTimeout(() => {
      for (const sock of this.sockets) sock.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const route = this.route(path, method);
    const m = this.metrics;
    m.inflight.inc({ method, route });
    let finished = false;
    const x: Exchange = {
      req,
      res,
      method,
      route,
      done: (status, body = '', headers, exact = false) => {
        if (finished) return;
        finished = true;
        const b = body ? Buffer.from(exact ? body : body + '\n') : undefined;
        if (b) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        res.writeHead(status);
        res.end(b);
        m.inflight.dec({ method, route });
        m.duration.observe(
          { method, route, status_code: String(status), ws: 'false' },
          (performance.now() - t0) / 1000,
        );
        m.resBytes.observe({ method, route }, b?.length ?? 0);
      },
      requestBytes: (n) => m.reqBytes.observe({ method, route }, n),
    };
    req.on('error', () => {
      if (!finished) {
        finished = true;
        m.inflight.dec({ method, route });
      }
    });
    this.handle(x);
  }
}

export { ServerMetrics };
