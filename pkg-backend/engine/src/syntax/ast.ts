/**
 * The Alloy syntax tree. Nodes store character offsets (`start`/`end`, end exclusive) into their file's
 * text; `SourceFile.position` turns them into line:col. Shapes follow Alloy's `syntax/ast`.
 */
import type { SourceFile } from './source.js';

export type LiteralKind = 'NUMBER' | 'FLOAT' | 'STRING' | 'BOOL' | 'NULL';

interface NodeBase {
  /** Offset of the first character of the node. */
  start: number;
  /** Offset just past the last character of the node. */
  end: number;
}

/** A literal: `raw` is the exact source text (quotes included for strings; raw strings keep backticks). */
export interface LiteralExpr extends NodeBase {
  kind: 'Literal';
  literalKind: LiteralKind;
  raw: string;
}

export interface IdentifierExpr extends NodeBase {
  kind: 'Identifier';
  name: string;
}

export interface ArrayExpr extends NodeBase {
  kind: 'Array';
  elements: Expr[];
  /** Offsets of `[` and `]` (start === lbrack, end === rbrack + 1). */
  lbrack: number;
  rbrack: number;
}

export interface ObjectField {
  /** Field name: the identifier, or for a quoted key the raw text between the quotes (Alloy quirk). */
  name: string;
  quoted: boolean;
  /** Offsets of the name token (quotes included when quoted). */
  nameStart: number;
  nameEnd: number;
  value: Expr;
}

export interface ObjectExpr extends NodeBase {
  kind: 'Object';
  fields: ObjectField[];
  lcurly: number;
  rcurly: number;
}

/** `value.name` */
export interface AccessExpr extends NodeBase {
  kind: 'Access';
  value: Expr;
  name: string;
  nameStart: number;
}

/** `value[index]` */
export interface IndexExpr extends NodeBase {
  kind: 'Index';
  value: Expr;
  index: Expr;
  lbrack: number;
  rbrack: number;
}

/** `value(args...)` */
export interface CallExpr extends NodeBase {
  kind: 'Call';
  value: Expr;
  args: Expr[];
  lparen: number;
  rparen: number;
}

export type UnaryOp = '!' | '-';
export interface UnaryExpr extends NodeBase {
  kind: 'Unary';
  op: UnaryOp;
  opStart: number;
  value: Expr;
}

export type BinaryOp =
  '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '^';
export interface BinaryExpr extends NodeBase {
  kind: 'Binary';
  op: BinaryOp;
  opStart: number;
  left: Expr;
  right: Expr;
}

export interface ParenExpr extends NodeBase {
  kind: 'Paren';
  inner: Expr;
  lparen: number;
  rparen: number;
}

export type Expr =
  | LiteralExpr
  | IdentifierExpr
  | ArrayExpr
  | ObjectExpr
  | AccessExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ParenExpr;

/** `name = value` */
export interface AttributeStmt extends NodeBase {
  kind: 'Attribute';
  name: string;
  nameStart: number;
  value: Expr;
}

/** `a.b.c "label" { body }` */
export interface BlockStmt extends NodeBase {
  kind: 'Block';
  /** Dotted name fragments: `prometheus.scrape` → ['prometheus', 'scrape']. */
  name: string[];
  nameStart: number;
  /** Offset just past the last name fragment. */
  nameEnd: number;
  /** Decoded label, or undefined when absent (an empty label `""` also counts as absent, as Alloy). */
  label: string | undefined;
  /** Offset of the label's opening quote, or -1. */
  labelStart: number;
  body: Stmt[];
  lcurly: number;
  rcurly: number;
}

export type Stmt = AttributeStmt | BlockStmt;

export interface Comment {
  /** The comment text including `//` or `/* *\/`, CRs removed. */
  text: string;
  start: number;
  end: number;
}

/** Adjacent comments with no blank line between them. */
export interface CommentGroup {
  comments: Comment[];
  start: number;
  end: number;
}

export interface File {
  kind: 'File';
  source: SourceFile;
  body: Stmt[];
  comments: CommentGroup[];
}

/** `prometheus.scrape` for a block. */
export function blockName(b: BlockStmt): string {
  return b.name.join('.');
}

/** Component ID of a block: name fragments plus label (`prometheus.scrape.default`), as Alloy's BlockID. */
export function blockID(b: BlockStmt): string {
  return b.label === undefined ? blockName(b) : `${blockName(b)}.${b.label}`;
}
