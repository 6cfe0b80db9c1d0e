/**
 * The alloy-runtime txtar corpus (import.file, import.file folders, import.string, import errors), run on
 * the engine with fakes of Alloy's test components; expectations as the corpus README summarises Alloy's
 * harness: `testcomponents.summation.sum.last_added` reaches ≥ 10; after an `update/<file>` replacement
 * or a `reload_config.alloy` reload it reaches ≤ −10; `import_error` loads fail with the `error` text.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { Engine } from '../../src/runtime/engine.js';
import { LogSink } from '../../src/runtime/logger.js';
import { CORPUS, parseTxtar, walk } from '../support/corpus.js';
import { eventually } from './helpers.js';
import { testRegistry } from './testcomponents.js';

const DIR = join(CORPUS, 'alloy-runtime');

/** Folders whose scenarios need features outside this engine (git/http servers, foreach). */
const FOLDERS = ['import_file', 'import_file_folder', 'import_string', 'import_error'];

function lastAdded(engine: Engine): number | undefined {
  const ex = engine.component('testcomponents.summation.sum')?.node.cell.exports;
  const v = ex instanceof Map ? ex.get('last_added') : undefined;
  return v === undefined || v === null ? undefined : Number(v.toString());
}

for (const folder of FOLDERS) {
  describe(`alloy-runtime/${folder}`, () => {
    for (const path of walk(join(DIR, folder), '.txtar')) {
      const name = path.slice(DIR.length + 1);
      test(name, { timeout: 30_000 }, async () => {
        const { files } = parseTxtar(readFileSync(path, 'utf8'));
        const dir = mkdtempSync(join(tmpdir(), 'foundry-rt-'));
        const write = (rel: string, text: string) => {
          mkdirSync(dirname(join(dir, rel)), { recursive: true });
          writeFileSync(join(dir, rel), text);
        };
        // Alloy's folder harness keeps the modules in a `tmpTest` directory beside main.alloy.
        const place = (name: string) =>
          folder === 'import_file_folder' && name !== 'main.alloy' ? `tmpTest/${name}` : name;
        // `update/<file>` and `<dir>/update_<file>` replace `<file>` in the update step.
        const updateOf = (name: string) =>
          name.startsWith('update/')
            ? name.slice('update/'.length)
            : /(^|\/)update_/.test(name)
              ? name.replace(/(^|\/)update_/, '$1')
              : undefined;
        for (const f of files)
          if (!updateOf(f.name) && f.name !== 'error' && f.name !== 'reload_config.alloy')
            write(place(f.name), f.text);
        const main = files.find((f) => f.name === 'main.alloy')!;
        const engine = new Engine({
          registry: testRegistry(),
          minStability: folder === 'import_error' ? 'public-preview' : 'experimental',
          logSink: new LogSink({ write: () => undefined }),
          modulePath: dir,
          storagePath: join(dir, 'data'),
          shutdownDeadlineMs: 5000,
        });
        const res = engine.load([{ filename: join(dir, 'main.alloy'), text: main.text }]);
        const error = files.find((f) => f.name === 'error');
        if (error) {
          const messages = res.diagnostics.map((d) => d.message).join('\n');
          assert.ok(
            messages.includes(error.text.trim()),
            `expected an error containing ${JSON.stringify(error.text.trim())}, got ${messages || 'no error'}`,
          );
          return;
        }
        assert.deepEqual(
          res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
          [],
        );
        const abort = new AbortController();
        const running = engine.run(abort.signal);
        try {
          await eventually(() => (lastAdded(engine) ?? 0) >= 10, 10_000, 'last_added >= 10');
          const updates = files.filter((f) => updateOf(f.name));
          const reload = files.find((f) => f.name === 'reload_config.alloy');
          if (!updates.length && !reload) return;
          for (const u of updates) write(place(updateOf(u.name)!), u.text);
          if (reload) {
            const r = engine.load([{ filename: join(dir, 'main.alloy'), text: reload.text }]);
            assert.deepEqual(
              r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
              [],
            );
          }
          await eventually(
            () => (lastAdded(engine) ?? 0) <= -10,
            10_000,
            'last_added <= -10 after the update',
          );
        } finally {
          abort.abort();
          await running;
        }
      });
    }
  });
}
