// The Grafana app plugin's test suites, for scripts/test.mjs: jest (unit tests of src/, create-plugin's
// setup) and Playwright (playwright/: the plugin in the Foundry standalone plugin host with a real
// controller and real agents, in Debian's Chromium). Each runs with a JSON reporter; the counts come
// from those reports.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-headless-shell'].find(
  (p) => p && existsSync(p),
);

function run(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (err) => {
      console.error(`${cmd}: ${err.message}`);
      resolve(1);
    });
  });
}

/** Counts of jest's --json report: { pass, fail, skip }; a missing report is one failure. */
function jestCounts(file, code) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const fail = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    return {
      pass: r.numPassedTests,
      fail: fail || (code !== 0 ? 1 : 0),
      skip: r.numPendingTests + (r.numTodoTests ?? 0),
    };
  } catch {
    return { pass: 0, fail: 1, skip: 0 };
  }
}

/** Counts of Playwright's JSON report (stats: expected, unexpected, flaky, skipped). */
function playwrightCounts(file, code) {
  try {
    const { stats, errors } = JSON.parse(readFileSync(file, 'utf8'));
    const fail = stats.unexpected + (errors?.length ?? 0);
    return { pass: stats.expected + stats.flaky, fail: fail || (code !== 0 ? 1 : 0), skip: stats.skipped };
  } catch {
    return { pass: 0, fail: 1, skip: 0 };
  }
}

/**
 * Runs jest, then Playwright; returns the summed counts. Without a Chromium, the browser suite is
 * skipped outside CI (one skipped) and fails in CI.
 */
export async function pluginSuites({ root, env }) {
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  const out = mkdtempSync(join(tmpdir(), 'foundry-plugin-tests-'));
  const total = { pass: 0, fail: 0, skip: 0 };
  const add = (c) => {
    total.pass += c.pass;
    total.fail += c.fail;
    total.skip += c.skip;
  };

  console.log('\n# plugin unit tests (jest)');
  const jestReport = join(out, 'jest.json');
  let started = Date.now();
  const jestCode = await run(
    bin('jest'),
    ['--ci', '--maxWorkers=2', '--json', `--outputFile=${jestReport}`],
    { cwd: root, env },
  );
  const jest = jestCounts(jestReport, jestCode);
  console.log(
    `# jest: ${jest.pass} passed, ${jest.fail} failed, ${jest.skip} skipped (${Date.now() - started} ms)`,
  );
  add(jest);

  console.log('\n# plugin browser tests (Playwright, Foundry standalone plugin host — not Grafana)');
  if (!CHROMIUM && !env.CI) {
    console.log('# Chromium not found (apt-get install chromium): browser tests skipped');
    add({ pass: 0, fail: 0, skip: 1 });
  } else {
    const report = join(root, 'test-results', 'playwright-report.json');
    rmSync(report, { force: true });
    started = Date.now();
    const pwCode = await run(bin('playwright'), ['test', '-c', 'playwright/playwright.config.ts'], {
      cwd: root,
      env: { ...env, ...(CHROMIUM ? { CHROMIUM_PATH: CHROMIUM } : {}) },
    });
    const pw = playwrightCounts(report, pwCode);
    console.log(
      `# playwright: ${pw.pass} passed, ${pw.fail} failed, ${pw.skip} skipped (${Date.now() - started} ms)`,
    );
    add(pw);
  }
  rmSync(out, { recursive: true, force: true });
  return total;
}
