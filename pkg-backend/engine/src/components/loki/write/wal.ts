/**
 * The write-ahead log of `loki.write` (`wal { enabled = true }`): our own format on the shared segment log
 * (`components/common/segment-log.ts`, also under prometheus.remote_write's WAL), not byte-compatible with
 * Alloy's (which reuses Loki's ingester WAL).
 *
 * Layout under `<dataPath>/wal/`: `segments/NNNNNNNN` and `positions/<endpoint>.json`.
 * Record type 1 (entries), self-contained so any record can be read without a series table:
 * `nstreams u32 | (label strings)[nstreams] | n u32 | (stream u32, timestamp i64 ns, line str,
 * structured-metadata strings)[n]` — strings as `RecordBuffer.str/strings`. Labels are stored as accepted
 * (external labels merged, `__tenant_id__` kept), so delivery after a restart behaves as live delivery.
 *
 * Positions: the k-th entry of the record at position `pos` is item `(pos, k)`; each endpoint checkpoints the
 * first item it has not finished (sent or dropped) as `{pos, skip}` (write tmp + rename after every finished
 * batch). Everything before it is done; entries after it that a later batch already delivered are sent again
 * after a crash (at-least-once; Loki ignores exact duplicates).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  readStringsAt,
  RecordBuffer,
  SegmentLog,
  SegmentReader,
  type SegmentLogOptions,
} from '../../common/segment-log.js';
import type { Labels } from '../../prometheus/labels.js';
import { NO_METADATA, type LogEntry } from '../entry.js';

export const REC_ENTRIES = 1;
const isEntries = (t: number): boolean => t === REC_ENTRIES;

/** A record as appended or read back. */
export interface EntriesRecord {
  pos: number;
  end: number;
  entries: LogEntry[];
}

/** The log: appends entries records. */
export class LokiWal {
  readonly log: SegmentLog;
  private readonly rb = new RecordBuffer();

  constructor(opts: SegmentLogOptions) {
    this.log = new SegmentLog(opts);
  }

  /**
   * Appends one record holding `entries`; returns it as it will read back.
   * @throws on I/O errors (nothing is then considered written).
   */
  append(entries: LogEntry[]): EntriesRecord {
    const rb = this.rb;
    rb.pos = 0;
    const start = rb.begin(REC_ENTRIES);
    const streams = new Map<Labels, number>();
    const order: Labels[] = [];
    for (const e of entries) {
      if (!streams.has(e.labels)) {
        streams.set(e.labels, order.length);
        order.push(e.labels);
      }
    }
    rb.ensure(4);
    rb.u32(order.length);
    for (const l of order) rb.strings(l);
    rb.ensure(4);
    rb.u32(entries.length);
    for (const e of entries) {
      rb.ensure(12);
      rb.u32(streams.get(e.labels)!);
      rb.i64(e.timestamp);
      rb.str(e.line);
      rb.strings(e.structuredMetadata);
    }
    rb.end(start);
    const pos = this.log.write(rb.buf, rb.pos);
    return { pos, end: pos + rb.pos, entries };
  }

  close(): void {
    this.log.close();
  }
}

/** Decodes an entries record payload; label sets are interned through `intern` (by joined text). */
export function decodeEntries(payload: Buffer, intern: Map<string, Labels>): LogEntry[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let p = 0;
  const ns = view.getUint32(p, true);
  p += 4;
  const streams: Labels[] = [];
  for (let i = 0; i < ns; i++) {
    const [l, np] = readStringsAt(view, payload, p);
    p = np;
    const key = l.join('\xff');
    let interned = intern.get(key);
    if (!interned) {
      if (intern.size > 50_000) intern.clear();
      intern.set(key, l);
      interned = l;
    }
    streams.push(interned);
  }
  const n = view.getUint32(p, true);
  p += 4;
  const out: LogEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = view.getUint32(p, true);
    const ts = view.getBigInt64(p + 4, true);
    p += 12;
    const len = view.getUint32(p, true);
    p += 4;
    const line = payload.toString('utf8', p, p + len);
    p += len;
    let md: Labels = NO_METADATA;
    if (view.getUint16(p, true) === 0) p += 2;
    else [md, p] = readStringsAt(view, payload, p);
    out[i] = { labels: streams[s]!, timestamp: ts, line, structuredMetadata: md };
  }
  return out;
}

/** Reads entries records from a position (a SegmentReader that decodes). */
export class LokiWalReader {
  private readonly inner: SegmentReader;
  private readonly intern = new Map<string, Labels>();

  constructor(wal: LokiWal, pos: number) {
    this.inner = new SegmentReader(wal.log, pos, isEntries);
  }

  get pos(): number {
    return this.inner.pos;
  }

  set pos(p: number) {
    this.inner.pos = p;
  }

  next(): EntriesRecord | null {
    const raw = this.inner.next();
    return raw && { pos: raw.pos, end: raw.end, entries: decodeEntries(raw.payload, this.intern) };
  }

  close(): void {
    this.inner.close();
  }
}

/** An endpoint's delivery checkpoint: the first unfinished item. */
export interface Checkpoint {
  pos: number;
  skip: number;
}

/** Loads and saves one endpoint's checkpoint file (`positions/<key>.json`). */
export class CheckpointFile {
  readonly path: string;

  constructor(dir: string, key: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${key}.json`);
  }

  load(): Checkpoint | undefined {
    try {
      const j = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<Checkpoint>;
      if (Number.isSafeInteger(j.pos) && Number.isSafeInteger(j.skip)) return { pos: j.pos!, skip: j.skip! };
    } catch {
      // none or unreadable: start at the head
    }
    return undefined;
  }

  /** Writes the checkpoint (tmp + rename; survives a process crash immediately). */
  save(c: Checkpoint, url: string): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, url, pos: c.pos, skip: c.skip }));
    renameSync(tmp, this.path);
  }
}
