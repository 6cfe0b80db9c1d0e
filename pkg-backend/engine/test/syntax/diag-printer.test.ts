import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Diagnostic, diagAt } from '../../src/syntax/diag.js';
import { printDiagnostics } from '../../src/syntax/diag-printer.js';
import { parseFileWithDiagnostics } from '../../src/syntax/parser.js';
import { NO_POSITION, SourceFile } from '../../src/syntax/source.js';
import { parseTxtar, read, SYNTAX } from './corpus-helpers.js';

/** Offset of 1-based line:col (character columns) in text. */
function off(text: string, line: number, col: number): number {
  const f = new SourceFile('', text);
  return f.lineStarts[line - 1]! + col - 1;
}

function one(text: string, startLC: [number, number], endLC?: [number, number], file = 'testfile'): string {
  const src = new SourceFile(file, text);
  const s = off(text, ...startLC);
  // Ranges are end-exclusive here: Alloy's inclusive end column + 1.
  const e = endLC ? off(text, endLC[0], endLC[1]) + 1 : s;
  return printDiagnostics([diagAt(src, s, e, 'synthetic error')], new Map([[file, src]]));
}

describe('printDiagnostics', () => {
  test('syntax_errors.txtar renders exactly syntax_errors.diags', () => {
    const dir = join(SYNTAX, 'validator', 'default');
    const archive = parseTxtar(read(join(dir, 'syntax_errors.txtar')));
    const files = new Map<string, SourceFile>();
    const diags: Diagnostic[] = [];
    for (const f of archive.files) {
      files.set(f.name, new SourceFile(f.name, f.data));
      diags.push(...parseFileWithDiagnostics(f.name, f.data).diagnostics);
    }
    const want = read(join(dir, 'syntax_errors.diags')).replace(/\r\n/g, '\n');
    assert.equal(printDiagnostics(diags, files), want);
    // The lookup may also be a function.
    assert.equal(
      printDiagnostics(diags, (n) => files.get(n)),
      want,
    );
  });

  test('highlight on one line, tabs shown as 4 spaces', () => {
    const input = 'test.block "label" {\n\tattr       = 1\n\tother_attr = 2\n}';
    assert.equal(
      one(input, [2, 2], [2, 5]),
      'Error: testfile:2:2: synthetic error\n\n1 | test.block "label" {\n2 |     attr       = 1\n  |     ^^^^\n3 |     other_attr = 2\n',
    );
  });

  test('a point gets one caret', () => {
    assert.equal(one('foo,bar', [1, 4]), 'Error: testfile:1:4: synthetic error\n\n1 | foo,bar\n  |    ^\n');
  });

  test('line numbers are right-aligned', () => {
    const input = Array.from({ length: 11 }, (_, i) => `LINE_${i + 1}`).join('\n');
    assert.equal(
      one(input, [9, 1], [9, 6]),
      'Error: testfile:9:1: synthetic error\n\n 8 | LINE_8\n 9 | LINE_9\n   | ^^^^^^\n10 | LINE_10\n',
    );
  });

  test('multi-line ranges from the start and the middle of a line', () => {
    const input = 'FILE_BEGIN\nSTART\nTEXT\n\tTEXT\n\t\tTEXT\n\t\t\tDONE after\nFILE_END';
    assert.equal(
      one(input, [2, 1], [6, 7]),
      [
        'Error: testfile:2:1: synthetic error',
        '',
        '1 |   FILE_BEGIN',
        '2 |   START',
        '  |  _^^^^^',
        '3 | | TEXT',
        '4 | |     TEXT',
        '5 | |         TEXT',
        '6 | |             DONE after',
        '  | |_____________^^^^',
        '7 |   FILE_END',
        '',
      ].join('\n'),
    );
    const input2 = input.replace('START', 'before START');
    assert.equal(
      one(input2, [2, 8], [6, 7]).split('\n').slice(3, 5).join('\n'),
      '2 |   before START\n  |  ________^^^^^',
    );
  });

  test('several diagnostics, warnings, unknown files and colour', () => {
    const a = new SourceFile('file_a', 'old_field = 15\n3 & 4');
    const b = new SourceFile('file_b', 'old_field = 22');
    const diags: Diagnostic[] = [
      { ...diagAt(a, 0, 9, 'old_field is deprecated'), severity: 'warning' },
      diagAt(a, 17, 17, 'unrecognized operator &'),
      { ...diagAt(b, 0, 9, 'old_field is deprecated'), severity: 'warning' },
      { severity: 'error', start: NO_POSITION, end: NO_POSITION, message: 'no position' },
    ];
    const files = new Map([
      ['file_a', a],
      ['file_b', b],
    ]);
    assert.equal(
      printDiagnostics(diags, files),
      [
        'Warning: file_a:1:1: old_field is deprecated',
        '',
        '1 | old_field = 15',
        '  | ^^^^^^^^^',
        '2 | 3 & 4',
        '',
        'Error: file_a:2:3: unrecognized operator &',
        '',
        '1 | old_field = 15',
        '2 | 3 & 4',
        '  |   ^',
        '',
        'Warning: file_b:1:1: old_field is deprecated',
        '',
        '1 | old_field = 22',
        '  | ^^^^^^^^^',
        '',
        'Error: -: no position',
        '',
      ].join('\n'),
    );
    const colored = printDiagnostics(diags.slice(1, 2), new Map());
    assert.equal(colored, 'Error: file_a:2:3: unrecognized operator &\n');
    assert.equal(
      printDiagnostics(diags.slice(0, 1), new Map(), { color: true }),
      '\x1b[33;1mWarning: \x1b[0m\x1b[1mfile_a:1:1: old_field is deprecated\n\x1b[0m',
    );
  });

  test('an empty context line keeps its trailing space', () => {
    const src = new SourceFile('m', 'a = 1\n\nb = 2\n');
    const out = printDiagnostics([diagAt(src, 7, 12, 'x')], new Map([['m', src]]));
    assert.equal(out, 'Error: m:3:1: x\n\n2 | \n3 | b = 2\n  | ^^^^^\n4 | \n');
  });
});
