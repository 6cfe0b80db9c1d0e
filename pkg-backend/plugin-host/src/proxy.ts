/**
 * Grafana's app plugin proxy (`/api/plugin-proxy/<id>/<path>`), as Grafana's pluginproxy does it: the
 * first route of plugin.json whose method matches (empty or `*`: any) and whose path pattern matches
 * (Grafana's route tree: static segments, `:name`, and a trailing `*` for the rest) is used; a role below
 * its `reqRole` gets 403 "plugin proxy route access denied"; no route gives 404 "plugin route match not
 * found". The target is the route's `url` (templated with `{{ .JsonData.x }}` / `{{ .SecureJsonData.y }}`)
 * joined with what `*` matched; the query string is kept; cookies are dropped; the route's `headers`
 * (templated) are set.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PluginRoute, Role } from './plugin-json.js';

const ROLE_RANK: Record<Role, number> = { Viewer: 1, Editor: 2, Admin: 3 };

/** Whether `role` is at least `required`. */
export function hasRole(role: Role, required: Role | undefined): boolean {
  return !required || ROLE_RANK[role] >= ROLE_RANK[required];
}

/**
 * Matches a path against a route pattern. Returns the part `*` matched ('' when the pattern has no `*`),
 * or undefined when it does not match.
 */
export function matchPattern(pattern: string, path: string): string | undefined {
  const pat = pattern.replace(/^\/+|\/+$/g, '').split('/');
  const segs = path.replace(/^\/+/, '').split('/');
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i]!;
    if (p === '*' && i === pat.length - 1) {
      const rest = segs.slice(i).join('/');
      return rest === '' ? undefined : rest;
    }
    if (i >= segs.length) return undefined;
    if (p.startsWith(':')) {
      if (!segs[i]) return undefined;
      continue;
    }
    if (decodeURIComponent(segs[i]!) !== p) return undefined;
  }
  return segs.length === pat.length ? '' : undefined;
}

/** The first route matching `method` and `path` (Grafana's order), with what its `*` matched. */
export function findRoute(
  routes: readonly PluginRoute[],
  method: string,
  path: string,
): { route: PluginRoute; rest: string } | undefined {
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method.toUpperCase() !== method.toUpperCase()) continue;
    const rest = matchPattern(route.path, path);
    if (rest !== undefined) return { route, rest };
  }
  return undefined;
}

export interface TemplateData {
  JsonData: Record<string, unknown>;
  SecureJsonData: Record<string, string>;
}

/** Fills `{{ .JsonData.key }}` and `{{ .SecureJsonData.key }}`; a missing value becomes ''. */
export function interpolate(template: string, data: TemplateData): string {
  return template.replace(
    /\{\{\s*\.(JsonData|SecureJsonData)\.([A-Za-z0-9_]+)\s*\}\}/g,
    (_, scope: string, key: string) => {
      const v = scope === 'JsonData' ? data.JsonData[key] : data.SecureJsonData[key];
      return v === undefined || v === null ? '' : String(v);
    },
  );
}

/** `/api` + `v1/agents` → `/api/v1/agents` (Grafana's util.JoinURLFragments). */
export function joinUrlPath(a: string, b: string): string {
  if (!b) return a || '/';
  return `${a.replace(/\/+$/, '')}/${b.replace(/^\/+/, '')}`;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'cookie',
  'authorization',
]);

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Handles one proxied request: `path` is what follows `/api/plugin-proxy/<id>/`, `search` its query
 * string (with `?`).
 */
export function proxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  opts: {
    routes: readonly PluginRoute[];
    path: string;
    search: string;
    role: Role;
    data: TemplateData;
    timeoutMs?: number;
  },
): void {
  const match = findRoute(opts.routes, req.method ?? 'GET', opts.path);
  if (!match) return sendJson(res, 404, { message: 'plugin route match not found' });
  if (!hasRole(opts.role, match.route.reqRole)) {
    return sendJson(res, 403, { message: 'plugin proxy route access denied' });
  }
  const base = interpolate(match.route.url ?? '', opts.data);
  let target: URL;
  try {
    target = new URL(base);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return sendJson(res, 502, {
      message: `the route's URL ${JSON.stringify(base)} is not an http(s) URL: set the controller URL in the plugin settings`,
    });
  }
  target.pathname = joinUrlPath(target.pathname, match.rest);
  target.search = opts.search;

  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
  }
  for (const h of match.route.headers ?? [])
    headers[h.name.toLowerCase()] = interpolate(h.content, opts.data);
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';

  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target, { method: req.method, headers, timeout: opts.timeoutMs ?? 30_000 }, (up) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) {
      if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase()) && k.toLowerCase() !== 'set-cookie') out[k] = v;
    }
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  upstream.on('timeout', () =>
    upstream.destroy(new Error(`no answer within ${opts.timeoutMs ?? 30_000} ms`)),
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) sendJson(res, 502, { message: `${target.origin}: ${(err as Error).message}` });
    else res.destroy(err);
  });
  req.pipe(upstream);
}
