/**
 * Reads the agent's config: a file, or every `*.alloy` file directly inside a directory (no recursion,
 * ordered by name), as `alloy run PATH` does. Also computes Alloy's config hash (SHA-256 over the
 * contents in file-name order).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceText } from '@foundry/engine';

/** @throws Error when the path cannot be read. */
export async function readConfig(path: string): Promise<SourceText[]> {
  const st = await stat(path);
  if (!st.isDirectory()) return [{ filename: path, text: await readFile(path, 'utf8') }];
  const names = (await readdir(path)).filter((n) => n.endsWith('.alloy')).sort();
  return Promise.all(
    names.map(async (n) => ({ filename: join(path, n), text: await readFile(join(path, n), 'utf8') })),
  );
}

export function configHash(sources: SourceText[]): string {
  const h = createHash('sha256');
  for (const s of [...sources].sort((a, b) => (a.filename < b.filename ? -1 : 1))) h.update(s.text);
  return h.digest('hex');
}
