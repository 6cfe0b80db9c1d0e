/**
 * Fixtures in @grafana/plugin-e2e's style (as create-plugin scaffolds them): `appConfigPage`, `gotoPage`,
 * plus what these specs need from the system under test: `stack` (the controller's URL and token, the
 * remote-write sink, the agents' names), `controllerApi` (the controller's REST API, for waiting on
 * state), `configured` (the plugin settings pointing at the controller) and `shot` (a full-page
 * screenshot into test-results/screenshots/).
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfigPage, AppPage, test as base } from '@grafana/plugin-e2e';
import pluginJson from '../src/plugin.json';

export interface Stack {
  hostUrl: string;
  controllerUrl: string;
  adminToken: string;
  sinkUrl: string;
  agents: string[];
}

const ROOT = resolve(__dirname, '..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

type AppTestFixture = {
  appConfigPage: AppConfigPage;
  gotoPage: (path?: string) => Promise<AppPage>;
  stack: Stack;
  controllerApi: <T = any>(path: string, init?: { method?: string; json?: unknown }) => Promise<T>;
  configured: void;
  shot: (name: string) => Promise<void>;
};

export const test = base.extend<AppTestFixture>({
  stack: async ({}, use) => {
    const file = process.env.FOUNDRY_E2E_STATE ?? join(ROOT, 'test-results', 'e2e-stack.json');
    await use(JSON.parse(readFileSync(file, 'utf8')) as Stack);
  },
  controllerApi: async ({ stack }, use) => {
    await use(async (path, init = {}) => {
      const res = await fetch(`${stack.controllerUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
      const text = await res.text();
      if (!res.ok) {
        throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
      }
      return (text ? JSON.parse(text) : undefined) as any;
    });
  },
  // Point the plugin at the controller, as provisioning/plugins/apps.yaml does in Grafana.
  configured: async ({ request, stack }, use) => {
    const res = await request.post(`/api/plugins/${pluginJson.id}/settings`, {
      data: {
        enabled: true,
        pinned: true,
        jsonData: { controllerUrl: stack.controllerUrl },
        secureJsonData: { controllerToken: stack.adminToken },
      },
    });
    if (!res.ok()) {
      throw new Error(`configuring the plugin: ${res.status()} ${await res.text()}`);
    }
    await use();
  },
  appConfigPage: async ({ gotoAppConfigPage }, use) => {
    const configPage = await gotoAppConfigPage({ pluginId: pluginJson.id });
    await use(configPage);
  },
  gotoPage: async ({ gotoAppPage }, use) => {
    await use((path) => gotoAppPage({ path, pluginId: pluginJson.id }));
  },
  shot: async ({ page }, use) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await use(async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    });
  },
});

export { expect } from '@grafana/plugin-e2e';
