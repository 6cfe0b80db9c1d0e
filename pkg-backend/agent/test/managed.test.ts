/**
 * Managed mode end to end: a real foundry-agent process (the built binary when present) against a
 * scripted fleet controller (a real grpc-js server in this process).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { desired, FakeController, pipeline, type Stream } from './fake-controller.js';
import { eventually, freePort, waitFor } from './support.js';

const AGENT = resolve(import.meta.dirname, '..');
const BIN = join(AGENT, 'bin/foundry-agent.js');
const SRC_MAIN = join(AGENT, 'src/main.ts');
/** The built binary runs when dist/ is as new as every source file (else the sources run through tsx). */
const BUILT = ((): boolean => {
  const main = join(AGENT, 'dist/main.js');
  if (!existsSync(main)) return false;
  const built = statSync(main).mtimeMs;
  const newest = (d: string): number =>
    Math.max(
      0,
      ...readdirSync(d, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(d, e.name)) : statSync(join(d, e.name)).mtimeMs,
      ),
    );
  return newest(join(AGENT, 'src')) <= built;
})();

const children: ChildProcess[] = [];
const controllers: FakeController[] = [];
after(() => {
  children.forEach((c) => c.kill('SIGKILL'));
  controllers.forEach((c) => c.stop());
});

interface Agent {
  child: ChildProcess;
  base: string;
  exited: Promise<number | null>;
  stderr(): string;
}

