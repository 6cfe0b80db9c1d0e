import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadControllerConfig, type ControllerConfig } from '../../src/config/controller-config.js';
import { startController, type RunningController } from '../../src/controller-app.js';
import { PrismaService } from '../../src/database/prisma.service.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const ADMIN = 'fdy_admin_test-admin-token-0000000000000';
export const AGENT = 'fdy_agent_test-agent-token-0000000000000';

export interface TestController {
  c: RunningController;
  db: TestDatabase;
  prisma: PrismaService;
  /** fetch against the REST API with the admin token (or `token`). */
  api(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts a real controller (REST + gRPC on free loopback ports) on a fresh database. Pass `db` to start
 * a second replica on the same database.
 */
export async function startTestController(
  opts: { db?: TestDatabase; config?: Partial<ControllerConfig>; dropOnStop?: boolean } = {},
): Promise<TestController> {
  const db = opts.db ?? (await createTestDatabase());
  const config: ControllerConfig = {
    ...loadControllerConfig(
      [
        '--http.listen-addr=127.0.0.1:0',
        '--grpc.listen-addr=127.0.0.1:0',
        `--data-dir=${mkdtempSync(join(tmpdir(), 'fc-'))}`,
      ],
      {},
    ),
    databaseUrl: db.url,
    adminToken: ADMIN,
    agentToken: AGENT,
    ...opts.config,
  };
  const c = await startController(config, { logLevels: process.env.FOUNDRY_TEST_LOGS ? undefined : false });
  const prisma = c.app.get(PrismaService);
  return {
    c,
    db,
    prisma,
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? ADMIN : init.token;
      if (token) headers.set('authorization', `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(c.httpUrl + path, { ...init, headers, body });
    },
    stop: async () => {
      await c.stop();
      if (opts.dropOnStop !== false && !opts.db) await db.drop();
    },
  };
}

/** Inserts a pipeline and its versions directly (REST-independent fixture). Returns the pipeline id. */
export async function insertPipeline(
  prisma: PrismaService,
  name: string,
  matchers: string[],
  contents: string[],
): Promise<string> {
  const p = await prisma.pipeline.create({
    data: {
      name,
      matchers,
      versions: {
        create: contents.map((content, i) => ({
          version: i + 1,
          content,
          sha256: createHash('sha256').update(content).digest('hex'),
          author: 'test',
          valid: true,
        })),
      },
    },
  });
  return p.id;
}
