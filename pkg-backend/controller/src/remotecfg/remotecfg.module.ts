import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module.js';
import { FleetGatewayModule } from '../fleet-gateway/fleet-gateway.module.js';
import { CollectorController } from './collector.controller.js';
import { CollectorService } from './collector.service.js';

/**
 * Grafana Alloy's remote-configuration API (`collector.v1.CollectorService`, Connect protocol), so an
 * unmodified Alloy with a `remotecfg` block is managed as a Foundry agent of kind `alloy`. Its request
 * bodies are read by `connectBodyReader` (connect-http.ts), which the application installs before the
 * REST body parsers.
 */
@Module({
  imports: [FleetModule, FleetGatewayModule],
  controllers: [CollectorController],
  providers: [CollectorService],
})
export class RemotecfgModule {}
