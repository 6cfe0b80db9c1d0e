import { expect, test } from '../fixtures';
import { testIds } from '../../src/components/testIds';

test.describe('fleet', () => {
  test('see the fleet: agents by state, filtered by matcher and by text', async ({
    configured,
    gotoPage,
    page,
    stack,
    shot,
  }) => {
    void configured;
    await gotoPage('/fleet');
    for (const name of stack.agents) {
      await expect(page.getByTestId(testIds.fleet.row(name))).toBeVisible();
    }
    await expect(page.getByTestId(testIds.fleet.stat('total'))).toContainText(String(stack.agents.length));
    await expect(page.getByTestId(testIds.fleet.stat('healthy'))).toContainText(String(stack.agents.length));
    await shot('fleet');

    const matchers = page.getByTestId(testIds.fleet.matchers).getByRole('textbox');
    await matchers.fill('env="prod"');
    await matchers.press('Enter');
    await expect(page.getByTestId(testIds.fleet.row('edge-dev-1'))).toBeHidden();
    await expect(page.getByTestId(testIds.fleet.row('edge-prod-1'))).toBeVisible();
    await expect(page.getByTestId(testIds.fleet.row('edge-prod-2'))).toBeVisible();
    await expect(page).toHaveURL(/matcher=env%3D%22prod%22/);

    await page.getByTestId(testIds.fleet.search).getByRole('textbox').fill('prod-2');
    await expect(page.getByTestId(testIds.fleet.row('edge-prod-1'))).toBeHidden();
    await expect(page.getByTestId(testIds.fleet.row('edge-prod-2'))).toBeVisible();
    await expect(page.getByTestId(testIds.fleet.total)).toContainText('1–1 of 1 agents');
    await shot('fleet-filtered');
  });

  test('open an agent: attributes, pipelines, components, self-metrics; edit a remote attribute', async ({
    configured,
    gotoPage,
    page,
    shot,
  }) => {
    void configured;
    await gotoPage('/fleet');
    await page.getByTestId(testIds.fleet.row('edge-dev-1')).getByRole('link', { name: 'edge-dev-1' }).click();
    await expect(page.getByRole('heading', { name: 'edge-dev-1', level: 1 })).toBeVisible();
    await expect(page.getByTestId(testIds.agent.state)).toContainText('healthy');
    const attributes = page.getByTestId(testIds.agent.attributes);
    await expect(attributes).toContainText('env');
    await expect(attributes).toContainText('dev');
    await expect(attributes).toContainText('agent.os');

    await page.getByTestId(testIds.agent.editAttributes).click();
    await page.getByTestId(testIds.agent.addAttribute).click();
    await page.getByTestId(testIds.agent.attributeKey(0)).fill('tier');
    await page.getByTestId(testIds.agent.attributeValue(0)).fill('gold');
    await page.getByTestId(testIds.agent.saveAttributes).click();
    await expect(page.getByText('Saved 1 remote attribute on edge-dev-1')).toBeVisible();
    await expect(attributes.getByRole('row', { name: /tier gold remote/ })).toBeVisible();

    // Self-metrics arrive every 2 s (the e2e controller's interval).
    await expect(page.getByTestId(testIds.agent.chart('Memory'))).toContainText('resident memory:', {
      timeout: 30_000,
    });
    await expect(page.getByTestId(testIds.agent.chart('CPU'))).toContainText('CPU:');
    await shot('agent');
  });
});
