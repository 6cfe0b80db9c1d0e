import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';

/** The Prisma client (driver adapter over node-postgres) as a Nest provider; the only way to the database. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(CONTROLLER_CONFIG) config: ControllerConfig) {
    if (!config.databaseUrl) throw new Error('PrismaService needs a database URL');
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl, max: 20 }) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
