/** Paths and small readers for the shared corpus (read in place, never copied into the repo). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** /work/shared/corpus, relative to this file (repo root is four levels up). */
export const CORPUS = resolve(here, '../../../../../shared/corpus');
export const SYNTAX = join(CORPUS, 'alloy-syntax');
export const CONFIGS = join(CORPUS, 'alloy-configs');

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

export function listFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(suffix)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export interface ManifestEntry {
  file: string;
  kind: string;
  decoded_input?: string;
}

export function manifest(): ManifestEntry[] {
  return JSON.parse(read(join(SYNTAX, 'MANIFEST.json'))) as ManifestEntry[];
}

/** Parses a txtar archive: description lines, then `-- name --` sections. */
export function parseTxtar(text: string): { comment: string; files: { name: string; data: string }[] } {
  const files: { name: string; data: string }[] = [];
  const lines = text.split('\n');
  let comment = '';
  let cur: { name: string; data: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = /^-- (.+) --$/.exec(line.replace(/\r$/, ''));
    const last = i === lines.length - 1;
    if (m) {
      cur = { name: m[1]!.trim(), data: '' };
      files.push(cur);
      continue;
    }
    if (last && line === '') break; // the final newline
    if (cur) cur.data += line + '\n';
    else comment += line + '\n';
  }
  return { comment, files };
}
