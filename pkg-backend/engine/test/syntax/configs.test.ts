import assert from 'node:assert/strict';
import { basename, relative } from 'node:path';
import { test } from 'node:test';
import { formatDiagnostic } from '../../src/syntax/diag.js';
import { parseFileWithDiagnostics } from '../../src/syntax/parser.js';
import { formatFile, formatSource } from '../../src/syntax/printer.js';
import { CONFIGS, listFiles, read } from './corpus-helpers.js';

// Files in the config corpus that are not Alloy syntax at all (a Dockerfile that happens to end in .alloy).
const NOT_ALLOY = new Set(['integration-tests__docker__tests__oracledb__Dockerfile.alloy']);

// Alloy's printer decides line breaks from source positions, so an empty collection written over several
// lines (`x = {\n}`) prints as `{}` but still ends the `=` alignment run; formatting the output again then
// aligns it with its neighbours. Alloy's own `fmt` behaves the same, so such files need two passes.
const MULTILINE_EMPTY = /[[{][ \t\r]*\n[\s]*[\]}]/;

test('every corpus config parses, and fmt reaches a fixpoint', () => {
  const files = listFiles(CONFIGS, '.alloy');
  assert.ok(files.length >= 400, `found ${files.length} configs`);
  let parsed = 0;
  let idempotent = 0;
  let twoPass = 0;
  let alreadyFormatted = 0;
  for (const path of files) {
    const name = relative(CONFIGS, path);
    const text = read(path);
    const { file, diagnostics } = parseFileWithDiagnostics(name, text);
    if (NOT_ALLOY.has(basename(path))) {
      assert.equal(file, undefined);
      assert.equal(formatDiagnostic(diagnostics[0]!), `${name}:1:1: illegal character U+0023 '#'`);
      continue;
    }
    assert.deepEqual(diagnostics.map(formatDiagnostic), [], name);
    parsed++;
    const once = formatFile(file!);
    if (once === text) alreadyFormatted++;
    const twice = formatSource(name, once);
    if (twice === once) {
      idempotent++;
      continue;
    }
    assert.match(text, MULTILINE_EMPTY, `${name}: fmt is not idempotent`);
    assert.equal(formatSource(name, twice), twice, `${name}: no fixpoint after two passes`);
    twoPass++;
  }
  console.log(
    `configs: ${files.length} files, ${parsed} parsed, ${files.length - parsed} not Alloy syntax; ` +
      `fmt idempotent on ${idempotent}, fixpoint after two passes on ${twoPass} ` +
      `(multi-line empty collections); ${alreadyFormatted} already formatted`,
  );
  assert.equal(parsed, files.length - NOT_ALLOY.size);
});
