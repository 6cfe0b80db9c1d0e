/**
 * Prometheus Remote Write 1.0 (`prometheus.WriteRequest`, prompb/remote.proto + types.proto) with the
 * snappy block format, hand-written for the hot path:
 *
 * - Encoding goes through `WriteRequestEncoder`, which appends TimeSeries/MetricMetadata entries into one
 *   reusable growable buffer. Label sets are pre-encoded once per series (`encodeLabels`) and copied as
 *   bytes, so a request costs one memcpy of the labels plus ~12 bytes per sample. No protobufjs objects.
 * - Stale markers are written as Prometheus' StaleNaN bits `0x7ff0000000000002` (never through a JS NaN);
 *   the decoder turns those exact bits back into `stale = 1`.
 * - `decodeWriteRequest` reads a request straight into a `SampleBatch` (parallel arrays), interning label
 *   sets so the same series yields the same frozen `Labels` array across requests (the pipeline contract).
 *   Native histograms (TimeSeries field 4) are counted and skipped.
 *
 * Field numbers: WriteRequest{1 timeseries, 3 metadata}; TimeSeries{1 labels, 2 samples, 3 exemplars,
 * 4 histograms}; Label{1 name, 2 value}; Sample{1 value double, 2 timestamp int64};
 * Exemplar{1 labels, 2 value, 3 timestamp}; MetricMetadata{1 type, 2 metric_family_name, 4 help, 5 unit}.
 */
import snappy from 'snappy';
import type {
  Exemplar,
  MetricMetadata,
  MetricType,
  SampleBatch,
} from '../components/prometheus/appendable.js';
import { compareBytes, type Labels } from '../components/prometheus/labels.js';
import { ProtoError, ProtoReader, ProtoWriter, int64Size, varintSize } from './remote-write-proto.js';

export { ProtoError } from './remote-write-proto.js';

/** Low and high 32-bit words of StaleNaN (0x7ff0000000000002). */
export const STALE_NAN_LO = 0x00000002;
export const STALE_NAN_HI = 0x7ff00000;

/** Remote Write 1.0 request headers (protocols.md §1.1). */
export const RW1_HEADERS = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
} as const;

/** prompb MetricMetadata.MetricType numbers. */
const METRIC_TYPES: MetricType[] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];
const METRIC_TYPE_NUM = new Map<string, number>(METRIC_TYPES.map((t, i) => [t, i]));

/**
 * The repeated `labels` field (number 1) of a TimeSeries or Exemplar for a flat `Labels` array, as bytes to
 * be copied into messages. Callers cache it per series.
 */
export function encodeLabels(labels: Labels, w = scratch): Uint8Array {
  w.reset();
  writeLabels(w, labels);
  return new Uint8Array(w.finish());
}
const scratch = new ProtoWriter(4096);

function writeLabels(w: ProtoWriter, labels: Labels): void {
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i]!;
    const value = labels[i + 1]!;
    const nl = Buffer.byteLength(name);
    const vl = Buffer.byteLength(value);
    const msg = 1 + varintSize(nl) + nl + 1 + varintSize(vl) + vl;
    w.ensure(1 + varintSize(msg));
    w.byte(0x0a);
    w.varint(msg);
    w.stringField(0x0a, name);
    w.stringField(0x12, value);
  }
}

/** Size of a Sample message body. */
function sampleSize(ts: number): number {
  return 9 + 1 + int64Size(ts);
}

function writeSample(w: ProtoWriter, value: number, ts: number, stale: boolean): void {
  const size = sampleSize(ts);
  w.byte(0x12);
  w.varint(size);
  w.byte(0x09);
  if (stale) w.fixed64Bits(STALE_NAN_LO, STALE_NAN_HI);
  else w.double(value);
  w.byte(0x10);
  w.int64(ts);
}

/** An exemplar ready to encode: its label bytes (`encodeLabels`), value and timestamp (ms). */
export interface EncodedExemplar {
  labels: Uint8Array;
  value: number;
  timestamp: number;
}

function exemplarSize(e: EncodedExemplar): number {
  return e.labels.length + 9 + (e.timestamp !== 0 ? 1 + int64Size(e.timestamp) : 0);
}

/**
 * Builds one WriteRequest at a time into a reusable buffer: `reset()`, then any number of `sample`,
 * `series`, `exemplar` and `metadata` calls, then `finish()` (a view valid until the next `reset`).
 */
