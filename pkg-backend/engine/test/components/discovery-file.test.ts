import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { parseFileSD } from '../../src/components/discovery/file.js';
import { toPlain } from '../../src/runtime/schema.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';

describe('discovery.file', () => {
  let r: Running;
  afterEach(async () => r?.stop());

  test('parses file_sd JSON and YAML, and rejects bad shapes with a reason', () => {
    assert.deepEqual(parseFileSD('[{"targets": ["a:1", "b:2"], "labels": {"env": "dev"}}]', '/x/t.json'), [
      { env: 'dev', __address__: 'a:1', __meta_filepath: '/x/t.json' },
      { env: 'dev', __address__: 'b:2', __meta_filepath: '/x/t.json' },
    ]);
    assert.deepEqual(parseFileSD('- targets: [c:3]\n', '/x/t.yml'), [
      { __address__: 'c:3', __meta_filepath: '/x/t.yml' },
    ]);
    assert.throws(() => parseFileSD('{"targets": []}', 'a.json'), /list of target groups/);
    assert.throws(
      () => parseFileSD('[{"targets": ["a"], "labels": {"1x": "y"}}]', 'a.json'),
      /not a valid label name/,
    );
    assert.throws(() => parseFileSD('[{"targets": ["a"], "labels": {"n": 1}}]', 'a.json'), /string value/);
  });

  test('exports targets from matching files and follows changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-filesd-'));
    writeFileSync(join(dir, 'one.json'), '[{"targets": ["10.0.0.1:9100"], "labels": {"team": "a"}}]');
    writeFileSync(join(dir, 'ignored.txt'), 'not a target file');
    r = startEngine(
      `discovery.file "sd" {\n  files            = [${JSON.stringify(join(dir, '*.json'))}]\n  refresh_interval = "50ms"\n}\n`,
    );
    const targets = () =>
      toPlain(
        (r.engine.component('discovery.file.sd')!.node.cell.exports as Map<string, any>).get('targets'),
      ) as Record<string, string>[];
    await eventually(() => targets().length === 1, 3000, 'first file');
    assert.deepEqual(
      { ...targets()[0] },
      { team: 'a', __address__: '10.0.0.1:9100', __meta_filepath: join(dir, 'one.json') },
    );
    writeFileSync(join(dir, 'two.json'), '[{"targets": ["10.0.0.2:9100"]}]');
    await eventually(() => targets().length === 2, 3000, 'second file');
    // A broken file keeps its last good targets.
    writeFileSync(join(dir, 'two.json'), '[{"targets": ');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(targets().length, 2);
  });
});
