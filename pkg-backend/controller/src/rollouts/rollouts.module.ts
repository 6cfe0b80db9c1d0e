import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { RolloutAdvancer } from './rollout-advancer.js';
import { RolloutsController } from './rollouts.controller.js';
import { RolloutsService } from './rollouts.service.js';

/** Health-gated, wave-by-wave rollouts of pipeline versions. */
@Module({
  imports: [AuditModule],
  controllers: [RolloutsController],
  providers: [RolloutsService, RolloutAdvancer],
  exports: [RolloutsService, RolloutAdvancer],
})
export class RolloutsModule {}
