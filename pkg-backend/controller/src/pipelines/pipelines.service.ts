import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AgentDirectory, type DirectoryAgent } from '../agents/agent-directory.js';
import { AuditService } from '../audit/audit.service.js';
import { matchesAll, parseMatchers, type Matcher } from '../common/matchers.js';
import { isUuid, parseMatchersOrThrow } from '../common/request.js';
import { FleetEvents } from '../database/fleet-events.js';
import { PrismaService } from '../database/prisma.service.js';
import type { Pipeline } from '../generated/prisma/client.js';
import type { Actor } from '../tokens/token-text.js';
import { ValidationService } from '../validation/validation.service.js';
import { PipelineVersionsService } from './pipeline-versions.service.js';
import type { CreatePipelineBody, UpdatePipelineBody } from './pipelines.schemas.js';

interface LatestRollout {
  id: string;
  pipelineId: string;
  status: string;
  fromVersion: number | null;
  toVersion: number;
}

/** What the audit log keeps of a pipeline. */
function auditView(p: Pick<Pipeline, 'name' | 'matchers' | 'enabled'>) {
  return { name: p.name, matchers: p.matchers, enabled: p.enabled };
}

/** Pipelines: named Alloy fragments with matchers; versions live in PipelineVersionsService. */
@Injectable()
export class PipelinesService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(FleetEvents) private readonly events: FleetEvents,
    @Inject(AgentDirectory) private readonly directory: AgentDirectory,
    @Inject(ValidationService) private readonly validation: ValidationService,
    @Inject(PipelineVersionsService) private readonly versions: PipelineVersionsService,
  ) {}

  /** Every pipeline with its latest version, deployed versions, active rollout and matched agents. */
  async list() {
    const rows = await this.prisma.pipeline.findMany({ orderBy: { name: 'asc' } });
    return this.enrich(rows);
  }

  /** One pipeline, with its latest version (content included). @throws NotFoundException */
  async get(id: string) {
    const row = await this.require(id);
    const [view] = await this.enrich([row]);
    const latest = await this.prisma.pipelineVersion.findFirst({
      where: { pipelineId: id },
      orderBy: { version: 'desc' },
    });
    return { ...view!, latest: latest ? this.versions.view(latest) : null };
  }

  /**
   * Creates a pipeline, and version 1 when content is given (validated first: 400 with diagnostics).
   * A taken name is a unique violation: 409 through the Prisma exception filter.
   */
  async create(actor: Actor, body: CreatePipelineBody) {
    parseMatchersOrThrow(body.matchers);
    const validated = body.content !== undefined ? this.validation.validateOrThrow(body.content) : undefined;
    const created = await this.prisma.$transaction(async (tx) => {
      const p = await tx.pipeline.create({
        data: { name: body.name, matchers: body.matchers, enabled: body.enabled },
      });
      await this.audit.record(actor, 'pipeline.create', 'pipeline', p.id, null, auditView(p), tx);
      if (body.content !== undefined && validated) {
        await this.versions.insert(tx, actor, p.id, 1, body.content, body.message ?? '', validated, 'create');
      }
      return p;
    });
    await this.events.publish({ kind: 'pipeline', id: created.id });
    return this.get(created.id);
  }

  /** Renames, changes matchers or enables/disables. */
  async update(actor: Actor, id: string, body: UpdatePipelineBody) {
    if (body.matchers) parseMatchersOrThrow(body.matchers);
    await this.require(id);
    await this.prisma.$transaction(async (tx) => {
      const before = await tx.pipeline.findUnique({ where: { id } });
      if (!before) throw notFound(id);
      const after = await tx.pipeline.update({
        where: { id },
        data: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.matchers !== undefined ? { matchers: body.matchers } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        },
      });
      await this.audit.record(
        actor,
        'pipeline.update',
        'pipeline',
        id,
        auditView(before),
        auditView(after),
        tx,
      );
    });
    await this.events.publish({ kind: 'pipeline', id });
    return this.get(id);
  }

  /** Deletes a pipeline with its versions and rollouts; agents drop it on the next push. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.require(id);
    await this.prisma.$transaction(async (tx) => {
      const before = await tx.pipeline.findUnique({
        where: { id },
        include: { _count: { select: { versions: true } } },
      });
      if (!before) throw notFound(id);
      await tx.pipeline.delete({ where: { id } });
      await this.audit.record(
        actor,
        'pipeline.delete',
        'pipeline',
        id,
        { ...auditView(before), versions: before._count.versions },
        null,
        tx,
      );
    });
    await this.events.publish({ kind: 'pipeline', id });
  }

  /** The pipeline row. @throws NotFoundException naming the id */
  async require(id: string): Promise<Pipeline> {
    const row = isUuid(id) ? await this.prisma.pipeline.findUnique({ where: { id } }) : null;
    if (!row) throw notFound(id);
    return row;
  }

  private async enrich(rows: Pipeline[]) {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [latest, rollouts, agents] = await Promise.all([
      this.prisma.pipelineVersion.groupBy({
        by: ['pipelineId'],
        where: { pipelineId: { in: ids } },
        _max: { version: true },
      }),
      this.prisma.$queryRawUnsafe<LatestRollout[]>(
        `SELECT DISTINCT ON (pipeline_id) id, pipeline_id AS "pipelineId", status,
                from_version AS "fromVersion", to_version AS "toVersion"
         FROM rollouts WHERE pipeline_id = ANY($1::uuid[])
         ORDER BY pipeline_id, created_at DESC, id DESC`,
        ids,
      ),
      this.directory.all(),
    ]);
    const latestBy = new Map(latest.map((l) => [l.pipelineId, l._max.version]));
    const rolloutBy = new Map(rollouts.map((r) => [r.pipelineId, r]));
    return rows.map((p) => {
      const r = rolloutBy.get(p.id);
      return {
        id: p.id,
        name: p.name,
        matchers: p.matchers,
        enabled: p.enabled,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
        latestVersion: latestBy.get(p.id) ?? null,
        deployedVersions: r ? deployedVersions(r) : [],
        activeRollout:
          r && (r.status === 'running' || r.status === 'paused')
            ? { id: r.id, status: r.status, fromVersion: r.fromVersion, toVersion: r.toVersion }
            : null,
        matchedAgents: countMatched(p.matchers, agents),
      };
    });
  }
}

/** Versions the latest rollout makes agents run (see fleet/desired-state.ts). */
function deployedVersions(r: LatestRollout): number[] {
  let vs: (number | null)[];
  if (r.status === 'completed') vs = [r.toVersion];
  else if (r.status === 'rolled_back') vs = [r.fromVersion];
  else vs = [r.fromVersion, r.toVersion];
  return [...new Set(vs.filter((v): v is number => v !== null))].sort((a, b) => a - b);
}

function countMatched(texts: string[], agents: DirectoryAgent[]): number {
  let matchers: Matcher[];
  try {
    matchers = parseMatchers(texts);
  } catch {
    return 0;
  }
  let n = 0;
  for (const a of agents) if (matchesAll(matchers, a.attributes)) n++;
  return n;
}

export function notFound(id: string): NotFoundException {
  return new NotFoundException(`pipeline ${JSON.stringify(id)} not found`);
}
