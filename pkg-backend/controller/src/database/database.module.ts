import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { FleetEvents } from './fleet-events.js';
import { PrismaService } from './prisma.service.js';

/** The configuration, the Prisma client and the LISTEN/NOTIFY fan-out, available to every module. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: ControllerConfig): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: CONTROLLER_CONFIG, useValue: config }, PrismaService, FleetEvents],
      exports: [CONTROLLER_CONFIG, PrismaService, FleetEvents],
    };
  }
}
