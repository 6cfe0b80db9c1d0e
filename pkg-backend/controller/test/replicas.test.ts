import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { SimAgent } from '../bench/sim-agent.js';
import { RolloutAdvancer } from '../src/rollouts/rollout-advancer.js';
import { createTestDatabase } from './support/database.js';
import { AGENT, insertPipeline, startTestController, type TestController } from './support/controller.js';
import { waitFor } from './support/net.js';

const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('two replicas share one database: a change through one reaches agents on both; leadership and state survive restarts', async () => {
  const db = await createTestDatabase();
  cleanup.push(() => db.drop());
  const r1 = await startTestController({ db, config: { heartbeatIntervalSeconds: 1 } });
  const r2 = await startTestController({ db, config: { heartbeatIntervalSeconds: 1 } });
  const stopped = new Set<TestController>();
  cleanup.push(async () => {
    for (const r of [r1, r2]) if (!stopped.has(r)) await r.stop();
  });
  const sim = (id: string, r: TestController) => {
    const a = new SimAgent({
      address: r.c.grpcAddress,
      token: AGENT,
      agentId: id,
      attributes: { site: 'x' },
    });
    cleanup.push(() => a.close());
    return a.connect();
  };
  const a1 = sim('on-r1', r1);
  const a2 = sim('on-r2', r2);
  await waitFor(() => a1.desired !== undefined && a2.desired !== undefined, 5000, 'both connected');

  const pid = await insertPipeline(r1.prisma, 'shared', ['site="x"'], ['prometheus.exporter.self "s" { }\n']);
  const started = Date.now();
  const res = await r1.api(`/api/v1/pipelines/${pid}/rollouts`, {
    method: 'POST',
    json: { version: 1, immediate: true },
  });
  assert.equal(res.status, 201);
  const first = (await res.json()) as { id: string };
  await waitFor(() => a1.desired?.length === 1 && a2.desired?.length === 1, 5000, 'pushed by both replicas');
  const latencyMs = Date.now() - started;
  assert.ok(latencyMs < 1000, `the change reached the other replica's agent in ${latencyMs} ms`);

  // Exactly one replica advances rollouts.
  const leaders = [r1, r2].map((r) => r.c.app.get(RolloutAdvancer).leader);
  assert.equal(leaders.filter(Boolean).length, 1);
  const leaderIdx = leaders.indexOf(true);
  const [leader, follower] = leaderIdx === 0 ? [r1, r2] : [r2, r1];

  // The leader dies: its agent reconnects to the other replica and converges; rollouts keep advancing.
  const orphan = leaderIdx === 0 ? a1 : a2;
  await leader.stop();
  stopped.add(leader);
  orphan.close();
  const again = new SimAgent({
    address: follower.c.grpcAddress,
    token: AGENT,
    agentId: orphan.options.agentId,
    attributes: { site: 'x' },
  });
  cleanup.push(() => again.close());
  again.connect();
  await waitFor(() => again.desired?.length === 1, 5000, 'orphan converged on the surviving replica');
  await waitFor(
    async () =>
      ((await (await follower.api(`/api/v1/rollouts/${first.id}`)).json()) as any).status === 'completed',
    15_000,
    'v1 completed by the surviving replica',
  );
  await insertVersion(follower, pid, 2);
  const r2res = await follower.api(`/api/v1/pipelines/${pid}/rollouts`, {
    method: 'POST',
    json: { version: 2, immediate: true },
  });
  assert.equal(r2res.status, 201);
  const rollout = (await r2res.json()) as { id: string };
  await waitFor(
    async () =>
      ((await (await follower.api(`/api/v1/rollouts/${rollout.id}`)).json()) as any).status === 'completed',
    15_000,
    'the surviving replica took over advancing rollouts',
  );

  // Restart: a fresh process on the same database finds everything.
  await follower.stop();
  stopped.add(follower);
  const r3 = await startTestController({ db });
  cleanup.push(() => r3.stop());
  const list = (await (await r3.api(`/api/v1/rollouts?pipelineId=${pid}`)).json()) as {
    items: { status: string }[];
  };
  assert.deepEqual(
    list.items.map((r) => r.status),
    ['completed', 'completed'],
  );
  const agents = await r3.prisma.agent.findMany({ orderBy: { id: 'asc' } });
  assert.deepEqual(
    agents.map((a) => [a.id, a.connected]),
    [
      ['on-r1', false],
      ['on-r2', false],
    ],
    'agents held by stopped replicas are marked disconnected',
  );
});

async function insertVersion(r: TestController, pipelineId: string, version: number): Promise<void> {
  const content = `prometheus.exporter.self "s" { }\n// v${version}\n`;
  await r.prisma.pipelineVersion.create({
    data: {
      pipelineId,
      version,
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
      author: 'test',
      valid: true,
    },
  });
}
