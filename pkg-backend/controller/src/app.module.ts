import { Module, StandardSchemaValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AgentsModule } from './agents/agents.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AccessGuard } from './common/access.js';
import { PrismaExceptionFilter } from './common/prisma-exception.filter.js';
import type { ControllerConfig } from './config/controller-config.js';
import { DatabaseModule } from './database/database.module.js';
import { FleetModule } from './fleet/fleet.module.js';
import { HealthModule } from './health/health.module.js';
import { FleetGatewayModule } from './fleet-gateway/fleet-gateway.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PipelinesModule } from './pipelines/pipelines.module.js';
import { RemotecfgModule } from './remotecfg/remotecfg.module.js';
import { RolloutsModule } from './rollouts/rollouts.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { ValidationModule } from './validation/validation.module.js';

/** The controller: REST for people and automation, gRPC for agents, one database. */
@Module({})
export class AppModule {
  static forRoot(config: ControllerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config),
        AuditModule,
        TokensModule,
        FleetModule,
        FleetGatewayModule,
        RolloutsModule,
        MetricsModule,
        AgentsModule,
        PipelinesModule,
        ValidationModule,
        HealthModule,
        RemotecfgModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_PIPE, useValue: new StandardSchemaValidationPipe() },
        { provide: APP_FILTER, useClass: PrismaExceptionFilter },
      ],
    };
  }
}
