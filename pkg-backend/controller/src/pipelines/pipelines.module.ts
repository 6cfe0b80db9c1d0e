import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ValidationModule } from '../validation/validation.module.js';
import { PipelineVersionsService } from './pipeline-versions.service.js';
import { PipelinesController, PipelineVersionsController } from './pipelines.controller.js';
import { PipelinesService } from './pipelines.service.js';

/** Pipelines and their immutable versions over REST. */
@Module({
  imports: [AuditModule, AgentsModule, ValidationModule],
  controllers: [PipelinesController, PipelineVersionsController],
  providers: [PipelinesService, PipelineVersionsService],
  exports: [PipelinesService, PipelineVersionsService],
})
export class PipelinesModule {}
