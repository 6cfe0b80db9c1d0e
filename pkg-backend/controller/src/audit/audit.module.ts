import { Module } from '@nestjs/common';
import { AuditService } from './audit.service.js';

/** The audit log of every change. */
@Module({
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
