/** Managed mode's parts in-process: backoff, controller URL, attributes, reports, last-good store, apply. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createDefaultRegistry, Engine, LogSink, validateSources } from '@foundry/engine';
import { Registry } from 'prom-client';
import { Backoff } from '../src/managed/backoff.js';
import { channelCredentials, parseControllerUrl } from '../src/managed/controller-address.js';
import { parseAttributes, supportedComponents } from '../src/managed/identity.js';
import { LastGoodStore } from '../src/managed/last-good-store.js';
import { ManagedMetrics } from '../src/managed/managed-metrics.js';
import { RemotePipelines } from '../src/managed/remote-pipelines.js';
import { healthKey, healthSnapshot, selectMetrics } from '../src/managed/reports.js';
import { pipeline } from './fake-controller.js';
import { eventually } from './support.js';

describe('Backoff', () => {
  test('full jitter under an exponential ceiling capped at the maximum; reset; slow retries', () => {
    let r = 0.999;
    const b = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => r });
    assert.deepEqual(
      Array.from({ length: 8 }, () => b.next()),
      [499, 999, 1998, 3996, 7992, 15984, 29970, 29970],
    );
    b.reset();
    assert.equal(b.next(), 499);
    r = 0;
    assert.equal(b.next(), 0);
    assert.equal(b.slow(), 15_000);
    r = 0.999;
    assert.equal(b.slow(), 29_985);
  });
});

describe('controller URL', () => {
  test('schemes, default ports, IPv6', () => {
    assert.deepEqual(parseControllerUrl('grpc://ctl:9000'), { target: 'ctl:9000', tls: false });
    assert.deepEqual(parseControllerUrl('http://ctl:9000/'), { target: 'ctl:9000', tls: false });
    assert.deepEqual(parseControllerUrl('grpcs://ctl'), { target: 'ctl:443', tls: true });
    assert.deepEqual(parseControllerUrl('https://ctl:8421'), { target: 'ctl:8421', tls: true });
    assert.deepEqual(parseControllerUrl('grpc://ctl'), { target: 'ctl:8421', tls: false });
    assert.deepEqual(parseControllerUrl('grpc://[::1]:8421'), { target: '[::1]:8421', tls: false });
  });

  test('rejects other schemes, paths and bad TLS settings', () => {
    assert.throws(() => parseControllerUrl('ctl:8421'), /scheme must be/);
    assert.throws(() => parseControllerUrl('ftp://ctl'), /scheme must be/);
    assert.throws(() => parseControllerUrl('grpc://ctl:1/x'), /only scheme, host and port/);
    assert.throws(() => parseControllerUrl('not a url'), /invalid --controller/);
    const plain = parseControllerUrl('grpc://ctl:1');
    const tls = parseControllerUrl('grpcs://ctl:1');
    assert.throws(() => channelCredentials(plain, { ca: '/x' }), /need a grpcs:\/\//);
    assert.throws(() => channelCredentials(tls, { cert: '/x' }), /must be given together/);
    assert.throws(() => channelCredentials(tls, { ca: '/does/not/exist' }), /reading --controller.tls-ca/);
    assert.ok(channelCredentials(tls, {}));
  });
});

describe('identity', () => {
  test('attributes', () => {
    assert.deepEqual(parseAttributes(['a=1', 'b=x=y', 'a=2', 'c=']), { a: '2', b: 'x=y', c: '' });
    assert.throws(() => parseAttributes(['nope']), /expected key=value/);
    assert.throws(() => parseAttributes(['=v']), /expected key=value/);
    assert.throws(() => parseAttributes(['agent.os=x']), /reserved/);
  });

  test('supported components are the buildable ones the stability level allows', () => {
    const reg = createDefaultRegistry();
    const ga = supportedComponents(reg, 'generally-available', false);
    assert.ok(ga.includes('local.file') && ga.includes('prometheus.remote_write'));
    assert.ok(!ga.includes('discovery.kubernetes'), 'catalogue-only');
    assert.ok(ga.includes('otelcol.receiver.otlp'));
    assert.ok(!ga.includes('otelcol.exporter.debug'), 'experimental');
    for (const n of ga) assert.ok(reg.get(n)?.build, n);
    assert.deepEqual(ga, [...ga].sort());
  });
});

describe('metrics snapshot', () => {
  test('selects names and sums per component (global ID); process metrics have no labels', () => {
    const text = [
      '# HELP process_cpu_seconds_total x',
      '# TYPE process_cpu_seconds_total counter',
      'process_cpu_seconds_total 1.5',
      'process_resident_memory_bytes 1000 1700000000000',
      'loki_source_file_read_lines_total{component_path="/",component_id="loki.source.file.a",path="/x"} 3',
      'loki_source_file_read_lines_total{component_path="/",component_id="loki.source.file.a",path="/y\\"z"} 4',
      'loki_source_file_read_lines_total{component_path="/logs",component_id="loki.source.file.a",path="/x"} 10',
      'loki_write_sent_entries_total{component_path="/logs",component_id="loki.write.d",host="h"} NaN',
      'loki_write_dropped_entries_total{component_path="/logs",component_id="loki.write.d",reason="x"} +Inf',
      'local_file_timestamp_last_accessed_unix_seconds{component_path="/",component_id="local.file.a"} 5',
      'process_cpu_seconds_totalx 9',
      '',
    ].join('\n');
    assert.deepEqual(selectMetrics(text), [
      {
        name: 'loki_source_file_read_lines_total',
        labels: { component_id: 'logs/loki.source.file.a' },
        value: 10,
      },
      { name: 'loki_source_file_read_lines_total', labels: { component_id: 'loki.source.file.a' }, value: 7 },
      {
        name: 'loki_write_dropped_entries_total',
        labels: { component_id: 'logs/loki.write.d' },
        value: Infinity,
      },
      { name: 'process_cpu_seconds_total', labels: {}, value: 1.5 },
      { name: 'process_resident_memory_bytes', labels: {}, value: 1000 },
    ]);
  });
});

describe('LastGoodStore', () => {
  test('saves atomically, loads valid copies, skips damaged ones, deletes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'foundry-lastgood-')), 'remote');
    const store = new LastGoodStore(dir);
    assert.deepEqual(await store.load(), []);
    await store.save({ pipelineId: 'id/1', name: 'b', version: 2, hash: 'h1' }, 'x "y" {}\n');
    await store.save({ pipelineId: 'id2', name: 'a', version: 1, hash: 'h2' }, 'z "w" {}\n');
    writeFileSync(join(dir, 'id2.json.tmp-1-abc'), 'partial');
    const loaded = await store.load();
    assert.deepEqual(
      loaded.map((c) => [c.state.name, c.state.pipelineId, c.state.version, c.state.hash, c.content]),
      [
        ['a', 'id2', 1, 'h2', 'z "w" {}\n'],
        ['b', 'id/1', 2, 'h1', 'x "y" {}\n'],
      ],
    );
    assert.ok(!readdirSync(dir).some((n) => n.includes('.tmp-')), 'temporary files are cleaned up');
    writeFileSync(join(dir, 'id2.alloy'), 'tampered');
    const invalid: string[] = [];
    assert.deepEqual(
      (await store.load((f) => invalid.push(f))).map((c) => c.state.name),
      ['b'],
    );
    assert.equal(invalid.length, 1);
    await store.delete('id/1');
    await store.delete('id2');
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('RemotePipelines with a real engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-remote-'));
  writeFileSync(join(dir, 'a.txt'), 'one');
  writeFileSync(join(dir, 'b.txt'), 'two');
  const registry = createDefaultRegistry();
  const logs: string[] = [];
  const engine = new Engine({
    registry,
    storagePath: join(dir, 'data'),
    logSink: new LogSink({ write: (l) => logs.push(l) }),
  });
  engine.load([]);
  const abort = new AbortController();
  const running = engine.run(abort.signal);
  after(async () => {
    abort.abort();
    await running;
  });
  const promRegistry = new Registry();
  const store = new LastGoodStore(join(dir, 'data', 'remote'));
  const validate = (sources: Parameters<typeof validateSources>[0]) => validateSources(sources, { registry });
  const remote = new RemotePipelines(
    engine,
    store,
    validate,
    engine.logger,
    new ManagedMetrics(promRegistry),
  );
  const file = (f: string) => `local.file "a" {\n\tfilename = ${JSON.stringify(join(dir, f))}\n}\n`;
  const content = () => {
    const c = engine.component('p/local.file.a')?.node.cell.exports as Map<string, unknown> | undefined;
    return c?.get('content');
  };
  const v1 = pipeline('id-1', 'p', 1, file('a.txt'));
  const set = (...pipelines: ReturnType<typeof pipeline>[]) => ({ pipelines, revision: '' });
  const short = (ss: { name: string; version: number; status: string }[]) =>
    ss.map((s) => `${s.name}@${s.version}:${s.status.replace('APPLY_STATUS_', '')}`);

  test('applies, reports APPLYING first, saves the last-good copy', async () => {
    const applying: string[] = [];
    const res = await remote.apply(set(v1), true, (s) => applying.push(...short(s)));
    assert.deepEqual(applying, ['p@1:APPLYING']);
    assert.deepEqual(short(res), ['p@1:APPLIED']);
    await eventually('content', () => content() === 'one');
    assert.deepEqual(
      (await store.load()).map((c) => c.state.version),
      [1],
    );
    // The same hash again: nothing to do, nothing to report (unless a full report is asked for).
    let called = false;
    assert.deepEqual(await remote.apply(set(v1), false, () => (called = true)), []);
    assert.equal(called, false);
    assert.deepEqual(short(await remote.apply(set(v1), true)), ['p@1:APPLIED']);
  });

  test('a statically invalid version fails with positions and leaves the module untouched', async () => {
    const bad = pipeline('id-1', 'p', 2, file('b.txt').replace('}', '\tnope = 1\n}'));
    const [st] = await remote.apply(set(bad), false);
    assert.equal(st!.status, 'APPLY_STATUS_FAILED');
    assert.match(st!.error, /^p\.alloy:3:2: unrecognized attribute name "nope"/);
    assert.deepEqual(st!.diagnostics, [
      { severity: 'error', message: 'unrecognized attribute name "nope"', line: 3, column: 2 },
    ]);
    assert.equal(content(), 'one');
    // The same failing hash is not retried on the next push; a full report repeats the failure.
    assert.deepEqual(await remote.apply(set(bad), false), []);
    assert.deepEqual(short(await remote.apply(set(bad), true)), ['p@2:FAILED']);
    assert.deepEqual(
      remote.view().map((v) => [v.version, v.status, v.failedVersion]),
      [[1, 'failed', 2]],
    );
  });

  test('a version whose component cannot be built is rolled back to the previous one', async () => {
    const bad = pipeline('id-1', 'p', 3, file('missing.txt'));
    const [st] = await remote.apply(set(bad), false);
    assert.equal(st!.status, 'APPLY_STATUS_FAILED');
    assert.match(st!.error, /missing\.txt/);
    assert.equal(st!.diagnostics[0]!.line, 1);
    await eventually('v1 content back', () => content() === 'one');
    assert.equal(engine.component('p/local.file.a')!.health.state, 'healthy');
    assert.equal((await store.load())[0]!.state.version, 1);
    // A good version afterwards applies.
    const v4 = pipeline('id-1', 'p', 4, file('b.txt'));
    assert.deepEqual(short(await remote.apply(set(v4), false)), ['p@4:APPLIED']);
    await eventually('v4 content', () => content() === 'two');
    assert.deepEqual(
      remote.view().map((v) => [v.version, v.status]),
      [[4, 'applied']],
    );
  });

  test('a new pipeline that cannot be built is not left running', async () => {
    const other = pipeline('id-2', 'q', 1, file('missing.txt'));
    const v4 = pipeline('id-1', 'p', 4, file('b.txt'));
    assert.deepEqual(short(await remote.apply(set(v4, other), false)), ['q@1:FAILED']);
    assert.deepEqual(engine.moduleNames(), ['p']);
    assert.deepEqual(
      remote.runningPipelines().map((p) => p.name),
      ['p'],
    );
  });

  test('duplicates fail; a renamed pipeline moves to its new module; removal deletes the copy', async () => {
    const v4 = pipeline('id-1', 'p', 4, file('b.txt'));
    const clash = pipeline('id-3', 'p', 1, file('a.txt'));
    const res = await remote.apply(set(v4, clash), false);
    assert.deepEqual(short(res), ['p@1:FAILED']);
    assert.match(res[0]!.error, /more than once/);
    const renamed = pipeline('id-1', 'r', 5, file('b.txt'));
    assert.deepEqual(short(await remote.apply(set(renamed), false)), ['r@5:APPLIED']);
    assert.deepEqual(engine.moduleNames(), ['r']);
    assert.deepEqual(short(await remote.apply(set(), false)), ['r@5:REMOVED']);
    assert.deepEqual(engine.moduleNames(), []);
    assert.deepEqual(await store.load(), []);
    const text = await promRegistry.metrics();
    assert.match(text, /foundry_remote_pipelines 0/);
    assert.match(text, /foundry_remote_config_applies_total\{result="success"\} 3/);
  });

  test('restore loads last-good copies into a fresh engine', async () => {
    await store.save({ pipelineId: 'id-9', name: 'z', version: 7, hash: 'h' }, file('a.txt'));
    const e2 = new Engine({
      registry,
      storagePath: join(dir, 'data2'),
      logSink: new LogSink({ write: () => {} }),
    });
    e2.load([]);
    const r2 = new RemotePipelines(e2, store, validate, e2.logger);
    await r2.restore();
    assert.deepEqual(r2.runningPipelines(), [{ pipelineId: 'id-9', name: 'z', version: 7, hash: 'h' }]);
    assert.deepEqual(e2.moduleNames(), ['z']);
    const snap = healthSnapshot(e2);
    assert.deepEqual(
      snap.map((c) => [c.pipeline, c.componentId]),
      [['z', 'local.file.a']],
    );
    assert.equal(healthKey(snap), healthKey(snap.map((c) => ({ ...c, updatedUnixMs: 0 }))));
    assert.notEqual(healthKey(snap), healthKey(snap.map((c) => ({ ...c, health: 'unhealthy' }))));
    assert.ok(readFileSync(join(dir, 'data', 'remote', 'id-9.json'), 'utf8').includes('"version": 7'));
  });
});
