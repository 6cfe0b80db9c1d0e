import { expect, test } from '../fixtures';
import { testIds } from '../../src/components/testIds';
import pluginJson from '../../src/plugin.json';

test.describe('configuration', () => {
  test('a wrong token is reported by the connection test', async ({ appConfigPage, page, stack }) => {
    await page.getByTestId(testIds.appConfig.controllerUrl).fill(stack.controllerUrl);
    const reset = page.getByRole('button', { name: 'Reset' });
    if (await reset.isVisible()) {
      await reset.click();
    }
    await page
      .getByTestId(testIds.appConfig.controllerToken)
      .fill('fdy_admin_not-a-valid-token-000000000000');
    const saved = appConfigPage.waitForSettingsResponse();
    await page.getByTestId(testIds.appConfig.submit).click();
    await expect(saved).toBeOK();
    await expect(page.getByTestId(testIds.appConfig.result)).toContainText(
      'the controller rejected the token',
    );
  });

  test('configure the app: controller URL and token, saved and tested', async ({
    appConfigPage,
    page,
    stack,
    shot,
  }) => {
    await page.getByTestId(testIds.appConfig.controllerUrl).fill(`${stack.controllerUrl}/`);
    const reset = page.getByRole('button', { name: 'Reset' });
    if (await reset.isVisible()) {
      await reset.click();
    }
    await page.getByTestId(testIds.appConfig.controllerToken).fill(stack.adminToken);
    const saved = appConfigPage.waitForSettingsResponse();
    await page.getByTestId(testIds.appConfig.submit).click();
    await expect(saved).toBeOK();
    await expect(page.getByTestId(testIds.appConfig.result)).toContainText(
      `Connected to the controller: ${stack.agents.length} agents`,
    );
    // The token is stored, and never sent back to the browser.
    await expect(page.getByTestId(testIds.appConfig.controllerToken)).toHaveValue('configured');
    const settings = await page.request.get(`/api/plugins/${pluginJson.id}/settings`);
    const text = await settings.text();
    expect(text).not.toContain(stack.adminToken);
    expect(JSON.parse(text)).toMatchObject({
      enabled: true,
      jsonData: { controllerUrl: stack.controllerUrl },
      secureJsonFields: { controllerToken: true },
    });
    await shot('configuration');
    // The test passes again with the saved settings.
    await page.getByTestId(testIds.appConfig.test).click();
    await expect(page.getByTestId(testIds.appConfig.result)).toContainText('Connection OK');
  });
});
