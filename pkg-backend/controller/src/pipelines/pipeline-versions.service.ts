import { createHash } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { formatPatch, structuredPatch } from 'diff';
import { AuditService } from '../audit/audit.service.js';
import { isUuid } from '../common/request.js';
import type { DiagnosticView } from '../common/schemas.js';
import { FleetEvents } from '../database/fleet-events.js';
import { PrismaService } from '../database/prisma.service.js';
import type { Prisma, PipelineVersion } from '../generated/prisma/client.js';
import type { Actor } from '../tokens/token-text.js';
import { ValidationService, type ValidationResult } from '../validation/validation.service.js';
import type { DiffQuery } from './pipelines.schemas.js';

type Tx = Prisma.TransactionClient;

/** sha256 hex of the UTF-8 text. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Immutable, numbered, content-hashed versions of a pipeline's text. Each new version is validated
 * with the engine first (errors: 400 with the diagnostics; warnings are stored) and numbered max + 1
 * under a lock on the pipeline row, so concurrent writers get consecutive numbers.
 */
@Injectable()
export class PipelineVersionsService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(FleetEvents) private readonly events: FleetEvents,
    @Inject(ValidationService) private readonly validation: ValidationService,
  ) {}

  /** Versions, newest first, without their content. */
  async list(pipelineId: string) {
    await this.requirePipeline(pipelineId);
    const rows = await this.prisma.pipelineVersion.findMany({
      where: { pipelineId },
      orderBy: { version: 'desc' },
      omit: { content: true },
    });
    return rows.map((r) => this.summary(r));
  }

  /** One version with its content. @throws NotFoundException for an unknown pipeline or version */
  async get(pipelineId: string, version: number) {
    return this.view(await this.require(pipelineId, version));
  }

  /** Adds a version. @throws InvalidContentException (400), ConflictException when unchanged (409) */
  async create(actor: Actor, pipelineId: string, content: string, message: string) {
    return this.add(actor, pipelineId, content, message, 'create');
  }

  /** Adds a version with the content of an older one. */
  async restore(actor: Actor, pipelineId: string, version: number, message: string | undefined) {
    const old = await this.require(pipelineId, version);
    return this.add(
      actor,
      pipelineId,
      old.content,
      message ?? `Restore version ${version}`,
      'restore',
      version,
    );
  }

  /** Unified diff and hunks between two versions (default: the latest and the one before it). */
  async diff(pipelineId: string, query: DiffQuery) {
    await this.requirePipeline(pipelineId);
    let to = query.to;
    if (to === undefined) {
      const latest = await this.prisma.pipelineVersion.findFirst({
        where: { pipelineId },
        orderBy: { version: 'desc' },
        select: { version: true },
      });
      if (!latest) throw new NotFoundException(`pipeline ${JSON.stringify(pipelineId)} has no versions yet`);
      to = latest.version;
    }
    const from = query.from ?? (to > 1 ? to - 1 : null);
    const newer = await this.require(pipelineId, to);
    const older = from === null ? null : await this.require(pipelineId, from);
    const oldName = older ? `version ${from}` : 'empty';
    const patch = structuredPatch(
      oldName,
      `version ${to}`,
      older?.content ?? '',
      newer.content,
      undefined,
      undefined,
      {
        context: 3,
      },
    );
    return {
      from,
      to,
      unified: formatPatch(patch),
      hunks: patch.hunks.map((h) => ({
        oldStart: h.oldStart,
        oldLines: h.oldLines,
        newStart: h.newStart,
        newLines: h.newLines,
        lines: h.lines,
      })),
    };
  }

  /** Inserts a validated version and its audit entry inside the caller's transaction. */
  async insert(
    tx: Tx,
    actor: Actor,
    pipelineId: string,
    version: number,
    content: string,
    message: string,
    validated: ValidationResult,
    verb: 'create' | 'restore',
    restoredFrom?: number,
  ): Promise<PipelineVersion> {
    const row = await tx.pipelineVersion.create({
      data: {
        pipelineId,
        version,
        content,
        sha256: sha256(content),
        author: actor.name,
        message,
        valid: validated.valid,
        diagnostics: validated.diagnostics as unknown as Prisma.InputJsonValue,
        components: validated.components,
      },
    });
    await this.audit.record(
      actor,
      `pipeline.version.${verb}`,
      'pipeline',
      pipelineId,
      null,
      {
        version,
        sha256: row.sha256,
        message,
        ...(restoredFrom !== undefined ? { restoredFrom } : {}),
      },
      tx,
    );
    return row;
  }

  /** The API view of a version row. */
  view(row: PipelineVersion) {
    return { ...this.summary(row), content: row.content };
  }

  private summary(row: Omit<PipelineVersion, 'content'>) {
    return {
      id: row.id,
      pipelineId: row.pipelineId,
      version: row.version,
      sha256: row.sha256,
      author: row.author,
      message: row.message,
      createdAt: row.createdAt,
      valid: row.valid,
      diagnostics: (Array.isArray(row.diagnostics) ? row.diagnostics : []) as unknown as DiagnosticView[],
      components: row.components,
    };
  }

  private async add(
    actor: Actor,
    pipelineId: string,
    content: string,
    message: string,
    verb: 'create' | 'restore',
    restoredFrom?: number,
  ) {
    await this.requirePipeline(pipelineId);
    const validated = this.validation.validateOrThrow(content);
    const hash = sha256(content);
    const row = await this.prisma.$transaction(async (tx) => {
      // Serialises version numbering per pipeline.
      const locked = await tx.$queryRawUnsafe<unknown[]>(
        'SELECT id FROM pipelines WHERE id = $1::uuid FOR UPDATE',
        pipelineId,
      );
      if (locked.length === 0) throw pipelineNotFound(pipelineId);
      const latest = await tx.pipelineVersion.findFirst({
        where: { pipelineId },
        orderBy: { version: 'desc' },
        select: { version: true, sha256: true },
      });
      if (latest && latest.sha256 === hash) {
        throw new ConflictException(
          `unchanged: the content is identical to the latest version (${latest.version})`,
        );
      }
      return this.insert(
        tx,
        actor,
        pipelineId,
        (latest?.version ?? 0) + 1,
        content,
        message,
        validated,
        verb,
        restoredFrom,
      );
    });
    await this.events.publish({ kind: 'pipeline', id: pipelineId });
    return this.view(row);
  }

  private async requirePipeline(pipelineId: string): Promise<void> {
    const found = isUuid(pipelineId)
      ? await this.prisma.pipeline.findUnique({ where: { id: pipelineId }, select: { id: true } })
      : null;
    if (!found) throw pipelineNotFound(pipelineId);
  }

  private async require(pipelineId: string, version: number): Promise<PipelineVersion> {
    await this.requirePipeline(pipelineId);
    const row = await this.prisma.pipelineVersion.findUnique({
      where: { pipelineId_version: { pipelineId, version } },
    });
    if (!row) throw new NotFoundException(`pipeline ${JSON.stringify(pipelineId)} has no version ${version}`);
    return row;
  }
}

function pipelineNotFound(id: string): NotFoundException {
  return new NotFoundException(`pipeline ${JSON.stringify(id)} not found`);
}
