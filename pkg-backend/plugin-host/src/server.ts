/**
 * The Foundry standalone plugin host: a small HTTP server that serves the foundry-fleet-app plugin's
 * real root component and config page (bundled with the real @grafana/ui, see bundle.ts) and emulates
 * the parts of Grafana's HTTP API the plugin uses: plugin settings and the plugin proxy. It is a test
 * and demo host, not Grafana: no users, no org, no dashboards, no data sources.
 *
 * Routes:
 *   GET  /                                  → redirect to the app's default page
 *   GET  /a/<id>/*, /plugins/<id>           → the page (boot data + bundle)
 *   GET  /public/host/*                     → the bundle (host.js, host.css, chunks, monaco worker, fonts)
 *   GET  /public/build/img/icons/**, /public/img/icons/** → @grafana/ui's icons
 *   GET  /public/plugins/<id>/*             → the plugin's files (img/, plugin.json) from dist/ or src/
 *   GET  /api/plugins/<id>/settings         → meta + settings (secureJsonFields only, never secrets)
 *   POST /api/plugins/<id>/settings         → update {enabled, pinned, jsonData, secureJsonData}
 *   *    /api/plugin-proxy/<id>/<route>/*   → the controller, per plugin.json's routes (proxy.ts)
 *   GET  /api/health                        → {"host":"foundry-plugin-host","ok":true}
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { HOST_TITLE, indexHtml } from './html.js';
import { readPluginJson, type PluginJson, type Role } from './plugin-json.js';
import { proxyRequest, sendJson } from './proxy.js';
import { SettingsStore, type SettingsUpdate } from './settings-store.js';

export interface HostOptions {
  /** Listen port (0: any free one). Default 3000. */
  port?: number;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Repository root: src/plugin.json, dist/ (webpack output), node_modules/. */
  repoRoot: string;
  /** Folder of the bundle (host.js, host.css, …). */
  publicDir: string;
  /** Folder of the settings file. */
  dataDir: string;
  /** The role of the (only) user, checked against routes' reqRole. Default Admin. */
  role?: Role;
  /** When given, written to the settings at start (like Grafana's provisioning): jsonData.controllerUrl. */
  controllerUrl?: string;
  /** When given, written to the settings at start: secureJsonData.controllerToken. */
  controllerToken?: string;
  /** Log one line per proxied request. */
  log?: (line: string) => void;
}