/** Starts `foundry-agent run` with managed-mode flags; resolves once /-/ready answers. */
async function startAgent(args: string[], env: Record<string, string> = {}): Promise<Agent> {
  const port = await freePort();
  const argv = [
    'run',
    '--server.http.listen-addr',
    `127.0.0.1:${port}`,
    '--controller.max-backoff',
    '1s',
    ...args,
  ];
  const child = spawn(
    process.execPath,
    BUILT ? [BIN, ...argv] : ['--conditions=foundry-source', '--import', 'tsx', SRC_MAIN, ...argv],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FOUNDRY_AGENT_TOKEN: '', ...env } },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/-/ready`, child, () => stderr);
  return { child, base, exited, stderr: () => stderr };
}

async function getJSON(url: string): Promise<any> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

async function metric(base: string, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The status reports of a stream, flattened, as `name@version:STATUS`. */
function statuses(s: Stream | undefined): string[] {
  return FakeController.of(s, 'status').flatMap((r) =>
    r.pipelines.map((p) => `${p.name}@${p.version}:${p.status.replace('APPLY_STATUS_', '')}`),
  );
}

describe('foundry-agent managed mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-managed-'));
  const storage = join(dir, 'data');
  for (const [f, text] of Object.entries({ 'a.txt': 'one', 'a2.txt': 'two', 'b.txt': 'bee', 'w.txt': 'w' }))
    writeFileSync(join(dir, f), text);
  const file = (f: string) => JSON.stringify(join(dir, f));
  const files = (a: string) =>
    `local.file "a" {\n\tfilename = ${file(a)}\n}\n\nlocal.file "b" {\n\tfilename = ${file('b.txt')}\n}\n`;
  const p1v1 = pipeline('11111111-1111-4111-8111-111111111111', 'files', 1, files('a.txt'));
  const p1v2 = pipeline(p1v1.pipelineId, 'files', 2, files('a2.txt'));
  const p1v3 = pipeline(p1v1.pipelineId, 'files', 3, 'local.file "a" {\n\tfilename = \n}\n');
  const p2 = pipeline(
    '22222222-2222-4222-8222-222222222222',
    'self',
    1,
    `prometheus.exporter.self "agent" { }\n\nlocal.file "watched" {\n\tfilename       = ${file('w.txt')}\n\tdetector       = "poll"\n\tpoll_frequency = "50ms"\n}\n`,
  );

  const controller = new FakeController('secret');
  controllers.push(controller);
  let agent: Agent;
  let agentId = '';

  test('hello: identity, attributes, supported components, token', async () => {
    const port = await controller.start();
    agent = await startAgent([
      '--storage.path',
      storage,
      '--controller',
      `grpc://127.0.0.1:${port}`,
      '--token',
      'secret',
      '--attribute',
      'env=test',
      '--attribute',
      'team=a=b',
      '--agent.name',
      'test-agent',
    ]);
    const hello = await eventually('a hello', () => FakeController.of(controller.last, 'hello')[0]);
    assert.equal(controller.last!.authorization, 'Bearer secret');
    agentId = hello.agentId;
    assert.match(agentId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(readFileSync(join(storage, 'agent-id'), 'utf8').trim(), agentId);
    assert.equal(hello.name, 'test-agent');
    assert.deepEqual(hello.localAttributes, { env: 'test', team: 'a=b' });
    assert.deepEqual(Object.keys(hello.systemAttributes).sort(), [
      'agent.arch',
      'agent.hostname',
      'agent.os',
      'agent.runtime',
      'agent.version',
    ]);
    assert.equal(hello.systemAttributes['agent.runtime'], process.version);
    assert.equal(hello.build?.version, 'v0.1.0');
    for (const c of ['local.file', 'prometheus.exporter.self', 'prometheus.scrape', 'loki.write'])
      assert.ok(hello.supportedComponents.includes(c), `supports ${c}`);
    // Catalogue-only (no implementation) and below the default stability level.
    assert.ok(!hello.supportedComponents.includes('discovery.kubernetes'));
    assert.ok(!hello.supportedComponents.includes('otelcol.exporter.debug'));
    assert.deepEqual(hello.running, []);
    // The agent runs with an empty local config.
    assert.deepEqual(await getJSON(`${agent.base}/api/v0/web/components`), []);
    await eventually('connected', async () => (await getJSON(`${agent.base}/api/v0/remote`)).connected);
    assert.equal(await metric(agent.base, 'foundry_controller_connected'), 1);
    assert.equal(await metric(agent.base, 'foundry_controller_connects_total'), 1);
  });

  test('a desired pipeline runs as a module and is reported APPLYING then APPLIED', async () => {
    const s = controller.last!;
    s.send(desired(p1v1));
    await eventually('APPLIED v1', () => statuses(s).includes('files@1:APPLIED'));
    assert.deepEqual(statuses(s), ['files@1:APPLYING', 'files@1:APPLIED']);
    const mod = await getJSON(`${agent.base}/api/v0/web/modules/files/components`);
    assert.deepEqual(mod.map((c: any) => c.localID).sort(), ['local.file.a', 'local.file.b']);
    const a = await getJSON(`${agent.base}/api/v0/web/components/files/local.file.a`);
    assert.deepEqual(a.exports, [{ name: 'content', type: 'attr', value: { type: 'string', value: 'one' } }]);
    const state = JSON.parse(readFileSync(join(storage, 'remote', `${p1v1.pipelineId}.json`), 'utf8'));
    assert.equal(state.version, 1);
    assert.equal(state.hash, p1v1.hash);
    assert.equal(readFileSync(join(storage, 'remote', `${p1v1.pipelineId}.alloy`), 'utf8'), p1v1.content);
    const remote = await getJSON(`${agent.base}/api/v0/remote`);
    assert.equal(remote.controller, `grpc://127.0.0.1:${controller.port}`);
    assert.deepEqual(remote.pipelines, [
      { pipelineId: p1v1.pipelineId, name: 'files', version: 1, hash: p1v1.hash, status: 'applied' },
    ]);
    assert.equal(await metric(agent.base, 'foundry_remote_pipelines'), 1);
  });

  test('v2 hot-reloads in the same process; unchanged components keep running', async () => {
    const s = controller.last!;
    const bRead =
      'local_file_timestamp_last_accessed_unix_seconds{component_path="/files",component_id="local.file.b"}';
    const before = await metric(agent.base, bRead);
    assert.ok(before !== undefined);
    s.send(desired(p1v2));
    await eventually('APPLIED v2', () => statuses(s).includes('files@2:APPLIED'));
    const a = await getJSON(`${agent.base}/api/v0/web/components/files/local.file.a`);
    assert.equal(a.exports[0].value.value, 'two');
    assert.equal(agent.child.exitCode, null);
    assert.equal(controller.streams.length, 1, 'same stream, same process');
    assert.equal(await metric(agent.base, bRead), before, 'local.file.b was not rebuilt');
    assert.equal(await metric(agent.base, 'foundry_remote_config_applies_total{result="success"}'), 2);
  });

  test('a bad v3 is reported FAILED with line and column; v2 keeps running', async () => {
    const s = controller.last!;
    s.send(desired(p1v3));
    const failed = await eventually('FAILED v3', () =>
      FakeController.of(s, 'status')
        .flatMap((r) => r.pipelines)
        .find((p) => p.version === 3 && p.status === 'APPLY_STATUS_FAILED'),
    );
    assert.match(failed.error, /files\.alloy:3:1: expected expression/);
    assert.deepEqual(failed.diagnostics[0], {
      severity: 'error',
      message: 'expected expression, got }',
      line: 3,
      column: 1,
    });
    const a = await getJSON(`${agent.base}/api/v0/web/components/files/local.file.a`);
    assert.equal(a.exports[0].value.value, 'two');
    const state = JSON.parse(readFileSync(join(storage, 'remote', `${p1v1.pipelineId}.json`), 'utf8'));
    assert.equal(state.version, 2, 'the last-good copy stays v2');
    const remote = await getJSON(`${agent.base}/api/v0/remote`);
    assert.equal(remote.pipelines[0].version, 2);
    assert.equal(remote.pipelines[0].status, 'failed');
    assert.equal(remote.pipelines[0].failedVersion, 3);
    assert.equal(await metric(agent.base, 'foundry_remote_config_applies_total{result="failure"}'), 1);
  });

  test('a pipeline absent from the desired set is removed; a new one starts', async () => {
    const s = controller.last!;
    const n = statuses(s).length;
    s.send(desired(p2));
    await eventually('REMOVED and APPLIED', () => statuses(s).length >= n + 3);
    assert.deepEqual(statuses(s).slice(n), ['self@1:APPLYING', 'files@2:REMOVED', 'self@1:APPLIED']);
    assert.equal((await fetch(`${agent.base}/api/v0/web/modules/files/components`)).status, 404);
    assert.deepEqual(readdirSync(join(storage, 'remote')).sort(), [
      `${p2.pipelineId}.alloy`,
      `${p2.pipelineId}.json`,
    ]);
    const mod = await getJSON(`${agent.base}/api/v0/web/modules/self/components`);
    assert.deepEqual(mod.map((c: any) => c.localID).sort(), [
      'local.file.watched',
      'prometheus.exporter.self.agent',
    ]);
  });

  test('health, metrics and heartbeats are reported', async () => {
    const s = controller.last!;
    const healthOf = () =>
      FakeController.of(s, 'health')
        .at(-1)
        ?.components.find((c) => c.pipeline === 'self' && c.componentId === 'local.file.watched');
    await eventually('healthy watched', () => healthOf()?.health === 'healthy');
    rmSync(join(dir, 'w.txt'));
    const bad = await eventually('unhealthy watched', () => healthOf()?.health === 'unhealthy' && healthOf());
    assert.match(bad.message, /ENOENT|no such file/);
    assert.ok(bad.updatedUnixMs > Date.now() - 60_000);
    const metrics = await eventually('a metrics report', () => FakeController.of(s, 'metrics').at(-1));
    const names = metrics.samples.map((m) => m.name);
    assert.ok(names.includes('process_cpu_seconds_total'));
    const rss = metrics.samples.find((m) => m.name === 'process_resident_memory_bytes')!;
    assert.deepEqual(rss.labels, {});
    assert.ok(rss.value > 1e6);
    assert.ok(metrics.timestampUnixMs > Date.now() - 60_000);
    await eventually('a heartbeat', () => FakeController.of(s, 'heartbeat').length > 0);
    writeFileSync(join(dir, 'w.txt'), 'w');
  });

  test('the agent keeps running without the controller and reconnects to a new one', async () => {
    const successes = await metric(agent.base, 'foundry_remote_config_applies_total{result="success"}');
    const port = controller.port;
    controller.stop();
    await eventually('disconnected', async () => !(await getJSON(`${agent.base}/api/v0/remote`)).connected);
    assert.equal(await metric(agent.base, 'foundry_controller_connected'), 0);
    assert.equal((await getJSON(`${agent.base}/api/v0/web/modules/self/components`)).length, 2);

    const next = new FakeController('secret');
    controllers.push(next);
    await next.start(port);
    const hello = await eventually('a new hello', () => FakeController.of(next.last, 'hello')[0]);
    assert.equal(hello.agentId, agentId);
    assert.deepEqual(hello.running, [{ pipelineId: p2.pipelineId, name: 'self', version: 1, hash: p2.hash }]);
    next.last!.send(desired(p2));
    await eventually('a full status report', () => statuses(next.last).includes('self@1:APPLIED'));
    assert.deepEqual(statuses(next.last), ['self@1:APPLIED']);
    assert.equal(
      await metric(agent.base, 'foundry_remote_config_applies_total{result="success"}'),
      successes,
    );
    assert.equal(await metric(agent.base, 'foundry_controller_connects_total'), 2);

    // Clean shutdown ends the stream.
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
    await eventually('the stream half-closed', () => next.last!.ended);
    next.stop();
  });

  test('after a restart with the controller down, the last-good pipelines run again', async () => {
    const port = controller.port;
    const again = await startAgent([
      '--storage.path',
      storage,
      '--controller',
      `grpc://127.0.0.1:${port}`,
      '--token',
      'secret',
    ]);
    const mod = await getJSON(`${again.base}/api/v0/web/modules/self/components`);
    assert.deepEqual(mod.map((c: any) => c.localID).sort(), [
      'local.file.watched',
      'prometheus.exporter.self.agent',
    ]);
    const remote = await getJSON(`${again.base}/api/v0/remote`);
    assert.equal(remote.connected, false);
    assert.equal(remote.agentId, agentId);
    assert.deepEqual(
      remote.pipelines.map((p: any) => [p.name, p.version, p.status]),
      [['self', 1, 'applied']],
    );
    assert.equal(await metric(again.base, 'foundry_remote_pipelines'), 1);
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0);
  });
});

