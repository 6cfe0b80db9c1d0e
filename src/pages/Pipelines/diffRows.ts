import type { VersionDiff } from '../../api/types';

/** One row of a side-by-side diff: old line (left), new line (right), or a hunk separator. */
export type DiffRow =
  | { kind: 'hunk'; text: string }
  | {
      kind: 'line';
      left?: { n: number; text: string; changed: boolean };
      right?: { n: number; text: string; changed: boolean };
    };

/**
 * Side-by-side rows from unified hunks: context lines on both sides; a run of removals paired line by
 * line with the run of additions that follows it.
 */
export function toSideBySide(diff: VersionDiff): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const h of diff.hunks) {
    rows.push({ kind: 'hunk', text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
    let oldN = h.oldStart;
    let newN = h.newStart;
    let removed: string[] = [];
    let added: string[] = [];
    const flush = () => {
      const n = Math.max(removed.length, added.length);
      for (let i = 0; i < n; i++) {
        rows.push({
          kind: 'line',
          left: i < removed.length ? { n: oldN++, text: removed[i], changed: true } : undefined,
          right: i < added.length ? { n: newN++, text: added[i], changed: true } : undefined,
        });
      }
      removed = [];
      added = [];
    };
    for (const line of h.lines) {
      const tag = line[0];
      const text = line.slice(1);
      if (tag === '-') {
        if (added.length) {
          flush();
        }
        removed.push(text);
      } else if (tag === '+') {
        added.push(text);
      } else if (tag === '\\') {
        // "\ No newline at end of file"
        continue;
      } else {
        flush();
        rows.push({
          kind: 'line',
          left: { n: oldN++, text, changed: false },
          right: { n: newN++, text, changed: false },
        });
      }
    }
    flush();
  }
  return rows;
}
