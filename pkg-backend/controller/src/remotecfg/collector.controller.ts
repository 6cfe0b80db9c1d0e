import type { IncomingMessage, ServerResponse } from 'node:http';
import { All, Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Access } from '../common/access.js';
import { CollectorService } from './collector.service.js';
import { ConnectError, connectBody, errorReply, writeReply } from './connect-http.js';

/**
 * `collector.v1.CollectorService` over the Connect protocol: `POST /collector.v1.CollectorService/<Method>`
 * with the raw body that connectBodyReader read. Authentication is the service's own (bearer or basic
 * auth, answered with Connect errors), so the REST access guard is skipped; not part of the REST API's
 * OpenAPI document.
 */
@ApiExcludeController()
@Access('public')
@Controller('collector.v1.CollectorService')
export class CollectorController {
  constructor(@Inject(CollectorService) private readonly collectors: CollectorService) {}

  @Post(':method')
  async call(
    @Param('method') method: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    writeReply(res, await this.collectors.handle(method, req.headers, connectBody(req)));
  }

  /** Unary Connect calls are POSTs. */
  @All(':method')
  other(@Res() res: ServerResponse): void {
    writeReply(
      res,
      errorReply(
        new ConnectError('unimplemented', 'use POST for collector.v1.CollectorService', {
          httpStatus: 405,
          headers: { allow: 'POST' },
        }),
      ),
    );
  }
}
