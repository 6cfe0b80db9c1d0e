/**
 * The HTTP side of the Connect protocol (connectrpc.com/docs/protocol) for unary calls, as far as
 * Alloy's connect-go client uses it: errors as `{code, message}` JSON with the matching HTTP status,
 * request bodies compressed with gzip (`Content-Encoding`, or `Connect-Content-Encoding`), responses
 * gzipped when the client accepts it and they are large enough to gain from it.
 *
 * Request bodies of `POST /collector.v1.CollectorService/*` are read by `connectBodyReader` before
 * Express's body parsers see them (they then skip the finished request), so every Connect request gets
 * the raw bytes whatever its Content-Type, and a body that is too large or badly compressed is answered
 * with a Connect error rather than Express's HTML error page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzip, gzipSync } from 'node:zlib';

/** Connect error codes. */
export type ConnectCode =
  | 'canceled'
  | 'unknown'
  | 'invalid_argument'
  | 'deadline_exceeded'
  | 'not_found'
  | 'already_exists'
  | 'permission_denied'
  | 'resource_exhausted'
  | 'failed_precondition'
  | 'aborted'
  | 'out_of_range'
  | 'unimplemented'
  | 'internal'
  | 'unavailable'
  | 'data_loss'
  | 'unauthenticated';

/** HTTP status of each code, from the Connect protocol's table. */
const HTTP_STATUS: Record<ConnectCode, number> = {
  canceled: 499,
  unknown: 500,
  invalid_argument: 400,
  deadline_exceeded: 504,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 400,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
  unauthenticated: 401,
};

/**
 * An error to answer a Connect call with. `httpStatus` defaults to the protocol's status for the code;
 * clients take the code from the JSON body, so a more specific status (413 for a body over the limit)
 * does not change what they see.
 */
export class ConnectError extends Error {
  readonly httpStatus: number;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ConnectCode,
    message: string,
    opts: { httpStatus?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.httpStatus = opts.httpStatus ?? HTTP_STATUS[code];
    this.headers = opts.headers ?? {};
  }
}

/** Path prefix of the service's procedures. */
export const COLLECTOR_SERVICE_PATH = '/collector.v1.CollectorService/';

/** Encodings accepted for request bodies. */
export const ACCEPTED_ENCODINGS = 'gzip, identity';

/** Responses at least this large are gzipped when the client accepts gzip (connect-go's default). */
const GZIP_MIN_BYTES = 1024;

/** A unary Connect response ready to write. */
export interface ConnectReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The reply for an error: `{code, message}` as JSON, with the code's HTTP status. */
export function errorReply(err: ConnectError): ConnectReply {
  return {
    status: err.httpStatus,
    headers: { ...err.headers, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ code: err.code, message: err.message }), 'utf8'),
  };
}

/** The reply for a message, gzipped when `acceptEncoding` allows it and it is large enough. */
export function messageReply(
  contentType: string,
  body: Buffer,
  acceptEncoding: string | undefined,
): ConnectReply {
  const headers: Record<string, string> = { 'content-type': contentType };
  const gzipOk = (acceptEncoding ?? '')
    .split(',')
    .some((e) => e.split(';')[0]!.trim().toLowerCase() === 'gzip');
  if (gzipOk && body.length >= GZIP_MIN_BYTES) {
    headers['content-encoding'] = 'gzip';
    return { status: 200, headers, body: gzipSync(body) };
  }
  return { status: 200, headers, body };
}

/** Writes a reply. */
export function writeReply(res: ServerResponse, reply: ConnectReply): void {
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
  res.setHeader('content-length', String(reply.body.length));
  res.end(reply.body);
}

/** The request body read by connectBodyReader (empty when there was none). */
export function connectBody(req: IncomingMessage): Buffer {
  const body = (req as IncomingMessage & { body?: unknown }).body;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Express middleware: reads the body of every POST to a CollectorService procedure into `req.body` (a
 * Buffer), gunzipping it when it is compressed; at most `limit` bytes, before and after decompression.
 * Answers itself with a Connect error (413 resource_exhausted, 400 invalid_argument for broken gzip,
 * 501 unimplemented for another encoding) when the body cannot be taken.
 */
export function connectBodyReader(limit: number) {
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method !== 'POST' || !path.startsWith(COLLECTOR_SERVICE_PATH)) {
      next();
      return;
    }
    const fail = (err: ConnectError) => {
      req.removeAllListeners('data');
      req.resume(); // Node discards the rest of the body; the connection stays usable
      writeReply(res, errorReply(err));
    };
    const tooLarge = (what: string) =>
      new ConnectError('resource_exhausted', `request body ${what} exceeds ${limit} bytes`, {
        httpStatus: 413,
      });
    const encoding = (
      header(req, 'content-encoding') ??
      header(req, 'connect-content-encoding') ??
      'identity'
    )
      .trim()
      .toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') {
      fail(
        new ConnectError('unimplemented', `unsupported content encoding ${JSON.stringify(encoding)}`, {
          headers: { 'accept-encoding': ACCEPTED_ENCODINGS },
        }),
      );
      return;
    }
    const declared = Number(header(req, 'content-length') ?? NaN);
    if (declared > limit) {
      fail(tooLarge('size'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        fail(tooLarge('size'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      done = true;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const raw = Buffer.concat(chunks);
      const accept = (body: Buffer) => {
        (req as IncomingMessage & { body?: Buffer }).body = body;
        next();
      };
      if (encoding === 'identity') {
        accept(raw);
        return;
      }
      gunzip(raw, { maxOutputLength: limit }, (err, body) => {
        if (!err) accept(body);
        else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          fail(tooLarge('decompressed size'));
        else fail(new ConnectError('invalid_argument', `request body is not valid gzip: ${err.message}`));
      });
    });
  };
}
