/**
 * A parsed source file: its name, text and a line table, so AST nodes can store plain character offsets
 * and positions are computed only when a diagnostic or the printer needs them.
 *
 * Columns follow Alloy (Go): 1-based **byte** offsets within the line (UTF-8), a tab counts as one.
 */
export interface Position {
  filename: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-8 bytes from the start of the line. */
  column: number;
  /** Character (UTF-16 code unit) offset into the source text. */
  offset: number;
}

/** Position for diagnostics that have none (printed as `-`, as Alloy's invalid token.Pos). */
export const NO_POSITION: Position = Object.freeze({ filename: '', line: 0, column: 0, offset: -1 });

export function isValidPosition(p: Position): boolean {
  return p.line > 0;
}

/** `file:line:col`, `line:col` without a file name, or `-` when invalid (as Alloy's Position.String). */
export function formatPosition(p: Position): string {
  if (!isValidPosition(p)) return '-';
  return p.filename ? `${p.filename}:${p.line}:${p.column}` : `${p.line}:${p.column}`;
}

export class SourceFile {
  /** Character offsets at which each line starts; lineStarts[0] === 0. */
  readonly lineStarts: number[];

  constructor(
    readonly filename: string,
    readonly text: string,
  ) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }

  /** 0-based line index containing the character offset (binary search). */
  lineIndex(offset: number): number {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Position of a character offset. Offsets past the end clamp to the end of the text. */
  position(offset: number): Position {
    if (offset < 0) return NO_POSITION;
    if (offset > this.text.length) offset = this.text.length;
    const li = this.lineIndex(offset);
    const start = this.lineStarts[li]!;
    return {
      filename: this.filename,
      line: li + 1,
      column: utf8Length(this.text, start, offset) + 1,
      offset,
    };
  }

  /** 1-based line number of an offset. */
  line(offset: number): number {
    return this.lineIndex(offset) + 1;
  }

  /** Text of a 1-based line without its newline (and without a trailing CR). */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}

/** UTF-8 byte length of text[start, end) without allocating. */
export function utf8Length(text: string, start = 0, end = text.length): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
