import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Actor } from '../tokens/token-text.js';

/** Anything that can run the audit insert: the client or an interactive transaction. */
type Db = Pick<PrismaService, 'auditEvent'>;

/** Appends to the audit log: who (token name), what (`<target>.<verb>`), on what, before and after. */
@Injectable()
export class AuditService {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Records one change; pass `db` to write inside the caller's transaction. */
  async record(
    actor: Actor,
    action: string,
    targetType: string,
    targetId: string,
    before: unknown,
    after: unknown,
    db: Db = this.prisma,
  ): Promise<void> {
    await db.auditEvent.create({
      data: {
        actor: actor.name,
        action,
        targetType,
        targetId,
        before: json(before),
        after: json(after),
      },
    });
  }

  /** Newest first; `before` is an event id for paging backwards. */
  async list(opts: { targetType?: string; targetId?: string; limit: number; before?: bigint }) {
    const rows = await this.prisma.auditEvent.findMany({
      where: {
        ...(opts.targetType ? { targetType: opts.targetType } : {}),
        ...(opts.targetId ? { targetId: opts.targetId } : {}),
        ...(opts.before !== undefined ? { id: { lt: opts.before } } : {}),
      },
      orderBy: { id: 'desc' },
      take: opts.limit,
    });
    return rows.map((r) => ({ ...r, id: r.id.toString() }));
  }
}

function json(v: unknown): Prisma.InputJsonValue | undefined {
  if (v === null || v === undefined) return undefined;
  return JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;
}
