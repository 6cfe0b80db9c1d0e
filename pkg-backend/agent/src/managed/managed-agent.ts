/**
 * Managed mode: ties the fleet stream (fleet-client.ts) to the remote pipelines (remote-pipelines.ts)
 * and the reports (reports.ts). On every established stream it answers desired-state pushes with
 * StatusReports, polls component health every second and sends a HealthReport when it changed, and
 * sends a MetricsReport and a Heartbeat at the intervals the Welcome sets.
 */
import { join } from 'node:path';
import { validateSources, type Engine, type Logger, type Stability } from '@foundry/engine';
import type { DesiredState, PipelineStatus } from '@foundry/proto';
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { Backoff } from './backoff.js';
import { channelCredentials, parseControllerUrl, type TlsFiles } from './controller-address.js';
import { FleetClient, type FleetSession } from './fleet-client.js';
import { buildInfo, loadOrCreateAgentId, supportedComponents, systemAttributes } from './identity.js';
import { LastGoodStore } from './last-good-store.js';
import { ManagedMetrics } from './managed-metrics.js';
import { RemotePipelines, type RemotePipelineView } from './remote-pipelines.js';
import { healthKey, healthSnapshot, selectMetrics } from './reports.js';

export interface ManagedOptions {
  /** `--controller` URL. */
  controllerUrl: string;
  token?: string;
  /** `--agent.name` (default: the host name). */
  name: string;
  /** `--agent.id` (default: generated once and kept in `<storage.path>/agent-id`). */
  agentId?: string;
  localAttributes: Record<string, string>;
  tls: TlsFiles;
  storagePath: string;
  minStability: Stability;
  communityComponents: boolean;
  /** Largest reconnect delay, ms (default 30 000). */
  maxBackoffMs?: number;
  /** The agent's own metrics registry (managed-mode metrics are added to it). */
  registry: Registry;
}

/** What `GET /api/v0/remote` answers. */
export interface ManagedStatus {
  controller: string;
  agentId: string;
  connected: boolean;
  pipelines: RemotePipelineView[];
}

const DEFAULT_METRICS_INTERVAL_S = 60;
const DEFAULT_HEARTBEAT_INTERVAL_S = 30;
const HEALTH_POLL_MS = 1000;

export class ManagedAgent {
  private readonly client: FleetClient;
  private readonly metrics: ManagedMetrics;
  /** Streams that already received a desired state. */

  private constructor(
    private readonly engine: Engine,
    private readonly opts: ManagedOptions,
    readonly agentId: string,
    private readonly pipelines: RemotePipelines,
    private readonly log: Logger,
    metrics: ManagedMetrics,
    target: string,
    credentials: ChannelCredentials,
  ) {
    this.metrics = metrics;
    this.client = new FleetClient({
      target,
      credentials,
      token: opts.token,
      log,
      backoff: new Backoff({ maxMs: opts.maxBackoffMs }),
      hello: () => ({
        agentId: this.agentId,
        name: opts.name,
        localAttributes: opts.localAttributes,
        systemAttributes: systemAttributes(),
        build: buildInfo(),
        supportedComponents: supportedComponents(
          engine.options.registry,
          opts.minStability,
          opts.communityComponents,
        ),
        running: this.pipelines.runningPipelines(),
      }),
      onConnected: (s) => this.onConnected(s),
      onDesired: (s, d) => this.onDesired(s, d),
      onDisconnected: () => this.metrics.setConnected(false),
    });
  }

  /**
   * Prepares managed mode: checks the controller flags, determines the agent ID and loads every
   * last-good pipeline into the engine (so they run even if the controller is unreachable). Call `start`
   * to connect.
   * @throws Error for an invalid controller URL or TLS setup, or when the storage path is unusable.
   */
  static async create(engine: Engine, opts: ManagedOptions): Promise<ManagedAgent> {
    const address = parseControllerUrl(opts.controllerUrl);
    const credentials = channelCredentials(address, opts.tls);
    const log = engine.logger.child({ service: 'fleet' });
    const agentId = opts.agentId || (await loadOrCreateAgentId(opts.storagePath));
    const metrics = new ManagedMetrics(opts.registry);
    const store = new LastGoodStore(join(opts.storagePath, 'remote'));
    const validate = (sources: Parameters<typeof validateSources>[0]) =>
      validateSources(sources, {
        registry: engine.options.registry,
        minStability: opts.minStability,
        communityComponents: opts.communityComponents,
      });
    const pipelines = new RemotePipelines(engine, store, validate, log, metrics);
    await pipelines.restore();
    return new ManagedAgent(engine, opts, agentId, pipelines, log, metrics, address.target, credentials);
  }

  /** Connects to the controller (in the background; reconnects until `stop`). */
  start(): void {
    this.client.start();
  }

  /** Ends the stream cleanly and stops reconnecting. */
  stop(): Promise<void> {
    return this.client.stop();
  }

  /** Managed state for the HTTP API. */
  status(): ManagedStatus {
    return {
      controller: this.opts.controllerUrl,
      agentId: this.agentId,
      connected: this.client.connected,
      pipelines: this.pipelines.view(),
    };
  }

  private onConnected(session: FleetSession): void {
    this.metrics.setConnected(true);
    const welcome = session.welcome!;
    /** Runs `fn` every `ms` while the stream lasts. */
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      session.signal.addEventListener('abort', () => clearInterval(t), { once: true });
    };
    const seconds = (s: number, fallback: number) => (s > 0 ? s : fallback) * 1000;
    let lastHealth = '';
    const sendHealth = () => {
      const components = healthSnapshot(this.engine);
      const key = healthKey(components);
      if (key === lastHealth) return;
      if (session.send({ health: { components } })) lastHealth = key;
    };
    const sendMetrics = () => {
      this.engine.metricsText().then(
        (text) => session.send({ metrics: { timestampUnixMs: Date.now(), samples: selectMetrics(text) } }),
        (err) => this.log.warn('failed to collect self-metrics', { err: (err as Error).message }),
      );
    };
    sendHealth();
    sendMetrics();
    every(HEALTH_POLL_MS, sendHealth);
    every(seconds(welcome.metricsIntervalSeconds, DEFAULT_METRICS_INTERVAL_S), sendMetrics);
    every(seconds(welcome.heartbeatIntervalSeconds, DEFAULT_HEARTBEAT_INTERVAL_S), () =>
      session.send({ heartbeat: { sentUnixMs: Date.now() } }),
    );
  }

  /**
   * Every push is answered with the status of every desired pipeline: the controller pushes only when
   * the set changed, and after a roll back the agent may already run the desired version while the
   * controller's last news about that pipeline was a failure.
   */
  private onDesired(session: FleetSession, desired: DesiredState): void {
    const send = (pipelines: PipelineStatus[]) => {
      if (pipelines.length) session.send({ status: { pipelines } });
    };
    this.pipelines
      .apply(desired, true, send)
      .then(send, (err) =>
        this.log.error('failed to apply the desired state', { err: (err as Error).message }),
      );
  }
}
