import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { of } from 'rxjs';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { testIds } from '../testIds';
import AppConfig, { normaliseControllerUrl } from './AppConfig';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
  getAppEvents: () => ({ publish: jest.fn() }),
}));

function props(jsonData: object, secureJsonFields: object): PluginConfigPageProps<AppPluginMeta> {
  return {
    plugin: { meta: { id: 'foundry-fleet-app', enabled: false, pinned: false, jsonData, secureJsonFields } },
    query: {},
  } as unknown as PluginConfigPageProps<AppPluginMeta>;
}

describe('AppConfig', () => {
  beforeEach(() => {
    fetch.mockReset();
    (getBackendSrv as jest.Mock).mockReturnValue({ fetch });
  });

  it('normalises the URL', () => {
    expect(normaliseControllerUrl(' http://c:8420/ ')).toBe('http://c:8420');
    expect(normaliseControllerUrl('ftp://c')).toBeUndefined();
    expect(normaliseControllerUrl('nope')).toBeUndefined();
  });

  it('saves the URL and the token, then tests the connection through the proxy', async () => {
    fetch.mockImplementation((req: { url: string }) =>
      of({
        data: req.url.endsWith('/fleet/summary')
          ? { agents: { total: 3 }, pipelines: 1, activeRollouts: 0, drift: 0 }
          : { message: 'Plugin settings updated' },
      }),
    );
    render(<AppConfig {...props({}, {})} />);
    const save = screen.getByTestId(testIds.appConfig.submit);
    expect(save).toBeDisabled();
    fireEvent.change(screen.getByTestId(testIds.appConfig.controllerUrl), {
      target: { value: 'http://controller:8420/' },
    });
    fireEvent.change(screen.getByTestId(testIds.appConfig.controllerToken), {
      target: { value: 'fdy_admin_x' },
    });
    fireEvent.click(save);
    expect(
      await screen.findByText('Connected to the controller: 3 agents, 1 pipeline, 0 active rollouts.'),
    ).toBeInTheDocument();
    expect(fetch.mock.calls[0][0]).toMatchObject({
      url: '/api/plugins/foundry-fleet-app/settings',
      method: 'POST',
      data: {
        enabled: true,
        jsonData: { controllerUrl: 'http://controller:8420' },
        secureJsonData: { controllerToken: 'fdy_admin_x' },
      },
    });
    expect(fetch.mock.calls[1][0].url).toBe('/api/plugin-proxy/foundry-fleet-app/api/v1/fleet/summary');
  });

  it('keeps a stored token unless a new one is typed, and shows a failed test', async () => {
    fetch.mockImplementation((req: { url: string }) =>
      req.url.endsWith('/settings')
        ? of({ data: {} })
        : {
            subscribe: (o: { error: (e: unknown) => void }) =>
              o.error({ status: 401, data: { message: 'invalid token' } }),
          },
    );
    render(<AppConfig {...props({ controllerUrl: 'http://c:8420' }, { controllerToken: true })} />);
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    expect(await screen.findByText(/rejected the token \(invalid token\)/)).toBeInTheDocument();
    await waitFor(() => expect(fetch.mock.calls[0][0].data.secureJsonData).toBeUndefined());
  });
});
