/**
 * Entry of the Foundry standalone plugin host's page (not Grafana): sets up what Grafana gives a plugin
 * — boot config (window.grafanaBootData, read by @grafana/runtime at import), BackendSrv, app events,
 * theme and global styles, i18n, router on locationService, PluginPage — then renders the plugin's real
 * root page at /a/<id>/* and its config page at /plugins/<id>.
 */
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Routes, useLocation } from 'react-router-dom';
import { EventBusSrv, ThemeContext, type AppPlugin, type AppPluginMeta, type KeyValue } from '@grafana/data';
import { initPluginTranslations } from '@grafana/i18n';
import { config, setAppEvents, setBackendSrv } from '@grafana/runtime';
import { setPluginPage } from '@foundry-host/runtime-plugin-page';
import { Alert, GlobalStyles, LoadingPlaceholder, PortalContainer } from '@grafana/ui';
import { plugin as appPlugin } from '../../../../src/module';
import { createBackendSrv, hostFetch } from './backendSrv';
import { HOST_TITLE, HostChrome, HostPluginPage } from './HostChrome';
import { HostRouter, interceptLinkClicks } from './HostRouter';

type Meta = AppPluginMeta<KeyValue>;
const plugin = appPlugin as unknown as AppPlugin<KeyValue>;

// Monaco (in @grafana/ui's CodeEditor) runs its editor worker from the bundle the host builds.
(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorkerUrl: () => '/public/host/editor.worker.js',
};

setBackendSrv(createBackendSrv());
setAppEvents(new EventBusSrv());
setPluginPage(HostPluginPage);
interceptLinkClicks();

function loadMeta(pluginId: string): Promise<Meta> {
  return new Promise((resolve, reject) =>
    hostFetch<Meta>({ url: `/api/plugins/${pluginId}/settings` }).subscribe({
      next: (r) => resolve(r.data),
      error: reject,
    }),
  );
}

function AppRoot({ meta }: { meta: Meta }) {
  const Root = plugin.root!;
  return (
    <Root
      meta={meta}
      basename={`/a/${meta.id}`}
      query={{}}
      path={`/a/${meta.id}`}
      onNavChanged={() => undefined}
    />
  );
}

function ConfigRoot({ meta }: { meta: Meta }) {
  const page = plugin.configPages?.[0];
  if (!page) {
    return <Alert title="This plugin has no configuration page" severity="info" />;
  }
  const Body = page.body;
  return (
    <HostPluginPage pageNav={{ text: `${meta.name}: ${page.title}` }} subTitle="Plugin configuration">
      <Body plugin={plugin} query={{}} />
    </HostPluginPage>
  );
}

function Shell({ meta }: { meta: Meta }) {
  const location = useLocation();
  return (
    <HostChrome meta={meta} path={location.pathname}>
      <Routes>
        <Route path={`/a/${meta.id}/*`} element={<AppRoot meta={meta} />} />
        <Route path={`/plugins/${meta.id}`} element={<ConfigRoot meta={meta} />} />
        <Route path="*" element={<Alert severity="warning" title={`${HOST_TITLE}: no page here`} />} />
      </Routes>
    </HostChrome>
  );
}

function Host({ pluginId }: { pluginId: string }) {
  const [meta, setMeta] = useState<Meta>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    loadMeta(pluginId).then(
      (m) => {
        plugin.meta = m;
        plugin.init?.(m);
        setMeta(m);
      },
      (e: { status?: number; data?: { message?: string } }) =>
        setError(`Loading the plugin settings failed (${e.status ?? 0}): ${e.data?.message ?? 'no answer'}`),
    );
  }, [pluginId]);
  return (
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <PortalContainer />
      {error ? (
        <Alert severity="error" title={HOST_TITLE}>
          {error}
        </Alert>
      ) : meta ? (
        <HostRouter>
          <Shell meta={meta} />
        </HostRouter>
      ) : (
        <LoadingPlaceholder text="Loading…" />
      )}
    </ThemeContext.Provider>
  );
}

async function main() {
  const pluginId = Object.keys(
    (config.bootData.settings as unknown as { apps: Record<string, unknown> }).apps,
  )[0];
  await initPluginTranslations(pluginId, []);
  createRoot(document.getElementById('reactRoot')!).render(<Host pluginId={pluginId} />);
}

main().catch((err) => {
  document.body.textContent = `${HOST_TITLE}: ${err instanceof Error ? err.stack : String(err)}`;
});
