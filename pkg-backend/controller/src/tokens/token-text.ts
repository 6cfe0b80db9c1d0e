import { createHash, randomBytes } from 'node:crypto';

/** Token scopes: admin ⊃ editor ⊃ viewer for the REST API; agent only for agents' connections. */
export type TokenScope = 'admin' | 'editor' | 'viewer' | 'agent';
export const TOKEN_SCOPES: readonly TokenScope[] = ['admin', 'editor', 'viewer', 'agent'];

/** Whom a request acts as (from its token). */
export interface Actor {
  tokenId: string;
  name: string;
  scope: TokenScope;
}

const RANK: Record<TokenScope, number> = { agent: 0, viewer: 1, editor: 2, admin: 3 };

/** Whether `have` may do what needs `need` (agent tokens satisfy only `agent`). */
export function scopeAllows(have: TokenScope, need: TokenScope): boolean {
  if (need === 'agent' || have === 'agent') return have === need;
  return RANK[have] >= RANK[need];
}

/** sha256 hex of a token's text: the only form stored. */
export function hashToken(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new random token `fdy_<scope>_<32 base64url chars>` (192 bits). */
export function generateTokenText(scope: TokenScope): string {
  return `fdy_${scope}_${randomBytes(24).toString('base64url')}`;
}

/**
 * The token of an `Authorization: Bearer <token>` header value (HTTP header or gRPC metadata), or
 * undefined when the value is absent or another scheme. HTTP parsers already strip surrounding whitespace.
 */
export function bearerToken(header: unknown): string | undefined {
  return typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}
