import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ApplyStatus, PipelineStatus } from '@foundry/proto';
import { PrismaService } from '../database/prisma.service.js';
import { effectiveAttributes, RESERVED_PREFIX, type AgentAttributesInput } from '../fleet/desired-state.js';
import { FleetStateService } from '../fleet/fleet-state.service.js';
import { StateWriter } from '../fleet-gateway/state-writer.js';
import { TokensService } from '../tokens/tokens.service.js';
import { assembleConfig, type AssembledPipeline } from './assemble.js';
import {
  codecOf,
  contentTypeOf,
  decodeRequest,
  encodeResponse,
  isCollectorMethod,
  type CollectorMethod,
  type CollectorMethods,
  type GetConfigRequest,
  type GetConfigResponse,
  type RegisterCollectorRequest,
  type RemoteConfigStatusName,
  type UnregisterCollectorRequest,
} from './collector-codec.js';
import { ConnectError, errorReply, messageReply, type ConnectReply } from './connect-http.js';
import { bearerToken } from '../tokens/token-text.js';

/** What a collector id may look like (as a Foundry agent_id). */
export const COLLECTOR_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_ATTRIBUTES = 64;
const MAX_KEY = 100;
const MAX_VALUE = 150;
const MAX_NAME = 200;
/** Assembled hashes remembered per agent (statuses refer to the config Alloy received last). */
const HASHES_KEPT = 4;

const STATUS_OF: Partial<Record<RemoteConfigStatusName, ApplyStatus>> = {
  RemoteConfigStatuses_APPLIED: 'APPLY_STATUS_APPLIED',
  RemoteConfigStatuses_APPLYING: 'APPLY_STATUS_APPLYING',
  RemoteConfigStatuses_FAILED: 'APPLY_STATUS_FAILED',
};

/** An agent row as the remote-config API needs it. */
interface CollectorAgent extends AgentAttributesInput {
  /** `collector.*` attributes Alloy reported (collector.os, collector.version). */
  collectorAttributes: Record<string, string>;
}

/**
 * Grafana Alloy's remote-configuration API (`collector.v1.CollectorService`) on top of the Foundry
 * fleet: a collector is an agent of kind `alloy` whose id is the collector id, and GetConfig answers
 * with the agent's desired set assembled into one Alloy config (see assemble.ts).
 *
 * - Every call authenticates with an agent-scope API token, as `Authorization: Bearer <token>` or as
 *   the password of `Authorization: Basic` (any username), the two ways Alloy's `remotecfg` block
 *   sends credentials (`bearer_token`, `basic_auth`).
 * - RegisterCollector and GetConfig upsert the agent: name (RegisterCollector's, else the id), local
 *   attributes without the reserved `collector.*`/`agent.*` keys, system attributes `agent.kind=alloy`
 *   plus `agent.os`/`agent.version` from Alloy's `collector.os`/`collector.version`; connected, and
 *   last seen now. Alloy calls GetConfig before RegisterCollector at start, so either may come first.
 *   An Alloy agent has no stream: it counts as connected while it polls and goes offline when its
 *   last_seen_at grows stale. UnregisterCollector (sent when Alloy stops) marks it disconnected.
 * - GetConfig answers `not_modified` when the request's hash is the hash of the config assembled now,
 *   records the desired versions of the set as pushed (only the changes), and turns
 *   `remote_config_status`, which Alloy sends only when it changed and which describes the config
 *   whose hash the request carries, into a status of every pipeline of that config: APPLYING, APPLIED
 *   (pipelines the agent had applied before and that config no longer has become `removed`), or FAILED
 *   with Alloy's error message (one message for the whole config: Alloy loads it as one unit and, on
 *   failure, goes back to the config it ran before). The pipelines behind a hash are remembered per
 *   agent for the last few hashes this replica assembled; on another replica the status is taken when
 *   the hash is the current one, and dropped otherwise (Alloy reports again after its next change).
 */
