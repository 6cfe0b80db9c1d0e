/**
 * Browser tests of the plugin. Without GRAFANA_URL they run against the Foundry standalone plugin host
 * (not Grafana; project "standalone-host") with a real controller, three real agents and a fresh
 * database, all started by support/stack.mts as Playwright's webServer. Specs are written in
 * @grafana/plugin-e2e's style (fixtures.ts) so that they can also run against a real Grafana with the
 * plugin installed and provisioned (GRAFANA_URL=…, where Docker exists).
 *
 * Browser: Debian's Chromium (`apt-get install chromium`; CHROMIUM_PATH overrides), as
 * `npx playwright install` cannot download here.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import type { PluginOptions } from '@grafana/plugin-e2e';

const ROOT = resolve(__dirname, '..');
const PORT = Number(process.env.FOUNDRY_E2E_PORT ?? 3100);
export const STACK_STATE = join(ROOT, 'test-results', 'e2e-stack.json');
const CHROMIUM =
  process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-headless-shell'].find(existsSync);

export default defineConfig<PluginOptions>({
  testDir: './tests',
  // One fleet for all specs, and 2 cores: one browser at a time.
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  outputDir: join(ROOT, 'test-results', 'playwright'),
  reporter: [['list'], ['json', { outputFile: join(ROOT, 'test-results', 'playwright-report.json') }]],
  use: {
    baseURL: process.env.GRAFANA_URL || `http://127.0.0.1:${PORT}`,
    actionTimeout: 20_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    {
      // Named for what it is: the plugin in the standalone host, not in Grafana.
      name: process.env.GRAFANA_URL ? 'grafana' : 'standalone-host',
      use: { ...devices['Desktop Chrome'], viewport: { width: 1440, height: 900 } },
    },
  ],
  webServer: process.env.GRAFANA_URL
    ? undefined
    : {
        command: `node --conditions=foundry-source --import tsx playwright/support/stack.mts --port ${PORT} --state ${STACK_STATE}`,
        cwd: ROOT,
        url: `http://127.0.0.1:${PORT}/api/health`,
        timeout: 180_000,
        reuseExistingServer: false,
        stdout: 'pipe',
        stderr: 'pipe',
        gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
      },
});
