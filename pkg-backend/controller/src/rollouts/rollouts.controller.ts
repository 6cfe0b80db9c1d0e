import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentActor } from '../common/access.js';
import type { Actor } from '../tokens/token-text.js';
import {
  createRolloutSchema,
  listRolloutsSchema,
  type CreateRolloutBody,
  type ListRolloutsQuery,
} from './rollouts.schemas.js';
import { RolloutsService } from './rollouts.service.js';

const uuid = z.string().uuid();

/** Rollouts: start one for a pipeline version, watch it, pause / resume / abort / roll back. */
@ApiTags('rollouts')
@Controller('api/v1')
export class RolloutsController {
  constructor(@Inject(RolloutsService) private readonly rollouts: RolloutsService) {}

  @Post('pipelines/:id/rollouts')
  create(
    @CurrentActor() actor: Actor,
    @Param('id', { schema: uuid }) pipelineId: string,
    @Body({ schema: createRolloutSchema }) body: CreateRolloutBody,
  ) {
    return this.rollouts.create(actor, pipelineId, body);
  }

  @Get('rollouts')
  list(@Query({ schema: listRolloutsSchema }) q: ListRolloutsQuery) {
    return this.rollouts.list(q);
  }

  @Get('rollouts/:id')
  get(@Param('id', { schema: uuid }) id: string) {
    return this.rollouts.get(id);
  }

  @Post('rollouts/:id/pause')
  @HttpCode(200)
  pause(@CurrentActor() actor: Actor, @Param('id', { schema: uuid }) id: string) {
    return this.rollouts.pause(actor, id);
  }

  @Post('rollouts/:id/resume')
  @HttpCode(200)
  resume(@CurrentActor() actor: Actor, @Param('id', { schema: uuid }) id: string) {
    return this.rollouts.resume(actor, id);
  }

  @Post('rollouts/:id/abort')
  @HttpCode(200)
  abort(@CurrentActor() actor: Actor, @Param('id', { schema: uuid }) id: string) {
    return this.rollouts.abort(actor, id);
  }

  @Post('rollouts/:id/rollback')
  @HttpCode(200)
  rollback(@CurrentActor() actor: Actor, @Param('id', { schema: uuid }) id: string) {
    return this.rollouts.rollback(actor, id);
  }
}