@Injectable()
export class CollectorService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RemoteConfig');
  private unsubscribe?: () => void;
  /** agent id → assembled hash → its pipelines (insertion-ordered, newest last). */
  private readonly assembled = new Map<string, Map<string, AssembledPipeline[]>>();
  /** agent id → pipeline id → desired version last recorded as pushed. */
  private readonly pushed = new Map<string, Map<string, number>>();

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(FleetStateService) private readonly fleet: FleetStateService,
    @Inject(StateWriter) private readonly writer: StateWriter,
    @Inject(TokensService) private readonly tokens: TokensService,
  ) {}

  onModuleInit(): void {
    // An agent deleted (its agent_pipelines rows with it) or changed through the API, on any replica:
    // forget which versions were recorded as pushed, so the next GetConfig reads them again.
    this.unsubscribe = this.fleet.onAgentChange((agentId) => this.pushed.delete(agentId));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private forget(agentId: string): void {
    this.assembled.delete(agentId);
    this.pushed.delete(agentId);
  }

  /**
   * Serves one unary Connect call: checks the protocol headers and the token, decodes the body in the
   * codec of its Content-Type, runs the method and encodes the answer (or a Connect error). Never throws.
   */
  async handle(method: string, headers: IncomingHttpHeaders, body: Buffer): Promise<ConnectReply> {
    try {
      if (!isCollectorMethod(method)) {
        throw new ConnectError('unimplemented', `collector.v1.CollectorService has no method ${method}`, {
          httpStatus: 404,
        });
      }
      const version = headers['connect-protocol-version'];
      if (version !== undefined && version !== '1') {
        throw new ConnectError('invalid_argument', `unsupported Connect-Protocol-Version ${String(version)}`);
      }
      const codec = codecOf(headers['content-type']);
      if (!codec) {
        throw new ConnectError(
          'unknown',
          `unsupported Content-Type ${JSON.stringify(headers['content-type'] ?? '')}: use application/proto or application/json`,
          { httpStatus: 415, headers: { accept: 'application/proto, application/json' } },
        );
      }
      await this.authenticate(headers.authorization);
      const reply = await this.call(method, decodeRequest(method, codec, body));
      return messageReply(
        contentTypeOf(codec),
        encodeResponse(method, codec, reply),
        headers['accept-encoding'] as string | undefined,
      );
    } catch (err) {
      if (err instanceof ConnectError) return errorReply(err);
      this.logger.error(`${method}: ${(err as Error).stack ?? String(err)}`);
      return errorReply(new ConnectError('internal', 'internal error'));
    }
  }

  private call<M extends CollectorMethod>(
    method: M,
    req: CollectorMethods[M]['request'],
  ): Promise<CollectorMethods[M]['response']> {
    switch (method) {
      case 'GetConfig':
        return this.getConfig(req as GetConfigRequest) as Promise<CollectorMethods[M]['response']>;
      case 'RegisterCollector':
        return this.registerCollector(req as RegisterCollectorRequest) as Promise<
          CollectorMethods[M]['response']
        >;
      default:
        return this.unregisterCollector(req as UnregisterCollectorRequest) as Promise<
          CollectorMethods[M]['response']
        >;
    }
  }

  /**
   * Accepts an agent-scope token as a bearer token or as a basic-auth password.
   * @throws ConnectError unauthenticated otherwise.
   */
  async authenticate(authorization: string | undefined): Promise<void> {
    let token = bearerToken(authorization);
    const basic = authorization ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization) : null;
    if (!token && basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) token = decoded.slice(colon + 1);
    }
    if (!token) {
      throw new ConnectError(
        'unauthenticated',
        'missing credentials: send an agent token as `Authorization: Bearer <token>` or as the basic-auth password',
      );
    }
    const actor = await this.tokens.verify(token);
    if (!actor) throw new ConnectError('unauthenticated', 'invalid or revoked token');
    if (actor.scope !== 'agent') {
      throw new ConnectError(
        'unauthenticated',
        `collectors need an agent token; this token's scope is ${actor.scope}`,
      );
    }
  }

  /** The collector's assembled configuration, or not_modified; records pushes and reported statuses. */
  async getConfig(req: GetConfigRequest): Promise<GetConfigResponse> {
    const agent = await this.upsert(req.id, undefined, attributesOf(req));
    const attrs: Record<string, string> = {
      ...effectiveAttributes(agent),
      ...agent.collectorAttributes,
      'collector.ID': agent.id,
    };
    const desired = this.fleet.desiredFor(agent);
    const config = assembleConfig(desired.pipelines, attrs);
    this.remember(agent.id, config.hash, config.pipelines);
    if (req.remoteConfigStatus) await this.recordStatus(agent.id, req.hash, req.remoteConfigStatus);
    await this.recordPushed(agent.id, config.pipelines);
    if (req.hash === config.hash) return { content: '', hash: config.hash, notModified: true };
    return { content: config.content, hash: config.hash, notModified: false };
  }

  async registerCollector(req: RegisterCollectorRequest): Promise<Record<string, never>> {
    if (req.name.length > MAX_NAME) {
      throw new ConnectError('invalid_argument', `name: at most ${MAX_NAME} characters`);
    }
    await this.upsert(req.id, req.name || req.id, attributesOf(req));
    return {};
  }

  async unregisterCollector(req: UnregisterCollectorRequest): Promise<Record<string, never>> {
    checkId(req.id);
    await this.prisma.$executeRawUnsafe(
      `UPDATE agents SET connected = false, controller_id = NULL, disconnected_at = now(), last_seen_at = now()
       WHERE id = $1 AND kind = 'alloy'`,
      req.id,
    );
    this.forget(req.id);
    return {};
  }

  /**
   * Creates or updates the agent of a collector (connected, seen now) and returns it with its remote
   * attributes. `name` undefined keeps the stored name (the id for a new agent).
   */
  private async upsert(
    id: string,
    name: string | undefined,
    reported: Record<string, string>,
  ): Promise<CollectorAgent> {
    checkId(id);
    const local: Record<string, string> = {};
    const collectorAttributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(reported)) {
      if (k.startsWith('collector.')) collectorAttributes[k] = v;
      else if (!k.startsWith(RESERVED_PREFIX)) local[k] = v;
    }
    checkAttributes(local);
    const system: Record<string, string> = { 'agent.kind': 'alloy' };
    const os = collectorAttributes['collector.os'];
    const version = collectorAttributes['collector.version'];
    if (os) system['agent.os'] = os.slice(0, MAX_VALUE);
    if (version) system['agent.version'] = version.slice(0, MAX_VALUE);
    const build = { version: version ?? '', revision: '', runtime: 'grafana-alloy' };
    const rows = await this.prisma.$queryRawUnsafe<{ name: string; remote_attributes: unknown }[]>(
      `INSERT INTO agents (id, name, kind, local_attributes, system_attributes, build_info, supported_components,
                           connected, controller_id, first_seen_at, last_seen_at, disconnected_at)
       VALUES ($1, $2, 'alloy', $3::jsonb, $4::jsonb, $5::jsonb, '{}'::text[], true, NULL, now(), now(), NULL)
       ON CONFLICT (id) DO UPDATE SET
         name = CASE WHEN $6 THEN EXCLUDED.name ELSE agents.name END,
         kind = 'alloy', local_attributes = EXCLUDED.local_attributes,
         system_attributes = EXCLUDED.system_attributes, build_info = EXCLUDED.build_info,
         supported_components = '{}'::text[], connected = true, controller_id = NULL,
         last_seen_at = now(), disconnected_at = NULL
       RETURNING name, remote_attributes`,
      id,
      name ?? id,
      JSON.stringify(local),
      JSON.stringify(system),
      JSON.stringify(build),
      name !== undefined,
    );
    const row = rows[0]!;
    return {
      id,
      name: row.name,
      localAttributes: local,
      remoteAttributes: row.remote_attributes ?? {},
      systemAttributes: system,
      collectorAttributes,
    };
  }

  private remember(agentId: string, hash: string, pipelines: AssembledPipeline[]): void {
    let byHash = this.assembled.get(agentId);
    if (!byHash) this.assembled.set(agentId, (byHash = new Map()));
    byHash.delete(hash);
    byHash.set(hash, pipelines);
    while (byHash.size > HASHES_KEPT) byHash.delete(byHash.keys().next().value!);
  }

  /** Turns a remote_config_status about the config with `hash` into per-pipeline statuses. */
  private async recordStatus(
    agentId: string,
    hash: string,
    reported: { status: RemoteConfigStatusName; errorMessage: string },
  ): Promise<void> {
    const status = STATUS_OF[reported.status];
    if (!status || !hash) return;
    const pipelines = this.assembled.get(agentId)?.get(hash);
    if (!pipelines) {
      this.logger.debug(`collector ${agentId}: status for unknown config ${hash.slice(0, 12)} dropped`);
      return;
    }
    const error = status === 'APPLY_STATUS_FAILED' ? reported.errorMessage || 'failed to load' : '';
    const rows: PipelineStatus[] = pipelines.map((p) => ({
      pipelineId: p.pipelineId,
      name: p.name,
      version: p.version,
      hash: p.hash,
      status,
      error,
      diagnostics: [],
    }));
    if (status === 'APPLY_STATUS_APPLIED') {
      // Pipelines the agent ran before that this config no longer has: Alloy stopped them.
      const gone = await this.prisma.agentPipeline.findMany({
        where: {
          agentId,
          appliedVersion: { not: null },
          pipelineId: { notIn: pipelines.map((p) => p.pipelineId) },
        },
        select: {
          pipelineId: true,
          appliedVersion: true,
          appliedHash: true,
          pipeline: { select: { name: true } },
        },
      });
      for (const g of gone) {
        rows.push({
          pipelineId: g.pipelineId,
          name: g.pipeline.name,
          version: g.appliedVersion!,
          hash: g.appliedHash ?? '',
          status: 'APPLY_STATUS_REMOVED',
          error: '',
          diagnostics: [],
        });
      }
    }
    this.writer.status(agentId, rows);
  }

  /** Records the desired versions of the set (the changes since the last record) as pushed. */
  private async recordPushed(agentId: string, pipelines: AssembledPipeline[]): Promise<void> {
    let before = this.pushed.get(agentId);
    if (!before) {
      const rows = await this.prisma.agentPipeline.findMany({
        where: { agentId, desiredVersion: { not: null } },
        select: { pipelineId: true, desiredVersion: true },
      });
      before = new Map(rows.map((r) => [r.pipelineId, r.desiredVersion!]));
    }
    const now = new Map(pipelines.map((p) => [p.pipelineId, p.version]));
    const changes: { pipelineId: string; version: number | null }[] = [];
    for (const [pipelineId, version] of now) {
      if (before.get(pipelineId) !== version) changes.push({ pipelineId, version });
    }
    for (const pipelineId of before.keys())
      if (!now.has(pipelineId)) changes.push({ pipelineId, version: null });
    this.pushed.set(agentId, now);
    if (changes.length) this.writer.desiredPushed(agentId, changes);
  }
}

