import { Body, Controller, Delete, Get, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors } from '../common/api-docs.js';
import { Access, CurrentActor } from '../common/access.js';
import { isUuid } from '../common/request.js';
import type { Actor, TokenScope } from './token-text.js';
import { CreatedTokenSchema, CreateTokenBody, TokenSchema } from './tokens.schemas.js';
import { TokensService } from './tokens.service.js';

@ApiTags('tokens')
@ApiBearerAuth()
@Access('admin')
@ApiErrors(401, 403)
@Controller('api/v1/tokens')
export class TokensController {
  constructor(@Inject(TokensService) private readonly tokens: TokensService) {}

  @Get()
  @ApiOperation({ summary: 'List API tokens (never their secrets)' })
  @ApiOkResponse({ standardSchema: z.array(TokenSchema) })
  list() {
    return this.tokens.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a token; the response holds its text, shown this once' })
  @ApiErrors(400)
  @ApiCreatedResponse({ standardSchema: CreatedTokenSchema })
  create(@CurrentActor() actor: Actor, @Body({ schema: CreateTokenBody }) body: CreateTokenBody) {
    return this.tokens.create(actor, body.name, body.scope as TokenScope);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a token (409 when already revoked)' })
  @ApiErrors(404, 409)
  @ApiOkResponse({ standardSchema: TokenSchema })
  revoke(@CurrentActor() actor: Actor, @Param('id') id: string) {
    if (!isUuid(id)) throw new NotFoundException(`token ${JSON.stringify(id)} not found`);
    return this.tokens.revoke(actor, id);
  }
}
