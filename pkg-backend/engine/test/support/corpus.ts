/** Locations of the shared test corpus (read in place, never copied) and a txtar reader. */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared/corpus` beside the repository root. */
export const CORPUS = resolve(import.meta.dirname, '../../../../../shared/corpus');

/** A txtar archive: leading comment text, then `-- name --` sections (each line keeps its newline). */
export function parseTxtar(text: string): { comment: string; files: { name: string; text: string }[] } {
  const lines = text.replace(/\r\n/g, '\n').match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const files: { name: string; text: string }[] = [];
  let comment = '';
  let cur: { name: string; text: string } | undefined;
  for (const line of lines) {
    const m = /^-- (.+) --\n?$/.exec(line);
    if (m) {
      cur = { name: m[1]!, text: '' };
      files.push(cur);
    } else if (cur) cur.text += line;
    else comment += line;
  }
  return { comment, files };
}

/** Files under a directory, recursively, with a given suffix. */
export function walk(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}
