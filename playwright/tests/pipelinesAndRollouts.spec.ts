/**
 * The main flow, in order: write a pipeline with an error and see the marker, fix it and save v1; roll
 * it out and watch every agent reach applied; save v2 and diff v1 ↔ v2; roll v2 out in waves, pause it
 * during the first wave's soak, roll back.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures';
import { testIds } from '../../src/components/testIds';

/** Pipeline text: the agent scrapes its own metrics and remote-writes them to the test sink. */
function pipelineText(sinkUrl: string, interval: string, typo = false): string {
  return `prometheus.exporter.self "agent" { }

prometheus.scrape "self" {
  targets         = prometheus.exporter.self.agent.targets
  ${typo ? 'scrape_intervall' : 'scrape_interval '} = "${interval}"
  scrape_timeout  = "1s"
  forward_to      = [prometheus.remote_write.sink.receiver]
}

prometheus.remote_write "sink" {
  endpoint {
    url = "${sinkUrl}"
  }
}
`;
}

/**
 * Replaces the text of the Monaco editor (Grafana's CodeEditor) as a person pasting it would (typing it
 * key by key would re-indent every line with the editor's auto-indent).
 */
async function setEditorText(page: Page, text: string) {
  const editor = page.getByTestId(testIds.editor.code).locator('.monaco-editor').first();
  await expect(editor).toBeVisible();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
  await expect(editor.locator('.view-lines')).toContainText('prometheus.scrape');
}

test.describe.configure({ mode: 'serial' });

