import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, waitFor } from './support.js';

const AGENT = resolve(import.meta.dirname, '..');
const SRC_MAIN = join(AGENT, 'src/main.ts');
const BIN = join(AGENT, 'bin/foundry-agent.js');

/** Runs the agent CLI from source (TypeScript through tsx). */
function cli(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--conditions=foundry-source', '--import', 'tsx', SRC_MAIN, ...args], {
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'foundry-agent-'));

describe('foundry-agent fmt', () => {
  test('prints the formatted file; -w rewrites it; --test checks it', () => {
    const f = join(tmp, 'fmt.alloy');
    writeFileSync(f, 'local.file "a" { filename = "/etc/hostname"\n  is_secret = false }\n');
    const r = cli(['fmt', f]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'local.file "a" {\n\tfilename  = "/etc/hostname"\n\tis_secret = false\n}\n');
    assert.equal(cli(['fmt', '--test', f]).status, 1);
    assert.equal(cli(['fmt', '-w', f]).status, 0);
    assert.equal(readFileSync(f, 'utf8'), r.stdout);
    assert.equal(cli(['fmt', '--test', f]).status, 0);
  });

  test('exits 1 with diagnostics on a syntax error', () => {
    const f = join(tmp, 'bad.alloy');
    writeFileSync(f, 'a "b" {\n  x = \n}\n');
    const r = cli(['fmt', f]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.alloy:3:1: expected expression, got \}/);
    assert.match(r.stderr, /encountered errors during formatting/);
  });

  test('refuses a directory and -w with stdin', () => {
    assert.match(cli(['fmt', tmp]).stderr, /cannot format a directory/);
    assert.equal(cli(['fmt', '-w', '-'], '').status, 1);
    assert.equal(cli(['fmt', '-'], 'x "y" {}').stdout, 'x "y" { }\n');
  });
});

describe('foundry-agent validate', () => {
  test('exit 0 for a valid config, 1 with pretty diagnostics otherwise', () => {
    const ok = join(tmp, 'ok.alloy');
    writeFileSync(ok, 'local.file "a" {\n\tfilename = "/etc/hostname"\n}\n');
    const r = cli(['validate', ok]);
    assert.equal(r.status, 0, r.stderr);
    const bad = join(tmp, 'invalid.alloy');
    writeFileSync(
      bad,
      'local.file "a" {\n\tfilename = local.file.b.content\n\tcolour = 1\n}\n\nnope.thing "x" {}\n',
    );
    const v = cli(['validate', bad]);
    assert.equal(v.status, 1);
    assert.match(
      v.stderr,
      /Error: .*invalid\.alloy:6:1: cannot find the definition of component name "nope.thing"/,
    );
    assert.match(v.stderr, /\n6 \| nope\.thing "x" \{\}\n  \| \^\^\^\^\^\^\^\^\^\^\n/);
  });
});

