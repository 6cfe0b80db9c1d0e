/**
 * Diagnostics, as Alloy's `syntax/diag`: a severity, a start and end position and a message.
 * `toString()` of one diagnostic is `<start>: <message>`; a list prints as the first one plus
 * `(and N more diagnostics)`.
 */
import { formatPosition, NO_POSITION, type Position, type SourceFile } from './source.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Start of the offending range; NO_POSITION when the error has no position (e.g. missing attributes). */
  start: Position;
  /** End of the range (exclusive); equal to start for a point. */
  end: Position;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${formatPosition(d.start)}: ${d.message}`;
}

/** Builds an error diagnostic spanning [start, end) character offsets of a source file. */
export function diagAt(
  file: SourceFile | undefined,
  start: number,
  end: number,
  message: string,
): Diagnostic {
  if (!file) return { severity: 'error', start: NO_POSITION, end: NO_POSITION, message };
  return { severity: 'error', start: file.position(start), end: file.position(end), message };
}

/** An error carrying one or more diagnostics. Everything the parser, evaluator and loader throw is one. */
export class DiagnosticError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(summarizeDiagnostics(list));
    this.name = 'DiagnosticError';
    this.diagnostics = list;
  }
}

/** Alloy's `Diagnostics.Error()`: "no errors", the one message, or the first plus a count. */
export function summarizeDiagnostics(list: Diagnostic[]): string {
  if (list.length === 0) return 'no errors';
  if (list.length === 1) return formatDiagnostic(list[0]!);
  return `${formatDiagnostic(list[0]!)} (and ${list.length - 1} more diagnostics)`;
}

export function hasErrors(list: Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error');
}
