import { Module } from '@nestjs/common';
import { FleetGatewayModule } from '../fleet-gateway/fleet-gateway.module.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { FleetMetricsService } from './fleet-metrics.service.js';
import { MetricsController } from './metrics.controller.js';

/** Fleet metrics for Prometheus. */
@Module({
  imports: [FleetGatewayModule, RolloutsModule],
  controllers: [MetricsController],
  providers: [FleetMetricsService],
})
export class MetricsModule {}
