/**
 * Token kinds of the Alloy syntax, as Alloy's `syntax/token`. Kinds are small integers so the scanner and
 * parser can compare them cheaply; `tokenName` gives the spelling used in error messages
 * ("expected IDENT, got {").
 */
export enum Token {
  ILLEGAL,
  LITERAL,
  EOF,
  COMMENT,

  IDENT,
  NUMBER,
  FLOAT,
  STRING,
  BOOL,
  NULL,

  OR, // ||
  AND, // &&
  NOT, // !

  ASSIGN, // =
  EQ, // ==
  NEQ, // !=
  LT, // <
  LTE, // <=
  GT, // >
  GTE, // >=

  ADD, // +
  SUB, // -
  MUL, // *
  DIV, // /
  MOD, // %
  POW, // ^

  LCURLY, // {
  RCURLY, // }
  LPAREN, // (
  RPAREN, // )
  LBRACK, // [
  RBRACK, // ]
  COMMA, // ,
  DOT, // .

  TERMINATOR, // end of a statement (newline or EOF)
}

const NAMES: readonly string[] = [
  'ILLEGAL',
  'LITERAL',
  'EOF',
  'COMMENT',
  'IDENT',
  'NUMBER',
  'FLOAT',
  'STRING',
  'BOOL',
  'NULL',
  '||',
  '&&',
  '!',
  '=',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  'TERMINATOR',
];

/** The name of a token kind as Alloy's `Token.String()`: `IDENT`, `{`, `TERMINATOR`, ... */
export function tokenName(t: Token): string {
  return NAMES[t] ?? 'ILLEGAL';
}

/** Lowest binary precedence: not a binary operator. */
export const LOWEST_PRECEDENCE = 0;

/** Binary precedence of a token as Alloy's `Token.BinaryPrecedence()`: `||`=1 ... `^`=6, others 0. */
export function binaryPrecedence(t: Token): number {
  switch (t) {
    case Token.OR:
      return 1;
    case Token.AND:
      return 2;
    case Token.EQ:
    case Token.NEQ:
    case Token.LT:
    case Token.LTE:
    case Token.GT:
    case Token.GTE:
      return 3;
    case Token.ADD:
    case Token.SUB:
      return 4;
    case Token.MUL:
    case Token.DIV:
    case Token.MOD:
      return 5;
    case Token.POW:
      return 6;
    default:
      return LOWEST_PRECEDENCE;
  }
}

/** Keyword lookup: `true`/`false` are BOOL, `null` is NULL, anything else an IDENT. */
export function lookupIdent(name: string): Token {
  if (name === 'true' || name === 'false') return Token.BOOL;
  if (name === 'null') return Token.NULL;
  return Token.IDENT;
}
