/**
 * Byte-level line splitting and decoding for `loki.source.file` (Alloy's `internal/tail/reader.go`,
 * `bom.go`, `encoding.go`): lines end at the *encoded* newline (`0A` in UTF-8 and ASCII-compatible
 * encodings, `0A 00` / `00 0A` in UTF-16LE/BE, searched at code-unit boundaries), one trailing encoded
 * carriage return is stripped (CRLF), and the text is decoded from the configured IANA encoding
 * (default UTF-8). A BOM at the start of the file selects UTF-8 / UTF-16LE / UTF-16BE whatever the
 * configured encoding is, and is skipped (also when resuming mid-file).
 *
 * Offsets are raw bytes of the (decompressed) file. `LineSplitter.pending` holds the bytes of an
 * incomplete last line; its bytes are not counted in the committed position until the line completes.
 */
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

export interface Codec {
  /** WHATWG label of the decoder ('utf-8', 'utf-16le', …). */
  label: string;
  /** Encoded "\n". */
  nl: Buffer;
  /** Encoded "\r". */
  cr: Buffer;
  /** Code unit width in bytes (2 for UTF-16, else 1). */
  unit: 1 | 2;
}

const UTF8: Codec = { label: 'utf-8', nl: Buffer.from([0x0a]), cr: Buffer.from([0x0d]), unit: 1 };
const UTF16LE: Codec = {
  label: 'utf-16le',
  nl: Buffer.from([0x0a, 0x00]),
  cr: Buffer.from([0x0d, 0x00]),
  unit: 2,
};
const UTF16BE: Codec = {
  label: 'utf-16be',
  nl: Buffer.from([0x00, 0x0a]),
  cr: Buffer.from([0x00, 0x0d]),
  unit: 2,
};

/**
 * The codec for an IANA encoding name (case-insensitive; '' = UTF-8). IANA `UTF-16` without a BOM is
 * big-endian (RFC 2781, as Go's ianaindex), unlike WHATWG's label.
 *
 * @throws Error `unsupported encoding "<name>"` for names Node's TextDecoder does not know (UTF-32 included).
 */
export function codecFor(encoding: string): Codec {
  const name = encoding.trim().toLowerCase();
  if (name === '' || name === 'utf-8' || name === 'utf8') return UTF8;
  if (name === 'utf-16le') return UTF16LE;
  if (name === 'utf-16be' || name === 'utf-16') return UTF16BE;
  let label: string;
  try {
    label = new TextDecoder(name).encoding;
  } catch {
    throw new Error(`unsupported encoding ${JSON.stringify(encoding)}`);
  }
  if (label === 'utf-8') return UTF8;
  if (label === 'utf-16le') return UTF16LE;
  if (label === 'utf-16be') return UTF16BE;
  // Every other encoding TextDecoder supports is ASCII-compatible for "\n" and "\r".
  return { label, nl: UTF8.nl, cr: UTF8.cr, unit: 1 };
}

/**
 * Detects a BOM in the first bytes of a file: returns the bytes to skip and the codec it implies
 * (undefined when none, or for UTF-32 BOMs, which are skipped but do not change the encoding — as Alloy).
 */
export function detectBOM(head: Buffer): { skip: number; codec?: Codec } {
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff)
    return { skip: 4 };
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0)
    return { skip: 4 };
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { skip: 3, codec: UTF8 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { skip: 2, codec: UTF16BE };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { skip: 2, codec: UTF16LE };
  return { skip: 0 };
}

/** Index of `nl` in `buf` at or after `from`, at a code-unit boundary relative to `from`; -1 when none. */
function findNewline(buf: Buffer, nl: Buffer, from: number, unit: number): number {
  let i = buf.indexOf(nl, from);
  while (unit === 2 && i >= 0 && (i - from) % 2 !== 0) i = buf.indexOf(nl, i + 1);
  return i;
}

/** Splits bytes into lines and decodes them; counts lines that were not valid in the encoding. */
export class LineSplitter {
  /** Bytes of the incomplete last line (a private copy). */
  pending: Buffer = Buffer.alloc(0);
  private codec: Codec;
  private fatal: TextDecoder | undefined;
  private lenient: TextDecoder | undefined;

  constructor(
    codec: Codec,
    /** Called once per line that failed to decode (it is still emitted, with U+FFFD replacements). */
    private readonly onInvalid: () => void,
  ) {
    this.codec = codec;
    this.setCodec(codec);
  }

  setCodec(codec: Codec): void {
    this.codec = codec;
    this.fatal = codec.label === 'utf-8' ? undefined : new TextDecoder(codec.label, { fatal: true });
    this.lenient = codec.label === 'utf-8' ? undefined : new TextDecoder(codec.label);
  }

  get nl(): Buffer {
    return this.codec.nl;
  }

  /** Drops the incomplete line (truncation, reopen). */
  reset(): void {
    this.pending = Buffer.alloc(0);
  }

  /**
   * Appends `chunk` (which the caller may reuse afterwards) and returns the complete lines in it.
   * The committed position afterwards is (bytes read so far) − `pending.length`.
   */
  push(chunk: Buffer): string[] {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const { nl, unit } = this.codec;
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const i = findNewline(data, nl, start, unit);
      if (i < 0) break;
      lines.push(this.decode(data, start, i));
      start = i + nl.length;
    }
    this.pending = start >= data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(start));
    return lines;
  }

  /** The incomplete last line as a line (end of a rotated or compressed file); undefined when none. */
  flush(): string | undefined {
    if (this.pending.length === 0) return undefined;
    const data = this.pending;
    this.pending = Buffer.alloc(0);
    return this.decode(data, 0, data.length);
  }

  private decode(data: Buffer, start: number, end: number): string {
    const { cr } = this.codec;
    if (end - start >= cr.length && data.subarray(end - cr.length, end).equals(cr)) end -= cr.length;
    if (!this.fatal) {
      const view = data.subarray(start, end);
      if (!isUtf8(view)) this.onInvalid();
      return data.toString('utf8', start, end);
    }
    const view = data.subarray(start, end);
    try {
      return this.fatal.decode(view);
    } catch {
      this.onInvalid();
      return this.lenient!.decode(view);
    }
  }
}
