/**
 * Pretty printer for diagnostics, as Alloy's `diag.Printer` (used by `alloy run` on a failed load and by
 * `alloy validate`): a header per diagnostic, then the offending lines with one line of context before
 * and after, right-aligned line numbers, tabs shown as 4 spaces, `^` markers under the range, and a
 * `|` gutter for ranges spanning several lines. Diagnostics are separated by a blank line.
 */
import type { Diagnostic } from './diag.js';
import { formatPosition, isValidPosition, type Position, type SourceFile } from './source.js';

const TAB_WIDTH = 4;
const CONTEXT_BEFORE = 1;
const CONTEXT_AFTER = 1;

const RESET = '\x1b[0m';

export interface PrintDiagnosticsOptions {
  /** Colour the header (red `Error:`, yellow `Warning:`, bold message), as with a terminal. Default false. */
  color?: boolean;
}

/**
 * Renders diagnostics exactly as Alloy's `diag.Fprint`. `files` gives the source of each file name (a map
 * or a lookup function); diagnostics whose file is unknown print only their header. Ranges use this
 * project's convention (`end` exclusive, `end` equal to `start` or invalid for a single position) and are
 * converted to Alloy's inclusive end. The result ends with "\n" when there is at least one diagnostic.
 */
export function printDiagnostics(
  diags: Diagnostic[],
  files: Map<string, SourceFile> | ((filename: string) => SourceFile | undefined),
  opts: PrintDiagnosticsOptions = {},
): string {
  const lookup = typeof files === 'function' ? files : (name: string) => files.get(name);
  const out: string[] = [];
  for (let i = 0; i < diags.length; i++) {
    const d = diags[i]!;
    printHeader(out, d, opts.color ?? false);
    const file = isValidPosition(d.start) ? lookup(d.start.filename) : undefined;
    if (file) {
      const end = inclusiveEnd(d, file);
      if (end.filename === d.start.filename) printRange(out, file.text, d.start, end);
    }
    if (i + 1 < diags.length) out.push('\n');
  }
  return out.join('');
}

function printHeader(out: string[], d: Diagnostic, color: boolean): void {
  const text = `${formatPosition(d.start)}: ${d.message}\n`;
  const label = d.severity === 'warning' ? 'Warning: ' : 'Error: ';
  if (color) {
    const c = d.severity === 'warning' ? '\x1b[33;1m' : '\x1b[31;1m';
    out.push(`${c}${label}${RESET}\x1b[1m${text}${RESET}`);
    return;
  }
  out.push(label + text);
}

/** Alloy's EndPos is the position of the last character; ours is just past it. */
function inclusiveEnd(d: Diagnostic, file: SourceFile): Position {
  const s = d.start;
  const e = d.end;
  if (!isValidPosition(e) || e.filename !== s.filename) return s;
  if (e.line < s.line || (e.line === s.line && e.column <= s.column)) return s;
  if (e.offset > 0 && e.offset <= file.text.length) return file.position(e.offset - 1);
  return { ...e, column: Math.max(1, e.column - 1) };
}

function printRange(out: string[], text: string, start: Position, end: Position): void {
  out.push('\n');
  const lines = text.split('\n');
  const startLine = Math.max(start.line - CONTEXT_BEFORE, 1);
  const endLine = Math.min(end.line + CONTEXT_AFTER, lines.length);
  const multiline = end.line - start.line > 0;
  const prefixWidth = String(endLine).length;

  for (let lineNum = startLine; lineNum <= endLine; lineNum++) {
    const line = lines[lineNum - 1]!;
    out.push(String(lineNum).padStart(prefixWidth, ' '), ' | ');
    if (multiline) out.push(inRange(lineNum, 0, start, end) ? '| ' : '  ');
    // The line itself, without CRs and with tabs expanded.
    let shown = '';
    for (const ch of line) {
      if (ch === '\r') continue;
      shown += ch === '\t' || ch === '\v' ? ' '.repeat(TAB_WIDTH) : ch;
    }
    out.push(shown, '\n');

    if (lineNum === start.line || (multiline && lineNum === end.line)) {
      out.push(' '.repeat(prefixWidth));
      if (multiline && lineNum === start.line) out.push(' |  _');
      else if (multiline && lineNum === end.line) out.push(' | |_');
      else out.push(' | ');
      out.push(focus(line, lineNum, start, end), '\n');
    }
  }
}

/** The marker line under `line`: `^` in the range, blanks (or `_` for multi-line ranges) elsewhere. */
function focus(line: string, lineNum: number, start: Position, end: Position): string {
  const blank = end.line - start.line > 0 ? '_' : ' ';
  let s = '';
  let byte = 0; // Alloy columns are UTF-8 byte offsets
  for (const ch of line) {
    const column = byte + 1;
    if (lineNum === end.line && column > end.column) break;
    if (ch === '\t' || ch === '\v') s += blank.repeat(TAB_WIDTH);
    else if (inRange(lineNum, column, start, end)) s += '^';
    else s += blank;
    const cp = ch.codePointAt(0)!;
    byte += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return s;
}

function inRange(line: number, col: number, start: Position, end: Position): boolean {
  if (line < start.line || line > end.line) return false;
  if (line === start.line) return col >= start.column;
  if (line === end.line) return col <= end.column;
  return true;
}
