/**
 * The write-ahead log of `prometheus.remote_write` (our own format, in the spirit of Prometheus' tsdb/wlog
 * and Alloy's `internal/static/metrics/wal`, not byte-compatible with either).
 *
 * Layout under `<dataPath>/wal/`:
 * - `series`: append-only log of series records (`ref → labels`); rewritten without dead series when
 *   segments are truncated (write `series.tmp`, fsync, rename).
 * - `segments/NNNNNNNN`: sample and exemplar records. A new segment is started on every open and whenever
 *   the head reaches `segmentSize`; a segment is never appended to after a restart, so a torn tail left by
 *   a crash is simply where that segment ends.
 * - `positions/<endpoint>.json`: what each endpoint has delivered (written by the queues, see queue.ts).
 *
 * Segment files, record framing, positions and reading back are the shared segment log
 * (`components/common/segment-log.ts`, also used by loki.write): `type u8 | payload length u32le |
 * crc32(payload) u32le | payload`. A record whose header or payload runs past the end of its file, or whose
 * CRC does not match, ends the segment (counted as a corruption when it is not the torn tail of the newest
 * segment before a restart).
 * - series (1): `ref u32 | pairs u16 | (len u32, utf8)…` name/value strings.
 * - samples (2): `n u32 | refs u32[n] | timestamps f64[n] | values f64[n]`; stale markers are stored as the
 *   StaleNaN bits, so the record round-trips the `stale` flag.
 * - exemplars (3): `n u32 | (ref u32, ts f64, value f64, pairs u16, strings…)[n]`.
 *
 * Positions: a record at byte `off` of segment `seg` has position `seg * 2^32 + off`; its k-th item has
 * position `recordPos + k` (a record is always longer than its item count, so item positions never reach
 * the next record). Positions are plain numbers, exact below 2^53 (2^21 segments).
 *
 * Durability: every append is written to the OS with one `writeSync` (a process crash or SIGKILL loses
 * nothing that `append` returned for); the head segment and the series file are fdatasync'ed every
 * `fsyncIntervalMs` and when a segment is cut or the WAL closes, so a power loss can lose at most that
 * interval.
 */
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  position,
  readStringsAt,
  RecordBuffer,
  RECORD_HEADER,
  segmentOf,
  SegmentLog,
  SegmentReader,
} from '../../common/segment-log.js';
import type { Exemplar, SampleBatch } from '../appendable.js';
import type { Labels } from '../labels.js';

export { position, SEG_SPAN, segmentOf } from '../../common/segment-log.js';

export const REC_SERIES = 1;
export const REC_SAMPLES = 2;
export const REC_EXEMPLARS = 3;
const HEADER = RECORD_HEADER;
const STALE_LO = 0x00000002;
const STALE_HI = 0x7ff00000;

/** A samples or exemplars record as read back (or as just appended). Arrays hold exactly `count` items. */
export interface WalRecord {
  type: typeof REC_SAMPLES | typeof REC_EXEMPLARS;
  /** Position of the record; item k has position `pos + k`. */
  pos: number;
  /** Position just after the record (where the next one starts). */
  end: number;
  count: number;
  refs: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
  stale: Uint8Array;
  /** Exemplar label sets (exemplar records only). */
  exemplarLabels?: Labels[];
}

export interface WalOptions {
  dir: string;
  /** Bytes after which the head segment is cut. */
  segmentSize: number;
  fsyncIntervalMs: number;
  onCorruption?: (what: string) => void;
}

/** Label sets are stored as `RecordBuffer.strings`. */
function readLabelsAt(view: DataView, buf: Buffer, p: number): [Labels, number] {
  return readStringsAt(view, buf, p);
}

function seriesKey(l: Labels): string {
  return l.join('\xff');
}

/**
 * The WAL: series table (refs), segment files, appends, and truncation. Single-threaded; all I/O is
 * synchronous (appends are small and frequent; reads are done by `WalReader` in bounded chunks).
 */
export class Wal {
  readonly dir: string;
  readonly segDir: string;
  /** Labels by ref; `undefined` for deleted refs. */
  readonly labels: (Labels | undefined)[] = [];
  /** Highest segment holding a sample of the ref. */
  private lastSeg = new Int32Array(1024);
  /** Wall-clock ms of the ref's last append. */
  private lastAppend = new Float64Array(1024);
  private readonly byLabels = new WeakMap<Labels, number>();
  private readonly byKey = new Map<string, number>();
  private nextRef = 1;
  activeSeries = 0;

