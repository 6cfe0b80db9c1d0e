import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ComponentHealth, PipelineStatus } from '@foundry/proto';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { PrismaService } from '../database/prisma.service.js';

/** Status names stored in agent_pipelines.status, from the protocol's ApplyStatus. */
const STATUS_NAMES: Record<string, string> = {
  APPLY_STATUS_APPLYING: 'applying',
  APPLY_STATUS_APPLIED: 'applied',
  APPLY_STATUS_FAILED: 'failed',
  APPLY_STATUS_REMOVED: 'removed',
};

interface StatusRow {
  agentId: string;
  pipelineId: string;
  version: number;
  hash: string;
  status: string;
  error: string | null;
  diagnostics: string;
  at: Date;
}

interface DesiredRow {
  agentId: string;
  pipelineId: string;
  version: number | null;
}

const FLUSH_MS = 100;
const FLUSH_ROWS = 2000;

/**
 * Write-behind for what agents report, so 10,000 agents cost a few statements per 100 ms rather than
 * one round trip per message: desired versions pushed, apply statuses, last-seen times and self-metric
 * snapshots are queued per kind (the latest value per key wins) and flushed with one `unnest` statement
 * per kind. Component health is written per report (it is sent only on change). Statuses for pipelines
 * or agents deleted meanwhile are dropped by the joins instead of failing the batch.
 */