export class WriteRequestEncoder {
  readonly w: ProtoWriter;

  constructor(initialSize = 256 * 1024) {
    this.w = new ProtoWriter(initialSize);
  }

  reset(): void {
    this.w.reset();
  }

  /** One TimeSeries holding a single sample (Prometheus' request layout). `labels` from `encodeLabels`. */
  sample(labels: Uint8Array, value: number, timestamp: number, stale: boolean): void {
    const w = this.w;
    const ss = sampleSize(timestamp);
    const body = labels.length + 1 + varintSize(ss) + ss;
    w.ensure(body + 11);
    w.byte(0x0a);
    w.varint(body);
    w.buf.set(labels, w.pos);
    w.pos += labels.length;
    writeSample(w, value, timestamp, stale);
  }

  /**
   * One TimeSeries with samples `start..start+count` of the parallel arrays (timestamp order) and
   * optional exemplars.
   */
  series(
    labels: Uint8Array,
    values: ArrayLike<number>,
    timestamps: ArrayLike<number>,
    stale: ArrayLike<number>,
    start: number,
    count: number,
    exemplars?: readonly EncodedExemplar[],
  ): void {
    const w = this.w;
    let body = labels.length;
    for (let i = start; i < start + count; i++) {
      const ss = sampleSize(timestamps[i]!);
      body += 1 + varintSize(ss) + ss;
    }
    if (exemplars) for (const e of exemplars) body += 1 + varintSize(exemplarSize(e)) + exemplarSize(e);
    w.ensure(body + 11);
    w.byte(0x0a);
    w.varint(body);
    w.buf.set(labels, w.pos);
    w.pos += labels.length;
    for (let i = start; i < start + count; i++) writeSample(w, values[i]!, timestamps[i]!, stale[i] === 1);
    if (exemplars) for (const e of exemplars) this.writeExemplar(e);
  }

  /** One TimeSeries carrying only an exemplar (how Prometheus sends exemplars). */
  exemplar(labels: Uint8Array, e: EncodedExemplar): void {
    const w = this.w;
    const es = exemplarSize(e);
    const body = labels.length + 1 + varintSize(es) + es;
    w.ensure(body + 11);
    w.byte(0x0a);
    w.varint(body);
    w.buf.set(labels, w.pos);
    w.pos += labels.length;
    this.writeExemplar(e);
  }

  private writeExemplar(e: EncodedExemplar): void {
    const w = this.w;
    const es = exemplarSize(e);
    w.ensure(es + 11);
    w.byte(0x1a);
    w.varint(es);
    w.buf.set(e.labels, w.pos);
    w.pos += e.labels.length;
    w.byte(0x11);
    w.double(e.value);
    if (e.timestamp !== 0) {
      w.byte(0x18);
      w.int64(e.timestamp);
    }
  }

  /** One MetricMetadata entry (WriteRequest field 3). */
  metadata(m: MetricMetadata): void {
    const w = this.w;
    const type = METRIC_TYPE_NUM.get(m.type) ?? 0;
    const strLen = (s: string) => {
      const n = Buffer.byteLength(s);
      return n === 0 ? 0 : 1 + varintSize(n) + n;
    };
    const body = (type ? 1 + varintSize(type) : 0) + strLen(m.family) + strLen(m.help) + strLen(m.unit);
    w.ensure(11 + (type ? 11 : 0));
    w.byte(0x1a);
    w.varint(body);
    if (type) {
      w.byte(0x08);
      w.varint(type);
    }
    if (m.family) w.stringField(0x12, m.family);
    if (m.help) w.stringField(0x22, m.help);
    if (m.unit) w.stringField(0x2a, m.unit);
  }

  /** The encoded request bytes (a view into the reusable buffer). */
  finish(): Buffer {
    return this.w.finish();
  }
}

/** Plain-object form of a WriteRequest, for tests and simple callers. */
export interface WriteRequestObject {
  timeseries: {
    labels: Labels;
    samples: { value: number; timestamp: number; stale?: boolean }[];
    exemplars?: { labels: Labels; value: number; timestamp: number }[];
  }[];
  metadata?: MetricMetadata[];
}

