import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Engine } from '../../src/runtime/engine.js';
import { eventually, settle, startEngine, type Running } from './helpers.js';
import { resetEvents } from './testcomponents.js';

function exportOf(engine: Engine, id: string, field: string): unknown {
  const ex = engine.component(id)?.node.cell.exports;
  return ex instanceof Map ? ex.get(field) : undefined;
}

const declareModule = `
declare "suffixer" {
  argument "input" {
    comment = "text to extend"
  }

  argument "suffix" {
    optional = true
    default  = "-mod"
  }

  testcomponents.passthrough "inner" {
    input = argument.input.value + argument.suffix.value
  }

  export "output" {
    value = testcomponents.passthrough.inner.output
  }
}
`;

describe('modules', () => {
  let r: Running;
  beforeEach(() => resetEvents());
  afterEach(async () => r?.stop());

  test('declare with argument and export; instance exports flow to dependants', async () => {
    r = startEngine(`${declareModule}
suffixer "one" {
  input = "a"
}

testcomponents.passthrough "after" {
  input = suffixer.one.output
}
`);
    await eventually(
      () => exportOf(r.engine, 'testcomponents.passthrough.after', 'output') === 'a-mod',
      2000,
      'module export',
    );
    // The inner component lives in the instance's module, named by the instance's global ID.
    const inner = r.engine.component('suffixer.one/testcomponents.passthrough.inner');
    assert.ok(inner, 'inner component addressable as module/localID');
    assert.equal(inner.moduleID, 'suffixer.one');
    // Changing an argument updates the inner component in place.
    const res = r.load(`${declareModule}
suffixer "one" {
  input  = "b"
  suffix = "!"
}

testcomponents.passthrough "after" {
  input = suffixer.one.output
}
`);
    assert.equal(res.committed, true, res.diagnostics.map((d) => d.message).join('; '));
    await eventually(
      () => exportOf(r.engine, 'testcomponents.passthrough.after', 'output') === 'b!',
      2000,
      'updated export',
    );
  });

  test('missing and undefined module arguments are reported', async () => {
    r = startEngine('testcomponents.passthrough "x" {\n  input = "1"\n}\n');
    const missing = r.load(`${declareModule}\nsuffixer "one" {}\n`);
    assert.ok(
      missing.diagnostics.some((d) => /missing required argument "input" to module/.test(d.message)),
      missing.diagnostics.map((d) => d.message).join('; '),
    );
    const extra = r.load(`${declareModule}\nsuffixer "two" {\n  input = "a"\n  nope = 1\n}\n`);
    assert.ok(
      extra.diagnostics.some((d) => /Provided argument "nope" is not defined in the module/.test(d.message)),
      extra.diagnostics.map((d) => d.message).join('; '),
    );
  });

  test('import.string exposes declares under its namespace', async () => {
    r = startEngine(`
import.string "lib" {
  content = ${JSON.stringify(declareModule)}
}

lib.suffixer "x" {
  input = "s"
}
`);
    await eventually(() => exportOf(r.engine, 'lib.suffixer.x', 'output') === 's-mod', 2000, 'import.string');
  });

  test('import.file reloads dependants when the file changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-import-'));
    const file = join(dir, 'lib.alloy');
    writeFileSync(file, declareModule);
    r = startEngine(`
import.file "lib" {
  filename = ${JSON.stringify(file)}
}

lib.suffixer "x" {
  input = "f"
}
`);
    await eventually(() => exportOf(r.engine, 'lib.suffixer.x', 'output') === 'f-mod', 2000, 'import.file');
    await settle();
    writeFileSync(file, declareModule.replace('"-mod"', '"-v2"'));
    await eventually(
      () => exportOf(r.engine, 'lib.suffixer.x', 'output') === 'f-v2',
      5000,
      'import.file change',
    );
  });

  test('isolated modules run beside the root config without ID collisions', async () => {
    r = startEngine('testcomponents.passthrough "a" {\n  input = "root"\n}\n');
    const res = r.engine.loadModule('pipeline-a', [
      { filename: 'pipeline-a.alloy', text: 'testcomponents.passthrough "a" {\n  input = "pipeline"\n}\n' },
    ]);
    assert.equal(res.committed, true, res.diagnostics.map((d) => d.message).join('; '));
    assert.equal(exportOf(r.engine, 'testcomponents.passthrough.a', 'output'), 'root');
    assert.equal(exportOf(r.engine, 'pipeline-a/testcomponents.passthrough.a', 'output'), 'pipeline');
    assert.deepEqual(
      r.engine.components('pipeline-a').map((c) => c.localID),
      ['testcomponents.passthrough.a'],
    );
    // A rejected module reload keeps the module running.
    const bad = r.engine.loadModule('pipeline-a', [{ filename: 'pipeline-a.alloy', text: 'nope "x" {}\n' }]);
    assert.equal(bad.committed, false);
    assert.equal(exportOf(r.engine, 'pipeline-a/testcomponents.passthrough.a', 'output'), 'pipeline');
    // Logging blocks belong to the root only.
    const log = r.engine.loadModule('pipeline-b', [
      { filename: 'b.alloy', text: 'logging {\n  level = "debug"\n}\n' },
    ]);
    assert.ok(log.diagnostics.some((d) => /logging block not allowed inside a module/.test(d.message)));
    await r.engine.removeModule('pipeline-a');
    assert.equal(r.engine.component('pipeline-a/testcomponents.passthrough.a'), undefined);
  });

  test('the logging block is applied live', async () => {
    r = startEngine('logging {\n  level  = "warn"\n  format = "json"\n}\n');
    assert.equal(r.engine.logSink.level, 'warn');
    assert.equal(r.engine.logSink.format, 'json');
    r.load('logging {\n  level = "debug"\n}\n');
    assert.equal(r.engine.logSink.level, 'debug');
    assert.equal(r.engine.logSink.format, 'logfmt');
    r.load('testcomponents.passthrough "a" {\n  input = "x"\n}\n');
    assert.equal(r.engine.logSink.level, 'info', 'defaults return when the block is removed');
    const bad = r.load('logging {\n  level = "loud"\n}\n');
    assert.ok(bad.diagnostics.some((d) => d.message === 'unrecognized log level "loud"'));
  });
});
