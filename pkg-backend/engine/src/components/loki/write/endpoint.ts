/**
 * One `endpoint` of loki.write (Alloy 1.18 `internal/component/common/loki/client`: `shards.go`, `batch.go`,
 * `endpoint.go`): batching per tenant, sending with retries, metrics.
 *
 * - Entries are spread over `queue_config.min_shards` shards by stream (so a stream stays in order); each
 *   shard keeps one open batch per tenant and a FIFO of batches ready to send, and sends one request at a
 *   time. The tenant is the entry's `__tenant_id__` label, else `tenant_id`.
 * - A batch holds streams keyed by their label text (labels starting with `__` left out, Alloy's
 *   `labelsMapToString`). An entry's size is the UTF-8 bytes of its line and structured metadata. When an
 *   entry would take the tenant's batch past `batch_size` the batch becomes ready and a new one starts (the
 *   first entry of a batch is always accepted); a batch also becomes ready `batch_wait` after it started
 *   (checked every max(batch_wait/10, 10ms)). A batch with `max_streams` streams (> 0) refuses new streams:
 *   those entries are dropped (`reason="stream_limited"`).
 * - Sending: POST of the snappy-compressed `PushRequest` with `Content-Type: application/x-protobuf`,
 *   `User-Agent`, `X-Scope-OrgID` when the tenant is not empty, then the custom `headers` (never
 *   overriding those), through the shared HTTP client (auth, `http_headers`, TLS). Network errors, 5xx and
 *   429 are retried with dskit's backoff (a random delay in [d, 2d), d from `min_backoff_period` doubling to
 *   `max_backoff_period`) until `max_backoff_retries` attempts (0 = forever), then dropped; a 429 with
 *   `retry_on_http_429 = false` and any other status drop the batch at once. Drops count
 *   `loki_write_dropped_{entries,bytes}_total` with `rate_limited` (last status 429) or `ingester_error`.
 * - Queue bound: bytes accepted and not yet finished count against `queue_config.capacity`. Over it, entries
 *   are dropped (`queue_is_full`) when `block_on_overflow` is false; otherwise they are kept and the
 *   endpoint reports `congested()` so producers (loki.source.api answers 429) can push back — a
 *   LogsReceiver cannot block.
 * - Stop: no new entries; open batches are sent; after `drainMs` in-flight requests and backoff sleeps are
 *   aborted and what is left is abandoned (with a WAL it stays in the WAL for the next start).
 *
 * Items: entries may carry WAL item references (`Track`, see wal.ts); `onFinished` reports them once their
 * batch was sent or dropped. Not implemented: splitting a batch that a 413 rejected.
 */
import { httpClient, type HttpClient } from '../../common/http-client.js';
import { userAgent } from '../../prometheus/remote_write/client.js';
import { checkSupported } from '../../prometheus/remote_write/client.js';
import type { Labels } from '../../prometheus/labels.js';
import { parseBase2Bytes } from '../../prometheus/scrape/component.js';
import {
  formatLabelText,
  PUSH_PROTOBUF_CONTENT_TYPE,
  PushRequestEncoder,
  snappyCompress,
  type PushStream,
} from '../../../protocols/loki-push.js';
import type { Logger } from '../../../runtime/logger.js';
import type { LogEntry } from '../entry.js';
import {
  REASON_GENERIC,
  REASON_QUEUE_IS_FULL,
  REASON_RATE_LIMITED,
  REASON_STREAM_LIMITED,
  type LokiWriteMetrics,
} from './metrics.js';

export const TENANT_LABEL = '__tenant_id__';

/** Progress of one WAL record through an endpoint: which of its `count` items are finished. */
export interface Track {
  pos: number;
  count: number;
  done: Uint8Array;
  /** Items not yet finished. */
  left: number;
}

/** Decoded `endpoint` block (durations in ms). */
export interface EndpointArgs {
  name?: string;
  url: string;
  batch_wait: number;
  batch_size: string;
  remote_timeout: number;
  headers?: Record<string, string>;
  min_backoff_period: number;
  max_backoff_period: number;
  max_backoff_retries: number;
  tenant_id?: string;
  retry_on_http_429: boolean;
  queue_config?: { capacity: string; min_shards: number; drain_timeout: number; block_on_overflow: boolean };
  [k: string]: unknown;
}

const DEFAULT_QUEUE = { capacity: '10MiB', min_shards: 1, drain_timeout: 15_000, block_on_overflow: true };

