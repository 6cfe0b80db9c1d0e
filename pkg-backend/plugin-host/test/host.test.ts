/**
 * The standalone plugin host (not Grafana): route matching as Grafana's plugin proxy does it, with the
 * plugin's real plugin.json; templating; settings that never echo secrets; the HTTP endpoints against a
 * fake upstream; the CLI flags.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseArgs } from '../src/main.js';
import { readPluginJson } from '../src/plugin-json.js';
import { findRoute, hasRole, interpolate, joinUrlPath, matchPattern } from '../src/proxy.js';
import { startHost, type RunningHost } from '../src/server.js';
import { SettingsStore } from '../src/settings-store.js';

const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
const plugin = readPluginJson(join(REPO_ROOT, 'src', 'plugin.json'));
const routes = plugin.routes ?? [];

describe('route matching (Grafana plugin proxy semantics)', () => {
  test('patterns: static segments, a trailing * for the rest', () => {
    assert.equal(matchPattern('api/*', 'api/v1/agents'), 'v1/agents');
    assert.equal(matchPattern('api/*', 'api'), undefined);
    assert.equal(matchPattern('api', 'api/v1'), undefined);
    assert.equal(matchPattern('api', 'api'), '');
    assert.equal(matchPattern('api/v1/validate', 'api/v1/validate'), '');
    assert.equal(matchPattern('a/:id/b', 'a/x/b'), '');
    assert.equal(matchPattern('api/*', 'other/v1'), undefined);
  });

  test('plugin.json: GET reads for Viewers, changes for Editors, validation and preview for Viewers', () => {
    const route = (method: string, path: string) => findRoute(routes, method, path);
    assert.deepEqual(
      [route('GET', 'api/v1/agents')?.route.reqRole, route('GET', 'api/v1/agents')?.rest],
      ['Viewer', 'v1/agents'],
    );
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE'])
      assert.equal(route(m, 'api/v1/pipelines/x')?.route.reqRole, 'Editor', m);
    assert.equal(route('POST', 'api/v1/validate')?.route.reqRole, 'Viewer');
    assert.equal(route('POST', 'api/v1/agents/preview')?.route.reqRole, 'Viewer');
    assert.equal(route('GET', 'metrics'), undefined);
    for (const r of routes) {
      assert.match(r.url ?? '', /^\{\{ \.JsonData\.controllerUrl \}\}\/api/);
      assert.deepEqual(r.headers, [
        { name: 'Authorization', content: 'Bearer {{ .SecureJsonData.controllerToken }}' },
      ]);
    }
  });

  test('roles, templating, URL joining', () => {
    assert.ok(hasRole('Admin', 'Editor'));
    assert.ok(hasRole('Editor', 'Editor'));
    assert.ok(!hasRole('Viewer', 'Editor'));
    assert.ok(hasRole('Viewer', undefined));
    assert.equal(
      interpolate(
        '{{ .JsonData.controllerUrl }}/api {{.SecureJsonData.controllerToken}} {{ .JsonData.missing }}',
        {
          JsonData: { controllerUrl: 'http://c:8420' },
          SecureJsonData: { controllerToken: 't' },
        },
      ),
      'http://c:8420/api t ',
    );
    assert.equal(joinUrlPath('/api', 'v1/agents'), '/api/v1/agents');
    assert.equal(joinUrlPath('/api/', ''), '/api/');
  });
});

describe('settings store', () => {
  test('keeps secrets write-only, replaces jsonData, merges secureJsonData, persists with mode 0600', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'host-settings-')), 'settings.json');
    const s = new SettingsStore(file);
    s.update({
      enabled: true,
      jsonData: { controllerUrl: 'http://a' },
      secureJsonData: { controllerToken: 'secret-1' },
    });
    s.update({ jsonData: { controllerUrl: 'http://b' } });
    const view = s.view();
    assert.deepEqual(view, {
      enabled: true,
      pinned: false,
      jsonData: { controllerUrl: 'http://b' },
      secureJsonFields: { controllerToken: true },
    });
    assert.ok(!JSON.stringify(view).includes('secret-1'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = new SettingsStore(file);
    assert.equal(again.templateData().SecureJsonData.controllerToken, 'secret-1');
    again.update({ secureJsonData: { controllerToken: 'secret-2' } });
    assert.equal(new SettingsStore(file).templateData().SecureJsonData.controllerToken, 'secret-2');
  });
});

describe('the host over HTTP', () => {
  let upstream: Server;
  let upstreamUrl = '';
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
  let admin: RunningHost;
  let viewer: RunningHost;

  before(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'x=1' });
        res.end(JSON.stringify({ ok: true, url: req.url }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    const common = { port: 0, repoRoot: REPO_ROOT, publicDir: mkdtempSync(join(tmpdir(), 'host-public-')) };
    admin = await startHost({
      ...common,
      dataDir: mkdtempSync(join(tmpdir(), 'host-data-')),
      controllerUrl: `${upstreamUrl}/`,
      controllerToken: 'tok-admin',
    });
    viewer = await startHost({
      ...common,
      dataDir: mkdtempSync(join(tmpdir(), 'host-data-')),
      role: 'Viewer',
      controllerUrl: upstreamUrl,
      controllerToken: 'tok-viewer',
    });
  });

  after(async () => {
    await admin?.close();
    await viewer?.close();
    upstream?.close();
  });

  test('proxies to the controller with the route headers, the query string, no cookies', async () => {
    const res = await fetch(
      `${admin.url}/api/plugin-proxy/foundry-fleet-app/api/v1/agents?matcher=env%3D%22prod%22&limit=5`,
      {
        headers: { cookie: 'grafana_session=abc', authorization: 'Bearer from-browser' },
      },
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('set-cookie'), null);
    const last = seen.at(-1)!;
    assert.equal(last.url, '/api/v1/agents?matcher=env%3D%22prod%22&limit=5');
    assert.equal(last.headers.authorization, 'Bearer tok-admin');
    assert.equal(last.headers.cookie, undefined);

    const post = await fetch(`${admin.url}/api/plugin-proxy/foundry-fleet-app/api/v1/pipelines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    assert.equal(post.status, 200);
    assert.equal(seen.at(-1)!.body, '{"name":"x"}');
  });

  test('honours reqRole: a Viewer reads and validates but cannot change', async () => {
    const base = `${viewer.url}/api/plugin-proxy/foundry-fleet-app/api/v1`;
    assert.equal((await fetch(`${base}/pipelines`)).status, 200);
    assert.equal((await fetch(`${base}/validate`, { method: 'POST', body: '{}' })).status, 200);
    const denied = await fetch(`${base}/pipelines`, { method: 'POST', body: '{}' });
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), { message: 'plugin proxy route access denied' });
    assert.equal(
      (await fetch(`${viewer.url}/api/plugins/foundry-fleet-app/settings`, { method: 'POST', body: '{}' }))
        .status,
      403,
    );
  });

  test('unknown routes are 404, an unreachable controller is 502 with the reason', async () => {
    const missing = await fetch(`${admin.url}/api/plugin-proxy/foundry-fleet-app/metrics`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { message: 'plugin route match not found' });
    const port = (upstream.address() as { port: number }).port;
    await fetch(`${admin.url}/api/plugins/foundry-fleet-app/settings`, {
      method: 'POST',
      body: JSON.stringify({ jsonData: { controllerUrl: `http://127.0.0.1:1` } }),
    });
    const down = await fetch(`${admin.url}/api/plugin-proxy/foundry-fleet-app/api/v1/agents`);
    assert.equal(down.status, 502);
    assert.match(((await down.json()) as { message: string }).message, /127\.0\.0\.1:1: .*ECONNREFUSED/);
    await fetch(`${admin.url}/api/plugins/foundry-fleet-app/settings`, {
      method: 'POST',
      body: JSON.stringify({ jsonData: { controllerUrl: `http://127.0.0.1:${port}` } }),
    });
  });

  test('settings: meta and settings without the token', async () => {
    const res = await fetch(`${admin.url}/api/plugins/foundry-fleet-app/settings`);
    const text = await res.text();
    assert.ok(!text.includes('tok-admin'));
    const meta = JSON.parse(text);
    assert.equal(meta.id, 'foundry-fleet-app');
    assert.equal(meta.enabled, true);
    assert.deepEqual(meta.secureJsonFields, { controllerToken: true });
    assert.equal(meta.jsonData.controllerUrl, upstreamUrl);
  });

  test('pages carry Grafana boot data and say what the host is; icons and plugin files are served', async () => {
    const page = await fetch(`${admin.url}/a/foundry-fleet-app/fleet`);
    const html = await page.text();
    assert.match(html, /Foundry standalone plugin host \(not Grafana\)/);
    assert.match(html, /window\.grafanaBootData = /);
    assert.match(html, /"orgRole":"Admin"/);
    assert.equal((await fetch(`${admin.url}/plugins/foundry-fleet-app`)).status, 200);
    const root = await fetch(`${admin.url}/`, { redirect: 'manual' });
    assert.equal(root.headers.get('location'), '/a/foundry-fleet-app/fleet');
    const icon = await fetch(`${admin.url}/public/build/img/icons/unicons/rocket.svg`);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal((await fetch(`${admin.url}/public/build/img/icons/unicons/spinner.svg`)).status, 200);
    assert.equal((await fetch(`${admin.url}/public/plugins/foundry-fleet-app/img/logo.svg`)).status, 200);
    assert.equal((await fetch(`${admin.url}/public/host/../../package.json`)).status, 404);
  });
});

describe('CLI', () => {
  test('flags', () => {
    assert.deepEqual(
      parseArgs(
        [
          '--port',
          '3001',
          '--controller-url=http://c:8420',
          '--controller-token',
          't',
          '--data-dir',
          'd',
          '--role',
          'Editor',
        ],
        {},
      ),
      {
        port: 3001,
        host: '127.0.0.1',
        controllerUrl: 'http://c:8420',
        controllerToken: 't',
        dataDir: 'd',
        role: 'Editor',
      },
    );
    assert.equal(parseArgs([], { FOUNDRY_CONTROLLER_URL: 'http://e' }).controllerUrl, 'http://e');
    assert.throws(() => parseArgs(['--role', 'Owner'], {}), /bad --role/);
    assert.throws(() => parseArgs(['--nope', '1'], {}), /unknown flag --nope/);
  });
});