export interface RunningHost {
  url: string;
  port: number;
  server: Server;
  settings: SettingsStore;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const ICON_STAND_INS: Record<string, string> = { 'unicons/spinner.svg': 'unicons/sync.svg' };

/**
 * Grafana's Inter font files (public/fonts/inter/Inter-*.woff2, which @grafana/ui's global styles load)
 * from @fontsource/inter when it is installed; false otherwise (the browser falls back to system fonts).
 */
function serveFont(res: ServerResponse, repoRoot: string, rel: string): boolean {
  const m = /^inter\/Inter-(Regular|Medium|SemiBold|Bold|Light)\.woff2$/.exec(rel);
  if (!m) return false;
  const weight = { Light: 300, Regular: 400, Medium: 500, SemiBold: 600, Bold: 700 }[m[1] as 'Regular'];
  return serveFile(
    res,
    join(repoRoot, 'node_modules', '@fontsource', 'inter', 'files'),
    `inter-latin-${weight}-normal.woff2`,
    'max-age=86400',
  );
}

/** Serves `rel` from `dir` (no escaping it); false when there is no such file. */
function serveFile(res: ServerResponse, dir: string, rel: string, cache = 'no-cache'): boolean {
  const file = normalize(join(dir, rel));
  if (!file.startsWith(resolve(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': cache,
  });
  createReadStream(file).pipe(res);
  return true;
}

async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Plugin meta as Grafana's GET /api/plugins/<id>/settings returns it. */
function pluginMeta(plugin: PluginJson, settings: SettingsStore, version: string) {
  return {
    id: plugin.id,
    name: plugin.name,
    type: plugin.type,
    info: { ...plugin.info, version },
    includes: plugin.includes ?? [],
    baseUrl: `public/plugins/${plugin.id}`,
    module: `public/plugins/${plugin.id}/module.js`,
    defaultNavUrl: `/a/${plugin.id}/`,
    hasUpdate: false,
    signature: 'unsigned',
    ...settings.view(),
  };
}

export async function startHost(o: HostOptions): Promise<RunningHost> {
  const role = o.role ?? 'Admin';
  const pluginJsonFile = join(o.repoRoot, 'src', 'plugin.json');
  const plugin = readPluginJson(pluginJsonFile);
  const id = plugin.id;
  const settings = new SettingsStore(join(o.dataDir, `${id}.settings.json`));
  if (o.controllerUrl || o.controllerToken) {
    const view = settings.view();
    settings.update({
      enabled: true,
      pinned: true,
      jsonData: o.controllerUrl
        ? { ...view.jsonData, controllerUrl: o.controllerUrl.replace(/\/+$/, '') }
        : undefined,
      secureJsonData: o.controllerToken ? { controllerToken: o.controllerToken } : undefined,
    });
  }
  const readJson = <T>(...parts: string[]) =>
    JSON.parse(readFileSync(join(o.repoRoot, ...parts), 'utf8')) as T;
  const uiPackage = readJson<{ version: string }>('node_modules', '@grafana', 'ui', 'package.json');
  const pluginVersion = readJson<{ version: string }>('package.json').version;
  const iconsDir = join(o.repoRoot, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons');
  const distDir = join(o.repoRoot, 'dist');
  const srcDir = join(o.repoRoot, 'src');
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const settingsPath = `/api/plugins/${id}/settings`;
    const proxyPrefix = `/api/plugin-proxy/${id}/`;

    if (path.startsWith(proxyPrefix)) {
      const view = settings.view();
      if (!view.enabled) return sendJson(res, 404, { message: 'Plugin is not enabled' });
      const rel = path.slice(proxyPrefix.length);
      o.log?.(`${method} ${path}${url.search}`);
      // Grafana reads routes at start; the host re-reads plugin.json so a rebuilt plugin needs no restart.
      const routes = readPluginJson(pluginJsonFile).routes ?? [];
      return proxyRequest(req, res, {
        routes,
        path: rel,
        search: url.search,
        role,
        data: settings.templateData(),
      });
    }
    if (path === settingsPath) {
      if (method === 'GET') return sendJson(res, 200, pluginMeta(plugin, settings, pluginVersion));
      if (method === 'POST') {
        if (role !== 'Admin') return sendJson(res, 403, { message: 'Permission denied' });
        let body: SettingsUpdate;
        try {
          body = JSON.parse((await readBody(req)) || '{}') as SettingsUpdate;
        } catch (err) {
          return sendJson(res, 400, { message: `bad request body: ${(err as Error).message}` });
        }
        settings.update(body);
        return sendJson(res, 200, { message: 'Plugin settings updated' });
      }
      return sendJson(res, 405, { message: 'method not allowed' });
    }
    if (path === '/api/health')
      return sendJson(res, 200, { host: 'foundry-plugin-host', ok: true, title: HOST_TITLE });
    if (path.startsWith('/api/'))
      return sendJson(res, 404, { message: `${HOST_TITLE}: ${path} is not emulated` });

    if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { message: 'method not allowed' });
    if (path.startsWith('/public/host/') && serveFile(res, o.publicDir, path.slice('/public/host/'.length)))
      return;
    for (const prefix of ['/public/build/img/icons/', '/public/img/icons/']) {
      if (!path.startsWith(prefix)) continue;
      const rel = path.slice(prefix.length);
      // Grafana serves a few icons that @grafana/ui does not ship (the spinner); stand-ins keep them visible.
      const alias = ICON_STAND_INS[rel];
      if (
        serveFile(res, iconsDir, rel, 'max-age=3600') ||
        (alias && serveFile(res, iconsDir, alias, 'max-age=3600'))
      )
        return;
    }
    if (path.startsWith('/public/fonts/') && serveFont(res, o.repoRoot, path.slice('/public/fonts/'.length)))
      return;
    const pluginPublic = `/public/plugins/${id}/`;
    if (path.startsWith(pluginPublic)) {
      const rel = path.slice(pluginPublic.length);
      if (serveFile(res, distDir, rel) || serveFile(res, srcDir, rel)) return;
    }
    if (path === '/') {
      res.writeHead(302, { location: `/a/${id}/fleet` });
      return res.end();
    }
    if (path === `/plugins/${id}` || path.startsWith(`/a/${id}`)) {
      const html = indexHtml({ plugin, role, grafanaPackagesVersion: uiPackage.version, appUrl: origin });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      return res.end(html);
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${HOST_TITLE}: nothing at ${path}\n`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { message: (err as Error).message });
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 3000, o.host ?? '127.0.0.1', () => ok());
  });
  const addr = server.address() as { port: number };
  const host = o.host ?? '127.0.0.1';
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  return {
    url: origin,
    port: addr.port,
    server,
    settings,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