/** A CA plus a server (localhost, 127.0.0.1) and a client certificate signed by it, made with openssl. */
function makeCertificates(
  dir: string,
): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test-ca', '-days', '1']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    run(['req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`]);
    run(
      ['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
        '-out',
        `${who}.crt`,
        '-days',
        '1',
        '-extfile',
        `${who}.ext`,
      ]),
    );
  }
  const f = (n: string) => join(dir, n);
  return {
    ca: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
  };
}

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

describe('foundry-agent managed mode over mutual TLS', () => {
  test(
    'connects with grpcs://, a custom CA and a client certificate',
    { skip: !HAS_OPENSSL && 'no openssl' },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'foundry-managed-tls-'));
      const certs = makeCertificates(dir);
      const controller = new FakeController('secret');
      controller.tls = {
        cert: readFileSync(certs.serverCert),
        key: readFileSync(certs.serverKey),
        clientCa: readFileSync(certs.ca),
      };
      controllers.push(controller);
      const port = await controller.start();
      const agent = await startAgent([
        '--storage.path',
        join(dir, 'data'),
        '--controller',
        `grpcs://localhost:${port}`,
        '--token',
        'secret',
        '--controller.tls-ca',
        certs.ca,
        '--controller.tls-cert',
        certs.clientCert,
        '--controller.tls-key',
        certs.clientKey,
      ]);
      await eventually('a hello over TLS', () => FakeController.of(controller.last, 'hello')[0]);
      await eventually('connected', async () => (await getJSON(`${agent.base}/api/v0/remote`)).connected);
      agent.child.kill('SIGTERM');
      assert.equal(await agent.exited, 0);

      // Without the client certificate the handshake fails: no stream reaches the controller.
      const n = controller.streams.length;
      const anon = await startAgent([
        '--storage.path',
        join(dir, 'data'),
        '--controller',
        `grpcs://localhost:${port}`,
        '--controller.tls-ca',
        certs.ca,
      ]);
      await eventually('a failed attempt', () => anon.stderr().includes('cannot reach the fleet controller'));
      assert.equal(controller.streams.length, n);
      anon.child.kill('SIGTERM');
      assert.equal(await anon.exited, 0);
    },
  );
});

