import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import type { AttributeStmt, BlockStmt, Expr, ObjectExpr } from '../../src/syntax/ast.js';
import { DiagnosticError, formatDiagnostic } from '../../src/syntax/diag.js';
import { parseExpression, parseFile, parseFileWithDiagnostics } from '../../src/syntax/parser.js';
import { scanAll } from '../../src/syntax/scanner.js';
import { Token, tokenName } from '../../src/syntax/token.js';
import { listFiles, manifest, read, SYNTAX } from './corpus-helpers.js';

const PARSER = join(SYNTAX, 'parser');

/**
 * Expected errors embedded in a should-fail file, as Alloy's parser error harness: `/* ERROR "rx" *\/`
 * applies to the start of the previous token, `/* ERROR HERE "rx" *\/` to just after it.
 */
function expectedErrors(src: string): Map<number, string> {
  const errRx = /^\/\* *ERROR *(HERE)? *"([^"]*)" *\*\/$/;
  const out = new Map<number, string>();
  let prev = 0;
  let here = 0;
  for (const t of scanAll(src).tokens) {
    if (t.tok === Token.EOF) break;
    if (t.tok === Token.COMMENT) {
      const m = errRx.exec(t.lit);
      if (m) out.set(m[1] === 'HERE' ? here : prev, m[2]!);
      continue;
    }
    if (t.tok === Token.TERMINATOR && t.lit === '\n') continue;
    prev = t.pos;
    const literal = [Token.IDENT, Token.NUMBER, Token.FLOAT, Token.STRING].includes(t.tok);
    here = prev + (literal ? t.lit.length : tokenName(t.tok).length);
  }
  return out;
}

describe('parser corpus', () => {
  for (const path of listFiles(join(PARSER, 'valid'), '.alloy')) {
    test(`valid/${basename(path)} parses with no diagnostics`, () => {
      const { file, diagnostics } = parseFileWithDiagnostics(basename(path), read(path));
      assert.deepEqual(diagnostics.map(formatDiagnostic), []);
      assert.ok(file);
    });
  }

  const failing = listFiles(PARSER, '.alloy').filter((p) => !p.includes('/valid/') && !p.includes('/fuzz/'));
  assert.ok(failing.length >= 6);
  for (const path of failing) {
    test(`${basename(path)} reports exactly the expected errors`, () => {
      const src = read(path);
      const expected = expectedErrors(src);
      assert.ok(expected.size > 0);
      const { file, diagnostics } = parseFileWithDiagnostics(basename(path), src);
      assert.equal(file, undefined);
      for (const d of diagnostics) {
        const rx = expected.get(d.start.offset);
        assert.ok(rx !== undefined, `unexpected error: ${formatDiagnostic(d)}`);
        assert.match(d.message, new RegExp(rx), formatDiagnostic(d));
        expected.delete(d.start.offset);
      }
      assert.deepEqual([...expected.values()], [], 'errors not reported');
    });
  }

  test('fuzz seeds only ever produce diagnostics', () => {
    const seeds = manifest().filter((e) => e.kind === 'fuzz-seed');
    assert.equal(seeds.length, 3);
    for (const s of seeds) {
      const r = parseFileWithDiagnostics('fuzz', s.decoded_input!);
      assert.ok(r.diagnostics.length > 0);
      assert.throws(() => parseFile('fuzz', s.decoded_input!), DiagnosticError);
    }
  });
});

function attr(src: string): AttributeStmt {
  return parseFile('t.alloy', src).body[0] as AttributeStmt;
}

function messages(src: string): string[] {
  return parseFileWithDiagnostics('t.alloy', src).diagnostics.map(formatDiagnostic);
}

