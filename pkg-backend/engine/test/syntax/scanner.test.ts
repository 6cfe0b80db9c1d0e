import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goQuote, isValidIdentifier, scanAll, Scanner, unquoteString } from '../../src/syntax/scanner.js';
import { SourceFile } from '../../src/syntax/source.js';
import { Token, tokenName } from '../../src/syntax/token.js';

// Token examples (from Alloy's scanner tests): each must scan as one token with this literal.
const examples: [Token, string][] = [
  [Token.COMMENT, '/* a comment */'],
  [Token.COMMENT, '// a comment \n'],
  [Token.COMMENT, '/*\r*/'],
  [Token.COMMENT, '/**\r/*/'],
  [Token.COMMENT, '/**\r\r/*/'],
  [Token.COMMENT, '//\r\n'],
  [Token.IDENT, 'foobar'],
  [Token.IDENT, 'a۰۱۸'],
  [Token.IDENT, 'foo६४'],
  [Token.IDENT, 'bar９８７６'],
  [Token.IDENT, 'ŝ'],
  [Token.IDENT, 'ŝfoo'],
  [Token.NUMBER, '0'],
  [Token.NUMBER, '1'],
  [Token.NUMBER, '123456789012345678890'],
  [Token.NUMBER, '01234567'],
  [Token.FLOAT, '0.'],
  [Token.FLOAT, '.0'],
  [Token.FLOAT, '3.14159265'],
  [Token.FLOAT, '1e0'],
  [Token.FLOAT, '1e+100'],
  [Token.FLOAT, '1e-100'],
  [Token.FLOAT, '2.71828e-1000'],
  [Token.STRING, '"Hello, world!"'],
  [Token.STRING, '`Hello, world!\\\\`'],
  [Token.ADD, '+'],
  [Token.SUB, '-'],
  [Token.MUL, '*'],
  [Token.DIV, '/'],
  [Token.MOD, '%'],
  [Token.POW, '^'],
  [Token.AND, '&&'],
  [Token.OR, '||'],
  [Token.EQ, '=='],
  [Token.LT, '<'],
  [Token.GT, '>'],
  [Token.ASSIGN, '='],
  [Token.NOT, '!'],
  [Token.NEQ, '!='],
  [Token.LTE, '<='],
  [Token.GTE, '>='],
  [Token.LPAREN, '('],
  [Token.LBRACK, '['],
  [Token.LCURLY, '{'],
  [Token.COMMA, ','],
  [Token.DOT, '.'],
  [Token.RPAREN, ')'],
  [Token.RBRACK, ']'],
  [Token.RCURLY, '}'],
  [Token.NULL, 'null'],
  [Token.BOOL, 'true'],
  [Token.BOOL, 'false'],
];

function stripCRExpected(lit: string): string {
  // Alloy's expectation: CRs removed, except one directly between `*` and the closing `/`.
  let out = '';
  const block = lit[1] === '*';
  for (let j = 0; j < lit.length; j++) {
    if (lit[j] !== '\r' || (block && out.length > 2 && out.endsWith('*') && lit[j + 1] === '/'))
      out += lit[j];
  }
  return out;
}

