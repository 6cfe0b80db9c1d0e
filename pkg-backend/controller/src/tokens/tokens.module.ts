import { Global, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { TokensController } from './tokens.controller.js';
import { TokensService } from './tokens.service.js';

/** API tokens (global: the access guard and the gRPC gateway verify tokens everywhere). */
@Global()
@Module({
  imports: [AuditModule],
  controllers: [TokensController],
  providers: [TokensService],
  exports: [TokensService],
})
export class TokensModule {}
