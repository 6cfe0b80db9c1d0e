import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FleetStateService } from '../src/fleet/fleet-state.service.js';
import { startTestApi, type TestApi } from './support/api.js';

/**
 * The agents REST API against a real controller and PostgreSQL: 1,000 agents inserted as the gateway
 * would write them (agent-0001 … agent-1000; even i: env=prod else dev; i % 3 == 0: region=eu else us;
 * team=team-<i % 10>; i % 5 == 0: disconnected), plus a few with crafted pipeline and component rows.
 */
describe('REST: agents', () => {
  let api: TestApi;
  let viewer: string;
  let editor: string;
  let pipelineId: string;
  const id = (i: number) => `agent-${String(i).padStart(4, '0')}`;

  before(async () => {
    api = await startTestApi({ heartbeatIntervalSeconds: 10, driftGraceSeconds: 60 });
    viewer = await api.token('viewer');
    editor = await api.token('editor');
    await api.prisma.$executeRawUnsafe(`
      INSERT INTO agents (id, name, local_attributes, system_attributes, build_info, supported_components, connected, last_seen_at)
      SELECT 'agent-' || lpad(i::text, 4, '0'), 'host-' || lpad(i::text, 4, '0'),
             jsonb_build_object('env', CASE WHEN i % 2 = 0 THEN 'prod' ELSE 'dev' END,
                                'region', CASE WHEN i % 3 = 0 THEN 'eu' ELSE 'us' END,
                                'team', 'team-' || (i % 10),
                                'agent.os', 'spoofed'),
             jsonb_build_object('agent.os', 'linux', 'agent.version', 'v1.2.3'),
             '{"version": "v1.2.3"}'::jsonb,
             ARRAY['prometheus.scrape', 'prometheus.remote_write'],
             i % 5 <> 0, now()
      FROM generate_series(1, 1000) AS i`);

    const created = await api.call('POST', '/api/v1/pipelines', {
      body: {
        name: 'metrics',
        content: 'prometheus.scrape "s" {\n  targets    = []\n  forward_to = []\n}\n',
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    pipelineId = created.body.id;
    // Deployed everywhere it matches: a completed rollout to version 1.
    await api.prisma.rollout.create({
      data: { pipelineId, fromVersion: null, toVersion: 1, status: 'completed', createdBy: 'test' },
    });
    await api.controller.app.get(FleetStateService).refresh(pipelineId);

    const ago = (s: number) => `now() - interval '${s} seconds'`;
    const rows: [number, string, string][] = [
      // agent, columns, values (desired_version, desired_at, applied_version, reported_version, status, status_at, error)
      [1, 'healthy', `1, ${ago(300)}, 1, 1, 'applied', ${ago(290)}, NULL`],
      [2, 'failed', `1, now(), NULL, 1, 'failed', now(), 'component "prometheus.scrape.s" failed to build'`],
      [3, 'drift', `1, ${ago(120)}, NULL, NULL, 'pending', NULL, NULL`],
      [4, 'within grace', `1, ${ago(5)}, NULL, NULL, 'pending', NULL, NULL`],
      [8, 'stuck applying', `1, ${ago(300)}, NULL, 1, 'applying', ${ago(200)}, NULL`],
    ];
    for (const [i, , values] of rows) {
      await api.prisma.$executeRawUnsafe(
        `INSERT INTO agent_pipelines (agent_id, pipeline_id, desired_version, desired_at, applied_version,
                                      reported_version, status, status_at, error)
         VALUES ($1, $2::uuid, ${values})`,
        id(i),
        pipelineId,
      );
    }
    await api.prisma.componentHealth.createMany({
      data: [
        {
          agentId: id(1),
          pipeline: 'metrics',
          componentId: 'prometheus.scrape.s',
          health: 'healthy',
          updatedAt: new Date(),
        },
        {
          agentId: id(6),
          pipeline: '',
          componentId: 'loki.write.w',
          health: 'unhealthy',
          message: 'connection refused',
          updatedAt: new Date(),
        },
        {
          agentId: id(7),
          pipeline: '',
          componentId: 'loki.write.w',
          health: 'unknown',
          updatedAt: new Date(),
        },
      ],
    });
    // Connected but silent for an hour: offline.
    await api.prisma.agent.update({
      where: { id: id(9) },
      data: { lastSeenAt: new Date(Date.now() - 3_600_000) },
    });
  });

  after(async () => {
    await api?.stop();
  });

  test('list pages through all agents sorted by name, default limit 50, max 500', async () => {
    const first = await api.call('GET', '/api/v1/agents');
    assert.equal(first.status, 200);
    assert.equal(first.body.total, 1000);
    assert.equal(first.body.limit, 50);
    assert.equal(first.body.offset, 0);
    assert.equal(first.body.items.length, 50);
    assert.equal(first.body.items[0].id, id(1));
    const item = first.body.items[0];
    assert.equal(item.name, 'host-0001');
    assert.equal(item.version, 'v1.2.3');
    assert.deepEqual(item.attributes, {
      env: 'dev',
      region: 'us',
      team: 'team-1',
      'agent.os': 'linux',
      'agent.version': 'v1.2.3',
      'agent.id': id(1),
      'agent.name': 'host-0001',
    });
    assert.deepEqual(item.pipelines, { total: 1, failed: 0, drifting: 0 });
    assert.deepEqual(item.components, { total: 1, unhealthy: 0, unknown: 0 });

    const seen = new Set<string>();
    for (let offset = 0; offset < 1000; offset += 300) {
      const page = await api.call('GET', `/api/v1/agents?limit=300&offset=${offset}`);
      assert.equal(page.status, 200);
      for (const a of page.body.items) seen.add(a.id);
    }
    assert.equal(seen.size, 1000);

    const last = await api.call('GET', '/api/v1/agents?limit=500&offset=950');
    assert.deepEqual(
      last.body.items.map((a: { id: string }) => a.id),
      Array.from({ length: 50 }, (_, k) => id(951 + k)),
    );

    for (const bad of ['limit=501', 'limit=0', 'offset=-1', 'limit=abc', 'state=sleepy']) {
      const res = await api.call('GET', `/api/v1/agents?${bad}`);
      assert.equal(res.status, 400, bad);
      assert.ok(Array.isArray(res.body.message) && res.body.message.length > 0, JSON.stringify(res.body));
    }
  });

  test('list filters: repeated matchers, regex matchers, text, and a bad matcher', async () => {
    const both = await api.call(
      'GET',
      `/api/v1/agents?limit=500&matcher=${encodeURIComponent('env="prod"')}&matcher=${encodeURIComponent('region="eu"')}`,
    );
    assert.equal(both.status, 200);
    assert.equal(both.body.total, 166); // i % 6 == 0
    for (const a of both.body.items) assert.ok(a.attributes.env === 'prod' && a.attributes.region === 'eu');

    const re = await api.call('GET', `/api/v1/agents?matcher=${encodeURIComponent('team=~"team-[12]"')}`);
    assert.equal(re.body.total, 200);
    const not = await api.call('GET', `/api/v1/agents?matcher=${encodeURIComponent('region!~"e.*"')}`);
    assert.equal(not.body.total, 667);
    const system = await api.call('GET', `/api/v1/agents?matcher=${encodeURIComponent('agent.os="linux"')}`);
    assert.equal(system.body.total, 1000, 'system attributes win over spoofed local agent.* keys');

    const byName = await api.call('GET', '/api/v1/agents?q=HOST-012');
    assert.equal(byName.body.total, 10);
    const byValue = await api.call('GET', '/api/v1/agents?q=team-7');
    assert.equal(byValue.body.total, 100);
    const combined = await api.call(
      'GET',
      `/api/v1/agents?q=team-7&matcher=${encodeURIComponent('region="eu"')}&state=offline`,
    );
    // i % 10 == 7, i % 3 == 0, i % 5 == 0 → impossible together with i % 10 == 7; so 0.
    assert.equal(combined.body.total, 0);

    const bad = await api.call('GET', `/api/v1/agents?matcher=${encodeURIComponent('env=prod')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /invalid matcher "env=prod"/);
    const badRe = await api.call('GET', `/api/v1/agents?matcher=${encodeURIComponent('env=~"("')}`);
    assert.equal(badRe.status, 400);
    assert.match(badRe.body.message, /invalid regular expression/);
  });

  test('state derivation through the list, the detail and the fleet summary', async () => {
    const byState = async (state: string) => {
      const res = await api.call('GET', `/api/v1/agents?state=${state}&limit=500`);
      assert.equal(res.status, 200);
      return res.body as { total: number; items: { id: string }[] };
    };
    const unhealthy = await byState('unhealthy');
    assert.deepEqual(
      unhealthy.items.map((a) => a.id),
      [id(2), id(6)],
    );
    const degraded = await byState('degraded');
    assert.deepEqual(
      degraded.items.map((a) => a.id),
      [id(3), id(7), id(8)],
    );
    const offline = await byState('offline');
    assert.equal(offline.total, 201);
    assert.ok(offline.items.some((a) => a.id === id(9)));
    const healthy = await byState('healthy');
    assert.equal(healthy.total, 1000 - 201 - 2 - 3);
    assert.ok(
      healthy.items.some((a) => a.id === id(4)),
      'desired ≠ applied within the grace period',
    );

    for (const [i, state] of [
      [1, 'healthy'],
      [2, 'unhealthy'],
      [3, 'degraded'],
      [4, 'healthy'],
      [6, 'unhealthy'],
      [7, 'degraded'],
      [8, 'degraded'],
      [9, 'offline'],
      [10, 'offline'],
    ] as const) {
      const detail = await api.call('GET', `/api/v1/agents/${id(i)}`);
      assert.equal(detail.status, 200);
      assert.equal(detail.body.state, state, `${id(i)} detail`);
    }

    const summary = await api.call('GET', '/api/v1/fleet/summary', { token: viewer });
    assert.equal(summary.status, 200);
    assert.deepEqual(summary.body, {
      agents: { total: 1000, healthy: 794, degraded: 3, unhealthy: 2, offline: 201 },
      drift: 2,
      pipelines: 1,
      activeRollouts: 0,
    });
  });

  test('detail: attributes split, desired (fleet state) vs applied, components, recent errors', async () => {
    const ok = await api.call('GET', `/api/v1/agents/${id(1)}`, { token: viewer });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.attributes.local, { env: 'dev', region: 'us', team: 'team-1' });
    assert.deepEqual(ok.body.attributes.remote, {});
    assert.deepEqual(ok.body.attributes.system, { 'agent.os': 'linux', 'agent.version': 'v1.2.3' });
    assert.equal(ok.body.attributes.effective['agent.id'], id(1));
    assert.deepEqual(ok.body.supportedComponents, ['prometheus.scrape', 'prometheus.remote_write']);
    assert.equal(ok.body.pipelines.length, 1);
    const p = ok.body.pipelines[0];
    assert.equal(p.pipelineId, pipelineId);
    assert.equal(p.name, 'metrics');
    assert.equal(p.desiredVersion, 1);
    assert.equal(p.appliedVersion, 1);
    assert.equal(p.status, 'applied');
    assert.equal(p.drift, false);
    assert.deepEqual(
      ok.body.components.map((c: { componentId: string; health: string }) => [c.componentId, c.health]),
      [['prometheus.scrape.s', 'healthy']],
    );
    assert.deepEqual(ok.body.recentErrors, []);

    const failed = await api.call('GET', `/api/v1/agents/${id(2)}`);
    assert.equal(failed.body.pipelines[0].status, 'failed');
    assert.equal(failed.body.pipelines[0].failed, true);
    assert.equal(failed.body.pipelines[0].appliedVersion, null);
    assert.deepEqual(
      failed.body.recentErrors.map((e: { source: string; message: string }) => [e.source, e.message]),
      [['pipeline', 'component "prometheus.scrape.s" failed to build']],
    );
    const drifting = await api.call('GET', `/api/v1/agents/${id(3)}`);
    assert.equal(drifting.body.drift, true);
    assert.equal(drifting.body.pipelines[0].drift, true);

    // Agent 5 has no row yet, but the pipeline selects it: desired 1, nothing applied, pending.
    const pending = await api.call('GET', `/api/v1/agents/${id(5)}`);
    assert.deepEqual(
      pending.body.pipelines.map((x: Record<string, unknown>) => [
        x.name,
        x.desiredVersion,
        x.appliedVersion,
        x.status,
      ]),
      [['metrics', 1, null, 'pending']],
    );
    const compErr = await api.call('GET', `/api/v1/agents/${id(6)}`);
    assert.deepEqual(
      compErr.body.recentErrors.map((e: Record<string, unknown>) => [e.source, e.componentId, e.message]),
      [['component', 'loki.write.w', 'connection refused']],
    );

    const missing = await api.call('GET', '/api/v1/agents/no-such-agent');
    assert.equal(missing.status, 404);
    assert.match(missing.body.message, /agent "no-such-agent" not found/);
    const anonymous = await api.call('GET', `/api/v1/agents/${id(1)}`, { token: null });
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.body.message, /missing bearer token/);
  });

  test('self-metrics as series within since/until', async () => {
    const now = Date.now();
    await api.prisma.metricSample.createMany({
      data: [
        { agentId: id(1), at: new Date(now - 2 * 3_600_000), values: { up: 1 } },
        {
          agentId: id(1),
          at: new Date(now - 600_000),
          values: { up: 1, 'alloy_component_controller_running_components{health_type="healthy"}': 3 },
        },
        {
          agentId: id(1),
          at: new Date(now - 300_000),
          values: { up: 0, 'alloy_component_controller_running_components{health_type="healthy"}': 4 },
        },
        { agentId: id(2), at: new Date(now - 300_000), values: { up: 1 } },
      ],
    });
    const res = await api.call('GET', `/api/v1/agents/${id(1)}/metrics`, { token: viewer });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.series, [
      {
        name: 'alloy_component_controller_running_components',
        labels: { health_type: 'healthy' },
        points: [
          [now - 600_000, 3],
          [now - 300_000, 4],
        ],
      },
      {
        name: 'up',
        labels: {},
        points: [
          [now - 600_000, 1],
          [now - 300_000, 0],
        ],
      },
    ]);
    const wide = await api.call(
      'GET',
      `/api/v1/agents/${id(1)}/metrics?since=${now - 3 * 3_600_000}&until=${new Date(now).toISOString()}`,
    );
    assert.equal(wide.body.series.find((s: { name: string }) => s.name === 'up').points.length, 3);

    const inverted = await api.call(
      'GET',
      `/api/v1/agents/${id(1)}/metrics?since=${now}&until=${now - 1000}`,
    );
    assert.equal(inverted.status, 400);
    assert.match(inverted.body.message, /since is after until/);
    const garbage = await api.call('GET', `/api/v1/agents/${id(1)}/metrics?since=yesterday`);
    assert.equal(garbage.status, 400);
    assert.match(garbage.body.message.join(' '), /since: want unix milliseconds or an ISO 8601 date/);
    const missing = await api.call('GET', '/api/v1/agents/nobody/metrics');
    assert.equal(missing.status, 404);
  });

  test('remote attributes: validated, win over local ones, audited, and select agents', async () => {
    const target = id(11); // env=dev
    const put = await api.call('PUT', `/api/v1/agents/${target}/attributes`, {
      token: editor,
      body: { remoteAttributes: { env: 'staging', owner: 'team-a' } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.attributes.remote, { env: 'staging', owner: 'team-a' });
    assert.equal(put.body.attributes.effective.env, 'staging');
    assert.equal(put.body.attributes.local.env, 'dev');
    const selected = await api.call('GET', `/api/v1/agents?matcher=${encodeURIComponent('env="staging"')}`);
    assert.deepEqual(
      selected.body.items.map((a: { id: string }) => a.id),
      [target],
    );

    const audit = await api.call('GET', `/api/v1/audit?targetType=agent&targetId=${target}`);
    assert.equal(audit.status, 200);
    assert.equal(audit.body.items[0].action, 'agent.attributes');
    assert.equal(audit.body.items[0].actor, 'editor-2');
    assert.deepEqual(audit.body.items[0].before, { remoteAttributes: {} });
    assert.deepEqual(audit.body.items[0].after, { remoteAttributes: { env: 'staging', owner: 'team-a' } });

    const bad: [unknown, RegExp][] = [
      [{ remoteAttributes: { 'agent.os': 'x' } }, /"agent\.os": keys starting with "agent\." are reserved/],
      [{ remoteAttributes: { ['k'.repeat(101)]: 'x' } }, /key longer than 100 characters/],
      [{ remoteAttributes: { k: 'v'.repeat(151) } }, /value longer than 150 characters/],
      [{ remoteAttributes: { 'has space': 'x' } }, /a key starts with a letter/],
      [{ remoteAttributes: { k: 1 } }, /remoteAttributes\.k: Invalid input: expected string/],
      [{ attributes: {} }, /remoteAttributes: Invalid input/],
    ];
    for (const [body, why] of bad) {
      const res = await api.call('PUT', `/api/v1/agents/${target}/attributes`, { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.message.join('\n'), why);
    }
    const viewerPut = await api.call('PUT', `/api/v1/agents/${target}/attributes`, {
      token: viewer,
      body: { remoteAttributes: {} },
    });
    assert.equal(viewerPut.status, 403);
    assert.match(viewerPut.body.message, /needs a editor token; this token's scope is viewer/);
    const unknown = await api.call('PUT', '/api/v1/agents/nobody/attributes', {
      body: { remoteAttributes: {} },
    });
    assert.equal(unknown.status, 404);
  });

  test('matcher preview: count and the first 50; viewers may preview', async () => {
    const res = await api.call('POST', '/api/v1/agents/preview', {
      token: viewer,
      body: { matchers: ['env="prod"', 'team=~"team-[02]"'] },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 200);
    assert.equal(res.body.agents.length, 50);
    assert.equal(res.body.agents[0].id, id(2));
    const all = await api.call('POST', '/api/v1/agents/preview', { body: { matchers: [] } });
    assert.equal(all.body.total, 1000);
    const bad = await api.call('POST', '/api/v1/agents/preview', { body: { matchers: ['nope'] } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /invalid matcher "nope"/);
    const malformed = await api.call('POST', '/api/v1/agents/preview', { body: { matchers: 'env="prod"' } });
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.message.join(' '), /matchers: Invalid input: expected array/);
  });

  test('delete: admin only, audited, then 404', async () => {
    const target = id(20);
    const asEditor = await api.call('DELETE', `/api/v1/agents/${target}`, { token: editor });
    assert.equal(asEditor.status, 403);
    const del = await api.call('DELETE', `/api/v1/agents/${target}`);
    assert.equal(del.status, 204);
    assert.equal((await api.call('GET', `/api/v1/agents/${target}`)).status, 404);
    assert.equal((await api.call('DELETE', `/api/v1/agents/${target}`)).status, 404);
    const audit = await api.call('GET', `/api/v1/audit?targetType=agent&targetId=${target}`);
    assert.equal(audit.body.items[0].action, 'agent.delete');
    assert.equal(audit.body.items[0].before.name, 'host-0020');
    assert.equal(audit.body.items[0].after, null);
  });

  test('stays fast at 10,000 agents (one aggregate query per list)', async () => {
    await api.prisma.$executeRawUnsafe(`
      INSERT INTO agents (id, name, local_attributes, system_attributes, connected, last_seen_at)
      SELECT 'bulk-' || i, 'bulk-' || lpad(i::text, 5, '0'),
             jsonb_build_object('env', CASE WHEN i % 2 = 0 THEN 'prod' ELSE 'dev' END, 'rack', 'r' || (i % 40)),
             '{"agent.os": "linux"}'::jsonb, true, now()
      FROM generate_series(1, 9000) AS i`);
    await api.prisma.$executeRawUnsafe(
      `INSERT INTO agent_pipelines (agent_id, pipeline_id, desired_version, desired_at, applied_version, status)
       SELECT 'bulk-' || i, $1::uuid, 1, now(), 1, 'applied' FROM generate_series(1, 9000) AS i`,
      pipelineId,
    );
    const timed = async (path: string) => {
      const t0 = performance.now();
      const res = await api.call('GET', path);
      assert.equal(res.status, 200);
      return { ms: performance.now() - t0, body: res.body };
    };
    await timed('/api/v1/agents'); // warm-up
    const plain = await timed('/api/v1/agents?limit=100');
    const filtered = await timed(
      `/api/v1/agents?matcher=${encodeURIComponent('rack=~"r1.*"')}&q=bulk&state=healthy`,
    );
    const summary = await timed('/api/v1/fleet/summary');
    assert.equal(plain.body.total, 9999);
    assert.equal(filtered.body.total, (9000 / 40) * 11);
    assert.equal(summary.body.agents.total, 9999);
    const worst = Math.max(plain.ms, filtered.ms, summary.ms);
    assert.ok(worst < 2000, `list/summary at 10k agents took ${worst.toFixed(0)} ms`);
    console.log(
      `10k agents: list ${plain.ms.toFixed(0)} ms, filtered ${filtered.ms.toFixed(0)} ms, summary ${summary.ms.toFixed(0)} ms`,
    );
  });
});