describe('scanner', () => {
  test('every token form, with positions (no terminators)', () => {
    const ws = '  \t  \n\n\n';
    const src = examples.map(([, lit]) => lit + ws).join('');
    const file = new SourceFile('t', src);
    const { tokens, errors } = scanAll(src, { includeComments: true, dontInsertTerms: true });
    assert.deepEqual(errors, []);
    let offset = 0;
    let line = 1;
    examples.forEach(([tok, lit], i) => {
      const got = tokens[i]!;
      assert.equal(tokenName(got.tok), tokenName(tok), `token ${i} ${JSON.stringify(lit)}`);
      assert.equal(got.pos, offset, `offset of ${JSON.stringify(lit)}`);
      const p = file.position(got.pos);
      assert.equal(p.line, line);
      assert.equal(p.column, 1);
      let expectLit = '';
      if (tok === Token.COMMENT) {
        expectLit = stripCRExpected(lit);
        if (expectLit[1] === '/') expectLit = expectLit.slice(0, -1); // the newline is not part of it
      } else if (
        [Token.IDENT, Token.NUMBER, Token.FLOAT, Token.STRING, Token.NULL, Token.BOOL].includes(tok)
      ) {
        expectLit = lit;
      }
      assert.equal(got.lit, expectLit, `literal of ${JSON.stringify(lit)}`);
      offset += lit.length + ws.length;
      line += (lit.match(/\n/g)?.length ?? 0) + 3;
    });
    assert.equal(tokens[examples.length]!.tok, Token.EOF);
  });

  // input, first token, offset of the (last) error, literal, error message
  const errorCases: [string, Token, number, string, string][] = [
    ['\x07', Token.ILLEGAL, 0, '', 'illegal character U+0007'],
    ['…', Token.ILLEGAL, 0, '', "illegal character U+2026 '…'"],
    ['#', Token.ILLEGAL, 0, '', "illegal character U+0023 '#'"],
    ['..', Token.DOT, 0, '', ''],
    ["'illegal string'", Token.ILLEGAL, 0, '', 'illegal single-quoted string; use double quotes'],
    ['""', Token.STRING, 0, '""', ''],
    ['"abc', Token.STRING, 0, '"abc', 'string literal not terminated'],
    ['"abc\n', Token.STRING, 0, '"abc', 'string literal not terminated'],
    ['"abc\n   ', Token.STRING, 0, '"abc', 'string literal not terminated'],
    ['"abc\x00def"', Token.STRING, 4, '"abc\x00def"', 'illegal character NUL'],
    ['"abc\ud800def"', Token.STRING, 4, '"abc\ud800def"', 'illegal UTF-8 encoding'],
    ['\ufeff\ufeff', Token.ILLEGAL, 1, '\ufeff', 'illegal byte order mark'],
    ['//\ufeff', Token.COMMENT, 2, '//\ufeff', 'illegal byte order mark'],
    ['"abc\ufeffdef"', Token.STRING, 4, '"abc\ufeffdef"', 'illegal byte order mark'],
    ['abc\x00def', Token.IDENT, 3, 'abc', 'illegal character NUL'],
    ['abc\x00', Token.IDENT, 3, 'abc', 'illegal character NUL'],
    ['10E', Token.FLOAT, 0, '10E', 'exponent has no digits'],
    ['1e+', Token.FLOAT, 0, '1e+', 'exponent has no digits'],
    ['|', Token.OR, 1, '', 'missing second | in ||'],
    ['&', Token.AND, 1, '', 'missing second & in &&'],
    ['"\\q"', Token.STRING, 2, '"\\q"', 'unknown escape sequence'],
    ['"\\\'"', Token.STRING, 2, '"\\\'"', 'unknown escape sequence'],
    ['"\\x4g"', Token.STRING, 2, '"\\x4g"', "illegal character U+0067 'g' in escape sequence"],
    ['"\\400"', Token.STRING, 2, '"\\400"', 'escape sequence is invalid Unicode code point'],
    ['"\\ud800"', Token.STRING, 2, '"\\ud800"', 'escape sequence is invalid Unicode code point'],
    ['"\\U00110000"', Token.STRING, 2, '"\\U00110000"', 'escape sequence is invalid Unicode code point'],
    ['"\\u12', Token.STRING, 0, '"\\u12', 'string literal not terminated'],
    ['/* abc', Token.COMMENT, 0, '/* abc', 'block comment not terminated'],
  ];

  for (const [input, tok, pos, lit, err] of errorCases) {
    test(`error case ${JSON.stringify(input)}`, () => {
      const errors: { offset: number; message: string }[] = [];
      const sc = new Scanner(input, (offset, message) => errors.push({ offset, message }), {
        includeComments: true,
        dontInsertTerms: true,
      });
      const got = sc.scan();
      assert.equal(tokenName(got), tokenName(tok));
      if (got !== Token.ILLEGAL) assert.equal(sc.lit, lit);
      if (err === '') assert.deepEqual(errors, []);
      else {
        assert.ok(errors.length >= 1, 'an error is reported');
        const last = errors[errors.length - 1]!;
        assert.equal(last.message, err);
        assert.equal(last.offset, pos);
      }
    });
  }

  test('escape sequence not terminated at EOF', () => {
    const { errors } = scanAll('"\\x4');
    assert.deepEqual(
      errors.map((e) => e.message),
      ['escape sequence not terminated', 'string literal not terminated'],
    );
  });

  test('automatic terminator insertion', () => {
    const kinds = (src: string): string[] => scanAll(src).tokens.map((t) => tokenName(t.tok));
    assert.deepEqual(kinds('a = 1\nb = "x"'), [
      'IDENT',
      '=',
      'NUMBER',
      'TERMINATOR',
      'IDENT',
      '=',
      'STRING',
      'TERMINATOR',
      'EOF',
    ]);
    // No terminator after an operator or an opening bracket.
    assert.deepEqual(kinds('a = [\n1,\n]\n'), ['IDENT', '=', '[', 'NUMBER', ',', ']', 'TERMINATOR', 'EOF']);
    assert.deepEqual(kinds('a = 1 +\n2'), ['IDENT', '=', 'NUMBER', '+', 'NUMBER', 'TERMINATOR', 'EOF']);
    // The terminator comes before a comment running to the end of the line...
    assert.deepEqual(kinds('a = 1 // c\n'), ['IDENT', '=', 'NUMBER', 'TERMINATOR', 'COMMENT', 'EOF']);
    assert.deepEqual(kinds('a = 1 /* c */ // d\nb'), [
      'IDENT',
      '=',
      'NUMBER',
      'TERMINATOR',
      'COMMENT',
      'COMMENT',
      'IDENT',
      'TERMINATOR',
      'EOF',
    ]);
    assert.deepEqual(kinds('x /* multi\nline */ y'), [
      'IDENT',
      'TERMINATOR',
      'COMMENT',
      'IDENT',
      'TERMINATOR',
      'EOF',
    ]);
    // ... but after a comment followed by more tokens on the line.
    assert.deepEqual(kinds('a /* c */ b'), ['IDENT', 'COMMENT', 'IDENT', 'TERMINATOR', 'EOF']);
    // The terminator sits at the comment / newline position, with literal "\n".
    const { tokens } = scanAll('abc // c\n');
    assert.equal(tokens[1]!.pos, 4);
    assert.equal(tokens[1]!.lit, '\n');
    assert.equal(scanAll('x\n').tokens[1]!.pos, 1);
    // Comments are skipped when not requested, and still end statements.
    assert.deepEqual(
      scanAll('a // c\nb', {}).tokens.map((t) => tokenName(t.tok)),
      ['IDENT', 'TERMINATOR', 'IDENT', 'TERMINATOR', 'EOF'],
    );
  });

  test('leading BOM is skipped; CR is whitespace', () => {
    const { tokens, errors } = scanAll('\ufeffa\r\n');
    assert.deepEqual(errors, []);
    assert.equal(tokens[0]!.lit, 'a');
    assert.equal(tokens[0]!.pos, 1);
  });

  test('NUL outside a string gives both messages, as Alloy', () => {
    assert.deepEqual(
      scanAll('\x00').errors.map((e) => e.message),
      ['illegal character NUL', 'illegal character U+0000'],
    );
  });

  test('single-character keywords-like identifiers', () => {
    assert.equal(scanAll('a').tokens[0]!.tok, Token.IDENT);
    assert.equal(scanAll('_x1').tokens[0]!.tok, Token.IDENT);
    assert.equal(scanAll('nullx').tokens[0]!.tok, Token.IDENT);
  });

  test('byte columns in positions', () => {
    const src = 'a = "é" + ?';
    const { errors } = scanAll(src);
    const file = new SourceFile('f', src);
    assert.equal(errors[0]!.message, "illegal character U+003F '?'");
    assert.equal(file.position(errors[0]!.offset).column, 12); // é is two bytes
  });

  test('isValidIdentifier', () => {
    assert.ok(isValidIdentifier('foo_bar1'));
    assert.ok(isValidIdentifier('ŝfoo'));
    assert.ok(!isValidIdentifier('my-label'));
    assert.ok(!isValidIdentifier('with space'));
    assert.ok(!isValidIdentifier('1abc'));
    assert.ok(!isValidIdentifier('true'));
    assert.ok(!isValidIdentifier('null'));
    assert.ok(!isValidIdentifier(''));
  });

  test('unquoteString (Go strconv.Unquote)', () => {
    assert.equal(unquoteString('"hello"'), 'hello');
    assert.equal(unquoteString('""'), '');
    assert.equal(unquoteString('"a\\nb\\t\\"c\\\\"'), 'a\nb\t"c\\');
    assert.equal(unquoteString('"\\a\\b\\f\\r\\v"'), '\x07\b\f\r\v');
    assert.equal(unquoteString('"\\101\\x42\\u0043\\U00000044"'), 'ABCD');
    assert.equal(unquoteString('"\\xc3\\xa9"'), 'é'); // bytes decoded as UTF-8
    assert.equal(unquoteString('"\\u00e9\\U0001F600"'), 'é😀');
    assert.equal(unquoteString('"日本"'), '日本');
    assert.equal(unquoteString('`raw\\n`'), 'raw\\n');
    assert.equal(unquoteString('`a\r\nb\r`'), 'a\nb');
    assert.throws(() => unquoteString('"\\q"'));
    assert.throws(() => unquoteString('"abc'));
    assert.throws(() => unquoteString('"\\ud800"'));
    assert.throws(() => unquoteString("'a'"));
  });

  test('goQuote (Go %q)', () => {
    assert.equal(goQuote('abc'), '"abc"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\n\t\x00\x7f'), '"\\n\\t\\x00\\x7f"');
    assert.equal(goQuote('é日😀'), '"é日😀"');
    assert.equal(goQuote('\u200b\ufeff'), '"\\u200b\\ufeff"');
    assert.equal(goQuote('`multi_line`'), '"`multi_line`"');
  });
});
