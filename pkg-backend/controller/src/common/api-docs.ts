/** OpenAPI documentation helpers shared by the controllers. */
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorSchema } from './schemas.js';

const WHY: Record<number, string> = {
  400: 'invalid request; the message says why (zod issues, bad matchers, or Alloy diagnostics)',
  401: 'missing, invalid or revoked token',
  403: "the token's scope is not enough",
  404: 'unknown id or version',
  409: 'conflict: a duplicate name, content identical to the latest version, or already done',
  413: 'request body larger than the limit (1 MiB by default)',
};

/** Documents error answers (all share the Error body). */
export const ApiErrors = (...statuses: (keyof typeof WHY)[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: WHY[status], standardSchema: ErrorSchema }),
    ),
  );
