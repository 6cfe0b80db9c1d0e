import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { printDiagnostics } from '../../src/syntax/diag-printer.js';
import { SourceFile } from '../../src/syntax/source.js';
import { validateSources } from '../../src/runtime/validate.js';
import { createDefaultRegistry } from '../../src/registry.js';
import { CORPUS, parseTxtar, walk } from '../support/corpus.js';

const dir = join(CORPUS, 'alloy-syntax/validator');

describe('validator corpus (alloy-syntax/validator)', () => {
  for (const path of walk(dir, '.txtar')) {
    const name = `${basename(dirname(path))}/${basename(path, '.txtar')}`;
    test(name, () => {
      const archive = parseTxtar(readFileSync(path, 'utf8'));
      const sources = archive.files.map((f) => ({ filename: f.name, text: f.text }));
      const expected = readFileSync(path.replace(/\.txtar$/, '.diags'), 'utf8').replace(/\r\n/g, '\n');
      const diags = validateSources(sources, {
        registry: createDefaultRegistry(),
        minStability: name.startsWith('ga/') ? 'generally-available' : 'experimental',
      });
      const files = new Map(sources.map((s) => [s.filename, new SourceFile(s.filename, s.text)]));
      const got = diags.length ? printDiagnostics(diags, files) : '';
      assert.equal(got.trimEnd(), expected.trimEnd());
    });
  }
});
