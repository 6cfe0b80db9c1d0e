import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Access } from '../common/access.js';
import { FleetMetricsService } from './fleet-metrics.service.js';

/** `GET /metrics`: the fleet and the controller in the Prometheus text format (no token, as exporters). */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(@Inject(FleetMetricsService) private readonly metrics: FleetMetricsService) {}

  @Get('metrics')
  @Access('public')
  @Header('Cache-Control', 'no-store')
  async scrape(
    @Res() res: { setHeader(name: string, value: string): void; send(body: string): void },
  ): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.setHeader('Content-Type', contentType);
    res.send(body);
  }
}
