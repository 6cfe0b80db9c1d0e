/** Crash-safe file replacement: write a temporary file beside the target, flush it, rename it over. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/** Suffix marker of temporary files (left-overs of a crash may be deleted by their owner). */
export const TEMP_MARKER = '.tmp-';

/**
 * Replaces `path` with `data` atomically: readers see either the old or the new content, never a mix.
 * The directory must exist.
 * @throws Error from the file system (the temporary file is removed).
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