  /** The segment files (shared segment log). */
  readonly log: SegmentLog;
  private seriesFd = -1;
  /** The series file was written since its last fdatasync. */
  private dirty = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private readonly rec = new RecordBuffer();
  private readonly series = new RecordBuffer();
  closed = false;

  /** Called for each series created (metrics). */
  onSeriesCreated: () => void = () => undefined;

  constructor(private readonly opts: WalOptions) {
    this.dir = opts.dir;
    this.segDir = join(opts.dir, 'segments');
    mkdirSync(opts.dir, { recursive: true });
    // Our own timer syncs the head together with the series file.
    this.log = new SegmentLog({
      dir: this.segDir,
      segmentSize: opts.segmentSize,
      fsyncIntervalMs: 0,
      onCorruption: opts.onCorruption,
    });
    this.loadSeries();
    // Series loaded from disk may have samples in any existing segment.
    this.lastSeg.fill(this.log.headSeg - 1, 0, this.lastSeg.length);
    if (opts.fsyncIntervalMs > 0) {
      this.fsyncTimer = setInterval(() => this.sync(), opts.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
  }

  /** First segment still on disk. */
  get firstSeg(): number {
    return this.log.firstSeg;
  }

  /** The segment being appended to. */
  get headSeg(): number {
    return this.log.headSeg;
  }

  /** Loads the series file; cuts a torn or corrupt tail off so later appends follow a valid record. */
  private loadSeries(): void {
    const path = join(this.dir, 'series');
    this.seriesFd = openSync(path, 'a+');
    const size = fstatSync(this.seriesFd).size;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(this.seriesFd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let p = 0;
    while (p + HEADER <= got) {
      const len = view.getUint32(p + 1, true);
      if (p + HEADER + len > got) break;
      const payload = buf.subarray(p + HEADER, p + HEADER + len);
      if (buf[p] !== REC_SERIES || crc32(payload) !== view.getUint32(p + 5, true)) break;
      const ref = view.getUint32(p + HEADER, true);
      const [labels] = readLabelsAt(view, buf, p + HEADER + 4);
      this.setSeries(ref, labels);
      p += HEADER + len;
    }
    if (p < got) {
      this.opts.onCorruption?.(`series file: ${got - p} bytes of torn or corrupt data cut`);
      ftruncateSync(this.seriesFd, p);
    }
  }

  private setSeries(ref: number, labels: Labels): void {
    this.growRef(ref);
    if (this.labels[ref] === undefined) this.activeSeries++;
    this.labels[ref] = labels;
    this.byLabels.set(labels, ref);
    this.byKey.set(seriesKey(labels), ref);
    if (ref >= this.nextRef) this.nextRef = ref + 1;
  }

  private growRef(ref: number): void {
    if (ref < this.lastSeg.length) return;
    let n = this.lastSeg.length * 2;
    while (n <= ref) n *= 2;
    const ls = new Int32Array(n);
    ls.set(this.lastSeg);
    ls.fill(this.headSeg, this.lastSeg.length);
    this.lastSeg = ls;
    const la = new Float64Array(n);
    la.set(this.lastAppend);
    this.lastAppend = la;
  }

  /** The ref of a label set, creating (and logging) the series when new. */
  ref(labels: Labels): number {
    let ref = this.byLabels.get(labels);
    if (ref !== undefined && this.labels[ref] !== undefined) return ref;
    const key = seriesKey(labels);
    ref = this.byKey.get(key);
    if (ref !== undefined) {
      this.byLabels.set(labels, ref);
      return ref;
    }
    ref = this.nextRef++;
    this.setSeries(ref, labels);
    this.lastSeg[ref] = this.headSeg;
    const s = this.series;
    const start = s.begin(REC_SERIES);
    s.ensure(4);
    s.u32(ref);
    s.strings(labels);
    s.end(start);
    this.onSeriesCreated();
    return ref;
  }

  /** End position of the head (where the next record goes). */
  head(): number {
    return this.log.head();
  }

  /**
   * Appends a batch: new series records first (series file), then one samples record and, when
   * `withExemplars` and present, one exemplars record. Returns the records as they will read back.
   * @throws on I/O errors (disk full): nothing of the batch is then considered written.
   */
  append(batch: SampleBatch, withExemplars: boolean): WalRecord[] {
    if (this.closed) throw new Error('WAL is closed');
    const n = batch.count;
    const refs = new Uint32Array(n);
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const r = this.ref(batch.series[i]!);
      refs[i] = r;
      this.lastSeg[r] = this.headSeg;
      this.lastAppend[r] = now;
    }
    this.flushSeries();
    const out: WalRecord[] = [];
    const rb = this.rec;
    rb.pos = 0;
    const base = this.head();
    if (n > 0) {
      const start = rb.begin(REC_SAMPLES);
      rb.ensure(4 + n * 20);
      rb.u32(n);
      for (let i = 0; i < n; i++) rb.u32(refs[i]!);
      for (let i = 0; i < n; i++) rb.f64(batch.timestamps[i]!);
      const stale = batch.stale;
      for (let i = 0; i < n; i++) {
        if (stale[i] === 1) {
          rb.u32(STALE_LO);
          rb.u32(STALE_HI);
        } else rb.f64(batch.values[i]!);
      }
      rb.end(start);
      const values = batch.values.slice(0, n);
      for (let i = 0; i < n; i++) if (stale[i] === 1) values[i] = NaN;
      out.push({
        type: REC_SAMPLES,
        pos: base + start,
        end: base + rb.pos,
        count: n,
        refs,
        timestamps: batch.timestamps.slice(0, n),
        values,
        stale: stale.slice(0, n),
      });
    }
    const ex = withExemplars ? batch.exemplars : undefined;
    if (ex && ex.length) out.push(this.encodeExemplars(ex, refs, base));
    if (rb.pos === 0) return out;
    this.log.write(rb.buf, rb.pos);
    return out;
  }

  private encodeExemplars(ex: Exemplar[], sampleRefs: Uint32Array, base: number): WalRecord {
    const rb = this.rec;
    const start = rb.begin(REC_EXEMPLARS);
    const n = ex.length;
    const refs = new Uint32Array(n);
    const ts = new Float64Array(n);
    const vals = new Float64Array(n);
    const labels: Labels[] = [];
    rb.ensure(4);
    rb.u32(n);
    for (let i = 0; i < n; i++) {
      const e = ex[i]!;
      refs[i] = sampleRefs[e.sample] ?? 0;
      ts[i] = e.timestamp;
      vals[i] = e.value;
      labels.push(e.labels);
      rb.ensure(20);
      rb.u32(refs[i]!);
      rb.f64(e.timestamp);
      rb.f64(e.value);
      rb.strings(e.labels);
    }
    rb.end(start);
    return {
      type: REC_EXEMPLARS,
      pos: base + start,
      end: base + rb.pos,
      count: n,
      refs,
      timestamps: ts,
      values: vals,
      stale: new Uint8Array(n),
      exemplarLabels: labels,
    };
  }

  private flushSeries(): void {
    const s = this.series;
    if (s.pos === 0) return;
    let written = 0;
    while (written < s.pos) written += writeSync(this.seriesFd, s.buf, written, s.pos - written);
    s.pos = 0;
    this.dirty = true;
  }

  /** Closes the head segment (fsync) and starts the next one. */
  cut(): void {
    this.log.cut();
  }

  /** fdatasync of the head segment and the series file when anything was written since the last sync. */
  sync(): void {
    if (this.closed) return;
    this.log.sync();
    if (!this.dirty) return;
    this.dirty = false;
    try {
      fdatasyncSync(this.seriesFd);
    } catch {
      // Reported by the next append.
    }
  }

  /** Bytes on disk: closed segments plus the head. */
  size(): number {
    return this.log.size();
  }

  /** Closed segments, oldest first, with their sizes and modification times. */
  closedSegments(): { seg: number; size: number; mtimeMs: number }[] {
    return this.log.closedSegments();
  }

  /**
   * Deletes closed segments below `beforeSeg` and series whose last sample was in a deleted segment and that
   * were not appended within `minKeepaliveMs`. Returns the refs removed.
   */
  truncate(beforeSeg: number, minKeepaliveMs: number): number[] {
    beforeSeg = Math.min(beforeSeg, this.headSeg);
    if (beforeSeg <= this.firstSeg) return [];
    this.log.deleteBefore(beforeSeg);
    const cutoff = Date.now() - minKeepaliveMs;
    const removed: number[] = [];
    for (let ref = 1; ref < this.labels.length; ref++) {
      const l = this.labels[ref];
      if (l === undefined) continue;
      if (this.lastSeg[ref]! < beforeSeg && this.lastAppend[ref]! <= cutoff) {
        this.labels[ref] = undefined;
        this.byKey.delete(seriesKey(l));
        this.byLabels.delete(l);
        this.activeSeries--;
        removed.push(ref);
      }
    }
    if (removed.length) this.rewriteSeries();
    return removed;
  }

  /** Rewrites the series file with the live series only (tmp + fsync + rename). */
  private rewriteSeries(): void {
    this.flushSeries();
    const tmp = join(this.dir, 'series.tmp');
    const fd = openSync(tmp, 'w');
    const rb = new RecordBuffer();
    for (let ref = 1; ref < this.labels.length; ref++) {
      const l = this.labels[ref];
      if (l === undefined) continue;
      const start = rb.begin(REC_SERIES);
      rb.ensure(4);
      rb.u32(ref);
      rb.strings(l);
      rb.end(start);
      if (rb.pos > 1 << 20) {
        writeAll(fd, rb.buf, rb.pos);
        rb.pos = 0;
      }
    }
    writeAll(fd, rb.buf, rb.pos);
    fdatasyncSync(fd);
    closeSync(fd);
    closeSync(this.seriesFd);
    renameSync(tmp, join(this.dir, 'series'));
    this.seriesFd = openSync(join(this.dir, 'series'), 'a');
  }

  /** Counts samples in `seg` at positions ≥ `from` (to report samples lost when a segment is dropped). */
  countSamples(seg: number, from: number): number {
    const r = new WalReader(this, Math.max(from, position(seg, 0)), true);
    let n = 0;
    try {
      for (;;) {
        const rec = r.next();
        if (!rec || segmentOf(rec.pos) !== seg) break;
        if (rec.type === REC_SAMPLES) n += rec.count - Math.max(0, from - rec.pos);
      }
    } finally {
      r.close();
    }
    return n;
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.fsyncTimer);
    try {
      this.flushSeries();
      fdatasyncSync(this.seriesFd);
    } finally {
      try {
        this.log.close();
      } finally {
        closeSync(this.seriesFd);
        this.closed = true;
      }
    }
  }

  /** Reports a torn or corrupt record (a torn tail is expected once per crash; still counted). */
  reportCorruption(what: string): void {
    this.log.reportCorruption(what);
  }

  /** Path of a segment file. */
  segmentPath(seg: number): string {
    return this.log.segmentPath(seg);
  }
}

function writeAll(fd: number, buf: Buffer, len: number): void {
  let w = 0;
  while (w < len) w += writeSync(fd, buf, w, len - w);
}

const isDataRecord = (type: number): boolean => type === REC_SAMPLES || type === REC_EXEMPLARS;

/**
 * Sequential reader of samples and exemplars records from a position (a `SegmentReader` that decodes).
 * `next()` returns the next record, or null when it has reached the head (call again after more appends).
 * Past a segment's end (clean, torn or corrupt) it moves to the next segment; positions below the first
 * segment jump to it.
 */
export class WalReader {
  private readonly inner: SegmentReader;