/** Encodes a plain-object WriteRequest (not the hot path; see WriteRequestEncoder). Returns a copy. */
export function encodeWriteRequest(req: WriteRequestObject): Uint8Array {
  const enc = new WriteRequestEncoder(4096);
  for (const ts of req.timeseries) {
    const n = ts.samples.length;
    const values = new Float64Array(n);
    const times = new Float64Array(n);
    const stale = new Uint8Array(n);
    ts.samples.forEach((s, i) => {
      values[i] = s.value;
      times[i] = s.timestamp;
      stale[i] = s.stale ? 1 : 0;
    });
    const ex = ts.exemplars?.map((e) => ({
      labels: encodeLabels(e.labels),
      value: e.value,
      timestamp: e.timestamp,
    }));
    enc.series(encodeLabels(ts.labels), values, times, stale, 0, n, ex);
  }
  for (const m of req.metadata ?? []) enc.metadata(m);
  return new Uint8Array(enc.finish());
}

/**
 * Interns label sets so that the same series decodes to the same frozen `Labels` array. Entries are keyed
 * by a 32-bit hash of the TimeSeries' raw label bytes and confirmed by comparing those bytes (native
 * `Buffer.compare`), so a hit decodes no strings and allocates nothing. Two generations bound memory: when
 * the current map holds `maxSize` entries it becomes the previous one; hits in the previous generation are
 * promoted.
 */
export class LabelInterner {
  private cur = new Map<number, InternEntry>();
  private prev = new Map<number, InternEntry>();
  private curSize = 0;
  private prevSize = 0;

  constructor(private readonly maxSize = 1_000_000) {}

  /** The Labels interned for bytes [s, e) of `buf`, if any. */
  lookup(buf: Buffer, s: number, e: number, h = hashBytes(buf, s, e)): Labels | undefined {
    for (let x = this.cur.get(h); x; x = x.next) if (x.bytes.compare(buf, s, e) === 0) return x.labels;
    for (let x = this.prev.get(h); x; x = x.next) {
      if (x.bytes.compare(buf, s, e) === 0) {
        this.insert(h, x.bytes, x.labels);
        return x.labels;
      }
    }
    return undefined;
  }

  /** Interns `labels` for bytes [s, e) of `buf` (the bytes are copied). */
  store(buf: Buffer, s: number, e: number, labels: Labels, h = hashBytes(buf, s, e)): void {
    this.insert(h, Buffer.from(buf.subarray(s, e)), labels);
  }

  private insert(h: number, bytes: Buffer, labels: Labels): void {
    if (this.curSize >= this.maxSize) {
      this.prev = this.cur;
      this.prevSize = this.curSize;
      this.cur = new Map();
      this.curSize = 0;
    }
    this.cur.set(h, { bytes, labels, next: this.cur.get(h) });
    this.curSize++;
  }

  get size(): number {
    return this.curSize + this.prevSize;
  }
}

interface InternEntry {
  bytes: Buffer;
  labels: Labels;
  next: InternEntry | undefined;
}

