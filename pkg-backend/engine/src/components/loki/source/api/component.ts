/**
 * `loki.source.api` (Alloy 1.18 `internal/component/loki/source/api`: `routes.go`, `loghttp/request.go`):
 * an HTTP server that receives Loki pushes and forwards them as LogEntries to `forward_to`.
 *
 * Routes: `POST /loki/api/v1/push` and `/api/v1/push` (Loki push: snappy-compressed protobuf
 * `logproto.PushRequest`, or JSON with `Content-Type: application/json`; `Content-Encoding` `gzip` /
 * `deflate` applied first, `snappy` or none accepted; any other encoding → 400), `POST /loki/api/v1/raw` and
 * `/api/v1/raw` (newline-delimited lines, `\r\n` trimmed, empty lines skipped), `GET /ready` (`ready`).
 * A missing or unknown Content-Type means protobuf (protocols.md §3.1).
 *
 * Per stream (push): the label text is parsed (cached per text, so a stream keeps one Labels array), the
 * `labels` argument is set over it, `relabel_rules` apply; a dropped or empty result skips the stream; labels
 * starting with `__` are removed; the request's `X-Scope-OrgID` becomes `__tenant_id__` (which loki.write
 * turns back into the tenant). Timestamps are the pushed ones with `use_incoming_timestamp`, else the time
 * of the request (ns). Raw lines get the `labels` argument only (no relabeling), as Alloy.
 *
 * Responses: 204 when accepted; 400 with the reason for undecodable bodies or label texts (streams with
 * valid labels in the same request are still forwarded, as Alloy); 413 when the body (as received, or
 * after decompression) exceeds `max_send_message_size`; 429 with `Retry-After: 1` while a `forward_to`
 * receiver reports congestion (see `congested` below); 404/405 for other paths/methods.
 *
 * Back-pressure (Foundry): LogsReceiver.push cannot block, so a receiver may expose an optional
 * `congested(): boolean` (loki.write does when its queue is over capacity with `block_on_overflow`); the
 * server then answers 429 so clients retry later instead of the agent buffering without bound.
 *
 * Metrics: `loki_source_api_entries_written` plus the dskit server metrics of server.ts.
 * Deviation: Alloy stops at the first stream whose labels relabel to nothing (older versions) — we skip it.
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import { Counter } from 'prom-client';
import { untilAborted, type Component, type ComponentOptions } from '../../../../runtime/component.js';
import { health, type Health } from '../../../../runtime/health.js';
import { argsEqual } from '../../../../runtime/schema.js';
import type { RelabelRules } from '../../../../relabel/relabel.js';
import {
  decodePushJSON,
  decodePushRequest,
  LabelTextCache,
  ProtoError,
  PushParseError,
  snappyUncompress,
  type PushStream,
} from '../../../../protocols/loki-push.js';
import { compareBytes, type Labels } from '../../../prometheus/labels.js';
import { parseBase2Bytes } from '../../../prometheus/scrape/component.js';
import {
  anyCongested,
  fanoutLogs,
  NO_METADATA,
  nowNs,
  type LogEntry,
  type LogsReceiver,
} from '../../entry.js';
import { PushServer, routeName, ServerMetrics, type Exchange } from './server.js';

export interface SourceApiArgs {
  forward_to: LogsReceiver[];
  labels?: Record<string, string>;
  relabel_rules?: RelabelRules;
  use_incoming_timestamp?: boolean;
  max_send_message_size: string;
  graceful_shutdown_timeout: number;
  http?: Record<string, any>;
  grpc?: Record<string, any>;
}

const PUSH_PATHS = new Set(['/loki/api/v1/push', '/api/v1/push']);
const RAW_PATHS = new Set(['/loki/api/v1/raw', '/api/v1/raw']);
const TENANT_LABEL = '__tenant_id__';

/** Request body too large (→ 413). */
class TooLarge extends Error {}

/** Sets `extra` pairs over sorted `labels` (builder Set semantics); returns sorted frozen Labels. */
function setLabels(labels: Labels, extra: readonly [string, string][]): Labels {
  if (extra.length === 0) return labels;
  const m = new Map<string, string>();
  for (let i = 0; i < labels.length; i += 2) m.set(labels[i]!, labels[i + 1]!);
  for (const [k, v] of extra) {
    if (v === '') m.delete(k);
    else m.set(k, v);
  }
  const names = [...m.keys()].sort(compareBytes);
  const out: string[] = [];
  for (const n of names) out.push(n, m.get(n)!);
  return Object.freeze(out);
}

/** Drops `__`-prefixed labels; returns the same array when there are none. */
function withoutInternal(l: Labels): Labels {
  let has = false;
  for (let i = 0; i < l.length; i += 2) if (l[i]!.startsWith('__')) has = true;
  if (!has) return l;
  const out: string[] = [];
  for (let i = 0; i < l.length; i += 2) if (!l[i]!.startsWith('__')) out.push(l[i]!, l[i + 1]!);
  return Object.freeze(out);
}