describe('parser', () => {
  test('blocks: names, labels, offsets', () => {
    const f = parseFile('t.alloy', 'prometheus.scrape "default" {\n  a = 1\n}\nlogging { }\nempty "" {}\n');
    const b = f.body[0] as BlockStmt;
    assert.equal(b.kind, 'Block');
    assert.deepEqual(b.name, ['prometheus', 'scrape']);
    assert.equal(b.label, 'default');
    assert.equal(b.labelStart, 18);
    assert.equal(b.nameStart, 0);
    assert.equal(b.nameEnd, 17);
    assert.equal(b.lcurly, 28);
    assert.equal(b.end, b.rcurly + 1);
    assert.equal((b.body[0] as AttributeStmt).name, 'a');
    const l = f.body[1] as BlockStmt;
    assert.equal(l.label, undefined);
    assert.equal(l.labelStart, -1);
    assert.deepEqual(l.body, []);
    assert.equal((f.body[2] as BlockStmt).label, undefined); // an empty label is no label
  });

  test('label errors', () => {
    assert.deepEqual(messages('a "my-label" {}'), [
      't.alloy:1:3: expected block label to be a valid identifier, but got "my-label"',
    ]);
    assert.deepEqual(messages('a `lbl` {}'), [
      't.alloy:1:3: expected block label to be a double quoted string, but got "`lbl`"',
    ]);
    assert.deepEqual(messages('a b {}'), ['t.alloy:1:3: expected block label, got IDENT']);
    assert.deepEqual(messages('a.b = 1'), [
      't.alloy:1:1: attribute names may only consist of a single identifier with no "."',
    ]);
    assert.deepEqual(messages('a "b" = 1'), ['t.alloy:1:3: attribute names may not have labels']);
    const d = parseFileWithDiagnostics('t.alloy', 'a.b = 1').diagnostics[0]!;
    assert.equal(d.end.offset, 3);
  });

  test('statement errors', () => {
    assert.deepEqual(messages('a'), ['t.alloy:1:2: expected block label, got TERMINATOR']);
    assert.deepEqual(messages('a ""\n'), [
      't.alloy:1:5: expected attribute assignment or block body, got TERMINATOR',
    ]);
    assert.deepEqual(messages('a.b "l"\n'), ['t.alloy:1:8: expected block body, got TERMINATOR']);
    assert.deepEqual(messages('a = 1 b = 2'), ['t.alloy:1:7: expected TERMINATOR, got IDENT']);
    // Recovery skips to the next identifier, which then is not after a terminator (as Alloy).
    assert.deepEqual(messages('= 1\nb = 2\n'), [
      't.alloy:1:1: expected identifier, got =',
      't.alloy:2:1: expected TERMINATOR, got IDENT',
    ]);
    assert.deepEqual(messages('x = y "l" { a = 1 }'), ['t.alloy:1:5: cannot use a block as an expression']);
    assert.deepEqual(messages('x = {1 = 2}'), [
      't.alloy:1:6: expected field name (string or identifier), got NUMBER',
    ]);
    assert.deepEqual(messages('x = [1, 2\n]'), ["t.alloy:1:10: missing ',' in expression list"]);
    assert.deepEqual(messages('x = {]'), ['t.alloy:1:6: expected }, got ]']);
    assert.deepEqual(messages("x = 'a'"), [
      't.alloy:1:5: illegal single-quoted string; use double quotes',
      't.alloy:1:5: expected expression, got ILLEGAL',
    ]);
    // At most one parse error per line; scanner errors are not limited.
    assert.deepEqual(messages('x = ) ) )\ny = #'), [
      't.alloy:1:5: expected expression, got )',
      "t.alloy:2:5: illegal character U+0023 '#'",
      't.alloy:2:5: expected expression, got ILLEGAL',
    ]);
  });

  test('expressions: precedence and associativity', () => {
    const shape = (e: Expr): string => {
      switch (e.kind) {
        case 'Binary':
          return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
        case 'Unary':
          return `(${e.op}${shape(e.value)})`;
        case 'Literal':
          return e.raw;
        case 'Identifier':
          return e.name;
        case 'Paren':
          return `[${shape(e.inner)}]`;
        case 'Access':
          return `${shape(e.value)}.${e.name}`;
        case 'Index':
          return `${shape(e.value)}[${shape(e.index)}]`;
        case 'Call':
          return `${shape(e.value)}(${e.args.map(shape).join(', ')})`;
        default:
          return e.kind;
      }
    };
    assert.equal(shape(parseExpression('1 + 2 * 3 - 4')), '((1 + (2 * 3)) - 4)');
    assert.equal(shape(parseExpression('2 ^ 3 ^ 2')), '(2 ^ (3 ^ 2))');
    assert.equal(shape(parseExpression('-2 ^ 2')), '((-2) ^ 2)');
    assert.equal(shape(parseExpression('a || b && c == d')), '(a || (b && (c == d)))');
    assert.equal(shape(parseExpression('1 < 2 == true')), '((1 < 2) == true)');
    assert.equal(shape(parseExpression('!a.b[0](1, x)')), '(!a.b[0](1, x))');
    assert.equal(shape(parseExpression('(1 + 2) % 3')), '([(1 + 2)] % 3)');
    assert.equal(shape(parseExpression('a.b.c')), 'a.b.c');
  });

  test('expressions: node offsets', () => {
    const e = parseExpression('foo.bar[1](2)');
    assert.equal(e.kind, 'Call');
    assert.equal(e.start, 0);
    assert.equal(e.end, 13);
    if (e.kind === 'Call') {
      assert.equal(e.lparen, 10);
      assert.equal(e.rparen, 12);
      assert.equal(e.value.kind, 'Index');
    }
    const lit = parseExpression('  "x"  ');
    assert.deepEqual(lit, { kind: 'Literal', literalKind: 'STRING', raw: '"x"', start: 2, end: 5 });
  });

  test('object keys keep their raw text', () => {
    const o = attr('x = { a = 1, "b.c" = 2, "q\\"t" = 3, "" = 4, `r` = 5 }').value as ObjectExpr;
    assert.deepEqual(
      o.fields.map((f) => [f.name, f.quoted]),
      [
        ['a', false],
        ['b.c', true],
        ['q\\"t', true],
        ['""', false],
        ['r', true],
      ],
    );
    assert.equal(o.fields[1]!.nameStart, 13);
    assert.equal(o.fields[1]!.nameEnd, 18);
  });

  test('literal kinds', () => {
    const kinds = ['1', '1.5', '"s"', '`r`', 'true', 'null'].map((s) => {
      const e = parseExpression(s);
      return e.kind === 'Literal' ? e.literalKind : e.kind;
    });
    assert.deepEqual(kinds, ['NUMBER', 'FLOAT', 'STRING', 'STRING', 'BOOL', 'NULL']);
  });

  test('parseExpression requires the whole text', () => {
    assert.throws(
      () => parseExpression('1 2'),
      (e: unknown) => {
        assert.ok(e instanceof DiagnosticError);
        assert.equal(e.message, '1:3: expected TERMINATOR, got NUMBER');
        return true;
      },
    );
    assert.throws(() => parseExpression(''), DiagnosticError);
  });

  test('comments are grouped', () => {
    const f = parseFile('t.alloy', '// a\n// b\n\n// c\nx = 1 // d\n/* e\n */\ny = 2\n');
    assert.deepEqual(
      f.comments.map((g) => g.comments.map((c) => c.text)),
      [['// a', '// b'], ['// c'], ['// d', '/* e\n */']],
    );
    assert.equal(f.comments[0]!.start, 0);
    assert.equal(f.comments[0]!.end, 9);
  });

  test('parseFile throws every diagnostic', () => {
    assert.throws(
      () => parseFile('t.alloy', 'a = )\nb = ]\n'),
      (e: unknown) => e instanceof DiagnosticError && e.diagnostics.length === 2,
    );
  });

  test('the Alloy expression snippets that must parse', () => {
    const snippets = [
      '"hello"',
      '0.5',
      '1e10',
      '2.71828e-1000',
      '[0, 1, 2]',
      '{a = 1, "b" = 2}',
      'encoding.from_json(local.file.data.content).key[0]',
      'x.y.z(1, "2", [3])',
      '-(1 + 2) * !false',
      'a != b && c <= d || e >= f',
      '{\n  a = 1,\n  b = [\n    2,\n  ],\n}',
      'f(\n  1,\n  2,\n)',
      '`raw\nstring`',
      'null',
    ];
    for (const s of snippets) assert.doesNotThrow(() => parseExpression(s), s);
  });

  test('deep nesting is an error, not a crash', () => {
    const deep = 'x = ' + '['.repeat(5000) + ']'.repeat(5000);
    assert.throws(() => parseFile('t', deep), DiagnosticError);
    assert.doesNotThrow(() => parseFile('t', 'x = ' + '('.repeat(200) + '1' + ')'.repeat(200)));
  });
});
