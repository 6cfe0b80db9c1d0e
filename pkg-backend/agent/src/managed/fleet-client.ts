/**
 * The agent's end of `foundry.fleet.v1.FleetService/Connect`: opens the bidirectional stream with a
 * Hello, hands the controller's messages to its owner, and reconnects after any loss with jittered
 * exponential backoff (an UNAUTHENTICATED or PERMISSION_DENIED answer waits the maximum backoff).
 * Each attempt uses a fresh channel, so the reconnect timing is this module's alone.
 * State changes are logged once (connected, lost, failing for a new reason); retries log at debug.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@foundry/engine';
import {
  fleetServiceClient,
  type AgentMessage,
  type ControllerMessage,
  type DesiredState,
  type Hello,
  type Welcome,
} from '@foundry/proto';
import { Backoff } from './backoff.js';

export interface FleetClientOptions {
  /** gRPC target `host:port`. */
  target: string;
  credentials: grpc.ChannelCredentials;
  /** Bearer token sent as `authorization: Bearer <token>` metadata (none when empty). */
  token?: string;
  /** Builds the Hello for each new stream (what runs may have changed since the last one). */
  hello(): Hello;
  log: Logger;
  backoff?: Backoff;
  /** How long to wait for the Welcome on a new stream before giving up on it (ms, default 30 000). */
  welcomeTimeoutMs?: number;
  /** The controller's Welcome arrived on a new stream: the stream counts as connected from now on. */
  onConnected(session: FleetSession): void;
  /** A DesiredState arrived (full set). */
  onDesired(session: FleetSession, desired: DesiredState): void;
  /** A connected stream ended (the session's signal is aborted too). */
  onDisconnected(session: FleetSession): void;
}

/** One stream with the controller. */
export class FleetSession {
  welcome: Welcome | undefined;
  private readonly abort = new AbortController();
  private ending = false;

  constructor(private readonly call: grpc.ClientDuplexStream<AgentMessage, ControllerMessage>) {}

  /** Aborted when the stream ended. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get open(): boolean {
    return !this.abort.signal.aborted;
  }

  /** Writes one message; returns false (and drops it) when the stream has ended or is ending. */
  send(msg: AgentMessage): boolean {
    if (!this.open || this.ending) return false;
    this.call.write(msg);
    return true;
  }

  /** Marks the session closed (called by the client once the stream's status is known). */
  close(): void {
    this.abort.abort();
  }

  /** Half-closes the stream (clean shutdown) and resolves when the status arrived or `timeoutMs` passed. */
  async end(timeoutMs: number): Promise<void> {
    if (!this.open) return;
    this.ending = true;
    this.call.end();
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((res) => {
      this.signal.addEventListener('abort', () => res(), { once: true });
      timer = setTimeout(res, timeoutMs);
    });
    clearTimeout(timer);
    if (this.open) this.call.cancel();
  }
}

const AUTH_CODES = new Set([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]);

export class FleetClient {
  private readonly backoff: Backoff;
  private client: grpc.Client | undefined;
  private session: FleetSession | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private started = false;
  /** Description of the current failure, to log each new one once. */
  private problem = '';

  constructor(private readonly opts: FleetClientOptions) {
    this.backoff = opts.backoff ?? new Backoff();
  }

  /** True while a stream is established (its Welcome arrived). */
  get connected(): boolean {
    return this.session?.welcome !== undefined && this.session.open;
  }

  /** Opens the first stream (returns at once; connection happens in the background). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.opts.log.info('connecting to the fleet controller', { controller: this.opts.target });
    this.connect();
  }

  /**
   * Stops reconnecting and ends the stream cleanly (half-close, then waits up to `timeoutMs` ms for the
   * controller to finish it before cancelling).
   */
  async stop(timeoutMs = 1000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.session?.end(timeoutMs);
    this.client?.close();
  }

  private connect(): void {
    if (this.stopped) return;
    this.client?.close();
    const Client = fleetServiceClient();
    const client = new Client(this.opts.target, this.opts.credentials, {
      // A channel of its own, so no shared sub-channel's backoff delays a reconnect.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
    this.client = client;
    const md = new grpc.Metadata();
    if (this.opts.token) md.set('authorization', `Bearer ${this.opts.token}`);
    const call = (
      client as unknown as {
        Connect(md: grpc.Metadata): grpc.ClientDuplexStream<AgentMessage, ControllerMessage>;
      }
    ).Connect(md);
    const session = new FleetSession(call);
    this.session = session;
    let timeoutReason = '';
    const welcomeTimer = setTimeout(() => {
      timeoutReason = `no Welcome from the controller within ${this.opts.welcomeTimeoutMs ?? 30_000} ms`;
      call.cancel();
    }, this.opts.welcomeTimeoutMs ?? 30_000);

    call.on('data', (msg: ControllerMessage) => {
      if (!session.open) return;
      if (msg.welcome) {
        clearTimeout(welcomeTimer);
        if (session.welcome) return;
        session.welcome = msg.welcome;
        this.backoff.reset();
        this.problem = '';
        this.opts.log.info('connected to the fleet controller', {
          controller: this.opts.target,
          controller_id: msg.welcome.controllerId,
        });
        this.opts.onConnected(session);
      } else if (msg.desired) {
        this.opts.onDesired(session, msg.desired);
      }
    });
    // Errors arrive again as the call's status, handled below.
    call.on('error', () => {});
    call.on('status', (st: grpc.StatusObject) => {
      clearTimeout(welcomeTimer);
      const wasConnected = session.welcome !== undefined;
      session.close();
      if (wasConnected) this.opts.onDisconnected(session);
      if (this.stopped) return;
      this.scheduleRetry(st, wasConnected, timeoutReason);
    });
    call.write({ hello: this.opts.hello() });
  }

  private scheduleRetry(st: grpc.StatusObject, wasConnected: boolean, timeoutReason: string): void {
    const code = grpc.status[st.code] ?? String(st.code);
    const reason = timeoutReason || st.details || code;
    const auth = AUTH_CODES.has(st.code);
    const delay = auth ? this.backoff.slow() : this.backoff.next();
    const fields = { controller: this.opts.target, code, reason, retry_in_ms: delay };
    const problem = `${code}: ${reason}`;
    if (wasConnected) {
      this.opts.log.warn('lost the stream to the fleet controller; reconnecting', fields);
    } else if (auth) {
      if (problem !== this.problem) this.opts.log.error('the fleet controller refused the agent', fields);
      else this.opts.log.debug('the fleet controller refused the agent', fields);
    } else if (problem !== this.problem) {
      this.opts.log.warn('cannot reach the fleet controller; retrying with backoff', fields);
    } else {
      this.opts.log.debug('cannot reach the fleet controller', fields);
    }
    this.problem = wasConnected ? '' : problem;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
