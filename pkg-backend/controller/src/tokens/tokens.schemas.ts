import { z } from 'zod';
import { Timestamp } from '../common/schemas.js';
import { TOKEN_SCOPES } from './token-text.js';

export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).describe('whom or what the token is for'),
    scope: z
      .enum(TOKEN_SCOPES as [string, ...string[]])
      .describe('admin ⊃ editor ⊃ viewer; agent: agents only'),
  })
  .strict();
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

const TokenFields = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(TOKEN_SCOPES as [string, ...string[]]),
  prefix: z.string().describe('first characters of the token, to recognise it'),
  createdBy: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});

export const TokenSchema = TokenFields.meta({ id: 'ApiToken' });

export const CreatedTokenSchema = TokenFields.extend({
  token: z.string().describe('the secret: shown once, never stored'),
}).meta({ id: 'CreatedApiToken' });
