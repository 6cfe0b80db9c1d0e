/**
 * A generic append-only segment log: the storage layer shared by the write-ahead logs of
 * `prometheus.remote_write` (remote_write/wal.ts) and `loki.write` (loki/write/wal.ts). Record contents are
 * the caller's; this module owns files, framing, positions, durability and reading back.
 *
 * Layout: `<dir>/NNNNNNNN` segment files (8-digit decimal numbers). A new segment is started on every open
 * and whenever the head reaches `segmentSize` bytes; a segment is never appended to after a restart, so a
 * torn tail left by a crash is simply where that segment ends.
 *
 * Record framing: `type u8 | payload length u32le | crc32(payload) u32le | payload` (9-byte header). A record
 * whose header or payload runs past the end of its file, or whose CRC does not match or whose type the
 * reader does not accept, ends the segment (reported as a corruption unless it is the still-growing head).
 *
 * Positions: byte `off` of segment `seg` has position `seg * 2^32 + off`, a plain number exact below 2^53
 * (2^21 segments). Readers resume from any record boundary position.
 *
 * Durability: every `write` reaches the OS with `writeSync` (a process crash or SIGKILL loses nothing that
 * `write` returned for); the head is fdatasync'ed every `fsyncIntervalMs`, when a segment is cut and on
 * close, so a power loss can lose at most that interval. All I/O is synchronous and single-threaded.
 */
import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** Bytes of a record header. */
export const RECORD_HEADER = 9;
/** Position span of one segment. */
export const SEG_SPAN = 2 ** 32;

/** Position of byte `off` in segment `seg`. */
export function position(seg: number, off: number): number {
  return seg * SEG_SPAN + off;
}

/** Segment number of a position. */
export function segmentOf(pos: number): number {
  return Math.floor(pos / SEG_SPAN);
}

/** Growable byte buffer with a DataView for building framed records (`begin` … `end`). */
export class RecordBuffer {
  buf = Buffer.allocUnsafe(64 * 1024);
  view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  pos = 0;

  /** Makes room for `n` more bytes (doubling). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Starts a record of `type`; returns its start offset (pass it to `end`). */
  begin(type: number): number {
    this.ensure(RECORD_HEADER);
    const start = this.pos;
    this.buf[start] = type;
    this.pos += RECORD_HEADER;
    return start;
  }

  /** Fills in the length and CRC of the record started at `start`. */
  end(start: number): void {
    const len = this.pos - start - RECORD_HEADER;
    this.view.setUint32(start + 1, len, true);
    this.view.setUint32(start + 5, crc32(this.buf.subarray(start + RECORD_HEADER, this.pos)), true);
  }

  u16(v: number): void {
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A signed 64-bit integer (little-endian). Ensures room. */
  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.pos, v, true);
    this.pos += 8;
  }

  /** `len u32 | utf8 bytes`. Ensures room. */
  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.ensure(4 + n);
    this.u32(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  /** `pairs u16 | (len u32, utf8)…` of a flat name/value string array. Ensures room. */
  strings(l: readonly string[]): void {
    this.ensure(2);
    this.u16(l.length / 2);
    for (const s of l) this.str(s);
  }
}

/** Reads what `RecordBuffer.strings` wrote at `p`; returns the frozen array and the position after it. */
export function readStringsAt(view: DataView, buf: Buffer, p: number): [readonly string[], number] {
  const pairs = view.getUint16(p, true);
  p += 2;
  const out: string[] = new Array(pairs * 2);
  for (let i = 0; i < pairs * 2; i++) {
    const n = view.getUint32(p, true);
    p += 4;
    out[i] = buf.toString('utf8', p, p + n);
    p += n;
  }
  return [Object.freeze(out), p];
}

export interface SegmentLogOptions {
  /** Directory holding the segment files (created when missing). */
  dir: string;
  /** Bytes after which the head segment is cut. */
  segmentSize: number;
  /** Period of fdatasync of the head (ms); 0 = only on cut and close. */
  fsyncIntervalMs: number;
  /** Called for torn or corrupt records met by readers that are not quiet. */
  onCorruption?: (what: string) => void;
}

