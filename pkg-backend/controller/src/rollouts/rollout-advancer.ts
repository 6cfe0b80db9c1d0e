import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import pg from 'pg';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { FleetEvents } from '../database/fleet-events.js';
import { PrismaService } from '../database/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { loadRolloutMembers } from './rollout-members.js';
import { gate, type GateAgent } from './waves.js';

/** Advisory lock key held by the one replica that advances rollouts ("fdry"). */
export const ROLLOUT_LEADER_LOCK = 0x66647279;
const TICK_MS = 500;
const SYSTEM = { tokenId: 'system', name: 'rollout-advancer', scope: 'admin' as const };

/**
 * Advances running rollouts wave by wave. Exactly one replica does it at a time: the one holding a
 * PostgreSQL session advisory lock on a dedicated connection (another replica takes over within ~2 s
 * when that connection drops). Each tick reads the state of the current wave from the database (so it
 * survives controller restarts), pauses on failures above the threshold, starts the soak when every
 * online agent of the wave applied the target version and is healthy, and starts the next wave (or
 * completes the rollout) when the soak time passed.
 */
@Injectable()
export class RolloutAdvancer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RolloutAdvancer');
  private lockClient?: pg.Client;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private ticking = false;
  /** Last waiting reason per rollout, to log changes once. */
  private readonly waiting = new Map<string, string>();

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(FleetEvents) private readonly events: FleetEvents,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  /** Whether this replica currently advances rollouts. */
  get leader(): boolean {
    return this.lockClient !== undefined;
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.ticking) await new Promise((r) => setTimeout(r, 10));
    await this.lockClient?.end().catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), ms);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    this.ticking = true;
    try {
      if (!this.lockClient) await this.tryLead();
      if (this.lockClient) await this.tick();
    } catch (err) {
      this.logger.warn(`rollout tick: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
    this.schedule(this.lockClient ? TICK_MS : 2_000);
  }

  private async tryLead(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
        ROLLOUT_LEADER_LOCK,
      ]);
      if (!r.rows[0]?.ok) {
        await client.end();
        return;
      }
    } catch {
      await client.end().catch(() => undefined);
      return;
    }
    client.on('end', () => {
      if (this.lockClient === client) {
        this.lockClient = undefined;
        if (!this.stopped) this.logger.warn('lost the rollout leader lock');
      }
    });
    this.lockClient = client;
    this.logger.log('advancing rollouts on this replica');
  }

  /** One pass over every running rollout (exposed for tests). */
  async tick(): Promise<void> {
    const running = await this.prisma.rollout.findMany({
      where: { status: 'running' },
      include: { pipeline: { select: { name: true } }, waves: { orderBy: { index: 'asc' } } },
    });
    for (const r of running) await this.advance(r);
  }

  private async advance(r: {
    id: string;
    pipelineId: string;
    toVersion: number;
    currentWave: number;
    soakSeconds: number;
    failureThreshold: number;
    pipeline: { name: string };
    waves: { index: number; status: string; soakStartedAt: Date | null }[];
  }): Promise<void> {
    const last = r.waves.length - 1;
    const members = await loadRolloutMembers(
      this.prisma,
      {
        id: r.id,
        pipelineId: r.pipelineId,
        pipelineName: r.pipeline.name,
        toVersion: r.toVersion,
        waveCount: r.waves.length,
      },
      { heartbeatIntervalSeconds: this.config.heartbeatIntervalSeconds },
    );
    const agents: GateAgent[] = members.map((a) => ({
      id: a.id,
      wave: a.wave,
      online: a.online,
      applied: a.status === 'applied' && a.appliedVersion === r.toVersion,
      failed: a.status === 'failed' && a.reportedVersion === r.toVersion,
      // Health of the pipeline counts once the agent runs the target version.
      unhealthy: a.unhealthyComponents > 0 && a.appliedVersion === r.toVersion,
      error: a.error,
    }));
    const decision = gate(agents, r.currentWave, r.failureThreshold);
    const wave = r.waves[r.currentWave];
    if (decision.kind === 'pause') {
      await this.update(r.id, r.pipelineId, 'rollout.auto-pause', async (tx) => {
        await tx.rollout.update({
          where: { id: r.id },
          data: { status: 'paused', pausedReason: decision.reason },
        });
      });
      this.logger.warn(`rollout ${r.id} (${r.pipeline.name}) paused: ${decision.reason}`);
      return;
    }
    if (decision.kind === 'wait') {
      if (wave?.soakStartedAt) {
        await this.prisma.rolloutWave.update({
          where: { rolloutId_index: { rolloutId: r.id, index: r.currentWave } },
          data: { soakStartedAt: null, status: 'in_progress' },
        });
      }
      if (this.waiting.get(r.id) !== decision.reason) {
        this.waiting.set(r.id, decision.reason);
        this.logger.log(`rollout ${r.id} (${r.pipeline.name}) wave ${r.currentWave + 1}: ${decision.reason}`);
      }
      return;
    }
    this.waiting.delete(r.id);
    const now = new Date();
    if (decision.kind === 'soak' && r.soakSeconds > 0) {
      if (!wave?.soakStartedAt) {
        await this.prisma.rolloutWave.update({
          where: { rolloutId_index: { rolloutId: r.id, index: r.currentWave } },
          data: { soakStartedAt: now, status: 'soaking' },
        });
        return;
      }
      if (now.getTime() - wave.soakStartedAt.getTime() < r.soakSeconds * 1000) return;
    }
    // The wave is done: start the next, or complete the rollout.
    await this.update(
      r.id,
      r.pipelineId,
      r.currentWave >= last ? 'rollout.complete' : 'rollout.advance',
      async (tx) => {
        await tx.rolloutWave.update({
          where: { rolloutId_index: { rolloutId: r.id, index: r.currentWave } },
          data: { status: 'done', completedAt: now },
        });
        if (r.currentWave >= last) {
          await tx.rollout.update({ where: { id: r.id }, data: { status: 'completed', finishedAt: now } });
        } else {
          await tx.rollout.update({ where: { id: r.id }, data: { currentWave: r.currentWave + 1 } });
          await tx.rolloutWave.update({
            where: { rolloutId_index: { rolloutId: r.id, index: r.currentWave + 1 } },
            data: { status: 'in_progress', startedAt: now },
          });
        }
      },
    );
  }

  private async update(
    rolloutId: string,
    pipelineId: string,
    action: string,
    change: (tx: Parameters<Parameters<PrismaService['$transaction']>[0]>[0]) => Promise<void>,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1))', `rollout:${pipelineId}`);
      const before = await tx.rollout.findUnique({ where: { id: rolloutId } });
      // A person may have paused, aborted or rolled back since this tick read the rollout.
      if (before?.status !== 'running') return;
      await change(tx);
      const after = await tx.rollout.findUnique({ where: { id: rolloutId } });
      await this.audit.record(SYSTEM, action, 'rollout', rolloutId, before, after, tx);
    });
    await this.events.publish({ kind: 'rollout', id: pipelineId });
  }
}
