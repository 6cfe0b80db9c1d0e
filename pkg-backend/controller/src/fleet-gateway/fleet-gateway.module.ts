import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module.js';
import { FleetGatewayService } from './fleet-gateway.service.js';
import { StateWriter } from './state-writer.js';

/** The gRPC stream agents connect to, and the batched writes of what they report. */
@Module({
  imports: [FleetModule],
  providers: [StateWriter, FleetGatewayService],
  exports: [FleetGatewayService, StateWriter],
})
export class FleetGatewayModule {}
