import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { fleetServiceDefinition, type AgentMessage, type ControllerMessage } from '@foundry/proto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CONTROLLER_CONFIG, splitHostPort, type ControllerConfig } from '../config/controller-config.js';
import { FleetEvents } from '../database/fleet-events.js';
import { PrismaService } from '../database/prisma.service.js';
import { FleetStateService } from '../fleet/fleet-state.service.js';
import { bearerToken } from '../tokens/token-text.js';
import { TokensService } from '../tokens/tokens.service.js';
import { AgentSession, type FleetCall } from './agent-session.js';
import { StateWriter } from './state-writer.js';

/**
 * The agents' side of the controller: a grpc-js server for `foundry.fleet.v1.FleetService/Connect`
 * (bearer token with the `agent` scope in metadata; TLS or mutual TLS when configured; messages above
 * grpcMaxMessageBytes refused with RESOURCE_EXHAUSTED by grpc-js) and the registry of open streams.
 * A fleet change (from any replica) re-pushes to every stream whose desired set changed.
 */
@Injectable()
export class FleetGatewayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('FleetGateway');
  private readonly sessions = new Map<string, AgentSession>();
  private server?: grpc.Server;
  private boundAddress = '';
  private unsubscribes: (() => void)[] = [];

  constructor(
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(FleetStateService) private readonly fleet: FleetStateService,
    @Inject(StateWriter) private readonly writer: StateWriter,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(FleetEvents) private readonly events: FleetEvents,
  ) {}

  /** host:port the gRPC server listens on (after start-up). */
  get address(): string {
    return this.boundAddress;
  }

  /** Number of open agent streams on this replica. */
  get connectedCount(): number {
    return this.sessions.size;
  }

  /** Whether an agent's stream is open on this replica. */
  isConnected(agentId: string): boolean {
    return this.sessions.has(agentId);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribes.push(
      this.fleet.onChange(() => {
        for (const s of this.sessions.values()) s.push();
      }),
      this.fleet.onAgentChange((agentId) => void this.sessions.get(agentId)?.reloadAttributes()),
    );
    // Agents this replica held before a crash are not connected any more.
    await this.prisma.agent.updateMany({
      where: { controllerId: this.config.controllerId },
      data: { connected: false, controllerId: null, disconnectedAt: new Date() },
    });
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.config.grpcMaxMessageBytes,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    });
    server.addService(fleetServiceDefinition(), {
      connect: (call: grpc.ServerDuplexStream<AgentMessage, ControllerMessage>) => void this.accept(call),
    });
    const { host, port } = splitHostPort(this.config.grpcAddress);
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, this.credentials(), (err, p) =>
        err ? reject(new Error(`gRPC listener on ${this.config.grpcAddress}: ${err.message}`)) : resolve(p),
      ),
    );
    this.server = server;
    this.boundAddress = `${host.includes(':') ? `[${host}]` : host}:${bound}`;
    this.logger.log(`gRPC for agents on ${this.boundAddress}${this.config.grpcTls ? ' (TLS)' : ''}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const u of this.unsubscribes) u();
    const sessions = [...this.sessions.values()];
    for (const s of sessions) s.end();
    await Promise.all(sessions.map((s) => s.markDisconnected().catch(() => undefined)));
    await this.writer.flush();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private credentials(): grpc.ServerCredentials {
    const tls = this.config.grpcTls;
    if (!tls) return grpc.ServerCredentials.createInsecure();
    return grpc.ServerCredentials.createSsl(
      tls.clientCa ? readFileSync(tls.clientCa) : null,
      [{ cert_chain: readFileSync(tls.cert), private_key: readFileSync(tls.key) }],
      Boolean(tls.clientCa),
    );
  }

  private async accept(call: FleetCall): Promise<void> {
    const token = bearerToken(call.metadata.get('authorization')[0]);
    const actor = token ? await this.tokens.verify(token).catch(() => null) : null;
    const refuse = (code: grpc.status, details: string) => {
      this.logger.warn(`refused ${call.getPeer()}: ${details}`);
      call.emit('error', { code, details, metadata: new grpc.Metadata() } as grpc.ServiceError);
    };
    if (!token)
      return refuse(
        grpc.status.UNAUTHENTICATED,
        'missing bearer token (metadata authorization: Bearer <token>)',
      );
    if (!actor) return refuse(grpc.status.UNAUTHENTICATED, 'invalid or revoked token');
    if (actor.scope !== 'agent') {
      return refuse(
        grpc.status.PERMISSION_DENIED,
        `agents need an agent token; this token's scope is ${actor.scope}`,
      );
    }
    const session: AgentSession = new AgentSession(call, {
      prisma: this.prisma,
      fleet: this.fleet,
      writer: this.writer,
      config: this.config,
      logger: this.logger,
      registered: (s) => {
        const older = this.sessions.get(s.agentId);
        this.sessions.set(s.agentId, s);
        if (older && older !== s) older.end();
      },
      closed: (s) => {
        if (this.sessions.get(s.agentId) !== s) return;
        this.sessions.delete(s.agentId);
        void s
          .markDisconnected()
          .catch((err: Error) => this.logger.warn(`disconnect of ${s.agentId}: ${err.message}`));
      },
    });
    session.start();
  }
}
