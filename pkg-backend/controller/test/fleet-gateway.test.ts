import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SimAgent } from '../bench/sim-agent.js';
import {
  ADMIN,
  AGENT,
  insertPipeline,
  startTestController,
  type TestController,
} from './support/controller.js';
import { waitFor } from './support/net.js';

describe('fleet gateway (real gRPC, real PostgreSQL)', () => {
  let t: TestController;
  const agents: SimAgent[] = [];
  const sim = (id: string, attributes: Record<string, string>, token = AGENT) => {
    const a = new SimAgent({ address: t.c.grpcAddress, token, agentId: id, attributes });
    agents.push(a);
    return a;
  };

  before(async () => {
    t = await startTestController({ config: { heartbeatIntervalSeconds: 1 } });
  });
  after(async () => {
    for (const a of agents) a.close();
    await t.stop();
  });

  test('hello registers the agent; welcome and an empty desired set come back', async () => {
    const a = sim('agent-hello', { env: 'dev', 'agent.os': 'spoofed' }).connect();
    await waitFor(() => a.desired !== undefined, 5000, 'desired set');
    assert.deepEqual(a.desired, []);
    assert.equal(a.welcome?.heartbeatIntervalSeconds, 1);
    const row = await t.prisma.agent.findUnique({ where: { id: 'agent-hello' } });
    assert.ok(row?.connected);
    assert.deepEqual(
      row?.localAttributes,
      { env: 'dev' },
      'reserved agent.* keys are not taken from local attributes',
    );
    assert.equal((row?.systemAttributes as Record<string, string>)['agent.os'], 'linux');
    a.close();
    await waitFor(
      async () => !(await t.prisma.agent.findUnique({ where: { id: 'agent-hello' } }))?.connected,
      5000,
      'disconnected',
    );
  });

  test('refused: no token, wrong token, non-agent token, bad hello, message not hello first, oversized message', async () => {
    const cases: [SimAgent, grpc.status, RegExp][] = [
      [sim('x1', {}, ''), grpc.status.UNAUTHENTICATED, /missing bearer token/],
      [sim('x2', {}, 'fdy_agent_wrong'), grpc.status.UNAUTHENTICATED, /invalid or revoked/],
      [sim('x3', {}, ADMIN), grpc.status.PERMISSION_DENIED, /agent token/],
    ];
    for (const [a] of cases) a.connect();
    const bad = sim('bad id with spaces', {}).connect();
    cases.push([bad, grpc.status.INVALID_ARGUMENT, /agent_id/]);
    const first = sim('x5', {}).connect({ heartbeat: { sentUnixMs: 1 } });
    cases.push([first, grpc.status.INVALID_ARGUMENT, /first message must be hello/]);
    const big = sim('x6', {}).connect({
      hello: {
        agentId: 'x6',
        name: 'x'.repeat(5 * 1024 * 1024),
        localAttributes: {},
        systemAttributes: {},
        supportedComponents: [],
        running: [],
      },
    });
    cases.push([big, grpc.status.RESOURCE_EXHAUSTED, /./]);
    for (const [a, code, re] of cases) {
      await waitFor(() => a.ended !== undefined, 5000, `end of ${a.options.agentId}`);
      assert.equal(a.ended!.code, code, `${a.options.agentId}: ${a.ended!.details}`);
      assert.match(a.ended!.details, re);
    }
    assert.equal(await t.prisma.agent.count({ where: { id: { in: ['x1', 'x2', 'x3', 'x5', 'x6'] } } }), 0);
    // The controller still serves.
    assert.equal((await t.api('/api/v1/rollouts')).status, 200);
  });

  test('immediate rollout reaches matching agents only; statuses are stored; the rollout completes', async () => {
    const prod = sim('prod-1', { env: 'prod' }).connect();
    const dev = sim('dev-1', { env: 'dev' }).connect();
    await waitFor(() => prod.desired !== undefined && dev.desired !== undefined, 5000, 'initial sets');
    const pid = await insertPipeline(
      t.prisma,
      'scrape_self',
      ['env="prod"'],
      ['prometheus.exporter.self "a" { }\n'],
    );
    const res = await t.api(`/api/v1/pipelines/${pid}/rollouts`, {
      method: 'POST',
      json: { version: 1, immediate: true },
    });
    assert.equal(res.status, 201, await res.clone().text());
    const rollout = (await res.json()) as { id: string };
    await waitFor(() => prod.desired?.length === 1, 5000, 'push to prod');
    assert.equal(prod.desired![0]!.name, 'scrape_self');
    assert.equal(prod.desired![0]!.version, 1);
    assert.deepEqual(dev.desired, []);
    await waitFor(
      async () =>
        ((await (await t.api(`/api/v1/rollouts/${rollout.id}`)).json()) as any).status === 'completed',
      10_000,
      'rollout completed',
    );
    const state = await t.prisma.agentPipeline.findUnique({
      where: { agentId_pipelineId: { agentId: 'prod-1', pipelineId: pid } },
    });
    assert.equal(state?.status, 'applied');
    assert.equal(state?.appliedVersion, 1);
    assert.equal(state?.desiredVersion, 1);

    // Self-metrics and fleet state reach /metrics (no token needed, as for any exporter).
    prod.send({
      metrics: {
        timestampUnixMs: Date.now(),
        samples: [
          { name: 'process_resident_memory_bytes', labels: {}, value: 123456 },
          {
            name: 'prometheus_remote_storage_samples_total',
            labels: { component_id: 'prometheus.remote_write.a' },
            value: 42,
          },
        ],
      },
    });
    let text = '';
    await waitFor(
      async () => {
        text = await (await t.api('/metrics', { token: null })).text();
        return text.includes('foundry_agent_process_resident_memory_bytes{agent_id="prod-1"');
      },
      5000,
      'agent self-metrics on /metrics',
    );
    assert.match(
      text,
      /foundry_fleet_agent_pipeline_applied_version\{agent_id="prod-1",pipeline="scrape_self"\} 1/,
    );
    assert.match(text, /foundry_fleet_agent_up\{agent_id="prod-1",agent_name="prod-1"\} 1/);
    assert.match(
      text,
      /foundry_agent_prometheus_remote_storage_samples_total\{agent_id="prod-1",agent_name="prod-1",component_id="prometheus.remote_write.a"\} 42/,
    );
    assert.match(text, /foundry_fleet_agents\{state="healthy"\} [1-9]/);
    assert.match(text, /foundry_controller_connected_agents [1-9]/);
    assert.match(text, /process_cpu_user_seconds_total/);
  });

  test('waves with soak, automatic pause on failure, roll back restores the previous version everywhere', async () => {
    const fleet = Array.from({ length: 6 }, (_, i) => sim(`w-${i}`, { team: 'waves' }).connect());
    await waitFor(() => fleet.every((a) => a.desired !== undefined), 5000, 'connected');
    const pid = await insertPipeline(
      t.prisma,
      'waves',
      ['team="waves"'],
      ['prometheus.exporter.self "v1" { }\n', 'prometheus.exporter.self "v2" { }\n', '// FAIL_ON_AGENT\n'],
    );
    const start = async (version: number, waves: unknown, soakSeconds: number) => {
      const r = await t.api(`/api/v1/pipelines/${pid}/rollouts`, {
        method: 'POST',
        json: { version, waves, soakSeconds },
      });
      assert.equal(r.status, 201, await r.clone().text());
      return ((await r.json()) as { id: string }).id;
    };
    const get = async (id: string) => (await (await t.api(`/api/v1/rollouts/${id}`)).json()) as any;
    const versions = () => fleet.map((a) => a.running.get(pid)?.version ?? null);

    const r1 = await start(1, [{ percent: 100 }], 0);
    await waitFor(async () => (await get(r1)).status === 'completed', 10_000, 'v1 everywhere');
    assert.deepEqual(versions(), [1, 1, 1, 1, 1, 1]);

    // A second rollout while none is active is fine; a concurrent one is refused.
    const r2 = await start(2, [{ count: 1 }, { percent: 100 }], 1);
    const conflict = await t.api(`/api/v1/pipelines/${pid}/rollouts`, {
      method: 'POST',
      json: { version: 2 },
    });
    assert.equal(conflict.status, 409);
    await waitFor(() => versions().filter((v) => v === 2).length === 1, 5000, 'canary on v2');
    assert.equal(versions().filter((v) => v === 1).length, 5, 'the rest stay on v1 during the soak');
    await waitFor(async () => (await get(r2)).status === 'completed', 10_000, 'v2 everywhere');
    assert.deepEqual(versions(), [2, 2, 2, 2, 2, 2]);

    const r3 = await start(3, [{ count: 2 }, { percent: 100 }], 0);
    await waitFor(async () => (await get(r3)).status === 'paused', 10_000, 'automatic pause');
    const paused = await get(r3);
    assert.match(paused.pausedReason, /2 of 2 agents failed/);
    assert.deepEqual(
      paused.waves[1].agents.map((a: any) => a.status),
      ['applied', 'applied', 'applied', 'applied'],
      'the second wave never started',
    );
    assert.deepEqual(versions(), [2, 2, 2, 2, 2, 2], 'failing agents keep running v2');
    const rb = await t.api(`/api/v1/rollouts/${r3}/rollback`, { method: 'POST' });
    assert.equal(rb.status, 200);
    assert.equal(((await rb.json()) as any).status, 'rolled_back');
    await waitFor(
      async () =>
        (await t.prisma.agentPipeline.count({
          where: { pipelineId: pid, status: 'applied', appliedVersion: 2 },
        })) === 6,
      5000,
      'all applied v2 again',
    );
    const again = await t.api(`/api/v1/rollouts/${r3}/resume`, { method: 'POST' });
    assert.equal(again.status, 409);
    const audit = await t.prisma.auditEvent.findMany({ where: { targetId: r3 }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      audit.map((e) => e.action),
      ['rollout.create', 'rollout.auto-pause', 'rollout.rollback'],
    );
  });
});
