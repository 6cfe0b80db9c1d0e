/**
 * The OTLP/HTTP side of otelcol.receiver.otlp (the collector's otlpreceiver/otlphttp.go on confighttp),
 * on the shared node:http(s) server (`common/http-server.ts`). Per request, in the collector's order:
 *
 * 1. CORS (`cors` with non-empty `allowed_origins`, as rs/cors with credentials allowed): a preflight
 *    (`OPTIONS` with `Access-Control-Request-Method`) is answered 204 — with `Access-Control-Allow-Origin`
 *    (the origin), `-Methods`, `-Headers`, `-Credentials: true` and `-Max-Age` (`max_age` > 0) when the origin
 *    matches (`*` wildcards) and the method is GET/POST/HEAD and every requested header is allowed
 *    (`allowed_headers`, `*` = any, plus Accept, Accept-Language, Content-Type, Content-Language, Origin,
 *    and X-Requested-With when the list is empty); other requests from an allowed origin get
 *    `Access-Control-Allow-Origin` and `-Credentials`.
 * 2. `auth` (server side of an otelcol.auth handler): failure → 401.
 * 3. `Content-Encoding` must be one of `compression_algorithms` (default "", gzip, zstd, zlib, snappy,
 *    deflate, lz4); decoded here: none, gzip, zlib/deflate, snappy (block format) — zstd, lz4 and framed
 *    snappy answer 400 "unsupported Content-Encoding".
 * 4. Routing: `traces_url_path` / `metrics_url_path` / `logs_url_path` (only for signals with consumers),
 *    else 404; POST only (405 `405 method not allowed, supported: [POST]`); `Content-Type`
 *    application/x-protobuf or application/json, else 415.
 * 5. Body (and decompressed body) limited to `max_request_body_size` (default 20MiB) → 400.
 * 6. 200 with an empty ExportXServiceResponse in the request's encoding; errors carry a `google.rpc.Status`
 *    in the request's encoding, 503/429 with `Retry-After` when the error suggests a delay.
 *
 * `include_metadata` passes every request header (lower case) as `ConsumeContext.metadata`.
 * Mapped to node:http: `read_timeout` → requestTimeout, `idle_timeout` → keepAliveTimeout,
 * `read_header_timeout` → headersTimeout. Not honoured: `write_timeout`, `keep_alives_enabled = false`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import { HttpServer } from '../../../common/http-server.js';
import { parseBase2Bytes } from '../../../prometheus/scrape/component.js';
import {
  encodeRpcStatus,
  encodeRpcStatusJson,
  grpcCodeForHttpStatus,
  httpStatusForGrpcCode,
} from '../../../../protocols/otlp/index.js';
import { snappyUncompress } from '../../../../protocols/remote-write.js';
import type { Logger } from '../../../../runtime/logger.js';
import type { ConsumeContext, OtelSignal } from '../../consumer.js';
import { loadTls, splitHostPort } from '../../tls.js';
import { DEFAULT_COMPRESSION_ALGORITHMS } from '../../../common/otelcol-schema.js';
import type { ExportSink, HttpServerArgs } from './component.js';

const PB = 'application/x-protobuf';
const JSON_CT = 'application/json';
const EMPTY = Buffer.alloc(0);
const EMPTY_JSON = Buffer.from('{}');
const IMPLICIT_HEADERS = ['accept', 'accept-language', 'content-type', 'content-language', 'origin'];
const SNAPPY_FRAMED = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);

class BodyError extends Error {}

/** An origin pattern with `*` wildcards → matcher (case-insensitive, as rs/cors). */
function originMatcher(patterns: string[]): (origin: string) => boolean {
  const res = patterns.map((p) =>
    p === '*'
      ? /^/
      : new RegExp(
          '^' +
            p
              .toLowerCase()
              .split('*')
              .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('.*') +
            '$',
        ),
  );
  return (origin) => {
    const o = origin.toLowerCase();
    return res.some((r) => r.test(o));
  };
}

export class OtlpHttpServer {
  private readonly server: HttpServer;
  private readonly maxBody: number;
  private readonly encodings: Set<string>;
  private readonly paths: Map<string, OtelSignal>;
  private readonly originAllowed: ((o: string) => boolean) | undefined;
  private readonly allowedHeaders: Set<string> | 'any';
  address = '';

