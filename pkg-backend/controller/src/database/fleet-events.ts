import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';

/** PostgreSQL channel every replica listens on. */
export const FLEET_CHANNEL = 'foundry_fleet';

/**
 * A change another replica (or this one) must react to:
 * - `pipeline`: a pipeline, its versions or its matchers changed (id = pipeline id);
 * - `rollout`: a rollout of a pipeline changed state or advanced (id = pipeline id);
 * - `agent`: an agent's remote attributes changed or it was deleted (id = agent id);
 * - `token`: a token was revoked (id = token id).
 */
export interface FleetEvent {
  kind: 'pipeline' | 'rollout' | 'agent' | 'token';
  id: string;
}

/**
 * Fans fleet changes out to every controller replica through LISTEN/NOTIFY on one dedicated
 * connection (reconnecting with backoff). Local subscribers get each event once, including events this
 * replica published (they arrive through the database too, so every replica follows one path).
 */
@Injectable()
export class FleetEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('FleetEvents');
  private readonly listeners = new Set<(e: FleetEvent) => void>();
  private client?: pg.Client;
  private publisher?: pg.Pool;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(@Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig) {}

  async onModuleInit(): Promise<void> {
    this.publisher = new pg.Pool({ connectionString: this.config.databaseUrl, max: 2 });
    this.publisher.on('error', (err) => this.logger.warn(`publisher connection: ${err.message}`));
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
    await this.publisher?.end().catch(() => undefined);
  }

  /** Registers a listener; returns its removal. */
  subscribe(listener: (e: FleetEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes to every replica (including this one). @throws Error when the database is unreachable. */
  async publish(event: FleetEvent): Promise<void> {
    await this.publisher!.query('SELECT pg_notify($1, $2)', [FLEET_CHANNEL, JSON.stringify(event)]);
  }

  private async listen(attempt = 0): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    client.on('notification', (msg) => {
      if (msg.channel !== FLEET_CHANNEL || !msg.payload) return;
      let event: FleetEvent;
      try {
        event = JSON.parse(msg.payload) as FleetEvent;
      } catch {
        return;
      }
      for (const l of this.listeners) l(event);
    });
    client.on('error', (err) => {
      this.logger.warn(`LISTEN connection lost: ${err.message}; reconnecting`);
      this.reconnect(client, 0);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${FLEET_CHANNEL}`);
      this.client = client;
      // Anything may have changed while we were not listening.
      if (attempt > 0) for (const l of this.listeners) l({ kind: 'pipeline', id: '*' });
    } catch (err) {
      if (attempt === 0 && !this.client) throw err;
      this.reconnect(client, attempt);
    }
  }

  private reconnect(client: pg.Client, attempt: number): void {
    if (this.closed) return;
    client.end().catch(() => undefined);
    if (this.client === client) this.client = undefined;
    const delay = Math.min(10_000, 200 * 2 ** attempt);
    this.retryTimer = setTimeout(() => void this.listen(attempt + 1), delay);
  }
}
