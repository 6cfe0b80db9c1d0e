import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** The advisory lock key Prisma's engine takes while migrating, so we and `prisma migrate` exclude each other. */
const PRISMA_MIGRATE_LOCK = 72707369;

/** Folder of the committed migrations (`prisma/migrations/<timestamp>_<name>/migration.sql`). */
export const migrationsDir = new URL('../../prisma/migrations', import.meta.url).pathname;

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies pending SQL migrations in Prisma's folder layout, in name order, each in its own transaction,
 * recording them in `_prisma_migrations` exactly as Prisma does (sha256 checksum of migration.sql,
 * started/finished timestamps, applied_steps_count), so `prisma migrate deploy/status` agree afterwards.
 * Holds Prisma's migration advisory lock, so concurrent replicas starting together apply each once.
 * @throws Error naming the migration when one fails (its failure is recorded in `logs`), or when a
 *   previously failed migration is still unresolved.
 */
export async function applyMigrations(databaseUrl: string, dir = migrationsDir): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const rows = await client.query<{
      migration_name: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>('SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"');
    const done = new Set<string>();
    for (const r of rows.rows) {
      if (r.rolled_back_at) continue;
      if (!r.finished_at) {
        throw new Error(
          `migration ${r.migration_name} failed earlier and is unresolved; fix the database, then run ` +
            '`prisma migrate resolve --applied|--rolled-back ' +
            r.migration_name +
            '`',
        );
      }
      done.add(r.migration_name);
    }
    const names = existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true })
          .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
          .map((d) => d.name)
          .sort()
      : [];
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = readFileSync(join(dir, name, 'migration.sql'));
      const checksum = createHash('sha256').update(sql).digest('hex');
      const id = randomUUID();
      await client.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
        [id, checksum, name],
      );
      try {
        await client.query('BEGIN');
        await client.query(sql.toString('utf8'));
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const message = err instanceof Error ? err.message : String(err);
        await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, message]);
        throw new Error(`migration ${name} failed: ${message}`);
      }
      await client.query(
        'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
        [id],
      );
      applied.push(name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    await client.end();
  }
  return { applied };
}
