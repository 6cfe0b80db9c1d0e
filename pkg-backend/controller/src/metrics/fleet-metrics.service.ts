import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { loadAgentFacts, withState } from '../agents/agent-facts.js';
import { AGENT_STATES } from '../agents/agent-state.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { PrismaService } from '../database/prisma.service.js';
import { FleetGatewayService } from '../fleet-gateway/fleet-gateway.service.js';
import { RolloutAdvancer } from '../rollouts/rollout-advancer.js';

/** Names of agents' self-metrics re-exported per agent (prefixed `foundry_agent_`). */
const SNAPSHOT_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)=("(?:[^"\\]|\\.)*")/g;

interface Snapshot {
  at: number;
  run: Promise<void>;
}

/**
 * The fleet for Prometheus, on the controller's `/metrics`: agents by state, per-agent up and state,
 * desired/applied version and failure per pipeline, drift, component health counts, rollouts, and the
 * latest self-metrics each agent reported (`foundry_agent_<name>{agent_id, agent_name, component_id}`),
 * plus this process's own metrics. Everything comes from the database at scrape time (one pass per
 * scrape, shared by the gauges), so every replica exposes the same fleet.
 */
@Injectable()
export class FleetMetricsService {
  readonly registry = new Registry();
  private snapshot?: Snapshot;
  private readonly agentGauges = new Map<string, Gauge>();
  private readonly g: Record<string, Gauge>;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(FleetGatewayService) private readonly gateway: FleetGatewayService,
    @Inject(RolloutAdvancer) private readonly advancer: RolloutAdvancer,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string, labelNames: string[] = []) =>
      new Gauge({ name, help, labelNames, registers: [this.registry] });
    this.g = {
      agents: gauge('foundry_fleet_agents', 'Agents by state.', ['state']),
      drift: gauge(
        'foundry_fleet_agents_drift',
        'Agents whose applied pipelines differ from the desired ones beyond the grace period.',
      ),
      up: gauge('foundry_fleet_agent_up', '1 when the agent is connected and heartbeating.', [
        'agent_id',
        'agent_name',
      ]),
      state: gauge('foundry_fleet_agent_state', 'The state of each agent (value 1).', [
        'agent_id',
        'agent_name',
        'state',
      ]),
      desired: gauge('foundry_fleet_agent_pipeline_desired_version', 'Version pushed to the agent.', [
        'agent_id',
        'pipeline',
      ]),
      applied: gauge('foundry_fleet_agent_pipeline_applied_version', 'Version the agent reports applied.', [
        'agent_id',
        'pipeline',
      ]),
      failed: gauge('foundry_fleet_agent_pipeline_failed', '1 when the last apply failed.', [
        'agent_id',
        'pipeline',
      ]),
      components: gauge('foundry_fleet_component_health', 'Components by health.', ['agent_id', 'health']),
      pipelines: gauge('foundry_fleet_pipelines', 'Pipelines by enabled flag.', ['enabled']),
      rollouts: gauge('foundry_fleet_rollouts', 'Latest rollout of each pipeline, by status.', ['status']),
      wave: gauge('foundry_fleet_rollout_current_wave', 'Current wave (1-based) of active rollouts.', [
        'pipeline',
        'rollout_id',
      ]),
      connected: gauge('foundry_controller_connected_agents', 'Agent streams open on this replica.'),
      leader: gauge('foundry_controller_rollout_leader', '1 when this replica advances rollouts.'),
    };
    for (const gg of Object.values(this.g)) {
      (gg as unknown as { collect: () => Promise<void> }).collect = () => this.refresh();
    }
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    await this.refresh();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Reads the fleet once per scrape (the gauges' collect hooks share it). */
  private refresh(): Promise<void> {
    if (this.snapshot && Date.now() - this.snapshot.at < 500) return this.snapshot.run;
    const run = this.load();
    this.snapshot = { at: Date.now(), run };
    return run;
  }

  private async load(): Promise<void> {
    const now = Date.now();
    const opts = {
      now,
      heartbeatIntervalSeconds: this.config.heartbeatIntervalSeconds,
      driftGraceSeconds: this.config.driftGraceSeconds,
    };
    const [facts, pipelineRows, healthRows, pipelines, rollouts, samples] = await Promise.all([
      loadAgentFacts(this.prisma, opts),
      this.prisma.$queryRawUnsafe<
        {
          agent_id: string;
          pipeline: string;
          desired_version: number | null;
          applied_version: number | null;
          status: string;
        }[]
      >(
        `SELECT ap.agent_id, p.name AS pipeline, ap.desired_version, ap.applied_version, ap.status
         FROM agent_pipelines ap JOIN pipelines p ON p.id = ap.pipeline_id`,
      ),
      this.prisma.$queryRawUnsafe<{ agent_id: string; health: string; n: number }[]>(
        'SELECT agent_id, health, count(*)::int AS n FROM component_health GROUP BY agent_id, health',
      ),
      this.prisma.$queryRawUnsafe<{ enabled: boolean; n: number }[]>(
        'SELECT enabled, count(*)::int AS n FROM pipelines GROUP BY enabled',
      ),
      this.prisma.$queryRawUnsafe<{ status: string; pipeline: string; id: string; current_wave: number }[]>(
        `SELECT DISTINCT ON (r.pipeline_id) r.status, p.name AS pipeline, r.id, r.current_wave
         FROM rollouts r JOIN pipelines p ON p.id = r.pipeline_id ORDER BY r.pipeline_id, r.created_at DESC`,
      ),
      this.prisma.$queryRawUnsafe<{ agent_id: string; values: Record<string, number> }[]>(
        `SELECT DISTINCT ON (agent_id) agent_id, "values" FROM metric_samples
         WHERE at > now() - make_interval(secs => $1) ORDER BY agent_id, at DESC`,
        this.config.metricsIntervalSeconds * 4,
      ),
    ]);
    for (const gg of [...Object.values(this.g), ...this.agentGauges.values()]) gg.reset();
    const names = new Map<string, string>();
    const counts = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<string, number>;
    let drift = 0;
    for (const f of facts) {
      const a = withState(f, opts);
      names.set(a.id, a.name);
      counts[a.state]!++;
      if (a.drift) drift++;
      this.g.up!.set({ agent_id: a.id, agent_name: a.name }, a.state === 'offline' ? 0 : 1);
      this.g.state!.set({ agent_id: a.id, agent_name: a.name, state: a.state }, 1);
    }
    for (const [state, n] of Object.entries(counts)) this.g.agents!.set({ state }, n);
    this.g.drift!.set(drift);
    for (const r of pipelineRows) {
      const labels = { agent_id: r.agent_id, pipeline: r.pipeline };
      if (r.desired_version !== null) this.g.desired!.set(labels, r.desired_version);
      if (r.applied_version !== null) this.g.applied!.set(labels, r.applied_version);
      this.g.failed!.set(labels, r.status === 'failed' ? 1 : 0);
    }
    for (const r of healthRows) this.g.components!.set({ agent_id: r.agent_id, health: r.health }, r.n);
    for (const r of pipelines) this.g.pipelines!.set({ enabled: String(r.enabled) }, r.n);
    const byStatus = new Map<string, number>();
    for (const r of rollouts) {
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      if (r.status === 'running' || r.status === 'paused') {
        this.g.wave!.set({ pipeline: r.pipeline, rollout_id: r.id }, r.current_wave + 1);
      }
    }
    for (const s of ['running', 'paused', 'completed', 'aborted', 'rolled_back']) {
      this.g.rollouts!.set({ status: s }, byStatus.get(s) ?? 0);
    }
    this.g.connected!.set(this.gateway.connectedCount);
    this.g.leader!.set(this.advancer.leader ? 1 : 0);
    for (const s of samples) {
      for (const [key, value] of Object.entries(s.values ?? {})) {
        const brace = key.indexOf('{');
        const name = brace < 0 ? key : key.slice(0, brace);
        if (!SNAPSHOT_NAME.test(name) || typeof value !== 'number') continue;
        const labels: Record<string, string> = {
          agent_id: s.agent_id,
          agent_name: names.get(s.agent_id) ?? '',
        };
        if (brace >= 0) {
          for (const m of key.slice(brace + 1, -1).matchAll(LABEL)) {
            // Agents report per-component totals; other labels are not part of the fleet view.
            if (m[1] === 'component_id') labels.component_id = JSON.parse(m[2]!) as string;
          }
        }
        this.agentGauge(name).set(labels, value);
      }
    }
  }

  private agentGauge(name: string): Gauge {
    const full = `foundry_agent_${name}`;
    let g = this.agentGauges.get(full);
    if (!g) {
      g = new Gauge({
        name: full,
        help: `Latest ${name} reported by each agent.`,
        labelNames: ['agent_id', 'agent_name', 'component_id'],
        registers: [this.registry],
      });
      this.agentGauges.set(full, g);
    }
    return g;
  }
}
