import * as grpc from '@grpc/grpc-js';
import type { AgentMessage, ControllerMessage, Hello } from '@foundry/proto';
import type { Logger } from '@nestjs/common';
import type { ControllerConfig } from '../config/controller-config.js';
import type { PrismaService } from '../database/prisma.service.js';
import { attributesOf, type AgentAttributesInput } from '../fleet/desired-state.js';
import type { FleetStateService } from '../fleet/fleet-state.service.js';
import { helloProblem } from './hello.js';
import type { StateWriter } from './state-writer.js';

export type FleetCall = grpc.ServerDuplexStream<AgentMessage, ControllerMessage>;

export interface SessionDeps {
  prisma: PrismaService;
  fleet: FleetStateService;
  writer: StateWriter;
  config: ControllerConfig;
  logger: Logger;
  /** Called once the hello is accepted (the registry replaces an older stream of the same agent). */
  registered(session: AgentSession): void;
  closed(session: AgentSession): void;
}

const HELLO_TIMEOUT_MS = 10_000;

/**
 * One agent's stream: waits for Hello, registers the agent, sends Welcome and the full desired set,
 * then pushes the set again whenever it changes (compared by revision, so unchanged pushes cost
 * nothing) and hands statuses, health, metrics and heartbeats to the StateWriter.
 */
