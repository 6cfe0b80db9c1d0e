/**
 * A scripted fleet controller for tests: a real grpc-js server with FleetService on 127.0.0.1 that
 * records every Connect stream (metadata and agent messages) and lets the test write controller messages.
 * Streams whose `authorization` is not `Bearer <token>` end with UNAUTHENTICATED.
 */
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  fleetServiceDefinition,
  type AgentMessage,
  type ControllerMessage,
  type DesiredPipeline,
  type Welcome,
} from '@foundry/proto';

export interface Stream {
  authorization: string;
  messages: AgentMessage[];
  /** The agent half-closed the stream (clean shutdown). */
  ended: boolean;
  /** The stream is gone (ended, cancelled or the server stopped). */
  closed: boolean;
  send(msg: ControllerMessage): void;
}

export class FakeController {
  readonly streams: Stream[] = [];
  port = 0;
  private server: grpc.Server | undefined;

  /** PEM for TLS: the server's certificate and key, and the CA that must sign clients (mutual TLS). */
  tls: { cert: Buffer; key: Buffer; clientCa: Buffer } | undefined;

  constructor(
    readonly token: string,
    /** Sent as soon as a stream with a valid token opens (set to undefined to script it by hand). */
    public welcome: Welcome | undefined = {
      agentId: '',
      controllerId: 'fake-1',
      metricsIntervalSeconds: 1,
      heartbeatIntervalSeconds: 1,
    },
  ) {}

  /** Starts listening on `port` (0 = any free one); resolves to the port. */
  async start(port = 0): Promise<number> {
    const server = new grpc.Server();
    server.addService(fleetServiceDefinition(), {
      Connect: (call: grpc.ServerDuplexStream<AgentMessage, ControllerMessage>) => this.onConnect(call),
    });
    const creds = this.tls
      ? grpc.ServerCredentials.createSsl(
          this.tls.clientCa,
          [{ cert_chain: this.tls.cert, private_key: this.tls.key }],
          true,
        )
      : grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((res, rej) =>
      server.bindAsync(`127.0.0.1:${port}`, creds, (err, p) => (err ? rej(err) : res(p))),
    );
    this.server = server;
    return this.port;
  }

  /** Stops at once, cutting every stream. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
    for (const s of this.streams) s.closed = true;
  }

  private onConnect(call: grpc.ServerDuplexStream<AgentMessage, ControllerMessage>): void {
    const authorization = String(call.metadata.get('authorization')[0] ?? '');
    const stream: Stream = {
      authorization,
      messages: [],
      ended: false,
      closed: false,
      send: (msg) => {
        if (!stream.closed) call.write(msg);
      },
    };
    this.streams.push(stream);
    call.on('data', (m: AgentMessage) => stream.messages.push(m));
    call.on('end', () => {
      stream.ended = true;
      stream.closed = true;
      call.end();
    });
    call.on('error', () => (stream.closed = true));
    call.on('cancelled', () => (stream.closed = true));
    if (authorization !== `Bearer ${this.token}`) {
      stream.closed = true;
      call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'invalid agent token' });
      return;
    }
    if (this.welcome) call.write({ welcome: this.welcome });
  }

  /** The newest stream. */
  get last(): Stream | undefined {
    return this.streams[this.streams.length - 1];
  }

  /** Every message of one kind on a stream. */
  static of<K extends 'hello' | 'status' | 'health' | 'metrics' | 'heartbeat'>(
    s: Stream | undefined,
    kind: K,
  ): NonNullable<AgentMessage[K]>[] {
    return (s?.messages ?? []).map((m) => m[kind]).filter((x) => x) as NonNullable<AgentMessage[K]>[];
  }
}

/** A DesiredPipeline with its sha256 hash. */
export function pipeline(
  pipelineId: string,
  name: string,
  version: number,
  content: string,
): DesiredPipeline {
  return { pipelineId, name, version, hash: createHash('sha256').update(content).digest('hex'), content };
}

/** A DesiredState message for a set of pipelines. */
export function desired(...pipelines: DesiredPipeline[]): ControllerMessage {
  const h = createHash('sha256');
  for (const p of pipelines) h.update(`${p.pipelineId}:${p.hash}\n`);
  return { desired: { pipelines, revision: h.digest('hex') } };
}
