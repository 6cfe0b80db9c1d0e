import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { parseMatchers } from '../common/matchers.js';
import { FleetEvents, type FleetEvent } from '../database/fleet-events.js';
import { PrismaService } from '../database/prisma.service.js';
import {
  desiredSet,
  desiredVersion,
  effectiveAttributes,
  type AgentAttributesInput,
  type DesiredSet,
  type PipelineSnapshot,
  type RolloutSnapshot,
  type RolloutStatus,
  type VersionSnapshot,
} from './desired-state.js';

/**
 * This replica's in-memory view of what the fleet should run: every pipeline with its matchers, its
 * latest rollout (wave assignments included) and the contents of the versions that rollout refers to.
 * Loaded at start, and reloaded per pipeline whenever a FleetEvent says it changed (from any replica,
 * through LISTEN/NOTIFY). Listeners hear about every reload so connected agents get pushed at once.
 */
@Injectable()
export class FleetStateService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('FleetState');
  private readonly pipelines = new Map<string, PipelineSnapshot>();
  private readonly listeners = new Set<(pipelineIds: string[]) => void>();
  private readonly agentListeners = new Set<(agentId: string) => void>();
  private unsubscribe?: () => void;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(FleetEvents) private readonly events: FleetEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.events.subscribe((e) => this.onEvent(e));
    await this.reloadAll();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Every pipeline snapshot. */
  all(): Iterable<PipelineSnapshot> {
    return this.pipelines.values();
  }

  get(pipelineId: string): PipelineSnapshot | undefined {
    return this.pipelines.get(pipelineId);
  }

  /** The desired set of an agent (see desired-state.ts). */
  desiredFor(agent: AgentAttributesInput): DesiredSet {
    return desiredSet(this.pipelines.values(), agent.id, effectiveAttributes(agent));
  }

  /** The desired version of one pipeline for an agent, or null. */
  desiredVersionFor(pipelineId: string, agent: AgentAttributesInput): number | null {
    const p = this.pipelines.get(pipelineId);
    return p ? desiredVersion(p, agent.id, effectiveAttributes(agent)) : null;
  }

  /** Called with the ids of reloaded pipelines (after the snapshot is updated). Returns the removal. */
  onChange(listener: (pipelineIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when an agent's remote attributes changed or it was deleted (any replica). */
  onAgentChange(listener: (agentId: string) => void): () => void {
    this.agentListeners.add(listener);
    return () => this.agentListeners.delete(listener);
  }

  /** Reloads one pipeline now (used by the replica that made a change, before NOTIFY comes back). */
  refresh(pipelineId: string): Promise<void> {
    return this.enqueue(async () => {
      await this.reloadPipeline(pipelineId);
      this.emit([pipelineId]);
    });
  }

  private onEvent(e: FleetEvent): void {
    if (e.kind === 'agent') {
      for (const l of this.agentListeners) l(e.id);
      return;
    }
    if (e.kind !== 'pipeline' && e.kind !== 'rollout') return;
    void this.enqueue(async () => {
      if (e.id === '*') {
        await this.reloadAll();
        this.emit([...this.pipelines.keys()]);
      } else {
        await this.reloadPipeline(e.id);
        this.emit([e.id]);
      }
    });
  }

  /** Reloads run one at a time, in event order. */
  private enqueue(job: () => Promise<void>): Promise<void> {
    const next = this.queue
      .then(job)
      .catch((err: Error) => this.logger.error(`reload failed: ${err.message}`));
    this.queue = next;
    return next;
  }

  private emit(ids: string[]): void {
    for (const l of this.listeners) l(ids);
  }

  private async reloadAll(): Promise<void> {
    const rows = await this.prisma.pipeline.findMany({ select: { id: true } });
    const seen = new Set<string>();
    for (const { id } of rows) {
      seen.add(id);
      await this.reloadPipeline(id);
    }
    for (const id of [...this.pipelines.keys()]) if (!seen.has(id)) this.pipelines.delete(id);
  }

  private async reloadPipeline(id: string): Promise<void> {
    const row = await this.prisma.pipeline.findUnique({
      where: { id },
      include: {
        rollouts: {
          orderBy: { createdAt: 'desc' },
          take: 1,
          include: { _count: { select: { waves: true } } },
        },
      },
    });
    if (!row) {
      this.pipelines.delete(id);
      return;
    }
    let rollout: RolloutSnapshot | null = null;
    const versions = new Map<number, VersionSnapshot>();
    const r = row.rollouts[0];
    if (r) {
      const assignments = new Map<string, number>();
      if (r.status !== 'completed' && r.status !== 'rolled_back') {
        const rows = await this.prisma.rolloutAgent.findMany({
          where: { rolloutId: r.id },
          select: { agentId: true, wave: true },
        });
        for (const a of rows) assignments.set(a.agentId, a.wave);
      }
      rollout = {
        id: r.id,
        status: r.status as RolloutStatus,
        fromVersion: r.fromVersion,
        toVersion: r.toVersion,
        currentWave: r.currentWave,
        waveCount: Math.max(1, r._count.waves),
        assignments,
      };
      const wanted = [r.toVersion, ...(r.fromVersion !== null ? [r.fromVersion] : [])];
      const vs = await this.prisma.pipelineVersion.findMany({
        where: { pipelineId: id, version: { in: wanted } },
        select: { version: true, sha256: true, content: true },
      });
      for (const v of vs) versions.set(v.version, { version: v.version, hash: v.sha256, content: v.content });
    }
    let matchers;
    try {
      matchers = parseMatchers(row.matchers);
    } catch (err) {
      // Stored matchers were validated on write; a failure here means a manual edit: select nothing.
      this.logger.error(`pipeline ${row.name}: ${(err as Error).message}; it selects no agent`);
      matchers = [{ name: '', op: '=' as const, value: '', text: 'invalid', matches: () => false }];
    }
    this.pipelines.set(id, { id, name: row.name, enabled: row.enabled, matchers, rollout, versions });
  }
}