/** Inserts `__tenant_id__` (sorted position). */
function withTenant(l: Labels, tenant: string): Labels {
  const out: string[] = [];
  let done = false;
  for (let i = 0; i < l.length; i += 2) {
    if (!done && compareBytes(l[i]!, TENANT_LABEL) > 0) {
      out.push(TENANT_LABEL, tenant);
      done = true;
    }
    if (l[i] !== TENANT_LABEL) out.push(l[i]!, l[i + 1]!);
  }
  if (!done) out.push(TENANT_LABEL, tenant);
  return Object.freeze(out);
}

/** Structured metadata sorted by name (the LogEntry contract); the same array when already sorted. */
function sortMetadata(md: readonly string[]): Labels {
  if (md.length === 0) return NO_METADATA;
  let sorted = true;
  for (let i = 2; i < md.length; i += 2) if (compareBytes(md[i - 2]!, md[i]!) > 0) sorted = false;
  if (sorted) return md;
  const idx: number[] = [];
  for (let i = 0; i < md.length; i += 2) idx.push(i);
  idx.sort((a, b) => compareBytes(md[a]!, md[b]!));
  const out: string[] = [];
  for (const i of idx) out.push(md[i]!, md[i + 1]!);
  return out;
}

export class LokiSourceApi implements Component<SourceApiArgs> {
  private args: SourceApiArgs;
  private extra: [string, string][] = [];
  private maxBytes: number;
  private readonly server: PushServer;
  private readonly textCache = new LabelTextCache(10_000);
  /** Result of labels + relabeling per parsed stream Labels (null = dropped); reset on update. */
  private streamCache = new WeakMap<Labels, Labels | null>();
  private rawLabels: Labels = Object.freeze([]);
  private readonly written: Counter;
  private status: Health = health('healthy', '');
  private running = false;

  /** @throws for an unparsable `max_send_message_size`. */
  constructor(
    private readonly opts: ComponentOptions,
    args: SourceApiArgs,
  ) {
    this.args = args;
    this.maxBytes = parseBase2Bytes(args.max_send_message_size) || 100 << 20;
    this.applyLabels(args);
    const m = new ServerMetrics(opts.registry, 'loki_source_api');
    this.written = new Counter({
      name: 'loki_source_api_entries_written',
      help: 'Total number of entries written.',
      registers: [opts.registry],
    });
    const route = (path: string): string =>
      PUSH_PATHS.has(path) || RAW_PATHS.has(path) || path === '/ready' ? routeName(path) : 'notfound';
    this.server = new PushServer(m, route, (x) => this.handle(x));
  }

  private applyLabels(args: SourceApiArgs): void {
    this.extra = Object.entries(args.labels ?? {});
    this.streamCache = new WeakMap();
    const pairs: string[] = [];
    for (const [k, v] of Object.entries(args.labels ?? {}).sort((a, b) => compareBytes(a[0], b[0])))
      pairs.push(k, v);
    this.rawLabels = Object.freeze(pairs);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    await this.startServer();
    await untilAborted(signal);
    this.running = false;
    await this.server.stop(this.args.graceful_shutdown_timeout);
  }

  private async startServer(): Promise<void> {
    try {
      const addr = await this.server.start(this.args.http);
      this.status = health('healthy', `listening on ${addr}`);
      this.opts.logger.info('starting push API server', { addr });
    } catch (err) {
      this.status = health('unhealthy', `failed to listen: ${(err as Error).message}`);
      throw err;
    }
  }

  update(args: SourceApiArgs): void {
    const maxBytes = parseBase2Bytes(args.max_send_message_size) || 100 << 20;
    const restart =
      !argsEqual(args.http, this.args.http) ||
      args.graceful_shutdown_timeout !== this.args.graceful_shutdown_timeout;
    const relabelChanged = args.relabel_rules !== this.args.relabel_rules;
    const labelsChanged = !argsEqual(args.labels, this.args.labels);
    const old = this.args;
    this.args = args;
    this.maxBytes = maxBytes;
    if (labelsChanged || relabelChanged) this.applyLabels(args);
    if (restart && this.running) {
      void this.server
        .stop(old.graceful_shutdown_timeout)
        .then(() => (this.running ? this.startServer() : undefined))
        .catch((err: Error) => this.opts.logger.error('failed to restart server', { err: err.message }));
    }
  }

  health(): Health {
    return this.status;
  }

  debugInfo(): unknown {
    return { address: this.server.address };
  }

  // -------------------------------------------------------------------------------------------------------

  private handle(x: Exchange): void {
    const path = (x.req.url ?? '/').split('?')[0]!;
    const isPush = PUSH_PATHS.has(path);
    const isRaw = RAW_PATHS.has(path);
    if (path === '/ready') {
      x.req.resume();
      if (x.method !== 'GET') return x.done(405, 'Method Not Allowed');
      return x.done(200, 'ready', undefined, true);
    }
    if (!isPush && !isRaw) {
      x.req.resume();
      return x.done(404, '404 page not found');
    }
    if (x.method !== 'POST') {
      x.req.resume();
      return x.done(405, 'Method Not Allowed');
    }
    if (anyCongested(this.args.forward_to)) {
      x.req.resume();
      return x.done(429, 'too many requests: the pipeline is congested, retry later', { 'Retry-After': '1' });
    }
    const enc = String(x.req.headers['content-encoding'] ?? '').toLowerCase();
    if (enc !== '' && enc !== 'snappy' && enc !== 'gzip' && enc !== 'deflate') {
      x.req.resume();
      return x.done(400, `Content-Encoding ${JSON.stringify(enc)} not supported`);
    }
    readBody(x.req, enc, this.maxBytes, (n) => x.requestBytes(n)).then(
      (body) => (isPush ? this.push(x, body, enc) : this.raw(x, body)),
      (err: Error) => {
        if (err instanceof TooLarge) return x.done(413, err.message);
        this.opts.logger.warn('failed to read incoming push request', { err: err.message });
        x.done(400, err.message);
      },
    );
  }

