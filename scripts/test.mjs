#!/usr/bin/env node
// Runs every workspace's tests with Node's test runner (TypeScript through tsx, sources via the
// `foundry-source` export condition), then — on a full run (no arguments) — the plugin's jest suite and
// its Playwright suite (playwright/, Debian's Chromium), and ends with the line
// `N passed, N failed[, N skipped]` counting all three.
//
// Usage: node scripts/test.mjs [test files or directories...]   (default: pkg-backend/*/test + plugin)
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pluginSuites } from './test-plugin.mjs';

const root = resolve(import.meta.dirname, '..');

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name === 'fixtures') continue;
      collect(join(path, name), out);
    }
  } else if (/\.test\.(ts|mjs|js)$/.test(path)) out.push(path);
}

const args = process.argv.slice(2);
const roots = args.length
  ? args.map((a) => resolve(a))
  : readdirSync(join(root, 'pkg-backend'))
      .map((p) => join(root, 'pkg-backend', p, 'test'))
      .filter(existsSync);
const files = [];
for (const r of roots) collect(r, files);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// The controller's tests need PostgreSQL: DATABASE_URL when given, else one embedded server for the run
// (each test creates and drops its own database on it).
let embedded;
const env = { ...process.env };
if (!env.DATABASE_URL) {
  const { startEmbeddedPostgres } =
    await import('../pkg-backend/controller/dist/database/embedded-postgres.js');
  const { freePort } = await import('./free-port.mjs');
  const started = Date.now();
  // As root the server runs as the `postgres` OS user, which must be able to enter the folder.
  const dataDir = mkdtempSync(join(tmpdir(), 'foundry-test-pg-'));
  chmodSync(dataDir, 0o755);
  embedded = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
  });
  env.DATABASE_URL = embedded.url;
  console.log(`embedded PostgreSQL for the tests on port ${embedded.port} (${Date.now() - started} ms)`);
}

const tap = join(mkdtempSync(join(tmpdir(), 'foundry-test-')), 'report.tap');
const child = spawn(
  process.execPath,
  [
    '--conditions=foundry-source',
    '--import',
    'tsx',
    '--test',
    '--test-timeout=120000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] },
);
child.on('exit', async (code, signal) => {
  let pass = 0;
  let fail = 0;
  let skip = 0;
  try {
    const text = readFileSync(tap, 'utf8');
    pass = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
    fail = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0);
    skip = Number(/^# skipped (\d+)/m.exec(text)?.[1] ?? 0) + Number(/^# todo (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    fail = Math.max(fail, 1);
  }
  if (code !== 0 && fail === 0) fail = 1;
  // The plugin's suites (jest, Playwright) on a full run; the browser tests use this run's PostgreSQL.
  if (args.length === 0) {
    const plugin = await pluginSuites({ root, env });
    pass += plugin.pass;
    fail += plugin.fail;
    skip += plugin.skip;
  }
  await embedded?.stop().catch(() => undefined);
  console.log(`${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
  process.exit(fail > 0 ? 1 : (code ?? (signal ? 1 : 0)));
});
