import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { Secret } from '../../src/syntax/value.js';
import type { Engine } from '../../src/runtime/engine.js';
import { eventually, startEngine, type Running } from './helpers.js';

function content(engine: Engine, id = 'local.file.cfg'): unknown {
  const ex = engine.component(id)?.node.cell.exports;
  return ex instanceof Map ? ex.get('content') : undefined;
}

describe('local.file', () => {
  let r: Running;
  afterEach(async () => r?.stop());

  test('exports the content, follows changes and renames, and feeds dependants', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-localfile-'));
    const file = join(dir, 'value.txt');
    writeFileSync(file, 'one');
    r = startEngine(`
local.file "cfg" {
  filename = ${JSON.stringify(file)}
}

testcomponents.passthrough "use" {
  input = local.file.cfg.content
}
`);
    assert.equal(content(r.engine), 'one');
    writeFileSync(file, 'two');
    await eventually(
      () =>
        content(r.engine, 'testcomponents.passthrough.use') === undefined &&
        r.engine.component('testcomponents.passthrough.use')!.node.cell.exports instanceof Map &&
        (r.engine.component('testcomponents.passthrough.use')!.node.cell.exports as Map<string, unknown>).get(
          'output',
        ) === 'two',
      5000,
      'write seen',
    );
    writeFileSync(join(dir, 'next.txt'), 'three');
    renameSync(join(dir, 'next.txt'), file);
    await eventually(() => content(r.engine) === 'three', 5000, 'rename seen');
  });

  test('is unhealthy while the file is unreadable and keeps the last content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-localfile-'));
    const file = join(dir, 'value.txt');
    writeFileSync(file, 'kept');
    r = startEngine(
      `local.file "cfg" {\n  filename       = ${JSON.stringify(file)}\n  detector       = "poll"\n  poll_frequency = "20ms"\n}\n`,
    );
    rmSync(file);
    await eventually(
      () => r.engine.component('local.file.cfg')!.health.state === 'unhealthy',
      3000,
      'unhealthy',
    );
    assert.match(r.engine.component('local.file.cfg')!.health.message, /failed to read file/);
    assert.equal(content(r.engine), 'kept');
    writeFileSync(file, 'back');
    await eventually(
      () => content(r.engine) === 'back' && r.engine.component('local.file.cfg')!.health.state === 'healthy',
      3000,
      'recovered',
    );
  });

  test('is_secret exports a secret; a missing file fails the build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-localfile-'));
    const file = join(dir, 'token');
    writeFileSync(file, 's3cret');
    r = startEngine(`local.file "cfg" {\n  filename  = ${JSON.stringify(file)}\n  is_secret = true\n}\n`);
    const c = content(r.engine);
    assert.ok(c instanceof Secret);
    assert.equal(String(c), '(secret)');
    const res = r.load(`local.file "missing" {\n  filename = ${JSON.stringify(join(dir, 'nope'))}\n}\n`);
    assert.ok(
      res.diagnostics.some((d) =>
        /^Failed to build component: building component: failed to read file/.test(d.message),
      ),
    );
  });
});