  private push(x: Exchange, body: Buffer, enc: string): void {
    const ct = String(x.req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    let streams: PushStream[];
    try {
      if (ct === 'application/json') {
        const raw = enc === 'snappy' ? snappyUncompress(body, this.maxBytes) : body;
        streams = decodePushJSON(raw.toString('utf8'));
      } else {
        streams = decodePushRequest(snappyUncompress(body, this.maxBytes));
      }
    } catch (err) {
      const msg = (err as Error).message;
      if (err instanceof ProtoError && /exceeds limit/.test(msg)) return x.done(413, msg);
      if (!(err instanceof ProtoError) && !(err instanceof PushParseError)) {
        this.opts.logger.error('error handling push request', { err: msg });
        return x.done(500, msg);
      }
      this.opts.logger.warn('failed to parse incoming push request', { err: msg });
      return x.done(400, msg);
    }
    const tenant = String(x.req.headers['x-scope-orgid'] ?? '');
    const keepTs = this.args.use_incoming_timestamp === true;
    const now = nowNs();
    const out: LogEntry[] = [];
    let lastErr: string | undefined;
    for (const st of streams) {
      let labels: Labels | null;
      try {
        labels = this.streamLabels(st.parsed ?? this.textCache.get(st.labels));
      } catch (err) {
        lastErr = (err as Error).message;
        continue;
      }
      if (labels === null) continue;
      if (tenant) labels = withTenant(labels, tenant);
      for (const e of st.entries) {
        out.push({
          labels,
          timestamp: keepTs ? e.timestamp : now,
          line: e.line,
          structuredMetadata: sortMetadata(e.structuredMetadata),
        });
      }
    }
    this.forward(out);
    if (lastErr !== undefined) {
      this.opts.logger.warn('at least one entry in the push request failed to process', { err: lastErr });
      return x.done(400, lastErr);
    }
    x.done(204);
  }

  /** Labels of a stream after `labels` and relabeling (cached per input array); null = dropped. */
  private streamLabels(parsed: Labels): Labels | null {
    const cached = this.streamCache.get(parsed);
    if (cached !== undefined) return cached;
    let l: Labels | undefined = setLabels(parsed, this.extra);
    const rules = this.args.relabel_rules;
    if (rules && rules.length > 0) l = rules.apply(l);
    const res = l === undefined || l.length === 0 ? null : withoutInternal(l);
    this.streamCache.set(parsed, res);
    return res;
  }

  private raw(x: Exchange, body: Buffer): void {
    const text = body.toString('utf8');
    const now = nowNs();
    const out: LogEntry[] = [];
    let start = 0;
    while (start <= text.length) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      let end = nl;
      while (end > start && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 10)) end--;
      if (end > start)
        out.push({
          labels: this.rawLabels,
          timestamp: now,
          line: text.slice(start, end),
          structuredMetadata: NO_METADATA,
        });
      start = nl + 1;
    }
    this.forward(out);
    x.done(204);
  }

  private forward(entries: LogEntry[]): void {
    if (entries.length === 0) return;
    this.written.inc(entries.length);
    try {
      fanoutLogs(this.args.forward_to, entries);
    } catch (err) {
      this.opts.logger.error('receiver failed to accept entries', { err: (err as Error).message });
    }
  }
}

/** Reads a request body, decompressing gzip/deflate, bounded to `max` bytes before and after decompression. */
function readBody(
  req: IncomingMessage,
  enc: string,
  max: number,
  onSize: (n: number) => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.resume();
      reject(err);
    };
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > max)
      return fail(
        new TooLarge(`request body too large: ${declared} bytes exceeds the limit of ${max} bytes`),
      );
    req.on('data', (c: Buffer) => {
      received += c.length;
      if (received > max) fail(new TooLarge(`request body too large: exceeds the limit of ${max} bytes`));
    });
    req.on('end', () => onSize(received));
    let stream: NodeJS.ReadableStream = req;
    if (enc === 'gzip') stream = req.pipe(createGunzip());
    else if (enc === 'deflate') stream = req.pipe(createInflate());
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > max)
        return fail(new TooLarge(`decompressed request body exceeds the limit of ${max} bytes`));
      chunks.push(c);
    });
    stream.on('error', (err: Error) => fail(new Error(`${enc}: ${err.message}`)));
    req.on('error', (err: Error) => fail(err));
    stream.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
  });
}