describe('foundry-agent managed mode with a wrong token', () => {
  test('is refused with UNAUTHENTICATED and keeps retrying without crashing', async () => {
    const controller = new FakeController('secret');
    controllers.push(controller);
    const port = await controller.start();
    const storage = mkdtempSync(join(tmpdir(), 'foundry-managed-token-'));
    // The token comes from the environment here.
    const agent = await startAgent(['--storage.path', storage, '--controller', `http://127.0.0.1:${port}`], {
      FOUNDRY_AGENT_TOKEN: 'wrong',
    });
    await eventually('three attempts', () => controller.streams.length >= 3);
    assert.ok(controller.streams.every((s) => s.authorization === 'Bearer wrong'));
    assert.equal(agent.child.exitCode, null);
    assert.equal((await fetch(`${agent.base}/-/ready`)).status, 200);
    const refusals = agent
      .stderr()
      .split('\n')
      .filter((l) => l.includes('refused the agent'));
    assert.equal(refusals.length, 1, 'logged once');
    assert.match(refusals[0]!, /level=error/);
    assert.match(refusals[0]!, /UNAUTHENTICATED/);
    assert.match(refusals[0]!, /invalid agent token/);
    assert.equal((await getJSON(`${agent.base}/api/v0/remote`)).connected, false);
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
  });

  test('run without a config file needs --controller', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      BUILT
        ? [BIN, 'run', '--server.http.listen-addr', `127.0.0.1:${port}`]
        : ['--conditions=foundry-source', '--import', 'tsx', SRC_MAIN, 'run'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((res) => child.on('exit', res));
    assert.equal(code, 1);
    assert.match(stderr, /run expects exactly one argument/);
  });
});
