import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors } from '../common/api-docs.js';
import { CurrentActor } from '../common/access.js';
import type { Actor } from '../tokens/token-text.js';
import { PipelineVersionsService } from './pipeline-versions.service.js';
import {
  CreatePipelineBody,
  CreateVersionBody,
  DiffQuery,
  DiffSchema,
  PipelineDetailSchema,
  PipelineSchema,
  RestoreVersionBody,
  UpdatePipelineBody,
  VersionNumber,
  VersionSchema,
  VersionSummarySchema,
} from './pipelines.schemas.js';
import { PipelinesService } from './pipelines.service.js';

@ApiTags('pipelines')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/pipelines')
export class PipelinesController {
  constructor(@Inject(PipelinesService) private readonly pipelines: PipelinesService) {}

  @Get()
  @ApiOperation({ summary: 'List pipelines with versions, deployment, active rollout and matched agents' })
  @ApiOkResponse({ standardSchema: z.array(PipelineSchema) })
  list() {
    return this.pipelines.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a pipeline (content given: version 1)' })
  @ApiErrors(400, 409, 413)
  @ApiCreatedResponse({ standardSchema: PipelineDetailSchema })
  create(@CurrentActor() actor: Actor, @Body({ schema: CreatePipelineBody }) body: CreatePipelineBody) {
    return this.pipelines.create(actor, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One pipeline with its latest version' })
  @ApiErrors(404)
  @ApiOkResponse({ standardSchema: PipelineDetailSchema })
  get(@Param('id') id: string) {
    return this.pipelines.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, change matchers, enable or disable' })
  @ApiErrors(400, 404, 409)
  @ApiOkResponse({ standardSchema: PipelineDetailSchema })
  update(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body({ schema: UpdatePipelineBody }) body: UpdatePipelineBody,
  ) {
    return this.pipelines.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a pipeline with its versions and rollouts' })
  @ApiErrors(404)
  @ApiNoContentResponse({ description: 'deleted' })
  async remove(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.pipelines.remove(actor, id);
  }
}

@ApiTags('pipelines')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/pipelines/:id')
export class PipelineVersionsController {
  constructor(@Inject(PipelineVersionsService) private readonly versions: PipelineVersionsService) {}

  @Get('versions')
  @ApiOperation({ summary: 'Versions, newest first (without content)' })
  @ApiErrors(404)
  @ApiOkResponse({ standardSchema: z.array(VersionSummarySchema) })
  list(@Param('id') id: string) {
    return this.versions.list(id);
  }

  @Post('versions')
  @ApiOperation({ summary: 'Add a version (validated; 409 when identical to the latest)' })
  @ApiErrors(400, 404, 409, 413)
  @ApiCreatedResponse({ standardSchema: VersionSchema })
  create(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body({ schema: CreateVersionBody }) body: CreateVersionBody,
  ) {
    return this.versions.create(actor, id, body.content, body.message);
  }

  @Get('versions/:version')
  @ApiOperation({ summary: 'One version with its content' })
  @ApiErrors(400, 404)
  @ApiOkResponse({ standardSchema: VersionSchema })
  get(@Param('id') id: string, @Param('version', { schema: VersionNumber }) version: number) {
    return this.versions.get(id, version);
  }

  @Post('versions/:version/restore')
  @ApiOperation({ summary: 'Add a version with the content of an older one' })
  @ApiErrors(400, 404, 409)
  @ApiCreatedResponse({ standardSchema: VersionSchema })
  restore(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('version', { schema: VersionNumber }) version: number,
    @Body({ schema: RestoreVersionBody }) body: RestoreVersionBody,
  ) {
    return this.versions.restore(actor, id, version, body.message);
  }

  @Get('diff')
  @ApiOperation({ summary: 'Unified diff between two versions (default: the latest and the one before)' })
  @ApiErrors(400, 404)
  @ApiOkResponse({ standardSchema: DiffSchema })
  diff(@Param('id') id: string, @Query({ schema: DiffQuery }) query: DiffQuery) {
    return this.versions.diff(id, query);
  }
}