describe('foundry-agent run', () => {
  const children: ReturnType<typeof spawn>[] = [];
  after(() => children.forEach((c) => c.kill('SIGKILL')));

  async function startAgent(config: string, useBin = false) {
    const port = await freePort();
    const args = [
      'run',
      '--server.http.listen-addr',
      `127.0.0.1:${port}`,
      '--storage.path',
      join(tmp, 'data'),
      config,
    ];
    const child = useBin
      ? spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, ['--conditions=foundry-source', '--import', 'tsx', SRC_MAIN, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/-/ready`, child, () => stderr);
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    return { child, base, exited, stderr: () => stderr };
  }

  test('serves health, metrics and the components API; reloads; shuts down on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-run-'));
    writeFileSync(join(dir, 'pointer.txt'), join(dir, 'value.txt'));
    writeFileSync(join(dir, 'value.txt'), 'hello');
    const config = join(dir, 'config.alloy');
    const v1 = `local.file "pointer" {\n\tfilename = ${JSON.stringify(join(dir, 'pointer.txt'))}\n}\n\nlocal.file "value" {\n\tfilename = local.file.pointer.content\n}\n`;
    writeFileSync(config, v1);
    const a = await startAgent(config);

    assert.equal(await (await fetch(`${a.base}/-/ready`)).text(), 'Alloy is ready.\n');
    const healthy = await fetch(`${a.base}/-/healthy`);
    assert.equal(healthy.status, 200);
    assert.equal(await healthy.text(), 'All Alloy components are healthy.\n');

    const metrics = await (await fetch(`${a.base}/metrics`)).text();
    for (const name of [
      'alloy_build_info',
      'alloy_config_hash',
      'alloy_config_last_load_successful 1',
      'alloy_component_controller_running_components',
      'alloy_component_evaluation_seconds_bucket',
      'process_cpu_seconds_total',
      'local_file_timestamp_last_accessed_unix_seconds{component_path="/",component_id="local.file.value"}',
    ]) {
      assert.ok(metrics.includes(name), `metrics include ${name}`);
    }

    const list = (await (await fetch(`${a.base}/api/v0/web/components`)).json()) as any[];
    assert.deepEqual(list.map((c) => c.localID).sort(), ['local.file.pointer', 'local.file.value']);
    const value = list.find((c) => c.localID === 'local.file.value');
    assert.deepEqual(value.referencesTo, ['local.file.pointer']);
    assert.equal(value.health.state, 'healthy');
    assert.equal(value.arguments, undefined, 'the list omits arguments');
    const one = (await (await fetch(`${a.base}/api/v0/web/components/local.file.value`)).json()) as any;
    assert.equal(one.name, 'local.file');
    assert.equal(one.label, 'value');
    assert.deepEqual(one.exports, [
      { name: 'content', type: 'attr', value: { type: 'string', value: 'hello' } },
    ]);
    assert.ok(one.arguments.some((x: any) => x.name === 'filename'));
    assert.equal((await fetch(`${a.base}/api/v0/web/components/nope.x`)).status, 404);

    // A bad reload is refused with 400 and the running graph stays.
    writeFileSync(config, v1 + '\nnope.thing "x" {}\n');
    const bad = await fetch(`${a.base}/-/reload`, { method: 'POST' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /cannot find the definition of component name "nope.thing"/);
    assert.equal(((await (await fetch(`${a.base}/api/v0/web/components`)).json()) as any[]).length, 2);
    assert.ok(
      (await (await fetch(`${a.base}/metrics`)).text()).includes('alloy_config_last_load_successful 1'),
      'a structurally invalid config still parsed',
    );

    // A good reload removes a component.
    writeFileSync(
      config,
      `local.file "pointer" {\n\tfilename = ${JSON.stringify(join(dir, 'pointer.txt'))}\n}\n`,
    );
    const good = await fetch(`${a.base}/-/reload`);
    assert.equal(good.status, 200);
    assert.equal(await good.text(), 'config reloaded\n');
    assert.equal(((await (await fetch(`${a.base}/api/v0/web/components`)).json()) as any[]).length, 1);

    // SIGHUP reloads too.
    writeFileSync(config, v1);
    a.child.kill('SIGHUP');
    const end = Date.now() + 10_000;
    while (((await (await fetch(`${a.base}/api/v0/web/components`)).json()) as any[]).length !== 2) {
      if (Date.now() > end) throw new Error('SIGHUP reload not seen');
      await new Promise((r) => setTimeout(r, 50));
    }

    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0);
    assert.match(a.stderr(), /shutdown complete/);
  });

  test('an unhealthy component makes /-/healthy answer 500', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-run-'));
    const file = join(dir, 'v.txt');
    writeFileSync(file, 'x');
    const config = join(dir, 'config.alloy');
    writeFileSync(
      config,
      `local.file "v" {\n\tfilename       = ${JSON.stringify(file)}\n\tdetector       = "poll"\n\tpoll_frequency = "50ms"\n}\n`,
    );
    const a = await startAgent(config);
    const { rmSync } = await import('node:fs');
    rmSync(file);
    const end = Date.now() + 10_000;
    let res = await fetch(`${a.base}/-/healthy`);
    while (res.status !== 500 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      res = await fetch(`${a.base}/-/healthy`);
    }
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'unhealthy components: local.file.v\n');
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0);
  });

  test('a failed initial load prints diagnostics and exits 1', () => {
    const config = join(tmp, 'broken.alloy');
    writeFileSync(config, 'local.file "a" {\n\tfilename = 12\n\tnope = 1\n}\n');
    const r = cli(['run', '--server.http.listen-addr', '127.0.0.1:0', config]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unrecognized attribute name "nope"/);
    assert.match(r.stderr, /could not perform the initial load successfully/);
  });

  test(
    'the built binary runs (npx foundry-agent after npm run build)',
    { skip: !existsSync(join(AGENT, 'dist/main.js')) && !process.env.CI ? 'not built' : false },
    async () => {
      const config = join(tmp, 'bin.alloy');
      writeFileSync(config, `local.file "a" {\n\tfilename = ${JSON.stringify(config)}\n}\n`);
      const a = await startAgent(config, true);
      assert.equal((await fetch(`${a.base}/-/healthy`)).status, 200);
      a.child.kill('SIGTERM');
      assert.equal(await a.exited, 0);
    },
  );
});