  constructor(wal: Wal, pos: number, quiet = false) {
    this.inner = new SegmentReader(wal.log, pos, isDataRecord, quiet);
  }

  /** Position of the next record to read (settable: the live path skips records it was handed). */
  get pos(): number {
    return this.inner.pos;
  }

  set pos(p: number) {
    this.inner.pos = p;
  }

  next(): WalRecord | null {
    const raw = this.inner.next();
    return raw && decodeRecord(raw.type, raw.payload, raw.pos, raw.end);
  }

  close(): void {
    this.inner.close();
  }
}

function decodeRecord(type: number, payload: Buffer, pos: number, end: number): WalRecord {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const n = view.getUint32(0, true);
  const refs = new Uint32Array(n);
  const ts = new Float64Array(n);
  const vals = new Float64Array(n);
  const stale = new Uint8Array(n);
  if (type === REC_SAMPLES) {
    let p = 4;
    for (let i = 0; i < n; i++, p += 4) refs[i] = view.getUint32(p, true);
    for (let i = 0; i < n; i++, p += 8) ts[i] = view.getFloat64(p, true);
    for (let i = 0; i < n; i++, p += 8) {
      if (view.getUint32(p, true) === STALE_LO && view.getUint32(p + 4, true) === STALE_HI) {
        stale[i] = 1;
        vals[i] = NaN;
      } else vals[i] = view.getFloat64(p, true);
    }
    return { type: REC_SAMPLES, pos, end, count: n, refs, timestamps: ts, values: vals, stale };
  }
  const labels: Labels[] = [];
  let p = 4;
  for (let i = 0; i < n; i++) {
    refs[i] = view.getUint32(p, true);
    ts[i] = view.getFloat64(p + 4, true);
    vals[i] = view.getFloat64(p + 12, true);
    const [l, np] = readLabelsAt(view, payload, p + 20);
    labels.push(l);
    p = np;
  }
  return {
    type: REC_EXEMPLARS,
    pos,
    end,
    count: n,
    refs,
    timestamps: ts,
    values: vals,
    stale,
    exemplarLabels: labels,
  };
}
