import {
  createParamDecorator,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TokensService } from '../tokens/tokens.service.js';
import { bearerToken, scopeAllows, type Actor, type TokenScope } from '../tokens/token-text.js';

const ACCESS = 'foundry:access';

/**
 * Declares what a route needs: a token scope, or 'public'. Without it, GET/HEAD need `viewer` and every
 * other method `editor`.
 */
export const Access = (need: TokenScope | 'public') => SetMetadata(ACCESS, need);

/** The caller of the current request (set by AccessGuard). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<{ actor: Actor }>().actor;
});

/** Reads `Authorization: Bearer <token>`, checks the scope the route needs (401 / 403 with a reason). */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokensService) private readonly tokens: TokensService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx
      .switchToHttp()
      .getRequest<{ method: string; headers: Record<string, string>; actor?: Actor }>();
    const declared = this.reflector.getAllAndOverride<TokenScope | 'public' | undefined>(ACCESS, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (declared === 'public') return true;
    const need: TokenScope =
      declared ?? (req.method === 'GET' || req.method === 'HEAD' ? 'viewer' : 'editor');
    const token = bearerToken(req.headers['authorization']);
    if (!token) throw new UnauthorizedException('missing bearer token (Authorization: Bearer <token>)');
    const actor = await this.tokens.verify(token);
    if (!actor) throw new UnauthorizedException('invalid or revoked token');
    if (!scopeAllows(actor.scope, need)) {
      throw new ForbiddenException(`this needs a ${need} token; this token's scope is ${actor.scope}`);
    }
    req.actor = actor;
    return true;
  }
}
