/**
 * Every query of the plugin's dashboards (src/dashboards/*.json) against a real Prometheus (Debian's
 * /usr/bin/prometheus) scraping a real controller and two real agents: each panel's queries, and the
 * agent variable's query, must return data. The fleet is made to have what the panels show: a pipeline
 * rolled out (desired/applied versions, component health, remote-write throughput in the agents'
 * self-metrics) and a second rollout held in its first wave's soak (the current-wave gauge).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgents, type RunningAgents } from '../../controller/test/support/agents.js';
import { startTestController, type TestController } from '../../controller/test/support/controller.js';
import { freePort, waitFor } from '../../controller/test/support/net.js';

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const DASHBOARDS = new URL('../../../src/dashboards/', import.meta.url).pathname;
const skip =
  !existsSync(PROMETHEUS_BIN) && !process.env.CI
    ? `${PROMETHEUS_BIN} not found (Debian's prometheus package)`
    : false;

interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  title: string;
  type: string;
  targets?: Target[];
  panels?: Panel[];
}

/** Every panel with queries, rows flattened. */
function panelsOf(file: string): Panel[] {
  const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { panels: Panel[] };
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.targets?.length);
}

/** Grafana's variables as they would be resolved here. */
function resolveVariables(expr: string, agent: string): string {
  return expr.replaceAll('$__rate_interval', '20s').replaceAll('$agent', agent).replaceAll('${agent}', agent);
}

function pipelineText(sinkUrl: string): string {
  return `prometheus.exporter.self "agent" { }

prometheus.scrape "self" {
  targets         = prometheus.exporter.self.agent.targets
  scrape_interval = "1s"
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

describe('dashboards against a real Prometheus', { skip }, () => {
  let t: TestController;
  let fleet: RunningAgents;
  let sink: Server;
  let prom: ChildProcess | undefined;
  let promUrl = '';
  let promDir = '';

  const api = async (path: string, init?: Parameters<TestController['api']>[1]) => {
    const res = await t.api(path, init);
    const body = (await res.json()) as any;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const query = async (q: string): Promise<unknown[]> => {
    const u = new URL(`${promUrl}/api/v1/query`);
    u.searchParams.set('query', q);
    const j = (await (await fetch(u)).json()) as {
      status: string;
      error?: string;
      data: { result: unknown[] };
    };
    if (j.status !== 'success') throw new Error(`query ${q}: ${j.error}`);
    return j.data.result;
  };

  before(async () => {
    sink = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/api/v1/write`;
    t = await startTestController({ config: { heartbeatIntervalSeconds: 1, metricsIntervalSeconds: 1 } });
    fleet = await startAgents(t.c.grpcAddress, [
      { name: 'dash-agent-1', attributes: ['env=prod'] },
      { name: 'dash-agent-2', attributes: ['env=prod'] },
    ]);
    await waitFor(
      async () => (await t.prisma.agent.count({ where: { connected: true } })) === 2,
      60_000,
      'agents connected',
    );

    // One pipeline rolled out everywhere; a second one held in its first wave's soak.
    const content = pipelineText(sinkUrl);
    const p1 = await api('/api/v1/pipelines', {
      method: 'POST',
      json: { name: 'dash_self', matchers: ['env="prod"'], content },
    });
    const r1 = await api(`/api/v1/pipelines/${p1.id}/rollouts`, {
      method: 'POST',
      json: { version: 1, immediate: true },
    });
    await waitFor(
      async () => (await api(`/api/v1/rollouts/${r1.id}`)).status === 'completed',
      60_000,
      'rollout completed',
    );
    const p2 = await api('/api/v1/pipelines', {
      method: 'POST',
      json: { name: 'dash_held', matchers: ['env="prod"'], content },
    });
    await api(`/api/v1/pipelines/${p2.id}/rollouts`, {
      method: 'POST',
      json: { version: 1, waves: [{ count: 1 }, { percent: 100 }], soakSeconds: 3600 },
    });

    // Prometheus scrapes the controller's fleet metrics and the agents' own /metrics every second.
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    promDir = mkdtempSync(join(tmpdir(), 'foundry-dash-prom-'));
    const controllerTarget = new URL(t.c.httpUrl).host;
    writeFileSync(
      join(promDir, 'prometheus.yml'),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: foundry-controller
    static_configs:
      - targets: ['${controllerTarget}']
  - job_name: foundry-agents
    static_configs:
      - targets: [${fleet.agents.map((a) => `'127.0.0.1:${a.port}'`).join(', ')}]
`,
    );
    prom = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    prom.stderr!.on('data', (d) => (stderr += d));
    await waitFor(
      async () => {
        if (prom!.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
        return (await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.status === 200;
      },
      30_000,
      'prometheus ready',
    );
  });

  after(async () => {
    if (prom && prom.exitCode === null) {
      prom.kill('SIGTERM');
      await new Promise((r) => prom!.once('exit', r));
    }
    await fleet?.stop();
    await t?.stop();
    sink?.close();
    if (promDir) rmSync(promDir, { recursive: true, force: true });
  });

  test('the agent variable lists the agents', async () => {
    await waitFor(
      async () => {
        const u = new URL(`${promUrl}/api/v1/label/agent_name/values`);
        u.searchParams.set('match[]', 'foundry_fleet_agent_up');
        const j = (await (await fetch(u)).json()) as { data: string[] };
        return j.data.includes('dash-agent-1') && j.data.includes('dash-agent-2');
      },
      30_000,
      'label_values(foundry_fleet_agent_up, agent_name)',
    );
  });

  for (const file of readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'))) {
    test(`every panel of ${file} returns data`, async () => {
      const panels = panelsOf(file);
      assert.ok(panels.length > 0, 'the dashboard has panels');
      const empty = new Map<string, string>();
      for (const p of panels)
        for (const tg of p.targets!)
          empty.set(`${p.title} [${tg.refId}]`, resolveVariables(tg.expr, 'dash-agent-1'));
      // Rates need a few scrapes: poll until every query has data (or report the ones that never did).
      const deadline = Date.now() + 60_000;
      while (empty.size && Date.now() < deadline) {
        for (const [name, expr] of empty) if ((await query(expr)).length > 0) empty.delete(name);
        if (empty.size) await new Promise((r) => setTimeout(r, 1000));
      }
      assert.deepEqual(
        [...empty.entries()].map(([n, e]) => `${n}: ${e}`),
        [],
        'queries without data',
      );
    });
  }
});
