import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadControllerConfig, type ControllerConfig } from '../../src/config/controller-config.js';
import { startController, type RunningController } from '../../src/controller-app.js';
import { PrismaService } from '../../src/database/prisma.service.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const ADMIN_TOKEN = 'fdy_admin_test0000000000000000000000000000';

/** What a request returned: status, parsed JSON (or text) body, headers. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A controller on a fresh database, and a small client for its REST API. */
export interface TestApi {
  controller: RunningController;
  db: TestDatabase;
  /** The controller's own Prisma client, for inserting rows the gRPC gateway would write. */
  prisma: PrismaService;
  url: string;
  /** Calls the API; `token` null sends no Authorization header; default: the admin token. */
  call<T = any>(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string | null; rawBody?: string; contentType?: string },
  ): Promise<ApiResponse<T>>;
  /** Creates a token of `scope` through the API and returns its text. */
  token(scope: 'admin' | 'editor' | 'viewer' | 'agent', name?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the real controller in-process on 127.0.0.1 (ephemeral ports) against a fresh database. */
export async function startTestApi(overrides: Partial<ControllerConfig> = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'foundry-controller-test-'));
  const config = {
    ...loadControllerConfig(
      ['--http.listen-addr=127.0.0.1:0', '--grpc.listen-addr=127.0.0.1:0', `--data-dir=${dataDir}`],
      {},
    ),
    databaseUrl: db.url,
    adminToken: ADMIN_TOKEN,
    ...overrides,
  };
  const controller = await startController(config, { logLevels: false });
  const url = controller.httpUrl;
  const call: TestApi['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers['content-type'] = opts.contentType ?? 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  let n = 0;
  return {
    controller,
    db,
    prisma: controller.app.get(PrismaService),
    url,
    call,
    token: async (scope, name = `${scope}-${++n}`) => {
      const res = await call('POST', '/api/v1/tokens', { body: { name, scope } });
      if (res.status !== 201)
        throw new Error(`creating a ${scope} token: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    stop: async () => {
      await controller.stop();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
