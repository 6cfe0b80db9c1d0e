import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { matchesAll } from '../common/matchers.js';
import { parseMatchersOrThrow } from '../common/request.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { FleetEvents } from '../database/fleet-events.js';
import { PrismaService } from '../database/prisma.service.js';
import { attributesOf, effectiveAttributes } from '../fleet/desired-state.js';
import { FleetStateService } from '../fleet/fleet-state.service.js';
import type { Actor } from '../tokens/token-text.js';
import { AgentDirectory } from './agent-directory.js';
import { loadAgentFacts, withState, type AgentWithState } from './agent-facts.js';
import {
  countStates,
  deriveAgentState,
  pipelineCondition,
  type AgentState,
  type AgentStateOptions,
  type PipelineCondition,
} from './agent-state.js';
import { toDate, type AgentMetricsQuery, type ListAgentsQuery } from './agents.schemas.js';
import { toSeries } from './metric-series.js';

/** How many agents the matcher preview lists. */
const PREVIEW_SIZE = 50;
const RECENT_ERRORS = 20;
const DEFAULT_METRICS_WINDOW_MS = 60 * 60 * 1000;
/** Most samples one metrics request reads (a day at a 15 s interval is 5,760). */
const MAX_SAMPLES = 20_000;

/** Agents as the REST API shows them: list, detail, self-metrics, remote attributes, removal. */
@Injectable()
export class AgentsService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(FleetStateService) private readonly fleet: FleetStateService,
    @Inject(FleetEvents) private readonly events: FleetEvents,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AgentDirectory) private readonly directory: AgentDirectory,
  ) {}

  private stateOptions(now = Date.now()): AgentStateOptions {
    return {
      heartbeatIntervalSeconds: this.config.heartbeatIntervalSeconds,
      driftGraceSeconds: this.config.driftGraceSeconds,
      now,
    };
  }

  /** Every agent with its state (one aggregate query), ordered by name. */
  async allWithState(): Promise<AgentWithState[]> {
    const opts = this.stateOptions();
    const facts = await loadAgentFacts(this.prisma, opts);
    return facts.map((f) => withState(f, opts));
  }

  /** Filters (matchers, state, substring), then pages. @throws BadRequestException on a bad matcher. */
  async list(query: ListAgentsQuery) {
    const matchers = parseMatchersOrThrow(query.matcher);
    const q = query.q?.toLowerCase();
    const selected: { agent: AgentWithState; attributes: Record<string, string> }[] = [];
    for (const agent of await this.allWithState()) {
      if (query.state && agent.state !== query.state) continue;
      const attributes = effectiveAttributes(agent);
      if (!matchesAll(matchers, attributes)) continue;
      if (q && !matchesText(q, agent.id, agent.name, attributes)) continue;
      selected.push({ agent, attributes });
    }
    const items = selected
      .slice(query.offset, query.offset + query.limit)
      .map(({ agent: a, attributes }) => ({
        id: a.id,
        name: a.name,
        kind: a.kind,
        state: a.state,
        drift: a.drift,
        connected: a.connected,
        firstSeenAt: a.firstSeenAt,
        lastSeenAt: a.lastSeenAt,
        version: stringField(a.buildInfo, 'version'),
        attributes,
        pipelines: { total: a.pipelines, failed: a.failedPipelines, drifting: a.driftingPipelines },
        components: { total: a.components, unhealthy: a.unhealthyComponents, unknown: a.unknownComponents },
      }));
    return { items, total: selected.length, limit: query.limit, offset: query.offset };
  }

  /** One agent with attributes, state, pipelines (desired vs applied), component health and errors. */
  async get(id: string) {
    const agent = await this.prisma.agent.findUnique({
      where: { id },
      include: {
        pipelines: { include: { pipeline: { select: { name: true } } } },
        components: { orderBy: [{ pipeline: 'asc' }, { componentId: 'asc' }] },
      },
    });
    if (!agent) throw new NotFoundException(`agent ${JSON.stringify(id)} not found`);
    const opts = this.stateOptions();
    const desired = new Map(this.fleet.desiredFor(agent).pipelines.map((p) => [p.pipelineId, p]));
    const rows = new Map(agent.pipelines.map((r) => [r.pipelineId, r]));
    const conditions = new Map<string, PipelineCondition>();
    for (const r of agent.pipelines) conditions.set(r.pipelineId, pipelineCondition(r, opts));

    const pipelines = [];
    for (const pipelineId of new Set([...desired.keys(), ...rows.keys()])) {
      const d = desired.get(pipelineId);
      const r = rows.get(pipelineId);
      if (!d && r && r.desiredVersion === null && r.appliedVersion === null) continue;
      const c = conditions.get(pipelineId) ?? { failed: false, drift: false };
      pipelines.push({
        pipelineId,
        name: d?.name ?? r?.pipeline.name ?? '',
        desiredVersion: d?.version ?? null,
        appliedVersion: r?.appliedVersion ?? null,
        reportedVersion: r?.reportedVersion ?? null,
        appliedHash: r?.appliedHash ?? null,
        status: r?.status ?? 'pending',
        error: r?.error ?? null,
        diagnostics: Array.isArray(r?.diagnostics) ? r.diagnostics : [],
        desiredAt: r?.desiredAt ?? null,
        statusAt: r?.statusAt ?? null,
        appliedAt: r?.appliedAt ?? null,
        failed: c.failed,
        drift: c.drift,
      });
    }
    pipelines.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    const cond = [...conditions.values()];
    const state: AgentState = deriveAgentState(
      {
        kind: agent.kind,
        connected: agent.connected,
        lastSeenAt: agent.lastSeenAt,
        failedPipelines: cond.filter((c) => c.failed).length,
        driftingPipelines: cond.filter((c) => c.drift).length,
        unhealthyComponents: agent.components.filter((c) => c.health === 'unhealthy').length,
        unknownComponents: agent.components.filter((c) => c.health === 'unknown').length,
      },
      opts,
    );

    const recentErrors = [
      ...agent.pipelines
        .filter((r) => r.status === 'failed')
        .map((r) => ({
          source: 'pipeline' as const,
          pipeline: r.pipeline.name,
          componentId: null,
          message: r.error || firstDiagnostic(r.diagnostics) || 'failed',
          at: r.statusAt,
        })),
      ...agent.components
        .filter((c) => c.health === 'unhealthy')
        .map((c) => ({
          source: 'component' as const,
          pipeline: c.pipeline,
          componentId: c.componentId,
          message: c.message || 'unhealthy',
          at: c.updatedAt,
        })),
    ]
      .sort((a, b) => (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0))
      .slice(0, RECENT_ERRORS);

    return {
      id: agent.id,
      name: agent.name,
      kind: agent.kind,
      state,
      drift: cond.some((c) => c.drift),
      connected: agent.connected,
      controllerId: agent.controllerId,
      firstSeenAt: agent.firstSeenAt,
      lastSeenAt: agent.lastSeenAt,
      disconnectedAt: agent.disconnectedAt,
      buildInfo: isObject(agent.buildInfo) ? agent.buildInfo : {},
      supportedComponents: agent.supportedComponents,
      attributes: {
        local: attributesOf(agent.localAttributes, false),
        remote: attributesOf(agent.remoteAttributes, false),
        system: attributesOf(agent.systemAttributes, true),
        effective: effectiveAttributes(agent),
      },
      pipelines,
      components: agent.components.map((c) => ({
        pipeline: c.pipeline,
        componentId: c.componentId,
        health: c.health,
        message: c.message,
        updatedAt: c.updatedAt,
      })),
      recentErrors,
    };
  }

  /** Stored self-metric snapshots between since and until, as series. */
  async metrics(id: string, query: AgentMetricsQuery) {
    const until = query.until ? toDate(query.until) : new Date();
    const since = query.since ? toDate(query.since) : new Date(until.getTime() - DEFAULT_METRICS_WINDOW_MS);
    if (since > until) throw new BadRequestException('since is after until');
    await this.requireAgent(id);
    const samples = await this.prisma.metricSample.findMany({
      where: { agentId: id, at: { gte: since, lte: until } },
      orderBy: { at: 'asc' },
      select: { at: true, values: true },
      take: MAX_SAMPLES,
    });
    return { since, until, series: toSeries(samples) };
  }

  /** Replaces the remote attributes (they win over local ones) and tells every replica. */
  async setRemoteAttributes(actor: Actor, id: string, remoteAttributes: Record<string, string>) {
    await this.prisma.$transaction(async (tx) => {
      const before = await tx.agent.findUnique({ where: { id }, select: { remoteAttributes: true } });
      if (!before) throw new NotFoundException(`agent ${JSON.stringify(id)} not found`);
      await tx.agent.update({ where: { id }, data: { remoteAttributes } });
      await this.audit.record(
        actor,
        'agent.attributes',
        'agent',
        id,
        { remoteAttributes: before.remoteAttributes },
        { remoteAttributes },
        tx,
      );
    });
    await this.events.publish({ kind: 'agent', id });
    return this.get(id);
  }

  /** Forgets an agent (it reappears if it connects again). */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const before = await tx.agent.findUnique({ where: { id } });
      if (!before) throw new NotFoundException(`agent ${JSON.stringify(id)} not found`);
      await tx.agent.delete({ where: { id } });
      await this.audit.record(
        actor,
        'agent.delete',
        'agent',
        id,
        {
          name: before.name,
          localAttributes: before.localAttributes,
          remoteAttributes: before.remoteAttributes,
          systemAttributes: before.systemAttributes,
        },
        null,
        tx,
      );
    });
    await this.events.publish({ kind: 'agent', id });
  }

  /** Which agents matchers select: the count and the first 50. */
  async preview(matcherTexts: string[]) {
    const matched = await this.directory.matching(parseMatchersOrThrow(matcherTexts));
    return {
      total: matched.length,
      agents: matched
        .slice(0, PREVIEW_SIZE)
        .map((a) => ({ id: a.id, name: a.name, attributes: a.attributes })),
    };
  }

  /** Agents per state, drift, pipelines and active rollouts. */
  async summary() {
    const [agents, pipelines, active] = await Promise.all([
      this.allWithState(),
      this.prisma.pipeline.count(),
      this.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM (
           SELECT DISTINCT ON (pipeline_id) status FROM rollouts ORDER BY pipeline_id, created_at DESC, id DESC
         ) latest WHERE status IN ('running', 'paused')`,
      ),
    ]);
    return {
      agents: { total: agents.length, ...countStates(agents.map((a) => a.state)) },
      drift: agents.filter((a) => a.drift).length,
      pipelines,
      activeRollouts: active[0]?.n ?? 0,
    };
  }

  private async requireAgent(id: string): Promise<void> {
    const found = await this.prisma.agent.findUnique({ where: { id }, select: { id: true } });
    if (!found) throw new NotFoundException(`agent ${JSON.stringify(id)} not found`);
  }
}

function matchesText(q: string, id: string, name: string, attributes: Record<string, string>): boolean {
  if (id.toLowerCase().includes(q) || name.toLowerCase().includes(q)) return true;
  for (const v of Object.values(attributes)) if (v.toLowerCase().includes(q)) return true;
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringField(v: unknown, key: string): string | null {
  const f = isObject(v) ? v[key] : undefined;
  return typeof f === 'string' ? f : null;
}

function firstDiagnostic(diagnostics: unknown): string | undefined {
  if (!Array.isArray(diagnostics)) return undefined;
  const d = diagnostics.find((x) => isObject(x) && typeof x.message === 'string') as
    { message: string } | undefined;
  return d?.message;
}