export class AgentSession {
  agentId = '';
  private agent?: AgentAttributesInput;
  private lastRevision = '';
  private pushed = new Map<string, number>();
  private helloTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly call: FleetCall,
    private readonly deps: SessionDeps,
  ) {}

  start(): void {
    this.helloTimer = setTimeout(
      () => this.fail(grpc.status.DEADLINE_EXCEEDED, 'no hello within 10 s'),
      HELLO_TIMEOUT_MS,
    );
    this.call.on('data', (m: AgentMessage) => this.onMessage(m));
    this.call.on('end', () => this.end());
    this.call.on('error', () => this.close());
    this.call.on('cancelled', () => this.close());
    this.call.on('close', () => this.close());
  }

  /** Recomputes the desired set and sends it when it differs from the last one sent. */
  push(force = false): void {
    if (!this.agent || this.ended) return;
    const desired = this.deps.fleet.desiredFor(this.agent);
    if (!force && desired.revision === this.lastRevision) return;
    this.lastRevision = desired.revision;
    this.call.write({ desired });
    const rows: { pipelineId: string; version: number | null }[] = [];
    const now = new Map<string, number>();
    for (const p of desired.pipelines) {
      now.set(p.pipelineId, p.version);
      if (this.pushed.get(p.pipelineId) !== p.version)
        rows.push({ pipelineId: p.pipelineId, version: p.version });
    }
    for (const id of this.pushed.keys()) if (!now.has(id)) rows.push({ pipelineId: id, version: null });
    this.pushed = now;
    if (rows.length) this.deps.writer.desiredPushed(this.agentId, rows);
  }

  /** Re-reads the agent's remote attributes (changed through the API) and pushes if that matters. */
  async reloadAttributes(): Promise<void> {
    if (!this.agent) return;
    const row = await this.deps.prisma.agent.findUnique({
      where: { id: this.agentId },
      select: { remoteAttributes: true },
    });
    if (!row) {
      this.fail(grpc.status.NOT_FOUND, 'this agent was deleted from the fleet; reconnect to register again');
      return;
    }
    this.agent = { ...this.agent, remoteAttributes: row.remoteAttributes };
    this.push();
  }

  /** Ends the stream with a status (the agent sees code and reason). */
  fail(code: grpc.status, details: string): void {
    if (this.ended) return;
    this.deps.logger.warn(`agent ${this.agentId || this.call.getPeer()}: ${details}`);
    this.call.emit('error', { code, details, metadata: new grpc.Metadata() } as grpc.ServiceError);
    this.close();
  }

  /** Closes the stream normally (shutdown, or a newer stream of the same agent). */
  end(): void {
    if (!this.ended) this.call.end();
    this.close();
  }

  private close(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.helloTimer);
    clearInterval(this.heartbeatTimer);
    this.deps.closed(this);
  }

  private onMessage(m: AgentMessage): void {
    if (this.ended) return;
    if (!this.agent) {
      if (m.body !== 'hello') {
        this.fail(grpc.status.INVALID_ARGUMENT, 'the first message must be hello');
        return;
      }
      void this.onHello(m.hello!).catch((err: Error) =>
        this.fail(grpc.status.UNAVAILABLE, `registration failed: ${err.message}`),
      );
      return;
    }
    switch (m.body) {
      case 'status':
        this.deps.writer.status(this.agentId, m.status?.pipelines ?? []);
        this.deps.writer.touch(this.agentId);
        break;
      case 'health':
        void this.deps.writer.health(this.agentId, m.health?.components ?? []);
        break;
      case 'metrics':
        this.onMetrics(m.metrics!);
        break;
      case 'heartbeat':
        this.deps.writer.touch(this.agentId);
        break;
      case 'hello':
        this.fail(grpc.status.INVALID_ARGUMENT, 'hello may be sent only once per stream');
        break;
      default:
        this.fail(grpc.status.INVALID_ARGUMENT, 'empty message');
    }
  }

  private async onHello(hello: Hello): Promise<void> {
    clearTimeout(this.helloTimer);
    const problem = helloProblem(hello);
    if (problem) {
      this.fail(grpc.status.INVALID_ARGUMENT, `hello refused: ${problem}`);
      return;
    }
    this.agentId = hello.agentId;
    const local = attributesOf(hello.localAttributes, false);
    const system = attributesOf(hello.systemAttributes, true);
    const build = JSON.stringify(hello.build ?? {});
    const rows = await this.deps.prisma.$queryRawUnsafe<{ remote_attributes: unknown }[]>(
      `INSERT INTO agents (id, name, kind, local_attributes, system_attributes, build_info, supported_components,
                           connected, controller_id, first_seen_at, last_seen_at, disconnected_at)
       VALUES ($1, $2, 'foundry', $3::jsonb, $4::jsonb, $5::jsonb, $6::text[], true, $7, now(), now(), NULL)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
         local_attributes = EXCLUDED.local_attributes, system_attributes = EXCLUDED.system_attributes,
         build_info = EXCLUDED.build_info, supported_components = EXCLUDED.supported_components,
         connected = true, controller_id = EXCLUDED.controller_id, last_seen_at = now(), disconnected_at = NULL
       RETURNING remote_attributes`,
      hello.agentId,
      hello.name || hello.agentId,
      JSON.stringify(local),
      JSON.stringify(system),
      build,
      hello.supportedComponents,
      this.deps.config.controllerId,
    );
    if (this.ended) return;
    this.agent = {
      id: hello.agentId,
      name: hello.name || hello.agentId,
      localAttributes: local,
      remoteAttributes: rows[0]?.remote_attributes ?? {},
      systemAttributes: system,
    };
    for (const r of hello.running) this.pushed.set(r.pipelineId, r.version);
    this.deps.registered(this);
    this.call.write({
      welcome: {
        agentId: hello.agentId,
        controllerId: this.deps.config.controllerId,
        metricsIntervalSeconds: this.deps.config.metricsIntervalSeconds,
        heartbeatIntervalSeconds: this.deps.config.heartbeatIntervalSeconds,
      },
    });
    this.push(true);
    this.heartbeatTimer = setInterval(
      () => this.call.write({ heartbeat: { sentUnixMs: Date.now() } }),
      this.deps.config.heartbeatIntervalSeconds * 1000,
    );
    this.heartbeatTimer.unref();
  }

  private onMetrics(report: {
    timestampUnixMs: number;
    samples: { name: string; labels: Record<string, string>; value: number }[];
  }): void {
    const values: Record<string, number> = {};
    let n = 0;
    for (const s of report.samples) {
      if (++n > 2000) break;
      if (!Number.isFinite(s.value)) continue;
      const labels = Object.keys(s.labels)
        .sort()
        .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
        .join(',');
      values[labels ? `${s.name}{${labels}}` : s.name] = s.value;
    }
    const at = report.timestampUnixMs > 0 ? new Date(report.timestampUnixMs) : new Date();
    this.deps.writer.metricsSnapshot(this.agentId, at, values);
    this.deps.writer.touch(this.agentId);
  }

  /** Whether the stream is still open. */
  get open(): boolean {
    return !this.ended;
  }

  /** Called by the registry when this session closes for good: mark the agent disconnected. */
  async markDisconnected(): Promise<void> {
    if (!this.agentId) return;
    await this.deps.prisma.$executeRawUnsafe(
      `UPDATE agents SET connected = false, controller_id = NULL, disconnected_at = now(), last_seen_at = now()
       WHERE id = $1 AND controller_id = $2`,
      this.agentId,
      this.deps.config.controllerId,
    );
  }
}
