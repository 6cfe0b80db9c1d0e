import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DiagnosticError } from '../../src/syntax/diag.js';
import { printDiagnostics } from '../../src/syntax/diag-printer.js';
import { parseExpression, parseFileWithDiagnostics } from '../../src/syntax/parser.js';
import { formatFile, printExpr } from '../../src/syntax/printer.js';
import { scanAll } from '../../src/syntax/scanner.js';
import { SourceFile } from '../../src/syntax/source.js';
import { CONFIGS, listFiles, read, SYNTAX } from './corpus-helpers.js';

// Inputs: the parser/printer corpus plus a sample of real configs, kept small so the test stays fast.
const seeds: string[] = [
  ...listFiles(SYNTAX, '.alloy'),
  ...listFiles(SYNTAX, '.in'),
  ...listFiles(CONFIGS, '.alloy').filter((_, i) => i % 40 === 0),
].map((p) => read(p).slice(0, 4000));

/** Parses, formats and renders diagnostics; anything thrown other than a DiagnosticError fails. */
function exercise(text: string): void {
  const { file, diagnostics } = parseFileWithDiagnostics('fuzz.alloy', text);
  if (file) {
    assert.equal(diagnostics.length, 0);
    const out = formatFile(file);
    // The formatter's output must parse again.
    const again = parseFileWithDiagnostics('fuzz.alloy', out);
    assert.deepEqual(again.diagnostics, [], `formatted output does not parse:\n${out}`);
  } else {
    assert.ok(diagnostics.length > 0);
    const src = new SourceFile('fuzz.alloy', text);
    printDiagnostics(diagnostics, new Map([['fuzz.alloy', src]]));
  }
  try {
    printExpr(parseExpression(text));
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
  }
}

const alphabet = fc.constantFrom(
  ...'abc_xyz019.,;=!<>+-*/%^|&(){}[]"`\'\\# \t\n\r\x00é\ufeff'.split(''),
  'true',
  'null',
  '//',
  '/*',
  '*/',
  'block "l" {',
  '\ud800',
);

test('random token soup never throws anything but diagnostics', () => {
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 80 }), (parts) => exercise(parts.join(''))),
    { numRuns: 1500, seed: 42 },
  );
});

test('random strings never break the scanner', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const { tokens } = scanAll(s);
      assert.equal(tokens[tokens.length - 1]!.tok, 2 /* EOF */);
      exercise(s);
    }),
    { numRuns: 500, seed: 7 },
  );
});

test('mutated corpus files (flips, truncations, insertions) never throw anything but diagnostics', () => {
  const mutation = fc.record({
    seed: fc.nat({ max: seeds.length - 1 }),
    at: fc.nat(),
    kind: fc.constantFrom('flip', 'truncate', 'insert', 'delete'),
    ch: alphabet,
  });
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
      let text = seeds[muts[0]!.seed]!;
      for (const m of muts) {
        const at = text.length === 0 ? 0 : m.at % text.length;
        if (m.kind === 'truncate') text = text.slice(0, at);
        else if (m.kind === 'insert') text = text.slice(0, at) + m.ch + text.slice(at);
        else if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + 1);
        else
          text =
            text.slice(0, at) +
            String.fromCharCode(text.charCodeAt(at) ^ (1 << (at % 7))) +
            text.slice(at + 1);
      }
      exercise(text);
    }),
    { numRuns: 400, seed: 1234 },
  );
});