class Batch {
  readonly streams = new Map<string, PushStream>();
  bytes = 0;
  entries = 0;
  readonly createdAt = Date.now();
  /** Arrival times (ms) and counts, run-length encoded, for the propagation latency. */
  readonly arrivals: number[] = [];
  /** WAL items: parallel arrays. */
  tracks: Track[] | undefined;
  items: number[] | undefined;

  constructor(readonly tenant: string) {}
}

interface Shard {
  /** Open batch per tenant. */
  open: Map<string, Batch>;
  ready: Batch[];
  waiter: (() => void) | undefined;
  encoder: PushRequestEncoder;
}

/** Per-Labels facts cached by array identity. */
interface StreamInfo {
  text: string;
  tenant: string;
  shard: number;
}

function entrySize(e: LogEntry): number {
  let n = Buffer.byteLength(e.line);
  const md = e.structuredMetadata;
  for (let i = 0; i < md.length; i++) n += Buffer.byteLength(md[i]!);
  return n;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal.aborted) return res();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      res();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export class LokiEndpoint {
  readonly url: string;
  readonly host: string;
  private readonly batchSize: number;
  private readonly capacity: number;
  private readonly blockOnOverflow: boolean;
  readonly drainTimeout: number;
  private readonly shards: Shard[];
  /** Stream facts by Labels identity, then by content (stages build a new array per entry). */
  private readonly info = new WeakMap<Labels, StreamInfo>();
  private byContent = new Map<string, StreamInfo>();
  private readonly tenants = new Set<string>();
  private readonly extraHeaders: [string, string][];
  private readonly ua = userAgent();
  private client: HttpClient | undefined;
  private readonly clientP: Promise<HttpClient>;
  /** Bytes accepted and not yet finished (open, ready and in-flight batches). */
  queuedBytes = 0;
  private stopping = false;
  private running = false;
  private readonly hardStop = new AbortController();
  private loops: Promise<void>[] = [];
  private ticker: NodeJS.Timeout | undefined;
  /** Called when a batch carrying WAL items finished (sent or dropped). */
  onFinished: (tracks: Track[], items: number[]) => void = () => undefined;
  /** Called whenever queued bytes drop (the WAL feeder reads more). */
  onRoom: () => void = () => undefined;

  /** @throws for unsupported options or an invalid URL / size. */
  constructor(
    readonly args: EndpointArgs,
    private readonly maxStreams: number,
    private readonly m: LokiWriteMetrics,
    private readonly logger: Logger,
  ) {
    checkSupported(args);
    const u = new URL(args.url);
    this.url = args.url;
    this.host = u.host;
    const q = { ...DEFAULT_QUEUE, ...(args.queue_config ?? {}) };
    this.batchSize = parseBase2Bytes(args.batch_size) || 1 << 20;
    this.capacity = parseBase2Bytes(q.capacity) || 10 << 20;
    this.blockOnOverflow = q.block_on_overflow;
    this.drainTimeout = q.drain_timeout;
    this.shards = Array.from({ length: Math.max(1, q.min_shards) }, () => ({
      open: new Map(),
      ready: [],
      waiter: undefined,
      encoder: new PushRequestEncoder(),
    }));
    const builtIn = new Set(['content-type', 'user-agent', 'x-scope-orgid']);
    this.extraHeaders = Object.entries(args.headers ?? {}).filter(([k]) => {
      if (!builtIn.has(k.toLowerCase())) return true;
      logger.warn('custom header key already exists, skipping', { key: k });
      return false;
    });
    this.clientP = httpClient({ ...args, follow_redirects: (args.follow_redirects as boolean) ?? true });
    // Surfaced by run(); avoid an unhandled rejection before it.
    this.clientP.catch(() => undefined);
  }

  /** True when accepted bytes reached `capacity` and producers should hold back. */
  congested(): boolean {
    return this.queuedBytes >= this.capacity;
  }

  /** True while there is room below `capacity`. */
  hasRoom(): boolean {
    return this.queuedBytes < this.capacity && !this.stopping;
  }

  private streamInfo(l: Labels): StreamInfo {
    let s = this.info.get(l);
    if (s) return s;
    const key = l.join('\xff');
    s = this.byContent.get(key);
    if (s) {
      this.info.set(l, s);
      return s;
    }
    let tenant = this.args.tenant_id ?? '';
    for (let i = 0; i < l.length; i += 2) if (l[i] === TENANT_LABEL) tenant = l[i + 1]!;
    const text = formatLabelText(l);
    s = { text, tenant, shard: hashString(text) % this.shards.length };
    this.info.set(l, s);
    if (this.byContent.size >= 100_000) this.byContent = new Map();
    this.byContent.set(key, s);
    if (!this.tenants.has(tenant)) {
      this.tenants.add(tenant);
      this.m.initTenant(this.host, tenant);
    }
    return s;
  }

  /**
   * Adds entries to their tenant batches. With `track`, entry k (k ≥ `from`) is WAL item (track, k).
   * Never throws; refused entries are counted (and their items finished).
   */
  enqueue(entries: readonly LogEntry[], track?: Track, from = 0): void {
    const now = Date.now();
    let dropped: number[] | undefined;
    for (let k = from; k < entries.length; k++) {
      const e = entries[k]!;
      const si = this.streamInfo(e.labels);
      const size = entrySize(e);
      if (this.stopping || (!this.blockOnOverflow && this.queuedBytes >= this.capacity)) {
        this.drop(si.tenant, REASON_QUEUE_IS_FULL, 1, size);
        if (track) (dropped ??= []).push(k);
        continue;
      }
      const shard = this.shards[si.shard]!;
      let b = shard.open.get(si.tenant);
      if (b && b.bytes + size > this.batchSize && b.entries > 0) {
        this.ready(shard, b);
        b = undefined;
      }
      if (!b) {
        b = new Batch(si.tenant);
        shard.open.set(si.tenant, b);
      }
      let st = b.streams.get(si.text);
      if (!st) {
        if (this.maxStreams > 0 && b.streams.size >= this.maxStreams) {
          this.logger.error('batch add err', {
            tenant: si.tenant,
            error: `streams limit exceeded, streams: ${b.streams.size} exceeds limit: ${this.maxStreams}, stream: '${si.text}'`,
          });
          this.drop(si.tenant, REASON_STREAM_LIMITED, 1, size);
          if (track) (dropped ??= []).push(k);
          continue;
        }
        st = { labels: si.text, entries: [] };
        b.streams.set(si.text, st);
      }
      st.entries.push({ timestamp: e.timestamp, line: e.line, structuredMetadata: e.structuredMetadata });
      b.bytes += size;
      b.entries++;
      this.queuedBytes += size;
      const a = b.arrivals;
      if (a.length && a[a.length - 2] === now) a[a.length - 1]!++;
      else a.push(now, 1);
      if (track) {
        (b.tracks ??= []).push(track);
        (b.items ??= []).push(k);
      }
    }
    if (dropped && track)
      this.onFinished(
        dropped.map(() => track),
        dropped,
      );
  }

  private ready(shard: Shard, b: Batch): void {
    shard.open.delete(b.tenant);
    shard.ready.push(b);
    const w = shard.waiter;
    shard.waiter = undefined;
    w?.();
  }

  private drop(tenant: string, reason: string, entries: number, bytes: number): void {
    const l = { host: this.host, tenant, reason };
    this.m.droppedEntries.inc(l, entries);
    this.m.droppedBytes.inc(l, bytes);
  }

  /** Starts the sending loops. Rejects when the HTTP client cannot be built (credential files, TLS). */
  async run(): Promise<void> {
    this.client = await this.clientP;
    if (this.stopping) return;
    this.running = true;
    const every = Math.max(this.args.batch_wait / 10, 10);
    this.ticker = setInterval(() => this.tick(), every);
    this.loops = this.shards.map((s) => this.loop(s));
  }

  /** Moves batches older than `batch_wait` to their shard's ready queue. */
  private tick(): void {
    const now = Date.now();
    for (const s of this.shards) {
      for (const b of [...s.open.values()]) if (now - b.createdAt >= this.args.batch_wait) this.ready(s, b);
    }
  }

  private async loop(s: Shard): Promise<void> {
    for (;;) {
      if (this.hardStop.signal.aborted) return;
      const b = s.ready.shift();
      if (!b) {
        if (this.stopping) return;
        await new Promise<void>((res) => (s.waiter = res));
        continue;
      }
      await this.send(b, s.encoder);
    }
  }

  private async send(b: Batch, enc: PushRequestEncoder): Promise<void> {
    const tenant = b.tenant;
    const hl = { host: this.host, tenant };
    const body = snappyCompress(enc.encode(b.streams.values()));
    this.m.encodedBytes.inc(hl, body.length);
    this.m.requestSize.observe(hl, body.length);
    const headers: Record<string, string> = {
      'Content-Type': PUSH_PROTOBUF_CONTENT_TYPE,
      'User-Agent': this.ua,
    };
    if (tenant) headers['X-Scope-OrgID'] = tenant;
    for (const [k, v] of this.extraHeaders) headers[k] = v;
    let min = this.args.min_backoff_period;
    let max = Math.min(min * 2, this.args.max_backoff_period);
    let status = 0;
    let lastErr = '';
    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      try {
        const res = await this.client!.request(this.url, {
          method: 'POST',
          headers,
          body,
          timeoutMs: this.args.remote_timeout,
          signal: this.hardStop.signal,
          decompress: false,
          maxBodyBytes: 1 << 16,
        });
        status = res.status;
        lastErr = res.body.subarray(0, 1024).toString('utf8').split('\n')[0]!;
      } catch (err) {
        status = -1;
        lastErr = (err as Error).message;
      }
      this.m.requestDuration.observe(
        { status_code: String(status), host: this.host, tenant },
        (performance.now() - t0) / 1000,
      );
      if (this.hardStop.signal.aborted) return; // abandoned: not finished (a WAL keeps it)
      if (status >= 200 && status < 300) {
        this.m.sentBytes.inc(hl, body.length);
        this.m.sentEntries.inc(hl, b.entries);
        return this.finish(b);
      }
      if (status === 429 && !this.args.retry_on_http_429) {
        this.logger.warn('dropping batch due to rate limiting applied at ingester');
        this.drop(tenant, REASON_RATE_LIMITED, b.entries, body.length);
        return this.finish(b);
      }
      const retryable = status === -1 || status === 429 || (status >= 500 && status < 600);
      if (!retryable) break;
      this.logger.debug('error sending batch, will retry', { status, tenant, error: lastErr });
      this.m.batchRetries.inc(hl);
      const maxRetries = this.args.max_backoff_retries;
      if (maxRetries > 0 && attempt >= maxRetries) break;
      const delay = min >= max ? min : min + Math.random() * (max - min);
      min = Math.min(min * 2, this.args.max_backoff_period);
      max = Math.min(min * 2, this.args.max_backoff_period);
      await sleep(delay, this.hardStop.signal);
      if (this.hardStop.signal.aborted) return;
    }
    this.logger.error('final error sending batch, no retries left, dropping data', {
      status,
      tenant,
      error: status === -1 ? lastErr : `server returned HTTP status ${status}: ${lastErr}`,
    });
    this.drop(tenant, status === 429 ? REASON_RATE_LIMITED : REASON_GENERIC, b.entries, body.length);
    this.finish(b);
  }

  private finish(b: Batch): void {
    this.queuedBytes -= b.bytes;
    const now = Date.now();
    const a = b.arrivals;
    const hl = { host: this.host, tenant: b.tenant };
    for (let i = 0; i < a.length; i += 2) {
      const v = Math.max(0, (now - a[i]!) / 1000);
      for (let n = 0; n < a[i + 1]!; n++) this.m.propagationLatency.observe(hl, v);
    }
    if (b.tracks) this.onFinished(b.tracks, b.items!);
    this.onRoom();
  }

  /** Entries waiting (open and ready batches), for debug info. */
  pending(): number {
    let n = 0;
    for (const s of this.shards) {
      for (const b of s.open.values()) n += b.entries;
      for (const b of s.ready) n += b.entries;
    }
    return n;
  }

  /**
   * Stops: refuses new entries, sends open batches, and after `drainMs` aborts in-flight requests and
   * backoff sleeps. Resolves when every loop ended.
   */
  async stop(drainMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.ticker);
    for (const s of this.shards) {
      for (const b of [...s.open.values()]) this.ready(s, b);
      const w = s.waiter;
      s.waiter = undefined;
      w?.();
    }
    if (this.running) {
      const t = setTimeout(() => this.hardStop.abort(), drainMs);
      await Promise.allSettled(this.loops);
      clearTimeout(t);
    }
    const left = this.pending();
    if (left)
      this.logger.warn('loki.write endpoint stopped with unsent entries', { url: this.url, entries: left });
    this.client?.close();
  }
}