  constructor(
    private readonly sink: ExportSink,
    private readonly args: HttpServerArgs,
    private readonly logger: Logger,
  ) {
    this.server = new HttpServer(undefined, (req, res) => this.handle(req, res));
    this.maxBody = (args.max_request_body_size && parseBase2Bytes(args.max_request_body_size)) || 20 << 20;
    this.encodings = new Set(args.compression_algorithms ?? DEFAULT_COMPRESSION_ALGORITHMS);
    this.paths = new Map([
      [args.traces_url_path, 'traces'],
      [args.metrics_url_path, 'metrics'],
      [args.logs_url_path, 'logs'],
    ]);
    const origins = args.cors?.allowed_origins ?? [];
    this.originAllowed = origins.length > 0 ? originMatcher(origins) : undefined;
    if (!this.originAllowed && (args.cors?.allowed_headers?.length ?? 0) > 0)
      logger.warn(
        'The CORS configuration specifies allowed headers but no allowed origins, and is therefore ignored.',
      );
    const hdrs = args.cors?.allowed_headers ?? [];
    this.allowedHeaders = hdrs.includes('*')
      ? 'any'
      : new Set([
          ...IMPLICIT_HEADERS,
          ...(hdrs.length === 0 ? ['x-requested-with'] : hdrs.map((h) => h.toLowerCase())),
        ]);
  }

  /** Listens. @returns the bound address. @throws when it cannot bind or read TLS files. */
  async start(): Promise<string> {
    const a = this.args;
    const { host, port } = splitHostPort(a.endpoint);
    let tls: Record<string, unknown> | undefined;
    if (a.tls) {
      const t = loadTls(a.tls);
      if (!t.cert || !t.key) throw new Error('tls: a certificate and a key are required');
      tls = {
        cert_pem: t.cert,
        key_pem: t.key,
        client_ca: t.clientCa,
        client_auth_type: t.clientCa ? 'RequireAndVerifyClientCert' : undefined,
      };
    }
    this.address = await this.server.start({
      listen_address: host,
      listen_port: port,
      tls,
      server_read_timeout: a.read_timeout ?? 0,
      server_idle_timeout: a.idle_timeout ?? 60_000,
    });
    return this.address;
  }

  stop(graceMs = 5000): Promise<void> {
    return this.server.stop(graceMs);
  }