/** The segment files of one log: head appends, cutting, sizes, deletion. */
export class SegmentLog {
  readonly dir: string;
  firstSeg = 0;
  headSeg = 0;
  private headFd = -1;
  private headSize = 0;
  private dirty = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  /** Sizes of closed segments (bytes). */
  private readonly segSizes = new Map<number, number>();
  /** Called after each cut with the new head segment number. */
  onCut: (headSeg: number) => void = () => undefined;
  closed = false;

  /** Opens (creating) the directory; existing segments stay readable and a new head segment starts. */
  constructor(private readonly opts: SegmentLogOptions) {
    this.dir = opts.dir;
    mkdirSync(this.dir, { recursive: true });
    const segs = this.listSegments();
    for (const s of segs) this.segSizes.set(s, statSync(this.segmentPath(s)).size);
    const last = segs.length ? segs[segs.length - 1]! : 0;
    this.firstSeg = segs.length ? segs[0]! : last + 1;
    this.openHead(last + 1);
    if (opts.fsyncIntervalMs > 0) {
      this.fsyncTimer = setInterval(() => this.sync(), opts.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
  }

  /** Segment numbers found on disk when opened, ascending (before the new head). */
  private listSegments(): number[] {
    return readdirSync(this.dir)
      .filter((n) => /^\d{8}$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  }

  private openHead(seg: number): void {
    this.headSeg = seg;
    this.headFd = openSync(this.segmentPath(seg), 'w');
    this.headSize = 0;
  }

  /** End position of the head (where the next record goes). */
  head(): number {
    return position(this.headSeg, this.headSize);
  }

  /**
   * Appends `len` bytes of framed records from `buf` to the head, then cuts when the head reached
   * `segmentSize`. Returns the position of the first byte written.
   * @throws on I/O errors (disk full): the records are then not considered written.
   */
  write(buf: Buffer, len: number): number {
    if (this.closed) throw new Error('WAL is closed');
    const at = this.head();
    let written = 0;
    while (written < len) written += writeSync(this.headFd, buf, written, len - written);
    this.headSize += len;
    this.dirty = true;
    if (this.headSize >= this.opts.segmentSize) this.cut();
    return at;
  }

  /** Closes the head segment (fsync) and starts the next one. */
  cut(): void {
    fdatasyncSync(this.headFd);
    closeSync(this.headFd);
    this.segSizes.set(this.headSeg, this.headSize);
    this.openHead(this.headSeg + 1);
    this.onCut(this.headSeg);
  }

  /** Bytes in the head segment. */
  get headBytes(): number {
    return this.headSize;
  }

  /** fdatasync of the head when anything was written since the last sync. */
  sync(): void {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    try {
      fdatasyncSync(this.headFd);
    } catch {
      // Reported by the next write.
    }
  }

  /** Marks the log as written (callers that write companion files share the sync schedule). */
  markDirty(): void {
    this.dirty = true;
  }

  /** Bytes on disk: closed segments plus the head. */
  size(): number {
    let n = this.headSize;
    for (const v of this.segSizes.values()) n += v;
    return n;
  }

  /** Closed segments, oldest first, with their sizes and modification times. */
  closedSegments(): { seg: number; size: number; mtimeMs: number }[] {
    const out: { seg: number; size: number; mtimeMs: number }[] = [];
    for (const [seg, size] of [...this.segSizes].sort((a, b) => a[0] - b[0])) {
      let mtimeMs = Date.now();
      try {
        mtimeMs = statSync(this.segmentPath(seg)).mtimeMs;
      } catch {
        // deleted behind our back: treat as new
      }
      out.push({ seg, size, mtimeMs });
    }
    return out;
  }

  /**
   * Deletes closed segments below `beforeSeg` (never the head). Returns the bytes reclaimed; `firstSeg`
   * becomes `beforeSeg` when anything below it existed.
   */
  deleteBefore(beforeSeg: number): number {
    beforeSeg = Math.min(beforeSeg, this.headSeg);
    if (beforeSeg <= this.firstSeg) return 0;
    let bytes = 0;
    for (const [seg, size] of [...this.segSizes]) {
      if (seg >= beforeSeg) continue;
      rmSync(this.segmentPath(seg), { force: true });
      this.segSizes.delete(seg);
      bytes += size;
    }
    this.firstSeg = beforeSeg;
    return bytes;
  }

  /** Path of a segment file. */
  segmentPath(seg: number): string {
    return join(this.dir, String(seg).padStart(8, '0'));
  }

  /** Reports a torn or corrupt record. */
  reportCorruption(what: string): void {
    this.opts.onCorruption?.(what);
  }

  /** Syncs and closes the head. Idempotent. */
  close(): void {
    if (this.closed) return;
    clearInterval(this.fsyncTimer);
    try {
      fdatasyncSync(this.headFd);
    } finally {
      closeSync(this.headFd);
      this.closed = true;
    }
  }
}

/** One framed record as read back: the payload is a view valid until the reader's next call. */
export interface RawRecord {
  type: number;
  payload: Buffer;
  /** Position of the record. */
  pos: number;
  /** Position just after it. */
  end: number;
}

/**
 * Sequential reader of records from a position. `next()` returns the next record, or null when it has
 * reached the head (call again after more writes). Past a segment's end (clean, torn or corrupt) it moves to
 * the next segment; positions below the first segment jump to it. `quiet` readers do not report corruption.
 */
export class SegmentReader {
  pos: number;
  private fd = -1;
  private fdSeg = -1;
  private buf = Buffer.allocUnsafe(256 * 1024);
  private bufStart = 0;
  private bufLen = 0;

  constructor(
    private readonly log: SegmentLog,
    pos: number,
    private readonly validType: (type: number) => boolean,
    private readonly quiet = false,
  ) {
    this.pos = pos;
  }

  next(): RawRecord | null {
    for (;;) {
      const log = this.log;
      if (this.pos >= log.head()) return null;
      let seg = segmentOf(this.pos);
      if (seg < log.firstSeg) {
        this.pos = position(log.firstSeg, 0);
        seg = log.firstSeg;
        if (this.pos >= log.head()) return null;
      }
      const off = this.pos - position(seg, 0);
      if (!this.open(seg)) {
        this.pos = position(seg + 1, 0);
        continue;
      }
      if (!this.fill(off, RECORD_HEADER)) {
        if (seg === log.headSeg) return null;
        this.pos = position(seg + 1, 0);
        continue;
      }
      const i = off - this.bufStart;
      const type = this.buf[i]!;
      const len = this.buf.readUInt32LE(i + 1);
      const crc = this.buf.readUInt32LE(i + 5);
      if (!this.fill(off, RECORD_HEADER + len)) {
        if (seg === log.headSeg) return null;
        if (!this.quiet) log.reportCorruption(`segment ${seg}: torn record at offset ${off}`);
        this.pos = position(seg + 1, 0);
        continue;
      }
      const j = off - this.bufStart + RECORD_HEADER;
      const payload = this.buf.subarray(j, j + len);
      if (crc32(payload) !== crc || !this.validType(type)) {
        if (!this.quiet) log.reportCorruption(`segment ${seg}: bad record at offset ${off}`);
        this.pos = seg === log.headSeg ? log.head() : position(seg + 1, 0);
        continue;
      }
      const rec: RawRecord = { type, payload, pos: this.pos, end: this.pos + RECORD_HEADER + len };
      this.pos = rec.end;
      return rec;
    }
  }

  private open(seg: number): boolean {
    if (this.fdSeg === seg) return true;
    this.close();
    try {
      this.fd = openSync(this.log.segmentPath(seg), 'r');
    } catch {
      return false;
    }
    this.fdSeg = seg;
    this.bufLen = 0;
    return true;
  }

  /** Makes bytes [off, off+n) of the open segment available in `buf`; false when the file is shorter. */
  private fill(off: number, n: number): boolean {
    if (off >= this.bufStart && off + n <= this.bufStart + this.bufLen) return true;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    let got = 0;
    for (;;) {
      const r = readSync(this.fd, this.buf, got, this.buf.length - got, off + got);
      if (r === 0) break;
      got += r;
      if (got >= n) break;
    }
    this.bufStart = off;
    this.bufLen = got;
    return got >= n;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.fdSeg = -1;
    this.bufLen = 0;
  }
}