/** The attributes a request reports: local_attributes, or the deprecated attributes of older Alloys. */
function attributesOf(req: {
  localAttributes: Record<string, string>;
  attributes: Record<string, string>;
}): Record<string, string> {
  return Object.keys(req.localAttributes).length ? req.localAttributes : req.attributes;
}

/** @throws ConnectError invalid_argument for an id that is not a valid agent id. */
function checkId(id: string): void {
  if (!COLLECTOR_ID_RE.test(id)) {
    throw new ConnectError(
      'invalid_argument',
      `id ${JSON.stringify(id.slice(0, 200))}: 1-128 characters of letters, digits, . _ : - (starting with a letter or digit)`,
    );
  }
}

/** @throws ConnectError invalid_argument when attributes exceed the limits. */
function checkAttributes(attrs: Record<string, string>): void {
  const keys = Object.keys(attrs);
  if (keys.length > MAX_ATTRIBUTES) {
    throw new ConnectError('invalid_argument', `at most ${MAX_ATTRIBUTES} attributes, got ${keys.length}`);
  }
  for (const k of keys) {
    if (!k || k.length > MAX_KEY) {
      throw new ConnectError(
        'invalid_argument',
        `attribute key ${JSON.stringify(k.slice(0, 120))}: 1-${MAX_KEY} characters`,
      );
    }
    if (attrs[k]!.length > MAX_VALUE) {
      throw new ConnectError('invalid_argument', `attribute ${k}: value longer than ${MAX_VALUE} characters`);
    }
  }
}
