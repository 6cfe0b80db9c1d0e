import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabaseIfMissing, startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { applyMigrations } from '../../src/database/migrate.js';
import { freePort } from './net.js';

let serverUrl: Promise<string> | undefined;

/** URL of a server to create test databases on: DATABASE_URL's server, else an embedded one. */
function server(): Promise<string> {
  serverUrl ??= (async () => {
    const url = process.env.DATABASE_URL;
    if (url) {
      const u = new URL(url);
      u.pathname = '/postgres';
      return u.toString();
    }
    // Running one test file by hand: start a server for this process.
    // The server runs as the `postgres` user when we are root: the folder must be traversable.
    const dataDir = mkdtempSync(join(tmpdir(), 'foundry-test-pg-'));
    chmodSync(dataDir, 0o755);
    const db = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
    });
    process.once('exit', () => void db.stop());
    return db.serverUrl;
  })();
  return serverUrl;
}

export interface TestDatabase {
  /** URL of a fresh, migrated database. */
  url: string;
  /** Drops the database (terminating its connections). */
  drop(): Promise<void>;
}

/** A fresh database with every migration applied, on the suite's PostgreSQL. */
export async function createTestDatabase(migrate = true): Promise<TestDatabase> {
  const base = await server();
  const name = `foundry_test_${randomBytes(5).toString('hex')}`;
  await createDatabaseIfMissing(base, name);
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  if (migrate) await applyMigrations(url);
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
