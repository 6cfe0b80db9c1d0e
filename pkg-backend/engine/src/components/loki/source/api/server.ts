/**
 * The HTTP side of loki.source.api: the shared `common/http-server.ts` server (configured from the decoded
 * `http` block of Alloy's `common/net` ServerConfig), with request routing and the dskit server metrics
 * Alloy registers under the `loki_source_api` namespace:
 * `loki_source_api_request_duration_seconds{method,route,status_code,ws}`,
 * `…_request_message_bytes{method,route}`, `…_response_message_bytes{method,route}`,
 * `…_inflight_requests{method,route}` and `…_tcp_connections{protocol}`.
 * Route names follow dskit (`/loki/api/v1/push` →
 * `loki_api_v1_push`; unknown paths → `notfound`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpServer } from '../../../common/http-server.js';
import { ServerMetrics } from '../../../common/server-metrics.js';

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
  private readonly http: HttpServer;
  address = '';

  constructor(
    private readonly metrics: ServerMetrics,
    private readonly route: (path: string, method: string) => string,
    private readonly handle: (x: Exchange) => void,
  ) {
    this.http = new HttpServer(metrics, (req, res) => this.dispatch(req, res));
  }

  /** Listens with the decoded `http` block. Rejects when the address cannot be bound. */
  async start(httpArgs: Record<string, any> | undefined): Promise<string> {
    return (this.address = await this.http.start(httpArgs));
  }

  /** Closes the server, destroying connections after `graceMs`. */
  stop(graceMs: number): Promise<void> {
    return this.http.stop(graceMs);
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
