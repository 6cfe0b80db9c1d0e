import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors } from '../common/api-docs.js';
import { Access } from '../common/access.js';
import { Timestamp } from '../common/schemas.js';
import { AuditService } from './audit.service.js';

export const AuditQuery = z.object({
  targetType: z.string().max(50).optional().describe('agent | pipeline | token | rollout'),
  targetId: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'before is an audit event id')
    .optional()
    .describe('page backwards: events older than this id (nextBefore of the previous page)'),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

const AuditEventSchema = z
  .object({
    id: z.string(),
    at: Timestamp,
    actor: z.string().describe("the token's name"),
    action: z.string().describe('<target>.<verb>, e.g. pipeline.update'),
    targetType: z.string(),
    targetId: z.string(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
  })
  .meta({ id: 'AuditEvent' });

const AuditPageSchema = z.object({
  items: z.array(AuditEventSchema),
  nextBefore: z.string().nullable().describe('pass as `before` for the next page; null on the last'),
});

@ApiTags('audit')
@ApiBearerAuth()
@Access('admin')
@ApiErrors(401, 403)
@Controller('api/v1/audit')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first' })
  @ApiErrors(400)
  @ApiOkResponse({ standardSchema: AuditPageSchema })
  async list(@Query({ schema: AuditQuery }) query: AuditQuery) {
    const items = await this.audit.list({
      targetType: query.targetType,
      targetId: query.targetId,
      limit: query.limit,
      before: query.before !== undefined ? BigInt(query.before) : undefined,
    });
    return { items, nextBefore: items.length === query.limit ? items[items.length - 1]!.id : null };
  }
}