/** A 32-bit multiplicative hash of bytes [s, e) (4 bytes per step). */
function hashBytes(buf: Buffer, s: number, e: number): number {
  let h = 0x811c9dc5 ^ (e - s);
  let i = s;
  for (; i + 4 <= e; i += 4) {
    const w = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    h = Math.imul(h ^ w, 0x5bd1e995);
    h ^= h >>> 15;
  }
  for (; i < e; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h & 0x3fffffff; // a small integer: Map keys stay Smis
}

/** A decoded request: samples and exemplars as a SampleBatch, metadata, and counts of what was skipped. */
export interface DecodedWriteRequest {
  batch: SampleBatch;
  metadata: MetricMetadata[];
  /** Native histograms present in the request (not converted). */
  histograms: number;
  /** TimeSeries entries. */
  series: number;
  /** Exemplars whose series had no sample in the request (the batch contract ties exemplars to samples). */
  droppedExemplars: number;
}

/** Thrown for semantically invalid requests (bad labels); the message is suitable for a 400 body. */
export class InvalidWriteRequest extends Error {}

/**
 * Decodes an uncompressed `prometheus.WriteRequest`. Pass a long-lived `interner` so that a series keeps one
 * `Labels` array across requests (by default the request gets its own). Label sets are sorted by name (Prometheus requires
 * senders to sort; we sort rather than reject); an empty label name, a duplicate name or a series without
 * labels is an InvalidWriteRequest; malformed protobuf is a ProtoError.
 */
export function decodeWriteRequest(
  buf: Uint8Array,
  interner: LabelInterner = new LabelInterner(),
): DecodedWriteRequest {
  const r = new ProtoReader(buf);
  // Pre-size for ~64 bytes per sample (typical label sets), growing by doubling beyond.
  let cap = Math.max(64, buf.length >> 6);
  const series: Labels[] = new Array(cap);
  let timestamps = new Float64Array(cap);
  let values = new Float64Array(cap);
  let stale = new Uint8Array(cap);
  let count = 0;
  let histograms = 0;
  let nseries = 0;
  let droppedExemplars = 0;
  const exemplars: Exemplar[] = [];
  const metadata: MetricMetadata[] = [];
  const grow = () => {
    cap *= 2;
    const t2 = new Float64Array(cap);
    t2.set(timestamps);
    timestamps = t2;
    const v2 = new Float64Array(cap);
    v2.set(values);
    values = v2;
    const s2 = new Uint8Array(cap);
    s2.set(stale);
    stale = s2;
    series.length = cap;
  };
  const pendingExemplars: { labels: Labels; value: number; timestamp: number }[] = [];

  const whole = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  // One reader for nested messages: `pos`/`end` are moved in and out instead of allocating readers.
  const tr = new ProtoReader(buf);
  while (!r.done()) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === 2) {
      const e = r.enter();
      const s = r.pos;
      r.pos = e;
      nseries++;
      // TimeSeries in one pass: samples are stored first, their Labels filled in at the end from the label
      // bytes (interned by those bytes when the labels are contiguous, as every sender writes them).
      tr.pos = s;
      tr.end = e;
      let lstart = -1;
      let lend = -1;
      let contiguous = true;
      const first = count;
      pendingExemplars.length = 0;
      while (tr.pos < e) {
        const t2 = tr.varint();
        if (t2 === 0x0a) {
          const before = tr.pos - 1;
          tr.pos = tr.enter();
          if (lstart < 0) lstart = before;
          else if (lend !== before) contiguous = false;
          lend = tr.pos;
        } else if (t2 === 0x12) {
          const se = tr.enter();
          tr.end = se;
          let v = 0;
          let ts = 0;
          let st = 0;
          while (tr.pos < se) {
            const t3 = tr.varint();
            if (t3 === 0x09) {
              if (tr.pos + 8 > se) throw new ProtoError('unexpected end of fixed64');
              const lo = tr.view.getUint32(tr.pos, true);
              const hi = tr.view.getUint32(tr.pos + 4, true);
              st = lo === STALE_NAN_LO && hi === STALE_NAN_HI ? 1 : 0;
              v = tr.double();
            } else if (t3 === 0x10) ts = tr.int64();
            else tr.skip(t3 & 7);
          }
          tr.end = e;
          if (count === cap) grow();
          timestamps[count] = ts;
          values[count] = st ? NaN : v;
          stale[count] = st;
          count++;
        } else if (t2 === 0x1a) {
          const xe = tr.enter();
          pendingExemplars.push(readExemplar(buf, tr.pos, xe));
          tr.pos = xe;
        } else if (t2 === 0x22) {
          tr.skip(2);
          histograms++;
        } else tr.skip(t2 & 7);
      }
      let labels: Labels | undefined;
      const internable = contiguous && lstart >= 0;
      if (internable) labels = interner.lookup(whole, lstart, lend);
      if (!labels) {
        labels = readLabels(buf, s, e);
        if (internable) interner.store(whole, lstart, lend, labels);
      }
      for (let i = first; i < count; i++) series[i] = labels;
      for (const ex of pendingExemplars) {
        // Exemplars ride on a sample of their series: the series' last sample in this request (Prometheus
        // sends exemplars in TimeSeries of their own, after the samples). Without one they are dropped.
        let idx = count - 1;
        const stop = Math.max(0, count - 10_000);
        while (idx >= stop && series[idx] !== labels) idx--;
        if (idx < stop) idx = -1;
        if (idx >= 0)
          exemplars.push({ sample: idx, labels: ex.labels, value: ex.value, timestamp: ex.timestamp });
        else droppedExemplars++;
      }
    } else if (field === 3 && wt === 2) {
      const [ms, me] = r.delimited();
      metadata.push(readMetadata(buf, ms, me));
    } else r.skip(wt);
  }
  const batch: SampleBatch = { count, series, timestamps, values, stale };
  if (exemplars.length) batch.exemplars = exemplars;
  if (metadata.length) batch.metadata = metadata;
  return { batch, metadata, histograms, series: nseries, droppedExemplars };
}

