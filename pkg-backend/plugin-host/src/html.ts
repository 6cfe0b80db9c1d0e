/** The page the host serves for every UI path: Grafana's boot data, then the bundle. */
import type { PluginJson, Role } from './plugin-json.js';

export const HOST_TITLE = 'Foundry standalone plugin host (not Grafana)';

/** The @grafana/* version the bundle is built with (reported as buildInfo.version, like Grafana's). */
export interface BootOptions {
  plugin: PluginJson;
  role: Role;
  grafanaPackagesVersion: string;
  /** Origin the browser uses, e.g. http://127.0.0.1:3000 (for settings.appUrl). */
  appUrl: string;
}

/**
 * `window.grafanaBootData`, with what @grafana/runtime's config reads at import time. The build info
 * names this host, so nothing mistakes it for Grafana.
 */
export function bootData(o: BootOptions): unknown {
  return {
    settings: {
      appSubUrl: '',
      appUrl: `${o.appUrl}/`,
      appTitle: HOST_TITLE,
      buildInfo: {
        version: o.grafanaPackagesVersion,
        commit: 'foundry-plugin-host',
        edition: HOST_TITLE,
        env: 'production',
        latestVersion: '',
        hasUpdate: false,
        hideVersion: false,
      },
      featureToggles: {},
      datasources: {},
      panels: {},
      apps: {
        [o.plugin.id]: {
          id: o.plugin.id,
          path: `public/plugins/${o.plugin.id}/module.js`,
          version: o.plugin.info.version ?? '',
          preload: false,
        },
      },
      namespace: 'default',
      defaultDatasource: '',
      minRefreshInterval: '5s',
      theme2: undefined,
    },
    user: {
      id: 1,
      uid: 'foundry-host-user',
      login: 'host-user',
      name: `Plugin host user (${o.role})`,
      email: '',
      theme: 'dark',
      orgId: 1,
      orgName: 'Main Org.',
      orgRole: o.role,
      isSignedIn: true,
      isGrafanaAdmin: o.role === 'Admin',
      timezone: 'browser',
      weekStart: 'browser',
      locale: 'en-US',
      language: 'en-US',
      permissions: {},
    },
    navTree: [],
    assets: { dark: '', light: '', jsFiles: [] },
  };
}

const escapeScript = (json: string) => json.replace(/</g, '\\u003c');

export function indexHtml(o: BootOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<base href="/">
<title>${o.plugin.name} · ${HOST_TITLE}</title>
<link rel="icon" href="/public/plugins/${o.plugin.id}/img/logo.svg">
<link rel="stylesheet" href="/public/host/host.css">
<script>window.grafanaBootData = ${escapeScript(JSON.stringify(bootData(o)))};</script>
</head>
<body>
<div id="reactRoot"></div>
<script type="module" src="/public/host/host.js"></script>
</body>
</html>
`;
}
