/**
 * One tailed file of `loki.source.file` (Alloy's `tailer.go` and `internal/tail/{file,block,signature}.go`,
 * re-designed for Node's event loop).
 *
 * Reading: new bytes are read from the committed offset in chunks of up to 256 KiB; every complete line of
 * a chunk becomes a LogEntry (labels = target labels without `__`-prefixed ones, plus `filename`;
 * timestamp = read time in ns, strictly increasing per file) and the chunk's entries are pushed to every
 * receiver in one array. Only **after** the push returns is the offset advanced and the positions file
 * rewritten — so a line is forwarded before its position is saved (at-least-once), and a crash can repeat
 * at most the one chunk whose push had returned but whose position write had not yet happened (pushes and
 * position writes are synchronous, so at most one chunk is in that window in the whole process).
 *
 * Watching (polling with backoff from `min_poll_frequency`, doubling to `max_poll_frequency`, reset on
 * change), at end of file:
 * - path gone or a different inode (rename rotation, delete): the rest of the old file is read through the
 *   still-open handle, an unterminated last line is flushed as a line, then the new file at the path is
 *   opened (waiting for it to appear) and read from 0 — unless its first bytes (up to 1 KiB) equal the old
 *   file's, in which case it is the same content atomically replaced and reading continues at the old
 *   offset (Alloy's signature check);
 * - size below the read offset, or the first bytes changed (copytruncate, rewrite): read again from 0
 *   (the partial line is dropped);
 * - size grew or mtime changed: read on.
 *
 * Starting: the saved offset for (path, labels) is used, unless the file is now smaller than it or (Foundry)
 * the saved inode differs — then 0. With no saved offset and `tail_from_end`, reading starts at the start
 * of the file's last line. A BOM is skipped and sets the encoding.
 *
 * Compressed files (`decompression`): the whole stream is read once (after `initial_delay`), skipping the
 * saved number of decompressed bytes; the last unterminated line is flushed; the tailer then stays idle
 * and its position is kept.
 */
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip, createInflate } from 'node:zlib';
import type { Counter, Gauge } from 'prom-client';
import type { Logger } from '../../../../runtime/logger.js';
import type { Labels } from '../../../prometheus/labels.js';
import { NO_METADATA, nowNs, type LogEntry } from '../../entry.js';
import type { Positions } from './positions.js';
import { codecFor, detectBOM, LineSplitter, type Codec } from './reader.js';

const CHUNK = 256 * 1024;
const SIGNATURE_SIZE = 1024;
const SIGNATURE_THRESHOLDS = [64, 128, 256, 512, SIGNATURE_SIZE];

export type OnPositionsFileError = 'skip' | 'restart_from_end' | 'restart_from_beginning';

export interface TailerMetrics {
  readBytes: Gauge<'path'>;
  totalBytes: Gauge<'path'>;
  readLines: Counter<'path'>;
  filesActive: Gauge;
  encodingFailures: Counter<'path'>;
}

export interface TailerOptions {
  path: string;
  /** Go `model.LabelSet.String()` of the non-reserved labels: the positions key. */
  labelsKey: string;
  /** Entry labels (non-reserved target labels + `filename`). */
  labels: Labels;
  encoding: string;
  /** Decompression format ('gz' | 'z') when enabled. */
  compression?: 'gz' | 'z';
  /** Milliseconds to wait before reading a compressed file. */
  initialDelayMs: number;
  minPollMs: number;
  maxPollMs: number;
  tailFromEnd: boolean;
  onPositionsFileError: OnPositionsFileError;
  legacyPositionUsed: boolean;
}

export interface TailerDeps {
  positions: Positions;
  metrics: TailerMetrics;
  logger: Logger;
  /** Pushes entries to the receivers; a throw leaves the offset unadvanced (the chunk is read again). */
  forward(entries: LogEntry[]): void;
}

type Event = 'modified' | 'truncated' | 'deleted' | 'stopped';

/** Reads a file and forwards its lines until stopped. Errors are retried with backoff (1 s … 10 s). */
export class Tailer {
  running = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private fh: FileHandle | undefined;
  private ino = 0n;
  /** Offset after the last complete (forwarded) line. */
  private pos = 0;
  /** Offset of the next read (pos + pending bytes). */
  private readPos = 0;
  private signature: Buffer = Buffer.alloc(0);
  private splitter: LineSplitter;
  private codec: Codec;
  private lastTs = 0n;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private readonly log: Logger;

