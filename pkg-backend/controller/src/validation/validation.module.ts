import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { ValidationController } from './validation.controller.js';
import { ValidationService } from './validation.service.js';

/** Validation of pipeline text with the engine (used by the editor and by new pipeline versions). */
@Module({
  imports: [AgentsModule],
  controllers: [ValidationController],
  providers: [ValidationService],
  exports: [ValidationService],
})
export class ValidationModule {}
