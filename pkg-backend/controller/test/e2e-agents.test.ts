/**
 * End to end: the controller (real PostgreSQL, REST, gRPC) and three real foundry-agent processes.
 * A pipeline that really scrapes each agent's own metrics and remote-writes them to a sink; v1 rolled
 * out, v2 in waves with every agent hot-reloading in place; a bad v3 failing on the first wave, the
 * rollout pausing and the roll back restoring v2; the controller killed and restarted while agents
 * keep running.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AGENT, startTestController, type TestController } from './support/controller.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { freePort, waitFor } from './support/net.js';

const AGENT_BIN = new URL('../../agent/bin/foundry-agent.js', import.meta.url).pathname;

interface RealAgent {
  name: string;
  port: number;
  proc: ChildProcess;
  log: string[];
}

function pipelineText(sinkPort: number, interval: string, extra = ''): string {
  return `prometheus.exporter.self "agent" { }

prometheus.scrape "self" {
  targets         = prometheus.exporter.self.agent.targets
  scrape_interval = "${interval}"
  scrape_timeout  = "500ms"
  forward_to      = [prometheus.remote_write.sink.receiver]
}

prometheus.remote_write "sink" {
  endpoint {
    url = "http://127.0.0.1:${sinkPort}/api/v1/write"
  }
}
${extra}`;
}

describe('controller + three real agents', () => {
  let db: TestDatabase;
  let t: TestController;
  let sink: Server;
  let sinkPort = 0;
  const writes = new Map<string, number>();
  const agents: RealAgent[] = [];
  let httpPort = 0;
  let grpcPort = 0;

  const startController = async () => {
    t = await startTestController({
      db,
      config: {
        httpAddress: `127.0.0.1:${httpPort}`,
        grpcAddress: `127.0.0.1:${grpcPort}`,
        heartbeatIntervalSeconds: 1,
        metricsIntervalSeconds: 1,
      },
    });
  };
  const json = async (path: string, init?: Parameters<TestController['api']>[1]) => {
    const res = await t.api(path, init);
    const body = (await res.json()) as any;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  before(async () => {
    db = await createTestDatabase();
    [httpPort, grpcPort] = [await freePort(), await freePort()];
    sink = createServer((req, res) => {
      const ua = String(req.headers['user-agent']);
      req.resume();
      req.on('end', () => {
        writes.set(ua, (writes.get(ua) ?? 0) + 1);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    sinkPort = (sink.address() as { port: number }).port;
    await startController();
    const attrs = [
      ['env=dev', 'team=a'],
      ['env=prod', 'team=a'],
      ['env=prod', 'team=b'],
    ];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const storage = mkdtempSync(join(tmpdir(), `e2e-agent-${i}-`));
      const proc = spawn(
        process.execPath,
        [
          AGENT_BIN,
          'run',
          `--server.http.listen-addr=127.0.0.1:${port}`,
          `--storage.path=${storage}`,
          `--controller=grpc://127.0.0.1:${grpcPort}`,
          `--token=${AGENT}`,
          `--agent.name=agent-${i}`,
          ...attrs[i]!.flatMap((a) => ['--attribute', a]),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const log: string[] = [];
      proc.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
      proc.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
      agents.push({ name: `agent-${i}`, port, proc, log });
    }
    await waitFor(
      async () => (await t.prisma.agent.count({ where: { connected: true } })) === 3,
      30_000,
      'three agents connected',
    );
  });

  after(async () => {
    for (const a of agents) a.proc.kill('SIGTERM');
    await Promise.all(
      agents.map((a) => (a.proc.exitCode === null ? new Promise((r) => a.proc.once('exit', r)) : null)),
    );
    await t?.stop();
    sink?.close();
    await db?.drop();
  });

  test('create, roll out v1, v2 in waves with hot reload, bad v3 pauses, roll back, controller restart', async () => {
    const pids = agents.map((a) => a.proc.pid);
    const pipeline = await json('/api/v1/pipelines', {
      method: 'POST',
      json: {
        name: 'self_scrape',
        matchers: ['team="a"'],
        content: pipelineText(sinkPort, '1s'),
        message: 'v1',
      },
    });
    const [a0, a1, a2] = agents as [RealAgent, RealAgent, RealAgent];
    const r1 = await json(`/api/v1/pipelines/${pipeline.id}/rollouts`, {
      method: 'POST',
      json: { version: 1, immediate: true },
    });
    await waitFor(
      async () => (await json(`/api/v1/rollouts/${r1.id}`)).status === 'completed',
      30_000,
      'v1 completed',
    );
    // The pipeline runs as a module on the two team=a agents, not on team=b.
    const moduleComponents = async (a: RealAgent) => {
      const res = await fetch(`http://127.0.0.1:${a.port}/api/v0/web/modules/self_scrape/components`);
      return res.ok ? ((await res.json()) as { localID: string }[]).map((c) => c.localID) : [];
    };
    for (const a of [a0, a1])
      assert.ok((await moduleComponents(a)).includes('prometheus.scrape.self'), a.name);
    assert.deepEqual(await moduleComponents(a2), [], 'team=b does not run it');
    await waitFor(
      () => writes.size >= 1 && [...writes.values()].reduce((x, y) => x + y, 0) >= 2,
      20_000,
      'samples written',
    );

    // v2: a changed argument, rolled out in two waves with a soak; same processes, components kept.
    const v2 = await json(`/api/v1/pipelines/${pipeline.id}/versions`, {
      method: 'POST',
      json: { content: pipelineText(sinkPort, '2s'), message: 'slower scrape' },
    });
    assert.equal(v2.version, 2);
    const r2 = await json(`/api/v1/pipelines/${pipeline.id}/rollouts`, {
      method: 'POST',
      json: { version: 2, waves: [{ count: 1 }, { percent: 100 }], soakSeconds: 1 },
    });
    await waitFor(
      async () => (await json(`/api/v1/rollouts/${r2.id}`)).status === 'completed',
      30_000,
      'v2 completed',
    );
    assert.deepEqual(
      agents.map((a) => a.proc.pid),
      pids,
      'no agent restarted',
    );
    for (const a of [a0, a1]) {
      const detail = await json(`/api/v1/agents/${await agentId(a)}`);
      const p = detail.pipelines.find((x: any) => x.name === 'self_scrape');
      assert.equal(p.appliedVersion, 2);
      assert.equal(p.desiredVersion, 2);
      assert.equal(p.status, 'applied');
      assert.ok(detail.components.some((c: any) => c.pipeline === 'self_scrape' && c.health === 'healthy'));
    }

    // Bad v3 (a file that does not exist on the agents): fails on the canary, the rollout pauses.
    await json(`/api/v1/pipelines/${pipeline.id}/versions`, {
      method: 'POST',
      json: {
        content: pipelineText(
          sinkPort,
          '2s',
          'local.file "missing" {\n  filename = "/nonexistent/foundry-e2e"\n}\n',
        ),
        message: 'bad',
      },
    });
    const r3 = await json(`/api/v1/pipelines/${pipeline.id}/rollouts`, {
      method: 'POST',
      json: { version: 3, waves: [{ count: 1 }, { percent: 100 }], soakSeconds: 1 },
    });
    await waitFor(
      async () => (await json(`/api/v1/rollouts/${r3.id}`)).status === 'paused',
      30_000,
      'v3 paused',
    );
    const paused = await json(`/api/v1/rollouts/${r3.id}`);
    assert.match(paused.pausedReason, /failed/);
    assert.equal(paused.waves[0].agents[0].status, 'failed');
    assert.match(paused.waves[0].agents[0].error, /nonexistent/);
    await json(`/api/v1/rollouts/${r3.id}/rollback`, { method: 'POST' });
    await waitFor(
      async () =>
        (await t.prisma.agentPipeline.count({
          where: { pipelineId: pipeline.id, status: 'applied', appliedVersion: 2 },
        })) === 2,
      30_000,
      'v2 everywhere after the roll back',
    );

    // Self-metrics arrive and the fleet is healthy.
    await waitFor(
      async () => (await t.prisma.metricSample.count()) > 3,
      20_000,
      'self-metric snapshots stored',
    );
    const summary = await json('/api/v1/fleet/summary');
    assert.equal(summary.agents.total, 3);

    // The controller dies: agents keep running their pipelines; it comes back with its state.
    const before = [...writes.values()].reduce((x, y) => x + y, 0);
    await t.stop();
    await waitFor(
      () => [...writes.values()].reduce((x, y) => x + y, 0) > before + 2,
      20_000,
      'data flows without the controller',
    );
    for (const a of [a0, a1]) assert.equal((await fetch(`http://127.0.0.1:${a.port}/-/ready`)).status, 200);
    await startController();
    await waitFor(
      async () => (await t.prisma.agent.count({ where: { connected: true } })) === 3,
      30_000,
      'agents reconnected',
    );
    const list = await json('/api/v1/agents');
    assert.equal(list.total, 3);
    const rollouts = await json(`/api/v1/rollouts?pipelineId=${pipeline.id}`);
    assert.deepEqual(
      rollouts.items.map((r: any) => r.status),
      ['rolled_back', 'completed', 'completed'],
    );
    assert.deepEqual(
      agents.map((a) => a.proc.pid),
      pids,
      'still the same agent processes',
    );
  });

  async function agentId(a: RealAgent): Promise<string> {
    const row = await t.prisma.agent.findFirst({ where: { name: a.name } });
    assert.ok(row, `agent ${a.name} registered`);
    return row.id;
  }
});
