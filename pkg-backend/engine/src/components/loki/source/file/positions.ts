/**
 * The positions file of `loki.source.file` (`<dataPath>/positions.yml`), in the format of Alloy's
 * `loki/source/internal/positions` (copied from promtail): a YAML map whose keys are
 * `{path, labels}` objects (`labels` is the Go `model.LabelSet.String()` of the target's non-reserved
 * labels, `{}` when none) and whose values are byte offsets as strings:
 *
 * ```yaml
 * positions:
 *   ? path: /var/log/app.log
 *     labels: '{job="app"}'
 *   : "1234"
 * ```
 *
 * Foundry adds a second map of the same shape, `inodes:`, holding the inode of the file each offset
 * belongs to, so a file replaced while the agent was down is read from its start instead of from an
 * offset that belongs to its predecessor. Alloy ignores unknown top-level keys, so the file stays readable
 * by Alloy; a file written by Alloy (no `inodes`) is read as Alloy reads it.
 *
 * Writes are atomic (a temporary file in the same directory, then rename), so a crash at any point leaves
 * either the previous or the new content. There is no fsync: a process crash (SIGKILL, OOM) loses nothing
 * that was written; a power loss may leave an older file, which means re-reading (duplicates), never
 * skipping.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isMap, parseDocument, stringify, type YAMLMap } from 'yaml';
import type { Logger } from '../../../../runtime/logger.js';

export interface PositionKey {
  path: string;
  labels: string;
}

const CURSOR_PREFIX = 'cursor-';
const JOURNAL_PREFIX = 'journal-';

const keyOf = (path: string, labels: string) => `${path}\u0000${labels}`;

function splitKey(k: string): PositionKey {
  const i = k.indexOf('\u0000');
  return { path: k.slice(0, i), labels: k.slice(i + 1) };
}

/** Reads a `{path, labels} → value` YAML map into key → string. @throws Error on a malformed entry. */
function readMap(node: unknown, into: Map<string, string>): void {
  if (node === undefined || node === null) return;
  if (!isMap(node)) throw new Error('expected a map');
  for (const pair of (node as YAMLMap).items) {
    const k = (pair.key as { toJSON?: () => unknown } | null)?.toJSON?.() ?? pair.key;
    const v = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? pair.value;
    if (!k || typeof k !== 'object') throw new Error('position keys must be {path, labels} maps');
    const { path, labels } = k as { path?: unknown; labels?: unknown };
    into.set(keyOf(String(path ?? ''), String(labels ?? '')), v === null || v === undefined ? '' : String(v));
  }
}

/**
 * Serializes positions (and Foundry's inode map) as Alloy's yaml.v2 does: entries sorted by path, then labels.
 */
export function serializePositions(positions: Map<string, string>, inodes?: Map<string, string>): string {
  const toYaml = (m: Map<string, string>) =>
    new Map(
      [...m.keys()]
        .sort()
        .map((k) => [splitKey(k), m.get(k)!] as [PositionKey, string])
        .map(([k, v]) => [{ path: k.path, labels: k.labels }, v]),
    );
  const doc: Record<string, unknown> = { positions: toYaml(positions) };
  if (inodes && inodes.size) doc.inodes = toYaml(inodes);
  return stringify(doc);
}

/** In-memory positions, saved to `file` on `save()`. Offsets are bytes of the (decoded-stream) file. */
export class Positions {
  private readonly positions = new Map<string, string>();
  private readonly inodes = new Map<string, string>();
  private dirty = false;
  private lastError = 0;

