import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { matchesAll, parseMatchers } from '../common/matchers.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { FleetEvents } from '../database/fleet-events.js';
import { PrismaService } from '../database/prisma.service.js';
import { effectiveAttributes } from '../fleet/desired-state.js';
import type { Actor } from '../tokens/token-text.js';
import type { CreateRolloutBody, ListRolloutsQuery } from './rollouts.schemas.js';
import { loadRolloutMembers } from './rollout-members.js';
import { assignWaves, DEFAULT_WAVES, type WaveSpec } from './waves.js';

const ACTIVE = ['running', 'paused'];

/**
 * Rollouts: create (plan waves over the agents the pipeline selects now), pause, resume, abort and roll
 * back. Advancing waves is the RolloutAdvancer's job; every state change here is audited and published
 * so each replica re-pushes the affected agents.
 */
@Injectable()
export class RolloutsService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(FleetEvents) private readonly events: FleetEvents,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  /**
   * Starts a rollout of `body.version` for a pipeline. @throws NotFoundException (pipeline or version),
   * BadRequestException (invalid version, or already what runs), ConflictException (a rollout of this
   * pipeline is running or paused).
   */
  async create(actor: Actor, pipelineId: string, body: CreateRolloutBody) {
    const pipeline = await this.prisma.pipeline.findUnique({ where: { id: pipelineId } });
    if (!pipeline) throw new NotFoundException(`pipeline ${pipelineId} not found`);
    const version = await this.prisma.pipelineVersion.findUnique({
      where: { pipelineId_version: { pipelineId, version: body.version } },
    });
    if (!version) throw new NotFoundException(`pipeline ${pipeline.name} has no version ${body.version}`);
    if (!version.valid)
      throw new BadRequestException(`version ${body.version} of ${pipeline.name} did not validate`);
    const waves: WaveSpec[] = body.immediate ? [{ percent: 100 }] : (body.waves ?? [...DEFAULT_WAVES]);
    const soakSeconds = body.soakSeconds ?? (body.immediate ? 0 : 30);
    const matchers = parseMatchers(pipeline.matchers);
    const agents = await this.prisma.agent.findMany({
      select: { id: true, name: true, localAttributes: true, remoteAttributes: true, systemAttributes: true },
    });
    const selected = agents.filter((a) => matchesAll(matchers, effectiveAttributes(a))).map((a) => a.id);

    const rollout = await this.prisma.$transaction(async (tx) => {
      // Serialise rollout creation per pipeline across replicas.
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1))', `rollout:${pipelineId}`);
      const latest = await tx.rollout.findFirst({ where: { pipelineId }, orderBy: { createdAt: 'desc' } });
      if (latest && ACTIVE.includes(latest.status)) {
        throw new ConflictException(
          `rollout ${latest.id} of ${pipeline.name} is ${latest.status}; abort or finish it first`,
        );
      }
      const fromVersion = !latest
        ? null
        : latest.status === 'completed'
          ? latest.toVersion
          : latest.fromVersion;
      if (latest && latest.status === 'completed' && fromVersion === body.version) {
        throw new BadRequestException(`version ${body.version} is already deployed`);
      }
      const created = await tx.rollout.create({
        data: {
          pipelineId,
          fromVersion,
          toVersion: body.version,
          status: 'running',
          currentWave: 0,
          soakSeconds,
          failureThreshold: body.failureThreshold ?? 0,
          createdBy: actor.name,
          waves: {
            create: waves.map((w, index) => ({
              index,
              percent: w.percent ?? null,
              count: w.count ?? null,
              status: index === 0 ? 'in_progress' : 'pending',
              startedAt: index === 0 ? new Date() : null,
            })),
          },
        },
        include: { waves: { orderBy: { index: 'asc' } } },
      });
      const assignment = assignWaves(created.id, selected, waves);
      if (assignment.size) {
        await tx.rolloutAgent.createMany({
          data: [...assignment].map(([agentId, wave]) => ({ rolloutId: created.id, agentId, wave })),
        });
      }
      await this.audit.record(
        actor,
        'rollout.create',
        'rollout',
        created.id,
        null,
        { ...created, agents: assignment.size },
        tx,
      );
      return created;
    });
    await this.events.publish({ kind: 'rollout', id: pipelineId });
    return this.get(rollout.id);
  }

  async list(q: ListRolloutsQuery) {
    const rows = await this.prisma.rollout.findMany({
      where: {
        ...(q.pipelineId ? { pipelineId: q.pipelineId } : {}),
        ...(q.status ? { status: q.status } : {}),
      },
      orderBy: { createdAt: 'desc' },
      take: q.limit,
      include: {
        pipeline: { select: { name: true } },
        waves: { orderBy: { index: 'asc' } },
        _count: { select: { agents: true } },
      },
    });
    return {
      items: rows.map(({ pipeline, _count, ...r }) => ({
        ...r,
        pipelineName: pipeline.name,
        agentCount: _count.agents,
      })),
    };
  }

  /** A rollout with its waves and, per wave, the agents with their apply status and health. */
  async get(id: string) {
    const r = await this.prisma.rollout.findUnique({
      where: { id },
      include: { pipeline: { select: { name: true } }, waves: { orderBy: { index: 'asc' } } },
    });
    if (!r) throw new NotFoundException(`rollout ${id} not found`);
    const members = await loadRolloutMembers(
      this.prisma,
      {
        id,
        pipelineId: r.pipelineId,
        pipelineName: r.pipeline.name,
        toVersion: r.toVersion,
        waveCount: r.waves.length,
      },
      { heartbeatIntervalSeconds: this.config.heartbeatIntervalSeconds },
    );
    const { pipeline, waves, ...rest } = r;
    return {
      ...rest,
      pipelineName: pipeline.name,
      waves: waves.map((w) => ({
        ...w,
        agents: members
          .filter((a) => a.wave === w.index)
          .map(({ unhealthyComponents, wave: _wave, ...a }) => ({
            ...a,
            healthy: unhealthyComponents === 0,
          })),
      })),
    };
  }

  /** Manual pause of a running rollout. @throws ConflictException when it is not running. */
  pause(actor: Actor, id: string) {
    return this.transition(actor, id, 'pause', ['running'], {
      status: 'paused',
      pausedReason: `paused by ${actor.name}`,
    });
  }

  /** Resumes a paused rollout; the current wave's soak starts over. */
  resume(actor: Actor, id: string) {
    return this.transition(actor, id, 'resume', ['paused'], { status: 'running', pausedReason: null }, true);
  }

  /** Stops the rollout where it is: agents keep the version of their wave. */
  abort(actor: Actor, id: string) {
    return this.transition(actor, id, 'abort', ACTIVE, { status: 'aborted', finishedAt: new Date() });
  }

  /** Everyone back to the version before the rollout (removed where there was none). */
  rollback(actor: Actor, id: string) {
    return this.transition(actor, id, 'rollback', [...ACTIVE, 'aborted', 'completed'], {
      status: 'rolled_back',
      finishedAt: new Date(),
    });
  }

  private async transition(
    actor: Actor,
    id: string,
    verb: string,
    from: string[],
    data: { status: string; pausedReason?: string | null; finishedAt?: Date },
    resetSoak = false,
  ) {
    const pipelineId = await this.prisma.$transaction(async (tx) => {
      const before = await tx.rollout.findUnique({ where: { id } });
      if (!before) throw new NotFoundException(`rollout ${id} not found`);
      await tx.$executeRawUnsafe(
        'SELECT pg_advisory_xact_lock(hashtext($1))',
        `rollout:${before.pipelineId}`,
      );
      const current = (await tx.rollout.findUnique({ where: { id } }))!;
      if (!from.includes(current.status)) {
        throw new ConflictException(`cannot ${verb} a rollout that is ${current.status}`);
      }
      if (verb === 'rollback') {
        const latest = await tx.rollout.findFirst({
          where: { pipelineId: current.pipelineId },
          orderBy: { createdAt: 'desc' },
        });
        if (latest && latest.id !== id)
          throw new ConflictException('only the latest rollout of a pipeline can be rolled back');
      }
      const after = await tx.rollout.update({ where: { id }, data });
      if (resetSoak) {
        await tx.rolloutWave.updateMany({
          where: { rolloutId: id, index: current.currentWave },
          data: { soakStartedAt: null, status: 'in_progress' },
        });
      }
      await this.audit.record(actor, `rollout.${verb}`, 'rollout', id, current, after, tx);
      return current.pipelineId;
    });
    await this.events.publish({ kind: 'rollout', id: pipelineId });
    return this.get(id);
  }
}