@Injectable()
export class StateWriter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('StateWriter');
  private desired = new Map<string, DesiredRow>();
  private statuses = new Map<string, StatusRow>();
  private seen = new Set<string>();
  private metrics: { agentId: string; at: Date; values: string }[] = [];
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly healthQueues = new Map<string, Promise<void>>();

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), 60_000);
    this.pruneTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await this.flush();
    await Promise.all(this.healthQueues.values());
  }

  /** Records the versions pushed to an agent (null: no longer desired there). */
  desiredPushed(agentId: string, rows: { pipelineId: string; version: number | null }[]): void {
    for (const r of rows) this.desired.set(`${agentId}\u0000${r.pipelineId}`, { agentId, ...r });
    this.maybeFlush();
  }

  /** Queues an agent's apply statuses. */
  status(agentId: string, pipelines: PipelineStatus[]): void {
    const at = new Date();
    for (const p of pipelines) {
      const status = STATUS_NAMES[p.status];
      if (!status || !p.pipelineId) continue;
      this.statuses.set(`${agentId}\u0000${p.pipelineId}`, {
        agentId,
        pipelineId: p.pipelineId,
        version: p.version,
        hash: p.hash,
        status,
        error: p.error || null,
        diagnostics: JSON.stringify(p.diagnostics ?? []),
        at,
      });
    }
    this.maybeFlush();
  }

  /** Marks the agent as seen now. */
  touch(agentId: string): void {
    this.seen.add(agentId);
  }

  /** Queues a self-metrics snapshot (`values` keyed `name{label="v",…}`). */
  metricsSnapshot(agentId: string, at: Date, values: Record<string, number>): void {
    this.metrics.push({ agentId, at, values: JSON.stringify(values) });
    this.maybeFlush();
  }

  /** Replaces the agent's component health with `components` (serialised per agent). */
  health(agentId: string, components: ComponentHealth[]): Promise<void> {
    const prev = this.healthQueues.get(agentId) ?? Promise.resolve();
    const next = prev
      .then(() => this.writeHealth(agentId, components))
      .catch((err: Error) => this.logger.warn(`health of ${agentId}: ${err.message}`))
      .finally(() => {
        if (this.healthQueues.get(agentId) === next) this.healthQueues.delete(agentId);
      });
    this.healthQueues.set(agentId, next);
    return next;
  }

  /** Writes everything queued so far (also called on an interval). */
  flush(): Promise<void> {
    this.flushing = this.flushing
      .then(() => this.flushNow())
      .catch((err: Error) => {
        this.logger.error(`flush failed: ${err.message}`);
      });
    return this.flushing;
  }

  private maybeFlush(): void {
    if (this.desired.size + this.statuses.size + this.metrics.length >= FLUSH_ROWS) void this.flush();
  }

  private async flushNow(): Promise<void> {
    const desired = [...this.desired.values()];
    const statuses = [...this.statuses.values()];
    const seen = [...this.seen];
    const metrics = this.metrics;
    this.desired = new Map();
    this.statuses = new Map();
    this.seen = new Set();
    this.metrics = [];
    if (desired.length) {
      await this.prisma.$executeRawUnsafe(
        `INSERT INTO agent_pipelines (agent_id, pipeline_id, desired_version, desired_at, status)
         SELECT u.agent_id, u.pipeline_id, u.version, now(), 'pending'
         FROM unnest($1::text[], $2::uuid[], $3::int[]) AS u(agent_id, pipeline_id, version)
         JOIN agents a ON a.id = u.agent_id JOIN pipelines p ON p.id = u.pipeline_id
         ON CONFLICT (agent_id, pipeline_id) DO UPDATE
           SET desired_version = EXCLUDED.desired_version, desired_at = now()
           WHERE agent_pipelines.desired_version IS DISTINCT FROM EXCLUDED.desired_version`,
        desired.map((d) => d.agentId),
        desired.map((d) => d.pipelineId),
        desired.map((d) => d.version),
      );
    }
    if (statuses.length) {
      await this.prisma.$executeRawUnsafe(
        `INSERT INTO agent_pipelines (agent_id, pipeline_id, reported_version, status, error, diagnostics, status_at,
                                      applied_version, applied_hash, applied_at)
         SELECT u.agent_id, u.pipeline_id, u.version, u.status, u.error, u.diagnostics::jsonb, u.at,
                CASE WHEN u.status = 'applied' THEN u.version END,
                CASE WHEN u.status = 'applied' THEN u.hash END,
                CASE WHEN u.status = 'applied' THEN u.at END
         FROM unnest($1::text[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
           AS u(agent_id, pipeline_id, version, hash, status, error, diagnostics, at)
         JOIN agents a ON a.id = u.agent_id JOIN pipelines p ON p.id = u.pipeline_id
         ON CONFLICT (agent_id, pipeline_id) DO UPDATE SET
           reported_version = EXCLUDED.reported_version,
           status = EXCLUDED.status,
           error = EXCLUDED.error,
           diagnostics = EXCLUDED.diagnostics,
           status_at = EXCLUDED.status_at,
           applied_version = CASE
             WHEN EXCLUDED.status = 'applied' THEN EXCLUDED.applied_version
             WHEN EXCLUDED.status = 'removed' THEN NULL
             ELSE agent_pipelines.applied_version END,
           applied_hash = CASE
             WHEN EXCLUDED.status = 'applied' THEN EXCLUDED.applied_hash
             WHEN EXCLUDED.status = 'removed' THEN NULL
             ELSE agent_pipelines.applied_hash END,
           applied_at = CASE WHEN EXCLUDED.status = 'applied' THEN EXCLUDED.applied_at ELSE agent_pipelines.applied_at END`,
        statuses.map((s) => s.agentId),
        statuses.map((s) => s.pipelineId),
        statuses.map((s) => s.version),
        statuses.map((s) => s.hash),
        statuses.map((s) => s.status),
        statuses.map((s) => s.error),
        statuses.map((s) => s.diagnostics),
        statuses.map((s) => s.at),
      );
    }
    if (seen.length) {
      await this.prisma.$executeRawUnsafe(
        'UPDATE agents SET last_seen_at = now() WHERE id = ANY($1::text[])',
        seen,
      );
    }
    if (metrics.length) {
      await this.prisma.$executeRawUnsafe(
        `INSERT INTO metric_samples (agent_id, at, "values")
         SELECT u.agent_id, u.at, u.v::jsonb FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS u(agent_id, at, v)
         JOIN agents a ON a.id = u.agent_id`,
        metrics.map((m) => m.agentId),
        metrics.map((m) => m.at),
        metrics.map((m) => m.values),
      );
    }
  }

  private async writeHealth(agentId: string, components: ComponentHealth[]): Promise<void> {
    const keep = new Map<string, ComponentHealth>();
    for (const c of components) keep.set(`${c.pipeline}\u0000${c.componentId}`, c);
    const list = [...keep.values()];
    await this.prisma.$transaction([
      this.prisma.$executeRawUnsafe(
        `DELETE FROM component_health WHERE agent_id = $1
           AND (pipeline, component_id) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        agentId,
        list.map((c) => c.pipeline),
        list.map((c) => c.componentId),
      ),
      this.prisma.$executeRawUnsafe(
        `INSERT INTO component_health (agent_id, pipeline, component_id, health, message, updated_at)
         SELECT $1, u.pipeline, u.component_id, u.health, u.message, u.at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
           AS u(pipeline, component_id, health, message, at)
         JOIN agents a ON a.id = $1
         ON CONFLICT (agent_id, pipeline, component_id) DO UPDATE SET
           health = EXCLUDED.health, message = EXCLUDED.message, updated_at = EXCLUDED.updated_at`,
        agentId,
        list.map((c) => c.pipeline),
        list.map((c) => c.componentId),
        list.map((c) => c.health),
        list.map((c) => c.message),
        list.map((c) => new Date(c.updatedUnixMs || Date.now())),
      ),
    ]);
  }

  private async prune(): Promise<void> {
    try {
      await this.prisma.$executeRawUnsafe(
        `DELETE FROM metric_samples WHERE at < now() - make_interval(secs => $1)`,
        this.config.metricsRetentionSeconds,
      );
    } catch (err) {
      this.logger.warn(`pruning metric samples: ${(err as Error).message}`);
    }
  }
}
