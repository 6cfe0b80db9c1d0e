import { Module } from '@nestjs/common';
import { FleetStateService } from './fleet-state.service.js';

/** The replica's view of what every agent should run. */
@Module({
  providers: [FleetStateService],
  exports: [FleetStateService],
})
export class FleetModule {}
