import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import type { AttributeStmt } from '../../src/syntax/ast.js';
import { DiagnosticError } from '../../src/syntax/diag.js';
import { parseExpression, parseFile } from '../../src/syntax/parser.js';
import { formatFile, formatSource, printExpr } from '../../src/syntax/printer.js';
import { listFiles, read, SYNTAX } from './corpus-helpers.js';

const PRINTER = join(SYNTAX, 'printer');

describe('printer corpus', () => {
  const inputs = listFiles(PRINTER, '.in');
  assert.ok(inputs.length >= 10);
  for (const input of inputs) {
    const name = basename(input, '.in');
    const expectFile = join(PRINTER, `${name}.expect`);
    const errorFile = join(PRINTER, `${name}.error`);
    if (existsSync(errorFile)) {
      test(`${name}: fails with the expected error`, () => {
        const want = read(errorFile).replace(/\r\n/g, '\n').trim();
        assert.throws(
          () => formatSource(`${name}.rvr`, read(input)),
          (e: unknown) => e instanceof DiagnosticError && e.message.includes(want),
        );
      });
      continue;
    }
    test(`${name}: formats byte-identically`, () => {
      const want = read(expectFile).replace(/\s+$/u, '');
      assert.equal(formatSource(name, read(input)), want + '\n');
    });
  }
});

function fmt(src: string): string {
  return formatSource('t.alloy', src);
}

describe('formatFile', () => {
  test('aligns = in runs of single-line attributes', () => {
    assert.equal(
      fmt('a = 1\nlonger_name = 2\n\nb = 3\nc = [\n1,\n]\nd = 4\nee = 5'),
      ['a           = 1', 'longer_name = 2', '', 'b = 3', 'c = [', '\t1,', ']', 'd  = 4', 'ee = 5', ''].join(
        '\n',
      ),
    );
  });

  test('blocks: blank line between blocks, empty and one-line blocks', () => {
    assert.equal(fmt('a {}\nb "x" {\n\n}\nc { x = 1 }'), 'a { }\n\nb "x" { }\n\nc {\n\tx = 1\n}\n');
    assert.equal(fmt('a = 1\n\n\n\nb = 2'), 'a = 1\n\nb = 2\n');
    assert.equal(fmt(''), '\n');
  });

  test('expressions: spacing and one-line objects', () => {
    assert.equal(fmt('x = { a = 1, b = "two" }'), 'x = {a = 1, b = "two"}\n');
    assert.equal(fmt('x=30*2+5'), 'x = 30 * 2 + 5\n');
    assert.equal(fmt('x = - 1'), 'x = -1\n');
    assert.equal(fmt('x = [ 1,2 ,3 ]'), 'x = [1, 2, 3]\n');
    assert.equal(fmt('x = f( 1,2 )'), 'x = f(1, 2)\n');
    assert.equal(fmt('x = {}\ny = []'), 'x = {}\ny = []\n');
  });

  test('comments are kept and trailing comments aligned', () => {
    assert.equal(fmt('a = 1 // one\nbbb = 2 // two\n'), 'a   = 1 // one\nbbb = 2 // two\n');
    assert.equal(fmt('// head\n\nx = 1\n// tail\n'), '// head\n\nx = 1\n// tail\n');
    // Non-BMP text (U+1F3FF's low surrogate is U+DFFF) counts as one column.
    assert.equal(fmt('a = "🏿" // 🏿\nbbbbbb = 2 // x\n'), 'a      = "🏿" // 🏿\nbbbbbb = 2   // x\n');
  });

  test('labels are re-quoted and raw strings kept verbatim', () => {
    assert.equal(fmt('a "l" {\nx = `a\\b`\n}'), 'a "l" {\n\tx = `a\\b`\n}\n');
  });
});

describe('printExpr', () => {
  const cases: [string, string][] = [
    ['1 + 2*3', '1 + 2 * 3'],
    ['-x', '-x'],
    ['!(a&&b)', '!(a && b)'],
    ['{ a = 1, b = "two" }', '{a = 1, b = "two"}'],
    ['{"q.k" = 1}', '{"q.k" = 1}'],
    ['[ 1 , [2] ]', '[1, [2]]'],
    ['a.b[0]( 1 , "x" )', 'a.b[0](1, "x")'],
    ['`raw`', '`raw`'],
    ['2.5e3', '2.5e3'],
    ['null', 'null'],
  ];
  for (const [src, want] of cases) {
    test(JSON.stringify(src), () => assert.equal(printExpr(parseExpression(src)), want));
  }

  test('multi-line source prints on one line without a source file', () => {
    const f = parseFile('t.alloy', 'x = [\n  1,\n  2,\n]\n');
    const value = (f.body[0] as AttributeStmt).value;
    assert.equal(printExpr(value), '[1, 2]');
    assert.equal(printExpr(value, f.source), '[\n\t1,\n\t2,\n]');
  });

  test('formatFile is stable on its own output for the printer corpus', () => {
    for (const input of listFiles(PRINTER, '.expect')) {
      const once = formatSource('x', read(input));
      assert.equal(formatFile(parseFile('x', once)), once, basename(input));
    }
  });
});
