/**
 * On-disk last-good copies of remote pipelines, in `<storage.path>/remote/`: for each pipeline
 * `<id>.alloy` (its content) and `<id>.json` (its state: pipelineId, name, version, hash, and the sha256 of
 * the content as written). Both are replaced atomically, content first; the JSON commits the copy, and a
 * copy whose content does not match the JSON's checksum is ignored on load.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_MARKER, writeFileAtomic } from './atomic-file.js';

/** What runs for one pipeline (the fleet protocol's RunningPipeline). */
export interface PipelineState {
  pipelineId: string;
  name: string;
  version: number;
  /** The controller's hash of the content (sha256 hex). */
  hash: string;
}

export interface LastGoodCopy {
  state: PipelineState;
  content: string;
}

interface StateFile extends PipelineState {
  /** sha256 hex of the `.alloy` file's content, to detect a torn or edited copy. */
  contentSha256: string;
}

/** sha256 of a string's UTF-8 bytes, as lowercase hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class LastGoodStore {
  /** @param dir the folder holding the copies (created on first save). */
  constructor(readonly dir: string) {}

  /** File name stem of a pipeline (its ID, percent-encoded so it is always one safe path segment). */
  private stem(pipelineId: string): string {
    return encodeURIComponent(pipelineId).replace(/^\./, '%2E');
  }

  /**
   * Reads every valid copy, sorted by pipeline name. Broken copies (unreadable, bad JSON, checksum
   * mismatch) are reported through `onInvalid` and skipped; left-over temporary files are deleted.
   * A missing folder means no copies.
   */
  async load(onInvalid: (file: string, reason: string) => void = () => {}): Promise<LastGoodCopy[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: LastGoodCopy[] = [];
    for (const n of names.sort()) {
      if (n.includes(TEMP_MARKER)) {
        await rm(join(this.dir, n), { force: true });
        continue;
      }
      if (!n.endsWith('.json')) continue;
      const stem = n.slice(0, -'.json'.length);
      try {
        const st = JSON.parse(await readFile(join(this.dir, n), 'utf8')) as Partial<StateFile>;
        if (
          typeof st.pipelineId !== 'string' ||
          typeof st.name !== 'string' ||
          typeof st.version !== 'number' ||
          typeof st.hash !== 'string'
        )
          throw new Error('incomplete state');
        const content = await readFile(join(this.dir, `${stem}.alloy`), 'utf8');
        if (sha256Hex(content) !== st.contentSha256) throw new Error('content does not match its checksum');
        out.push({
          state: { pipelineId: st.pipelineId, name: st.name, version: st.version, hash: st.hash },
          content,
        });
      } catch (err) {
        onInvalid(join(this.dir, n), (err as Error).message);
      }
    }
    return out.sort((a, b) => (a.state.name < b.state.name ? -1 : a.state.name > b.state.name ? 1 : 0));
  }

  /**
   * Saves (replaces) the copy of one pipeline: content first, then the state that commits it.
   * @throws Error from the file system.
   */
  async save(state: PipelineState, content: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const stem = this.stem(state.pipelineId);
    await writeFileAtomic(join(this.dir, `${stem}.alloy`), content);
    const file: StateFile = {
      pipelineId: state.pipelineId,
      name: state.name,
      version: state.version,
      hash: state.hash,
      contentSha256: sha256Hex(content),
    };
    await writeFileAtomic(join(this.dir, `${stem}.json`), `${JSON.stringify(file, null, 2)}\n`);
  }

  /** Deletes the copy of one pipeline (state first, so a crash in between leaves no valid half). */
  async delete(pipelineId: string): Promise<void> {
    const stem = this.stem(pipelineId);
    await rm(join(this.dir, `${stem}.json`), { force: true });
    await rm(join(this.dir, `${stem}.alloy`), { force: true });
  }
}
