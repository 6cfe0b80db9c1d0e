import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { FleetModule } from '../fleet/fleet.module.js';
import { AgentDirectory } from './agent-directory.js';
import { AgentsController, FleetController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';

/** Agents over REST: list with state, detail, self-metrics, remote attributes, matcher preview, fleet summary. */
@Module({
  imports: [AuditModule, FleetModule],
  controllers: [AgentsController, FleetController],
  providers: [AgentsService, AgentDirectory],
  exports: [AgentsService, AgentDirectory],
})
export class AgentsModule {}
