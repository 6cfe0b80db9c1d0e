import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs.js';
import { Access, CurrentActor } from '../common/access.js';
import type { Actor } from '../tokens/token-text.js';
import {
  AgentDetailSchema,
  AgentListSchema,
  AgentMetricsQuery,
  AgentMetricsSchema,
  FleetSummarySchema,
  ListAgentsQuery,
  PreviewBody,
  PreviewSchema,
  PutAttributesBody,
} from './agents.schemas.js';
import { AgentsService } from './agents.service.js';

@ApiTags('agents')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/agents')
export class AgentsController {
  constructor(@Inject(AgentsService) private readonly agents: AgentsService) {}

  @Get()
  @ApiOperation({ summary: 'List agents, filtered by matchers, state and text, paged' })
  @ApiErrors(400)
  @ApiOkResponse({ standardSchema: AgentListSchema })
  list(@Query({ schema: ListAgentsQuery }) query: ListAgentsQuery) {
    return this.agents.list(query);
  }

  @Post('preview')
  @Access('viewer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Which agents matchers select (count and the first 50)' })
  @ApiErrors(400)
  @ApiOkResponse({ standardSchema: PreviewSchema })
  preview(@Body({ schema: PreviewBody }) body: PreviewBody) {
    return this.agents.preview(body.matchers);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One agent: attributes, state, pipelines (desired vs applied), component health' })
  @ApiErrors(404)
  @ApiOkResponse({ standardSchema: AgentDetailSchema })
  get(@Param('id') id: string) {
    return this.agents.get(id);
  }

  @Get(':id/metrics')
  @ApiOperation({ summary: "The agent's stored self-metrics as series" })
  @ApiErrors(400, 404)
  @ApiOkResponse({ standardSchema: AgentMetricsSchema })
  metrics(@Param('id') id: string, @Query({ schema: AgentMetricsQuery }) query: AgentMetricsQuery) {
    return this.agents.metrics(id, query);
  }

  @Put(':id/attributes')
  @ApiOperation({ summary: 'Replace the remote attributes (they win over local ones)' })
  @ApiErrors(400, 404, 413)
  @ApiOkResponse({ standardSchema: AgentDetailSchema })
  setAttributes(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body({ schema: PutAttributesBody }) body: PutAttributesBody,
  ) {
    return this.agents.setRemoteAttributes(actor, id, body.remoteAttributes);
  }

  @Delete(':id')
  @Access('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget an agent (it reappears when it connects again)' })
  @ApiErrors(404)
  @ApiNoContentResponse({ description: 'deleted' })
  async remove(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.agents.remove(actor, id);
  }
}

@ApiTags('fleet')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/fleet')
export class FleetController {
  constructor(@Inject(AgentsService) private readonly agents: AgentsService) {}

  @Get('summary')
  @ApiOperation({ summary: 'Agents per state, drift, pipelines and active rollouts' })
  @ApiOkResponse({ standardSchema: FleetSummarySchema })
  summary() {
    return this.agents.summary();
  }
}