  /** @throws Error for an unsupported encoding. */
  constructor(
    readonly opts: TailerOptions,
    private readonly deps: TailerDeps,
  ) {
    this.codec = codecFor(opts.encoding);
    this.splitter = new LineSplitter(this.codec, () => deps.metrics.encodingFailures.labels(opts.path).inc());
    this.log = deps.logger.child({ component: 'tailer', path: opts.path });
  }

  start(): void {
    this.done = this.loop();
  }

  /** Stops reading; resolves once the file is closed and the last offset recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.done;
  }

  /** The offset in the positions file. */
  readOffset(): number {
    try {
      return this.deps.positions.get(this.opts.path, this.opts.labelsKey);
    } catch {
      return 0;
    }
  }

  private async loop(): Promise<void> {
    let backoff = 1000;
    let reported = false;
    while (!this.stopped) {
      try {
        await this.runOnce();
        backoff = 1000;
      } catch (err) {
        if (!reported && !this.stopped)
          this.log.error('failed to tail file', { error: (err as Error).message });
        reported = true;
      }
      // A compressed file is read once; a failure to start it is not retried (as Alloy).
      if (this.opts.compression || this.stopped) return;
      await this.pause(backoff);
      backoff = Math.min(backoff * 2, 10_000);
    }
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopped) return;
    try {
      await sleep(ms, undefined, { signal: this.abort.signal });
    } catch {
      // aborted
    }
  }

  /** The starting offset from the positions file, following `on_positions_file_error`. */
  private savedOffset(): { offset: number; fromEnd: boolean } {
    const { positions } = this.deps;
    const { path, labelsKey } = this.opts;
    let fromEnd = this.opts.tailFromEnd;
    let offset = 0;
    try {
      offset = positions.get(path, labelsKey);
    } catch (err) {
      switch (this.opts.onPositionsFileError) {
        case 'skip':
          throw new Error(`failed to get file position: ${(err as Error).message}`);
        case 'restart_from_end':
          fromEnd = true;
          this.log.info('reset position to end of file after position error');
          break;
        default:
          this.log.info('reset position to start of file after positions error');
      }
    }
    if (offset === 0 && this.opts.legacyPositionUsed) offset = positions.get(path, '{}');
    return { offset, fromEnd };
  }

  private async runOnce(): Promise<void> {
    const { path } = this.opts;
    await stat(path).catch((err: Error) => {
      throw new Error(`failed to tail file: ${err.message}`);
    });
    const { offset, fromEnd } = this.savedOffset();
    if (this.opts.compression) return this.readCompressed(offset);

    const fh = await open(path, 'r');
    this.fh = fh;
    this.running = true;
    this.deps.metrics.filesActive.inc();
    this.log.info('start tailing file');
    try {
      const st = await fh.stat({ bigint: true });
      this.ino = st.ino;
      const size = Number(st.size);
      let pos = offset;
      const savedIno = this.deps.positions.inode(path, this.opts.labelsKey);
      // A different file than the saved offset belongs to (replaced while we were down), or a file now
      // smaller than the offset (truncated): read it from its start, even with tail_from_end.
      const replaced = (savedIno !== undefined && savedIno !== st.ino) || size < pos;
      if (replaced) pos = 0;
      this.signature = await this.readSignature(fh);
      const bom = detectBOM(this.signature.subarray(0, 4));
      this.setCodec(bom.codec ?? this.codec);
      if (pos === 0 && fromEnd && !replaced) pos = await this.lastNewline(fh, size);
      pos = Math.max(pos, bom.skip);
      this.pos = this.readPos = pos;
      this.splitter.reset();
      this.commit(size);
      await this.tail();
    } finally {
      this.running = false;
      this.deps.metrics.filesActive.dec();
      this.cleanupMetrics();
      this.commit(undefined);
      await this.fh?.close().catch(() => undefined);
      this.fh = undefined;
      this.log.info('stopped tailing file');
    }
  }

  private setCodec(c: Codec): void {
    if (c !== this.codec) {
      this.codec = c;
      this.splitter.setCodec(c);
    }
  }

  private cleanupMetrics(): void {
    const { metrics } = this.deps;
    const { path } = this.opts;
    metrics.readLines.remove(path);
    metrics.readBytes.remove(path);
    metrics.totalBytes.remove(path);
    metrics.encodingFailures.remove(path);
  }

  /** Records the committed offset (and inode) and writes the positions file. */
  private commit(size: number | undefined): void {
    const { positions, metrics } = this.deps;
    positions.put(
      this.opts.path,
      this.opts.labelsKey,
      this.pos,
      this.opts.compression ? undefined : this.ino,
    );
    positions.save();
    if (this.running) {
      metrics.readBytes.labels(this.opts.path).set(this.pos);
      if (size !== undefined) metrics.totalBytes.labels(this.opts.path).set(size);
    }
  }

  private async readSignature(fh: FileHandle): Promise<Buffer> {
    const b = Buffer.alloc(SIGNATURE_SIZE);
    const { bytesRead } = await fh.read(b, 0, SIGNATURE_SIZE, 0);
    return b.subarray(0, bytesRead);
  }

  /** Start of the file's last line: the offset after its last encoded newline (0 when none). */
  private async lastNewline(fh: FileHandle, size: number): Promise<number> {
    const nl = this.codec.nl;
    const b = Buffer.alloc(1024);
    let pos = Math.max(0, size - b.length);
    for (;;) {
      const { bytesRead } = await fh.read(b, 0, b.length, pos);
      const i = b.subarray(0, bytesRead).lastIndexOf(nl);
      if (i >= 0) return pos + i + nl.length;
      if (pos === 0) return 0;
      pos = Math.max(0, pos - b.length + nl.length);
    }
  }

  /** Turns lines into entries and forwards them; then advances the committed offset. */
  private emit(lines: string[], newPos: number): void {
    if (lines.length) {
      let ts = nowNs();
      if (ts <= this.lastTs) ts = this.lastTs + 1n;
      const entries: LogEntry[] = new Array(lines.length);
      for (let i = 0; i < lines.length; i++) {
        entries[i] = {
          labels: this.opts.labels,
          timestamp: ts,
          line: lines[i]!,
          structuredMetadata: NO_METADATA,
        };
        ts++;
      }
      this.lastTs = ts - 1n;
      this.deps.forward(entries);
      this.deps.metrics.readLines.labels(this.opts.path).inc(lines.length);
    }
    this.pos = newPos;
  }

  /** Reads and forwards everything currently in the file. Returns the bytes read. */
  private async readAvailable(): Promise<number> {
    const fh = this.fh!;
    let total = 0;
    while (!this.stopped) {
      const { bytesRead } = await fh.read(this.buf, 0, CHUNK, this.readPos);
      if (bytesRead === 0) break;
      total += bytesRead;
      this.readPos += bytesRead;
      const lines = this.splitter.push(this.buf.subarray(0, bytesRead));
      const before = this.pos;
      this.emit(lines, this.readPos - this.splitter.pending.length);
      if (this.pos !== before) this.commit(undefined);
      if (
        this.signature.length < SIGNATURE_SIZE &&
        SIGNATURE_THRESHOLDS.some((t) => this.readPos >= t && this.signature.length < t)
      )
        this.signature = await this.readSignature(fh);
      if (bytesRead < CHUNK) break;
    }
    return total;
  }

  /** Flushes the unterminated last line of a file that is being left (rotation). */
  private flushPartial(): void {
    const line = this.splitter.flush();
    if (line !== undefined) {
      this.emit([line], this.readPos);
      this.commit(undefined);
    }
  }

  private async tail(): Promise<void> {
    while (!this.stopped) {
      if ((await this.readAvailable()) > 0) continue;
      const ev = await this.waitEvent();
      if (ev === 'stopped') return;
      if (ev === 'truncated') {
        this.log.debug('file truncated');
        await this.restartFromZero();
      } else if (ev === 'deleted') {
        this.log.debug('file deleted or rotated');
        await this.readAvailable();
        if (this.stopped) return;
        this.flushPartial();
        await this.reopen();
      }
    }
  }

  private async restartFromZero(): Promise<void> {
    this.splitter.reset();
    const fh = this.fh!;
    this.signature = await this.readSignature(fh);
    const bom = detectBOM(this.signature.subarray(0, 4));
    this.setCodec(bom.codec ?? this.codec);
    this.pos = this.readPos = bom.skip;
    this.commit(undefined);
  }

  /** Polls until the file changes; see the module doc for the events. */
  private async waitEvent(): Promise<Event> {
    const fh = this.fh!;
    let orig;
    try {
      orig = await fh.stat({ bigint: true });
    } catch {
      return 'deleted';
    }
    let interval = Math.min(this.opts.minPollMs, this.opts.maxPollMs);
    while (!this.stopped) {
      let st;
      try {
        st = await stat(this.opts.path, { bigint: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'deleted';
        throw err;
      }
      if (st.ino !== orig.ino || st.dev !== orig.dev) return 'deleted';
      const size = Number(st.size);
      if (size < this.readPos) return 'truncated';
      if (size > this.readPos || st.mtimeNs !== orig.mtimeNs) {
        this.deps.metrics.totalBytes.labels(this.opts.path).set(size);
        if (await this.rewritten()) return 'truncated';
        return 'modified';
      }
      await this.pause(interval);
      interval = Math.min(interval * 2, this.opts.maxPollMs);
    }
    return 'stopped';
  }

  /** Whether the file's first bytes no longer equal the signature (truncated and refilled past our offset). */
  private async rewritten(): Promise<boolean> {
    if (this.signature.length === 0) return false;
    const b = Buffer.alloc(this.signature.length);
    const { bytesRead } = await this.fh!.read(b, 0, b.length, 0);
    return !b.subarray(0, bytesRead).equals(this.signature.subarray(0, bytesRead));
  }

  /** Opens the file that now lives at the path (waiting for it), after a rename or delete. */
  private async reopen(): Promise<void> {
    const oldIno = this.ino;
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
    let interval = Math.min(this.opts.minPollMs, this.opts.maxPollMs);
    while (!this.stopped) {
      let fh: FileHandle;
      try {
        fh = await open(this.opts.path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await this.pause(interval);
        interval = Math.min(interval * 2, this.opts.maxPollMs);
        continue;
      }
      const st = await fh.stat({ bigint: true });
      if (st.ino === oldIno) {
        // Still the same file (a transient stat failure): keep reading it.
        this.fh = fh;
        return;
      }
      const sig = await this.readSignature(fh);
      const same =
        this.signature.length > 0 &&
        (this.signature.length < SIGNATURE_SIZE
          ? sig.length >= this.signature.length &&
            sig.subarray(0, this.signature.length).equals(this.signature)
          : sig.equals(this.signature));
      this.fh = fh;
      this.ino = st.ino;
      this.signature = sig;
      this.splitter.reset();
      const bom = detectBOM(sig.subarray(0, 4));
      this.setCodec(bom.codec ?? this.codec);
      this.pos = this.readPos = Math.max(bom.skip, same ? Math.min(this.pos, Number(st.size)) : 0);
      this.commit(Number(st.size));
      return;
    }
  }

  /** Reads a gzip/zlib file once from the saved (decompressed) offset. */
  private async readCompressed(offset: number): Promise<void> {
    if (this.opts.initialDelayMs > 0) {
      this.log.info('sleeping before reading file', { duration_ms: this.opts.initialDelayMs });
      await this.pause(this.opts.initialDelayMs);
      if (this.stopped) return;
    }
    this.running = true;
    this.deps.metrics.filesActive.inc();
    this.log.info('start tailing file');
    const src = createReadStream(this.opts.path);
    const stream = src.pipe(this.opts.compression === 'gz' ? createGunzip() : createInflate());
    src.on('error', (err) => stream.destroy(err));
    let total = 0;
    let first = true;
    this.pos = this.readPos = offset;
    try {
      for await (const raw of stream as AsyncIterable<Buffer>) {
        if (this.stopped) break;
        let chunk = raw;
        if (first) {
          first = false;
          const bom = detectBOM(chunk.subarray(0, 4));
          this.setCodec(bom.codec ?? this.codec);
          if (offset < bom.skip) this.pos = this.readPos = offset = bom.skip;
        }
        const start = total;
        total += chunk.length;
        if (total <= offset) continue;
        if (start < offset) chunk = chunk.subarray(offset - start);
        for (let i = 0; i < chunk.length && !this.stopped; i += CHUNK) {
          const part = chunk.subarray(i, i + CHUNK);
          this.readPos += part.length;
          const lines = this.splitter.push(part);
          this.emit(lines, this.readPos - this.splitter.pending.length);
          this.commit(undefined);
        }
      }
      if (!this.stopped) this.flushPartial();
    } finally {
      stream.destroy();
      this.running = false;
      this.deps.metrics.filesActive.dec();
      this.cleanupMetrics();
      this.commit(undefined);
      this.log.info('stopped tailing file');
    }
  }
}