  // -------------------------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (this.originAllowed) {
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        this.preflight(req, res, origin);
        return;
      }
      if (origin && this.originAllowed(origin)) {
        res.setHeader('Vary', 'Origin');
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
    }
    const auth = this.args.auth;
    if (auth) {
      if (!auth.server) {
        this.fail(req, res, 401, `${auth.id} does not support server authentication`);
        return;
      }
      auth.server(req.headers).then(
        (data) => this.route(req, res, data),
        (err: Error) => this.fail(req, res, 401, err.message),
      );
      return;
    }
    this.route(req, res, undefined);
  }

  private preflight(req: IncomingMessage, res: ServerResponse, origin: string | undefined): void {
    res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    const method = String(req.headers['access-control-request-method']).toUpperCase();
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== '');
    const allowed = this.allowedHeaders;
    if (
      origin &&
      this.originAllowed!(origin) &&
      (method === 'GET' || method === 'POST' || method === 'HEAD') &&
      (allowed === 'any' || requested.every((h) => allowed.has(h)))
    ) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', method);
      if (requested.length) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      const maxAge = this.args.cors?.max_age ?? 0;
      if (maxAge > 0) res.setHeader('Access-Control-Max-Age', String(maxAge));
    }
    req.resume();
    res.writeHead(204);
    res.end();
  }

  private route(req: IncomingMessage, res: ServerResponse, auth: Record<string, string> | undefined): void {
    const enc = String(req.headers['content-encoding'] ?? '');
    if (!this.encodings.has(enc) || !['', 'gzip', 'zlib', 'deflate', 'snappy'].includes(enc)) {
      this.fail(req, res, 400, `unsupported Content-Encoding: ${enc}`);
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const signal = this.paths.get(q < 0 ? url : url.slice(0, q));
    if (signal === undefined || !this.sink.accepts(signal)) {
      req.resume();
      this.text(res, 404, '404 page not found\n');
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      this.text(res, 405, '405 method not allowed, supported: [POST]');
      return;
    }
    const ct = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (ct !== PB && ct !== JSON_CT) {
      req.resume();
      this.text(res, 415, `415 unsupported media type, supported: [${JSON_CT}, ${PB}]`);
      return;
    }
    const json = ct === JSON_CT;
    this.readBody(req, enc)
      .then(
        (body) => {
          let ctx: ConsumeContext | undefined;
          if (this.args.include_metadata || auth) {
            ctx = {};
            if (this.args.include_metadata) ctx.metadata = req.headersDistinct as Record<string, string[]>;
            if (auth) ctx.auth = auth;
          }
          return this.sink.exportBytes(signal, body, json, ctx, 'http').then((out) => {
            if (out.ok) {
              res.writeHead(200, { 'Content-Type': json ? JSON_CT : PB });
              res.end(json ? EMPTY_JSON : EMPTY);
              return;
            }
            const status = httpStatusForGrpcCode(out.code);
            this.status(res, json, status, out.code, out.message, out.retryAfterSeconds);
          });
        },
        (err: Error) => this.fail(req, res, 400, err.message),
      )
      .catch((err: Error) => {
        this.logger.error('failed to handle OTLP/HTTP request', { err: err.message });
        if (!res.headersSent) this.fail(req, res, 500, err.message);
      });
  }

  /** Reads (and decompresses) the body within `max_request_body_size`. */
  private readBody(req: IncomingMessage, enc: string): Promise<Buffer> {
    const max = this.maxBody;
    return new Promise((resolve, reject) => {
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        req.resume();
        reject(err);
      };
      const declared = Number(req.headers['content-length'] ?? -1);
      if (declared > max) return fail(new BodyError('http: request body too large'));
      let received = 0;
      const raw: Buffer[] = [];
      req.on('error', fail);
      if (enc === 'gzip' || enc === 'zlib' || enc === 'deflate') {
        const z = enc === 'gzip' ? createGunzip() : createInflate();
        const out: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          received += c.length;
          if (received > max) fail(new BodyError('http: request body too large'));
        });
        z.on('data', (c: Buffer) => {
          size += c.length;
          if (size > max) fail(new BodyError('http: request body too large'));
          else out.push(c);
        });
        z.on('error', (err: Error) => fail(new BodyError(`${enc}: ${err.message}`)));
        z.on('end', () => {
          if (!failed) resolve(out.length === 1 ? out[0]! : Buffer.concat(out, size));
        });
        req.pipe(z);
        return;
      }
      // With a Content-Length the body is copied into one buffer as it arrives (no chunk list, no concat).
      const out = declared > 0 ? Buffer.allocUnsafeSlow(declared) : undefined;
      req.on('data', (c: Buffer) => {
        if (failed) return;
        if (out) {
          if (received + c.length > declared)
            return fail(new BodyError('request body longer than Content-Length'));
          c.copy(out, received);
          received += c.length;
          return;
        }
        received += c.length;
        if (received > max) fail(new BodyError('http: request body too large'));
        else raw.push(c);
      });
      req.on('end', () => {
        if (failed) return;
        const body = out
          ? out.subarray(0, received)
          : raw.length === 1
            ? raw[0]!
            : Buffer.concat(raw, received);
        if (enc !== 'snappy') return resolve(body);
        if (body.subarray(0, SNAPPY_FRAMED.length).equals(SNAPPY_FRAMED))
          return fail(new BodyError('unsupported Content-Encoding: snappy (framed)'));
        try {
          resolve(snappyUncompress(body, max));
        } catch (err) {
          fail(new BodyError((err as Error).message));
        }
      });
    });
  }

  private text(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(body);
  }

  /** An error before or while reading the body: a Status in the request's encoding (JSON by default). */
  private fail(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
    req.resume();
    const ct = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    this.status(res, ct === PB ? false : true, status, grpcCodeForHttpStatus(status), message);
  }

  private status(
    res: ServerResponse,
    json: boolean,
    status: number,
    code: number,
    message: string,
    retryAfterSeconds?: number,
  ): void {
    const st = { code, message, details: [] };
    const body = json ? Buffer.from(encodeRpcStatusJson(st)) : Buffer.from(encodeRpcStatus(st));
    const headers: Record<string, string> = { 'Content-Type': json ? JSON_CT : PB };
    if ((status === 503 || status === 429) && retryAfterSeconds !== undefined)
      headers['Retry-After'] = String(Math.floor(retryAfterSeconds));
    res.writeHead(status, headers);
    res.end(body);
  }
}
