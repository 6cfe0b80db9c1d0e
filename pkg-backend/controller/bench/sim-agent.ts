/**
 * A lightweight fleet-protocol client: speaks FleetService/Connect like foundry-agent does, but
 * "applies" a pipeline by recording it (optionally failing on content containing a marker). Many fit
 * in one process; used by bench:fleet and by the gateway tests.
 */
import * as grpc from '@grpc/grpc-js';
import {
  fleetServiceClient,
  type AgentMessage,
  type ControllerMessage,
  type DesiredPipeline,
  type PipelineStatus,
} from '@foundry/proto';

export interface SimAgentOptions {
  address: string;
  token: string;
  agentId: string;
  name?: string;
  attributes?: Record<string, string>;
  supportedComponents?: string[];
  /** Content containing this text is reported FAILED (default "FAIL_ON_AGENT"). */
  failMarker?: string;
  /** Share one channel among many agents (bench): pass the same client. */
  client?: grpc.Client;
  /** Called when a desired set is applied (after the status is sent). */
  onApplied?: (agent: SimAgent, pipelines: DesiredPipeline[]) => void;
}

/** Creates a FleetService client (one HTTP/2 connection) for `address`. */
export function fleetClient(address: string): grpc.Client {
  const Client = fleetServiceClient();
  return new Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
}

export class SimAgent {
  readonly received: ControllerMessage[] = [];
  /** pipeline id → applied desired pipeline. */
  readonly running = new Map<string, DesiredPipeline>();
  welcome?: ControllerMessage['welcome'];
  /** Final status of the stream when it ended. */
  ended?: grpc.StatusObject | { code: number; details: string };
  private call?: grpc.ClientDuplexStream<AgentMessage, ControllerMessage>;
  private readonly client: grpc.Client;
  private readonly ownClient: boolean;
  private heartbeat?: NodeJS.Timeout;

  constructor(readonly options: SimAgentOptions) {
    this.ownClient = !options.client;
    this.client = options.client ?? fleetClient(options.address);
  }

  /** Opens the stream and sends hello (unless `hello` is false). */
  connect(hello: boolean | AgentMessage = true): this {
    const md = new grpc.Metadata();
    if (this.options.token) md.set('authorization', `Bearer ${this.options.token}`);
    const call = (this.client as any).connect(md) as grpc.ClientDuplexStream<AgentMessage, ControllerMessage>;
    this.call = call;
    call.on('data', (m: ControllerMessage) => this.onMessage(m));
    call.on('status', (s: grpc.StatusObject) => {
      this.ended ??= s;
    });
    call.on('error', (e: grpc.ServiceError) => {
      this.ended = { code: e.code, details: e.details };
    });
    if (hello === true) {
      call.write({
        hello: {
          agentId: this.options.agentId,
          name: this.options.name ?? this.options.agentId,
          localAttributes: this.options.attributes ?? {},
          systemAttributes: { 'agent.os': 'linux', 'agent.version': 'sim' },
          build: { version: 'sim', revision: '', runtime: process.version },
          supportedComponents: this.options.supportedComponents ?? [
            'prometheus.scrape',
            'prometheus.exporter.self',
          ],
          running: [...this.running.values()].map((p) => ({
            pipelineId: p.pipelineId,
            name: p.name,
            version: p.version,
            hash: p.hash,
          })),
        },
      });
    } else if (hello) {
      call.write(hello);
    }
    return this;
  }

  send(m: AgentMessage): void {
    this.call?.write(m);
  }

  /** Latest desired set received. */
  get desired(): DesiredPipeline[] | undefined {
    for (let i = this.received.length - 1; i >= 0; i--) {
      const d = this.received[i]!.desired;
      if (d) return d.pipelines;
    }
    return undefined;
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.call?.end();
    this.call?.cancel();
    if (this.ownClient) this.client.close();
  }

  private onMessage(m: ControllerMessage): void {
    this.received.push(m);
    if (this.received.length > 50) this.received.splice(0, this.received.length - 50);
    if (m.welcome) {
      this.welcome = m.welcome;
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(
        () => this.call?.write({ heartbeat: { sentUnixMs: Date.now() } }),
        Math.max(1, m.welcome.heartbeatIntervalSeconds) * 1000,
      );
      this.heartbeat.unref();
    }
    if (!m.desired) return;
    const statuses: PipelineStatus[] = [];
    const want = new Map(m.desired.pipelines.map((p) => [p.pipelineId, p]));
    for (const p of m.desired.pipelines) {
      // As foundry-agent: every push is answered with the status of every pipeline in the set.
      if (this.running.get(p.pipelineId)?.hash === p.hash) {
        statuses.push({ ...status(p), status: 'APPLY_STATUS_APPLIED' });
        continue;
      }
      const fail = p.content.includes(this.options.failMarker ?? 'FAIL_ON_AGENT');
      if (!fail) this.running.set(p.pipelineId, p);
      statuses.push({
        ...status(p),
        status: fail ? 'APPLY_STATUS_FAILED' : 'APPLY_STATUS_APPLIED',
        error: fail ? 'simulated failure' : '',
        diagnostics: fail ? [{ severity: 'error', message: 'simulated failure', line: 1, column: 1 }] : [],
      });
    }
    for (const [id, p] of this.running) {
      if (want.has(id)) continue;
      this.running.delete(id);
      statuses.push({ ...status(p), status: 'APPLY_STATUS_REMOVED' });
    }
    if (statuses.length) this.call?.write({ status: { pipelines: statuses } });
    this.options.onApplied?.(this, m.desired.pipelines);
  }
}

function status(p: DesiredPipeline): PipelineStatus {
  return {
    pipelineId: p.pipelineId,
    name: p.name,
    version: p.version,
    hash: p.hash,
    status: 'APPLY_STATUS_UNSPECIFIED',
    error: '',
    diagnostics: [],
  };
}
