/**
 * The agent's HTTP server with Alloy's routes and answers: `/metrics`, `/-/ready`, `/-/healthy`,
 * `/-/reload`, the components API under `/api/v0/web/`, component handlers under
 * `/api/v0/component/{id}/…` and the managed-mode state at `/api/v0/remote`. Responses are
 * gzip-compressed when the client accepts it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Engine } from '@foundry/engine';
import { componentJSON } from './components-api.js';
import type { AgentMetrics } from './self-metrics.js';

export interface ServerDeps {
  engine: Engine;
  metrics: AgentMetrics;
  /** Reloads the config; resolves to an error text on failure. */
  reload(): Promise<string | undefined>;
  /** Managed-mode state (`GET /api/v0/remote`); absent when the agent runs without a controller. */
  remote?(): unknown;
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  let buf = Buffer.from(body);
  const headers: Record<string, string | number> = { 'Content-Type': type };
  if (buf.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    buf = gzipSync(buf);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = buf.length;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : buf);
}

function json(req: IncomingMessage, res: ServerResponse, status: number, v: unknown): void {
  send(req, res, status, JSON.stringify(v), 'application/json');
}

/** Handles one request; exported for tests that do not need a socket. */
export async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const { engine } = deps;

  if (path === '/metrics') {
    return send(req, res, 200, await engine.metricsText(), 'text/plain; version=0.0.4; charset=utf-8');
  }
  if (path === '/-/ready') {
    return engine.ready
      ? send(req, res, 200, 'Alloy is ready.\n')
      : send(req, res, 503, 'Alloy is not ready.\n');
  }
  if (path === '/-/healthy') {
    const bad = engine.unhealthyComponents();
    return bad.length
      ? send(req, res, 500, `unhealthy components: ${bad.join(', ')}\n`)
      : send(req, res, 200, 'All Alloy components are healthy.\n');
  }
  if (path === '/-/reload') {
    if (req.method !== 'GET' && req.method !== 'POST') return send(req, res, 405, 'method not allowed\n');
    const err = await deps.reload();
    return err === undefined ? send(req, res, 200, 'config reloaded\n') : send(req, res, 400, `${err}\n`);
  }
  if (path === '/api/v0/remote') {
    return json(
      req,
      res,
      200,
      deps.remote ? deps.remote() : { controller: '', connected: false, pipelines: [] },
    );
  }
  const web = '/api/v0/web/';
  if (path.startsWith(web)) {
    const rest = decodeURIComponent(path.slice(web.length));
    if (rest === 'components') {
      return json(
        req,
        res,
        200,
        engine.components('').map((c) => componentJSON(c, engine, false)),
      );
    }
    const mod = /^modules\/(.+)\/components$/.exec(rest);
    if (mod) {
      if (!engine.controller(mod[1]!)) return send(req, res, 404, 'module not found\n');
      return json(
        req,
        res,
        200,
        engine.components(mod[1]!).map((c) => componentJSON(c, engine, false)),
      );
    }
    if (rest.startsWith('components/')) {
      const info = engine.component(rest.slice('components/'.length));
      if (!info) return send(req, res, 404, 'component not found\n');
      return json(req, res, 200, componentJSON(info, engine, true));
    }
    return send(req, res, 404, 'not found\n');
  }
  const comp = '/api/v0/component/';
  if (path.startsWith(comp)) {
    const rest = path.slice(comp.length);
    // The component ID may contain `/` (module path); the longest matching ID wins.
    const parts = rest.split('/');
    for (let i = parts.length; i > 0; i--) {
      const info = engine.component(parts.slice(0, i).join('/'));
      const handler = info?.node.cell.instance?.handler;
      if (info && handler)
        return handler.call(info.node.cell.instance, req, res, '/' + parts.slice(i).join('/'));
    }
    return send(req, res, 404, 'component not found or has no handler\n');
  }
  send(req, res, 404, 'not found\n');
}

/** Starts listening on `host:port`; rejects when the address cannot be bound. */
export function startServer(deps: ServerDeps, listenAddr: string): Promise<Server> {
  const i = listenAddr.lastIndexOf(':');
  const host = listenAddr.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(listenAddr.slice(i + 1));
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err) => {
      if (!res.headersSent) send(req, res, 500, `${err instanceof Error ? err.message : err}\n`);
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
