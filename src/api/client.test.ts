import { FleetApi } from './client';
import { ApiError } from './errors';
import { fakeBackendSrv } from '../test/mocks';

describe('FleetApi', () => {
  it('calls the controller through the plugin proxy route with repeated matcher params', async () => {
    const { srv, calls } = fakeBackendSrv(() => ({ items: [], total: 0, limit: 50, offset: 0 }));
    const api = new FleetApi(srv);
    await api.listAgents({ matchers: ['env="prod"', 'team=~"a.*"'], q: 'edge', limit: 50, offset: 100 });
    expect(calls[0].url).toBe('/api/plugin-proxy/foundry-fleet-app/api/v1/agents');
    expect(calls[0].method).toBe('GET');
    expect(calls[0].params).toEqual({
      matcher: ['env="prod"', 'team=~"a.*"'],
      q: 'edge',
      limit: 50,
      offset: 100,
    });
    expect(calls[0].showErrorAlert).toBe(false);
  });

  it('drops empty params', async () => {
    const { srv, calls } = fakeBackendSrv(() => ({ items: [] }));
    await new FleetApi(srv).listAgents({ matchers: [], q: '' });
    expect(calls[0].params).toEqual({});
  });

  it('sends bodies for changes', async () => {
    const { srv, calls } = fakeBackendSrv(() => ({ version: 3 }));
    const api = new FleetApi(srv);
    await api.createVersion('p 1', 'a {}', 'msg');
    expect(calls[0]).toMatchObject({
      url: '/api/plugin-proxy/foundry-fleet-app/api/v1/pipelines/p%201/versions',
      method: 'POST',
      data: { content: 'a {}', message: 'msg' },
    });
    await api.startRollout('p1', { version: 2, waves: [{ count: 1 }, { percent: 100 }], soakSeconds: 5 });
    expect(calls[1]).toMatchObject({
      url: expect.stringMatching(/\/pipelines\/p1\/rollouts$/),
      data: { version: 2 },
    });
    await api.rolloutAction('r1', 'rollback');
    expect(calls[2]).toMatchObject({
      url: expect.stringMatching(/\/rollouts\/r1\/rollback$/),
      method: 'POST',
    });
    await api.setRemoteAttributes('a1', { env: 'prod' });
    expect(calls[3]).toMatchObject({ method: 'PUT', data: { remoteAttributes: { env: 'prod' } } });
    await api.diff('p1', 1, 2);
    expect(calls[4].params).toEqual({ from: 1, to: 2 });
    await api.agentMetrics('a1', 1000.7, 2000);
    expect(calls[5].params).toEqual({ since: '1000', until: '2000' });
  });

  it('explains proxy and controller errors', async () => {
    const cases: Array<[number, unknown, RegExp]> = [
      [
        502,
        { message: 'http://x: connect ECONNREFUSED' },
        /could not be reached through the plugin proxy.*ECONNREFUSED/,
      ],
      [401, { message: 'invalid token' }, /rejected the token \(invalid token\)/],
      [403, { message: 'plugin proxy route access denied' }, /Editor role/],
      [404, { message: 'plugin route match not found' }, /proxy route is missing/],
      [400, { message: ['matchers.0: bad'], diagnostics: [] }, /matchers\.0: bad/],
      [409, { message: 'rollout r is running' }, /rollout r is running/],
    ];
    for (const [status, data, re] of cases) {
      const { srv } = fakeBackendSrv(() => ({ error: { status, data } }));
      await expect(new FleetApi(srv).listPipelines()).rejects.toThrow(re);
    }
  });

  it('keeps the diagnostics of a rejected version', async () => {
    const diagnostics = [{ severity: 'error', message: 'bad', line: 2, column: 3, endLine: 2, endColumn: 4 }];
    const { srv } = fakeBackendSrv(() => ({
      error: { status: 400, data: { message: 'invalid', diagnostics } },
    }));
    const err = await new FleetApi(srv).createVersion('p', 'x', '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).diagnostics).toEqual(diagnostics);
    expect((err as ApiError).message).toBe('Saving a new version: invalid');
  });
});