/** One `prometheus.Label` message (name = 1, value = 2) in buf[s, e). */
function readLabelPair(buf: Uint8Array, s: number, e: number): [string, string] {
  const r = new ProtoReader(buf, s, e);
  let name = '';
  let value = '';
  while (!r.done()) {
    const t = r.varint();
    if (t === 0x0a) name = r.string();
    else if (t === 0x12) value = r.string();
    else r.skip(t & 7);
  }
  return [name, value];
}

function readLabels(buf: Uint8Array, s: number, e: number): Labels {
  const r = new ProtoReader(buf, s, e);
  const pairs: string[] = [];
  while (!r.done()) {
    const t = r.varint();
    if (t === 0x0a) {
      const [name, value] = readLabelPair(buf, ...r.delimited());
      if (name === '') throw new InvalidWriteRequest('invalid label: empty label name');
      pairs.push(name, value);
    } else r.skip(t & 7);
  }
  return sortLabels(pairs);
}

/** Sorts name/value pairs by name (already sorted in valid requests), rejecting duplicates; freezes. */
function sortLabels(pairs: string[]): Labels {
  let sorted = true;
  for (let i = 2; i < pairs.length; i += 2) {
    const c = compareBytes(pairs[i - 2]!, pairs[i]!);
    if (c >= 0) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    const idx: number[] = [];
    for (let i = 0; i < pairs.length; i += 2) idx.push(i);
    idx.sort((a, b) => compareBytes(pairs[a]!, pairs[b]!));
    const out: string[] = [];
    for (const i of idx) {
      if (out.length && out[out.length - 2] === pairs[i])
        throw new InvalidWriteRequest(`invalid labels: duplicate label name ${JSON.stringify(pairs[i])}`);
      out.push(pairs[i]!, pairs[i + 1]!);
    }
    pairs = out;
  }
  // Prometheus drops empty label values.
  if (pairs.some((v, i) => i % 2 === 1 && v === '')) pairs = pairs.filter((_, i) => pairs[i | 1] !== '');
  return Object.freeze(pairs);
}

function readExemplar(
  buf: Uint8Array,
  s: number,
  e: number,
): { labels: Labels; value: number; timestamp: number } {
  const r = new ProtoReader(buf, s, e);
  const pairs: string[] = [];
  let value = 0;
  let timestamp = 0;
  while (!r.done()) {
    const t = r.varint();
    if (t === 0x0a) {
      pairs.push(...readLabelPair(buf, ...r.delimited()));
    } else if (t === 0x11) value = r.double();
    else if (t === 0x18) timestamp = r.int64();
    else r.skip(t & 7);
  }
  return { labels: sortLabels(pairs), value, timestamp };
}

function readMetadata(buf: Uint8Array, s: number, e: number): MetricMetadata {
  const r = new ProtoReader(buf, s, e);
  const m: MetricMetadata = { family: '', type: 'unknown', help: '', unit: '' };
  while (!r.done()) {
    const t = r.varint();
    switch (t) {
      case 0x08:
        m.type = METRIC_TYPES[r.varint()] ?? 'unknown';
        break;
      case 0x12:
        m.family = r.string();
        break;
      case 0x22:
        m.help = r.string();
        break;
      case 0x2a:
        m.unit = r.string();
        break;
      default:
        r.skip(t & 7);
    }
  }
  return m;
}

/** Snappy block-format compression (napi, `copyOutputData` — ~10× faster than the default path). */
export function snappyCompress(raw: Uint8Array): Buffer {
  return snappy.compressSync(raw, { copyOutputData: true });
}

/**
 * Snappy block-format decompression. The uncompressed length (the leading varint) is checked against
 * `maxBytes` before decompressing. Throws ProtoError on malformed input or when over the limit.
 */
export function snappyUncompress(compressed: Uint8Array, maxBytes = 64 << 20): Buffer {
  let n: number;
  try {
    n = new ProtoReader(compressed).varint();
  } catch {
    throw new ProtoError('snappy: corrupt input');
  }
  if (n > maxBytes) throw new ProtoError(`snappy: decoded length ${n} exceeds limit ${maxBytes}`);
  try {
    return snappy.uncompressSync(compressed, { asBuffer: true, copyOutputData: true }) as Buffer;
  } catch (err) {
    throw new ProtoError(`snappy: ${(err as Error).message}`);
  }
}
