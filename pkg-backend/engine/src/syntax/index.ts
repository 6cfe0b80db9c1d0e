/** The Alloy syntax front-end: scanner, parser, printer, diagnostics, AST and value model. */
export * from './ast.js';
export * from './source.js';
export * from './diag.js';
export * from './value.js';
export { Token, tokenName, binaryPrecedence } from './token.js';
export { Scanner, scanAll, isValidIdentifier, unquoteString, UnquoteError, goQuote } from './scanner.js';
export type { ScanErrorHandler, ScannerOptions } from './scanner.js';
export { parseFile, parseFileWithDiagnostics, parseExpression } from './parser.js';
export { printExpr, printStmts, formatFile, formatSource } from './printer.js';
export { printDiagnostics } from './diag-printer.js';
export type { PrintDiagnosticsOptions } from './diag-printer.js';
