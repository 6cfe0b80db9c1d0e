/**
 * Minimal protobuf wire primitives for the Remote Write codec: a growable writer over one reusable
 * `Buffer` and a cursor-based reader. Only what `prometheus.WriteRequest` needs: varints (uint32/uint64 as
 * JS numbers up to 2^53, int64 including negatives), fixed64 doubles written from raw bits, and
 * length-delimited strings/bytes/messages.
 *
 * Wire format: https://protobuf.dev/programming-guides/encoding/ (tags are `field << 3 | wiretype`;
 * wiretypes 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
 */

const TWO_32 = 4294967296;

/** Number of bytes of the varint encoding of a non-negative integer `v` (< 2^53). */
export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < 0x800000000) return 5;
  if (v < 0x40000000000) return 6;
  if (v < 0x2000000000000) return 7;
  return 8;
}

/** Bytes of an int64 varint: negatives always take 10 bytes (two's complement, as Go's proto encoder). */
export function int64Size(v: number): number {
  return v < 0 ? 10 : varintSize(v);
}

/**
 * A protobuf writer appending into one growable Buffer that is reused across messages (`reset`). `finish`
 * returns a view of the written bytes that stays valid until the next write after `reset`.
 */
export class ProtoWriter {
  buf: Buffer;
  view: DataView;
  pos = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Makes room for `n` more bytes (doubling). */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** A varint of a non-negative integer < 2^53. Caller has ensured room (≤ 10 bytes). */
  varint(v: number): void {
    const b = this.buf;
    let p = this.pos;
    while (v >= TWO_32) {
      b[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** An int64 varint; negative values use 10-byte two's complement. Caller has ensured room. */
  int64(v: number): void {
    if (v >= 0) {
      this.varint(v);
      return;
    }
    let x = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
  }

  /** Raw little-endian 8 bytes of a double. */
  double(v: number): void {
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Raw 8 bytes given as two 32-bit halves (used for StaleNaN, whose payload JS numbers may not keep). */
  fixed64Bits(lo: number, hi: number): void {
    this.view.setUint32(this.pos, lo, true);
    this.view.setUint32(this.pos + 4, hi, true);
    this.pos += 8;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** Copies raw bytes (no length prefix). Ensures room. */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A length-delimited UTF-8 string with its tag. Ensures room. */
  stringField(tag: number, s: string): void {
    const n = Buffer.byteLength(s);
    this.ensure(n + 11);
    this.buf[this.pos++] = tag;
    this.varint(n);
    if (n === s.length && n < 32) {
      // ASCII fast path for short strings (label names and most values).
      for (let i = 0; i < n; i++) this.buf[this.pos + i] = s.charCodeAt(i);
    } else this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  /** The written bytes (a view into the reusable buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Error thrown by the reader on malformed input. */
export class ProtoError extends Error {}

/** A cursor over protobuf bytes. Every read checks bounds and throws ProtoError when out of range. */
export class ProtoReader {
  pos: number;
  readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    public end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a non-negative number (exact below 2^53). */
  varint(): number {
    const b = this.buf;
    const p0 = this.pos;
    // Fast paths: tags and lengths are almost always one or two bytes.
    if (p0 + 1 < this.end) {
      const c0 = b[p0]!;
      if (c0 < 0x80) {
        this.pos = p0 + 1;
        return c0;
      }
      const c1 = b[p0 + 1]!;
      if (c1 < 0x80) {
        this.pos = p0 + 2;
        return (c0 & 0x7f) | (c1 << 7);
      }
    }
    return this.varintSlow();
  }

  private varintSlow(): number {
    const b = this.buf;
    let lo = 0;
    let shift = 0;
    let p = this.pos;
    for (;;) {
      if (p >= this.end) throw new ProtoError('unexpected end of varint');
      const c = b[p++]!;
      if (shift < 28) {
        lo |= (c & 0x7f) << shift;
        if (c < 0x80) {
          this.pos = p;
          return lo >>> 0;
        }
        shift += 7;
        continue;
      }
      // Bytes beyond the first 28 bits: continue in the high word.
      lo = (lo | ((c & 0x0f) << 28)) >>> 0;
      let hi = (c & 0x7f) >> 4;
      if (c < 0x80) {
        this.pos = p;
        return hi * TWO_32 + lo;
      }
      let hshift = 3;
      for (;;) {
        if (p >= this.end) throw new ProtoError('unexpected end of varint');
        const d = b[p++]!;
        if (hshift < 32) hi = (hi | ((d & 0x7f) << hshift)) >>> 0;
        if (d < 0x80) break;
        hshift += 7;
        if (hshift > 70) throw new ProtoError('varint too long');
      }
      this.pos = p;
      return hi * TWO_32 + lo;
    }
  }

  /** An int64 varint as a number (negatives from two's complement; exact within ±2^53). */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    // A 10-byte varint with the top bit set is a negative int64.
    if (this.pos - start === 10 && v >= 2 ** 63) {
      const p0 = this.pos;
      this.pos = start;
      let x = 0n;
      for (let i = 0; i < 10; i++) x |= BigInt(this.buf[this.pos + i]! & 0x7f) << BigInt(7 * i);
      this.pos = p0;
      return Number(BigInt.asIntN(64, x));
    }
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtoError('unexpected end of fixed64');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end of the payload, leaving `pos` at its start. */
  enter(): number {
    const n = this.varint();
    const e = this.pos + n;
    if (e > this.end) throw new ProtoError('length-delimited field exceeds message');
    return e;
  }

  /** Returns [start, end) of a length-delimited field's payload and moves past it. */
  delimited(): [number, number] {
    const n = this.varint();
    const s = this.pos;
    const e = s + n;
    if (e > this.end) throw new ProtoError('length-delimited field exceeds message');
    this.pos = e;
    return [s, e];
  }

  string(): string {
    const e = this.enter();
    const s = this.pos;
    this.pos = e;
    const b = this.buf;
    return Buffer.isBuffer(b)
      ? b.toString('utf8', s, e)
      : Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');
  }

  /** Skips a field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.enter();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new ProtoError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new ProtoError('unexpected end of field');
  }
}
