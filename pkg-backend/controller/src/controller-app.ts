import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { splitHostPort, type ControllerConfig } from './config/controller-config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';
import { applyMigrations } from './database/migrate.js';
import { setupOpenApi } from './openapi.js';
import { FleetGatewayService } from './fleet-gateway/fleet-gateway.service.js';
import { connectBodyReader } from './remotecfg/connect-http.js';
import { TokensService } from './tokens/tokens.service.js';

/** A started controller. */
export interface RunningController {
  app: NestExpressApplication;
  config: ControllerConfig;
  /** http://host:port of the REST API. */
  httpUrl: string;
  /** host:port of the gRPC listener. */
  grpcAddress: string;
  /** Bootstrap tokens known to this process (from the environment or generated now/earlier). */
  tokens: { admin?: string; agent?: string };
  /** The embedded PostgreSQL this process started, if any. */
  embedded?: EmbeddedDatabase;
  /** Stops the HTTP and gRPC servers, then the embedded PostgreSQL. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Nest log levels (default: log, warn, error), or false for none. */
  logLevels?: LogLevel[] | false;
  logger?: LoggerService;
  /** Progress lines during start-up (database, migrations, listeners). */
  progress?: (line: string) => void;
}

/**
 * Starts the controller: the database (DATABASE_URL, or an embedded PostgreSQL under the data folder),
 * pending migrations, the bootstrap tokens, then the REST and gRPC listeners.
 * @throws Error when the database cannot be reached or migrated, or a port is taken.
 */
export async function startController(
  config: ControllerConfig,
  opts: StartOptions = {},
): Promise<RunningController> {
  const progress = opts.progress ?? (() => undefined);
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    const dir = resolve(config.dataDir, 'postgres');
    mkdirSync(dir, { recursive: true });
    progress(`starting embedded PostgreSQL in ${dir}`);
    embedded = await startEmbeddedPostgres({ dataDir: dir, port: config.embeddedPostgresPort });
    config = { ...config, databaseUrl: embedded.url };
  }
  try {
    const { applied } = await applyMigrations(config.databaseUrl!);
    progress(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      logger:
        opts.logger ?? (opts.logLevels === false ? false : (opts.logLevels ?? ['log', 'warn', 'error'])),
      bodyParser: false,
    });
    // Connect calls (Alloy's remotecfg) get their raw body and Connect errors, before the REST parsers.
    app.use(connectBodyReader(config.httpMaxBodyBytes));
    app.useBodyParser('json', { limit: config.httpMaxBodyBytes });
    app.useBodyParser('text', { limit: config.httpMaxBodyBytes });
    app.useBodyParser('raw', {
      limit: config.httpMaxBodyBytes,
      type: ['application/proto', 'application/connect+proto'],
    });
    app.enableShutdownHooks();
    app.disable('x-powered-by');
    setupOpenApi(app);
    const tokens = await app.get(TokensService).bootstrap();
    const { host, port } = splitHostPort(config.httpAddress);
    await app.listen(port, host);
    const addr = app.getHttpServer().address();
    const httpPort = typeof addr === 'object' && addr ? addr.port : port;
    const httpUrl = `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`;
    progress(`REST API on ${httpUrl}`);
    const grpcAddress = app.get(FleetGatewayService).address;
    progress(`gRPC for agents on ${grpcAddress}`);
    let stopped = false;
    return {
      app,
      config,
      httpUrl,
      grpcAddress,
      tokens,
      embedded,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await app.close();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
}

export { Logger };
