/**
 * A node:http(s) server configured from the decoded `http` block of Alloy's `common/net` ServerConfig
 * (`server-schema.ts`): TLS with cert/key as PEM or files and client CAs, `server_read_timeout` →
 * requestTimeout, `server_idle_timeout` → keepAliveTimeout (ms), `conn_limit` → maxConnections, and the
 * dskit `…_tcp_connections` gauge. Used by loki.source.api and prometheus.receive_http.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Secret } from '../../syntax/value.js';
import type { ServerMetrics } from './server-metrics.js';

/** Defaults of the `http` block (durations in ms), as Alloy's. */
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

export class HttpServer {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** `host:port` once listening. */
  address = '';

  constructor(
    /** The dskit server metrics (only the connection gauge is used here); optional. */
    private readonly metrics: ServerMetrics | undefined,
    private readonly handler: (req: IncomingMessage, res: ServerResponse) => void,
  ) {}

  /**
   * Listens with the decoded `http` block (missing fields take DEFAULT_HTTP).
   * @returns the bound `host:port`. @throws when the address cannot be bound or TLS files cannot be read.
   */
  async start(httpArgs: Record<string, any> | undefined): Promise<string> {
    const h: Record<string, any> = { ...DEFAULT_HTTP, ...(httpArgs ?? {}) };
    let server: http.Server;
    if (h.tls) {
      const tls = h.tls;
      const pemOr = (pem: unknown, file: unknown) =>
        text(pem) !== '' ? text(pem) : file ? readFileSync(String(file), 'utf8') : undefined;
      server = https.createServer(
        {
          cert: pemOr(tls.cert_pem, tls.cert_file),
          key: pemOr(tls.key_pem, tls.key_file),
          ca: pemOr(tls.client_ca, tls.client_ca_file),
          requestCert: /^RequireAndVerifyClientCert$|^VerifyClientCertIfGiven$/.test(
            tls.client_auth_type ?? '',
          ),
          rejectUnauthorized: tls.client_auth_type === 'RequireAndVerifyClientCert',
        },
        this.handler,
      );
    } else server = http.createServer(this.handler);
    server.requestTimeout = h.server_read_timeout;
    server.keepAliveTimeout = h.server_idle_timeout;
    if (h.conn_limit > 0) server.maxConnections = h.conn_limit;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      this.metrics?.conns.inc({ protocol: 'http' });
      s.on('close', () => {
        this.sockets.delete(s);
        this.metrics?.conns.dec({ protocol: 'http' });
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

  /** Stops accepting, closes idle connections, and destroys the rest after `graceMs`. */
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
}