  /** @throws Error `invalid yaml positions file [<path>]: …` when the file exists but does not parse (as Alloy). */
  constructor(
    readonly file: string,
    private readonly logger: Logger,
  ) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      const doc = parseDocument(text);
      if (doc.errors.length) throw new Error(doc.errors[0]!.message);
      if (doc.contents === null) return;
      if (!isMap(doc.contents)) throw new Error('expected a map at the top level');
      readMap(doc.get('positions', true), this.positions);
      readMap(doc.get('inodes', true), this.inodes);
    } catch (err) {
      throw new Error(`invalid yaml positions file [${file}]: ${(err as Error).message}`);
    }
  }

  /** The stored string for an entry ('' when none). */
  getString(path: string, labels: string): string {
    return this.positions.get(keyOf(path, labels)) ?? '';
  }

  /** Whether an entry exists. */
  has(path: string, labels: string): boolean {
    return this.positions.has(keyOf(path, labels));
  }

  /**
   * The offset in bytes (0 when none).
   * @throws Error `strconv.ParseInt: parsing "<v>": invalid syntax` when the stored value is not an integer.
   */
  get(path: string, labels: string): number {
    const v = this.positions.get(keyOf(path, labels));
    if (v === undefined) return 0;
    if (!/^[+-]?\d+$/.test(v))
      throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number(v);
  }

  /** The inode recorded with the entry's offset (Foundry extension), if any. */
  inode(path: string, labels: string): bigint | undefined {
    const v = this.inodes.get(keyOf(path, labels));
    return v !== undefined && /^\d+$/.test(v) ? BigInt(v) : undefined;
  }

  /** Records an offset (bytes) and, when known, the inode of the file it belongs to. */
  put(path: string, labels: string, offset: number, inode?: bigint): void {
    const k = keyOf(path, labels);
    const v = String(offset);
    if (this.positions.get(k) !== v) {
      this.positions.set(k, v);
      this.dirty = true;
    }
    if (inode !== undefined) {
      const iv = inode.toString();
      if (this.inodes.get(k) !== iv) {
        this.inodes.set(k, iv);
        this.dirty = true;
      }
    }
  }

  remove(path: string, labels: string): void {
    const k = keyOf(path, labels);
    if (this.positions.delete(k) || this.inodes.delete(k)) this.dirty = true;
    this.inodes.delete(k);
  }

  /** All entries with their stored strings. */
  entries(): Array<PositionKey & { position: string }> {
    return [...this.positions].map(([k, position]) => ({ ...splitKey(k), position }));
  }

  /**
   * Writes the file atomically (temporary file + rename) when something changed (or `force`).
   * Errors are logged (at most every 10 s) and leave the entry dirty for the next attempt.
   */
  save(force = false): void {
    if (!this.dirty && !force) return;
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, serializePositions(this.positions, this.inodes), { mode: 0o600 });
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch (err) {
      if (Date.now() - this.lastError > 10_000) {
        this.lastError = Date.now();
        this.logger.error('error writing positions file', { error: (err as Error).message });
      }
    }
  }

  /** Drops entries whose file no longer exists (cursor/journal keys are kept), as Alloy's periodic cleanup. */
  cleanup(): void {
    for (const k of [...this.positions.keys()]) {
      const { path } = splitKey(k);
      if (path.startsWith(CURSOR_PREFIX) || path.startsWith(JOURNAL_PREFIX)) continue;
      try {
        statSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          this.positions.delete(k);
          this.inodes.delete(k);
          this.dirty = true;
        } else
          this.logger.warn('could not determine if log file still exists while cleaning positions file', {
            error: (err as Error).message,
          });
      }
    }
  }
}

/**
 * Converts a Grafana Agent static-mode positions file (`positions: {<path>: "<offset>"}`) into the new
 * format with labels `{}` — only when the new file does not exist or is empty, and the legacy one parses
 * (Alloy's `ConvertLegacyPositionsFile`).
 *
 * @throws Error when the legacy file exists but cannot be read (refusing to start avoids re-ingesting logs).
 */
export function convertLegacyPositionsFile(legacyPath: string, newPath: string, logger: Logger): void {
  let text: string;
  try {
    if (statSync(legacyPath).size === 0) {
      logger.info('no legacy positions file found', { path: legacyPath });
      return;
    }
    text = readFileSync(legacyPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      logger.info('no legacy positions file found', { path: legacyPath });
      return;
    }
    throw new Error(
      `legacy positions file ${JSON.stringify(legacyPath)} exists but could not be read, refusing to start to avoid re-ingesting logs: ${(err as Error).message}`,
    );
  }
  const legacy = new Map<string, string>();
  try {
    const doc = parseDocument(text);
    if (doc.errors.length) throw new Error(doc.errors[0]!.message);
    const node = doc.get('positions', true);
    if (node !== undefined && node !== null) {
      if (!isMap(node)) throw new Error('positions must be a map');
      for (const pair of node.items) {
        const k = (pair.key as { toJSON(): unknown }).toJSON();
        const v = (pair.value as { toJSON(): unknown } | null)?.toJSON();
        legacy.set(keyOf(String(k), '{}'), String(v ?? ''));
      }
    }
  } catch (err) {
    logger.error('error parsing legacy positions file', { path: legacyPath, error: (err as Error).message });
    return;
  }
  if (existsSync(newPath) && statSync(newPath).size > 0) {
    logger.info('will not convert the legacy positions file as the new positions file already exists', {
      path: newPath,
    });
    return;
  }
  try {
    const tmp = `${newPath}.tmp`;
    writeFileSync(tmp, serializePositions(legacy), { mode: 0o600 });
    renameSync(tmp, newPath);
  } catch (err) {
    logger.error('error writing new positions file converted from legacy', {
      path: newPath,
      error: (err as Error).message,
    });
  }
  logger.info('successfully converted legacy positions file to the new format', {
    path: newPath,
    legacy_path: legacyPath,
  });
}
