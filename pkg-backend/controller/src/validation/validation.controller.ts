import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs.js';
import { Access } from '../common/access.js';
import { ValidateBody, ValidationSchema } from './validation.schemas.js';
import { ValidationService } from './validation.service.js';

@ApiTags('pipelines')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/validate')
export class ValidationController {
  constructor(@Inject(ValidationService) private readonly validation: ValidationService) {}

  @Post()
  @Access('viewer')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Validate pipeline text: diagnostics, components used, reference graph, agents that cannot run it',
  })
  @ApiOkResponse({ standardSchema: ValidationSchema })
  @ApiErrors(400, 413)
  validate(@Body({ schema: ValidateBody }) body: ValidateBody) {
    return this.validation.validateForAgents(body.content, body.matchers);
  }
}
