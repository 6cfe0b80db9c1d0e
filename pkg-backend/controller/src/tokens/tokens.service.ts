import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { FleetEvents } from '../database/fleet-events.js';
import { PrismaService } from '../database/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { generateTokenText, hashToken, type Actor, type TokenScope } from './token-text.js';

/** A token as the API lists it (never the secret). */
export interface TokenView {
  id: string;
  name: string;
  scope: TokenScope;
  prefix: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const CACHE_MS = 5_000;

/**
 * API tokens: hashed at rest, scoped, revocable. Verification is cached for 5 s per token (revocations
 * reach every replica at once through FleetEvents, which clears the cache).
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger('Tokens');
  private readonly cache = new Map<string, { actor: Actor | null; at: number }>();
  private readonly lastUsedPending = new Set<string>();

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(FleetEvents) private readonly events: FleetEvents,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {
    events.subscribe((e) => {
      if (e.kind === 'token') this.cache.clear();
    });
  }

  /** Returns the actor of a valid, unrevoked token, or null. */
  async verify(text: string | undefined): Promise<Actor | null> {
    if (!text) return null;
    const hash = hashToken(text);
    const hit = this.cache.get(hash);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.actor;
    const row = await this.prisma.apiToken.findUnique({ where: { hash } });
    const actor =
      row && !row.revokedAt ? { tokenId: row.id, name: row.name, scope: row.scope as TokenScope } : null;
    this.cache.set(hash, { actor, at: Date.now() });
    if (actor && !this.lastUsedPending.has(actor.tokenId)) {
      this.lastUsedPending.add(actor.tokenId);
      void this.prisma.apiToken
        .update({ where: { id: actor.tokenId }, data: { lastUsedAt: new Date() } })
        .catch(() => undefined)
        .finally(() => setTimeout(() => this.lastUsedPending.delete(actor.tokenId), 60_000).unref());
    }
    return actor;
  }

  /** Creates a token; the returned `token` text is shown once and never stored. */
  async create(actor: Actor, name: string, scope: TokenScope): Promise<TokenView & { token: string }> {
    const token = generateTokenText(scope);
    const row = await this.prisma.apiToken.create({
      data: { name, scope, hash: hashToken(token), prefix: token.slice(0, 12), createdBy: actor.name },
    });
    const view = toView(row);
    await this.audit.record(actor, 'token.create', 'token', row.id, null, view);
    return { ...view, token };
  }

  async list(): Promise<TokenView[]> {
    const rows = await this.prisma.apiToken.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map(toView);
  }

  /** @throws NotFoundException, ConflictException when already revoked. */
  async revoke(actor: Actor, id: string): Promise<TokenView> {
    const before = await this.prisma.apiToken.findUnique({ where: { id } });
    if (!before) throw new NotFoundException(`token ${id} not found`);
    if (before.revokedAt) throw new ConflictException(`token ${id} is already revoked`);
    const row = await this.prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await this.audit.record(actor, 'token.revoke', 'token', id, toView(before), toView(row));
    await this.events.publish({ kind: 'token', id });
    return toView(row);
  }

  /**
   * Makes sure an admin and an agent token exist: from FOUNDRY_ADMIN_TOKEN / FOUNDRY_AGENT_TOKEN when
   * given (registered if new), else generated once and written to `<dataDir>/{admin,agent}-token` (0600).
   * Returns the texts when known to this process (for the start-up banner).
   */
  async bootstrap(): Promise<{ admin?: string; agent?: string }> {
    const system: Actor = { tokenId: 'system', name: 'system', scope: 'admin' };
    const out: { admin?: string; agent?: string } = {};
    for (const scope of ['admin', 'agent'] as const) {
      const given = scope === 'admin' ? this.config.adminToken : this.config.agentToken;
      const file = join(this.config.dataDir, `${scope}-token`);
      if (given) {
        const hash = hashToken(given);
        const exists = await this.prisma.apiToken.findUnique({ where: { hash } });
        if (!exists) {
          await this.prisma.apiToken.create({
            data: {
              name: `bootstrap-${scope}`,
              scope,
              hash,
              prefix: given.slice(0, 12),
              createdBy: 'system',
            },
          });
        }
        out[scope] = given;
        continue;
      }
      const count = await this.prisma.apiToken.count({ where: { scope, revokedAt: null } });
      if (count > 0) {
        if (existsSync(file)) out[scope] = readFileSync(file, 'utf8').trim();
        continue;
      }
      const created = await this.create(system, `bootstrap-${scope}`, scope);
      mkdirSync(this.config.dataDir, { recursive: true });
      writeFileSync(file, created.token + '\n', { mode: 0o600 });
      this.logger.log(`created the ${scope} token; it is in ${file}`);
      out[scope] = created.token;
    }
    return out;
  }
}

function toView(row: {
  id: string;
  name: string;
  scope: string;
  prefix: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): TokenView {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as TokenScope,
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