test.describe('pipelines and rollouts', () => {
  const name = `e2e_self_${Date.now().toString(36)}`;
  let pipelineUrl = '';

  test('write a pipeline with an error, see the marker, fix it, save v1', async ({
    configured,
    gotoPage,
    page,
    stack,
    shot,
  }) => {
    void configured;
    await gotoPage('/pipelines');
    await page.getByTestId(testIds.pipelines.create).click();
    await page.getByTestId(testIds.editor.name).fill(name);
    const matchers = page.getByTestId(testIds.editor.matchers).getByRole('textbox');
    await matchers.fill('team="platform"');
    await matchers.press('Enter');

    await setEditorText(page, pipelineText(stack.sinkUrl, '2s', true));
    const diagnostics = page.getByTestId(testIds.editor.diagnostics);
    await expect(diagnostics).toContainText('5:3 unrecognized attribute name "scrape_intervall"');
    // The marker sits in the editor and carries the diagnostic.
    const marker = page.locator('.monaco-editor .squiggly-error').first();
    await expect(marker).toBeVisible();
    await marker.hover({ force: true });
    await expect(
      page.locator('.monaco-hover').filter({ hasText: 'unrecognized attribute name' }).first(),
    ).toBeVisible();
    await expect(page.getByTestId(testIds.editor.save)).toBeDisabled();
    await page.getByText('Matched agents').click();
    await expect(page.getByTestId(testIds.editor.preview)).toContainText(
      `${stack.agents.length} agents match`,
    );
    await page.getByText('Graph', { exact: true }).click();
    await shot('pipeline-editor-error');

    await setEditorText(page, pipelineText(stack.sinkUrl, '2s'));
    await expect(page.getByTestId(testIds.editor.validity)).toContainText('valid');
    await expect(page.locator('.monaco-editor .squiggly-error')).toHaveCount(0);
    await expect(
      page.getByTestId(testIds.editor.graph).locator('[data-component="prometheus.scrape.self"]'),
    ).toBeVisible();
    await page.getByTestId(testIds.editor.message).fill('scrape the agents themselves');
    await page.getByTestId(testIds.editor.save).click();
    await expect(page.getByText(`Created pipeline ${name} with version 1`)).toBeVisible();
    await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
    pipelineUrl = new URL(page.url()).pathname;
    await expect(page.getByTestId(testIds.editor.save)).toHaveText('Save as version 2');
    await shot('pipeline-v1');
  });

  test('roll out v1 and watch every agent reach applied', async ({ configured, page, stack, shot }) => {
    void configured;
    await page.goto(pipelineUrl);
    await page.getByTestId(testIds.editor.rollout).click();
    await expect(page.getByTestId(testIds.newRollout.container)).toBeVisible();
    await page.getByTestId(testIds.newRollout.mode).getByRole('radio', { name: 'All at once' }).check();
    await page.getByTestId(testIds.newRollout.submit).click();
    await expect(
      page.getByText(`Started rolling out ${name} v1 to ${stack.agents.length} agents in 1 wave`),
    ).toBeVisible();
    await expect(page.getByTestId(testIds.rollout.status)).toHaveAttribute('data-status', 'completed', {
      timeout: 60_000,
    });
    for (const agent of stack.agents) {
      const row = page.getByTestId(testIds.rollout.agent(agent));
      await expect(row).toHaveAttribute('data-status', 'applied');
      await expect(row).toHaveAttribute('data-applied', '1');
    }
    await shot('rollout-v1');

    // The agent page shows the pipeline applied, with its components' health.
    await page.getByTestId(testIds.rollout.agent('edge-prod-1')).getByRole('link').click();
    const row = page.getByTestId(testIds.agent.pipelineRow(name));
    await expect(row).toContainText('applied');
    await expect(page.locator('[data-component="prometheus.remote_write.sink"]')).toHaveAttribute(
      'data-health',
      'healthy',
      {
        timeout: 30_000,
      },
    );
    await expect(page.getByTestId(testIds.agent.chart('Throughput'))).toContainText('samples sent', {
      timeout: 30_000,
    });
    await shot('agent-with-pipeline');
  });

  test('save v2 and compare v1 with v2 side by side', async ({ configured, page, stack, shot }) => {
    void configured;
    await page.goto(pipelineUrl);
    await setEditorText(page, pipelineText(stack.sinkUrl, '5s'));
    await expect(page.getByTestId(testIds.editor.validity)).toContainText('valid');
    await page.getByTestId(testIds.editor.message).fill('scrape every 5s');
    await page.getByTestId(testIds.editor.save).click();
    await expect(page.getByText(`Saved ${name} as version 2`)).toBeVisible();
    await expect(page.getByTestId(testIds.editor.save)).toHaveText('Save as version 3');

    await page.getByRole('link', { name: 'History' }).click();
    await expect(page.getByTestId(testIds.history.version(2))).toContainText('scrape every 5s');
    await expect(page.getByTestId(testIds.history.version(1))).toContainText('deployed');
    const diff = page.getByTestId(testIds.history.diff);
    await expect(diff).toContainText('v1');
    await expect(diff.locator('td[data-side="old"]', { hasText: '"2s"' })).toBeVisible();
    await expect(diff.locator('td[data-side="new"]', { hasText: '"5s"' })).toBeVisible();
    await shot('history-diff');
  });

  test('roll v2 out in waves, pause during the soak, roll back', async ({
    configured,
    page,
    stack,
    shot,
  }) => {
    void configured;
    await page.goto(`${pipelineUrl}/history`);
    await page.getByTestId(testIds.history.version(2)).getByRole('link', { name: 'Roll out' }).click();
    await page.getByTestId(testIds.newRollout.waves).fill('1, 100%');
    await page.getByTestId(testIds.newRollout.soak).fill('120');
    await page.getByTestId(testIds.newRollout.threshold).fill('0');
    await expect(page.getByTestId(testIds.newRollout.submit)).toHaveText('Start rollout of v2');
    await page.getByTestId(testIds.newRollout.submit).click();
    await expect(
      page.getByText(`Started rolling out ${name} v2 to ${stack.agents.length} agents in 2 waves`),
    ).toBeVisible();

    // Wave 1 (one agent) applies v2 and soaks; wave 2 waits.
    await expect(page.getByTestId(testIds.rollout.wave(0))).toHaveAttribute('data-status', 'soaking', {
      timeout: 60_000,
    });
    await expect(page.getByTestId(testIds.rollout.wave(0))).toContainText('1/1 on v2');
    await expect(page.getByTestId(testIds.rollout.wave(1))).toHaveAttribute('data-status', 'pending');
    await page.getByTestId(testIds.rollout.action('pause')).click();
    await expect(page.getByText(`Paused the rollout of ${name} v2`)).toBeVisible();
    await expect(page.getByTestId(testIds.rollout.status)).toHaveAttribute('data-status', 'paused');
    await shot('rollout-paused');

    await page.getByTestId(testIds.rollout.action('rollback')).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await expect(
      page.getByText(`Rolled back the rollout of ${name} v2 (agents go back to v1)`),
    ).toBeVisible();
    await expect(page.getByTestId(testIds.rollout.status)).toHaveAttribute('data-status', 'rolled_back');
    // The wave-1 agent goes back to v1.
    await expect(
      page.getByTestId(testIds.rollout.wave(0)).locator('tr[data-applied]').first(),
    ).toHaveAttribute('data-applied', '1', {
      timeout: 60_000,
    });
    await shot('rollout-rolled-back');
  });

  test('the lists: pipelines with versions, past rollouts', async ({ configured, gotoPage, page, shot }) => {
    void configured;
    await gotoPage('/pipelines');
    const row = page.getByTestId(testIds.pipelines.row(name));
    await expect(row).toContainText('v2');
    await expect(row).toContainText('team');
    await shot('pipelines');
    await gotoPage('/rollouts');
    await expect(
      page.getByTestId(testIds.rollouts.table).getByRole('row').filter({ hasText: name }),
    ).toHaveCount(2);
    await expect(page.getByTestId(testIds.rollouts.table)).toContainText('rolled back');
    await expect(page.getByTestId(testIds.rollouts.table)).toContainText('completed');
    await shot('rollouts');
  });
});
