/**
 * Turns the decoded shared HTTP client arguments (`http-client-schema.ts`, Alloy's HTTPClientConfig as
 * squashed into prometheus.scrape / prometheus.remote_write endpoints / loki.write, or the `client` block
 * of remote.http) into request settings, and performs requests with them.
 *
 * Behaviour follows prometheus/common `config.NewClientFromConfig`:
 * - `bearer_token` / `bearer_token_file` → `Authorization: Bearer <token>`;
 *   `authorization { type, credentials(_file) }` → `Authorization: <type> <credentials>` (type defaults to
 *   "Bearer" in the schema); `basic_auth { username, password(_file) }` → `Authorization: Basic …`.
 *   Credential files are read (and whitespace-trimmed, as Prometheus) when the client is built and again
 *   before every `request`, so rotated tokens are picked up.
 * - `http_headers` (map of lists of secrets) are added to every request, one header line per value.
 * - `tls_config`: ca/cert/key as PEM text or file, `server_name` (SNI and verification name),
 *   `insecure_skip_verify`, `min_version` (TLS10…TLS13; default TLS 1.2 as Go's client).
 * - `follow_redirects` (default true): up to 10 redirects, as Go's http.Client.
 * - Connections are kept alive (one keep-alive agent per client and scheme).
 *
 * Not supported yet (throw an Error at build): `oauth2`, `proxy_url`, `proxy_from_environment`,
 * `proxy_connect_header`. `enable_http2` is accepted and ignored (requests use HTTP/1.1).
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { ConnectionOptions, SecureVersion } from 'node:tls';
import { createGunzip, createInflate } from 'node:zlib';
import { Secret } from '../../syntax/value.js';

/** Decoded client arguments (the subset of a component's args that `squashHttpClient` adds). */
export interface HttpClientArgs {
  bearer_token?: Secret | string;
  bearer_token_file?: string;
  basic_auth?: { username?: string; password?: Secret | string; password_file?: string };
  authorization?: { type?: string; credentials?: Secret | string; credentials_file?: string };
  oauth2?: Record<string, unknown>;
  tls_config?: TlsConfigArgs;
  http_headers?: Record<string, (Secret | string)[]>;
  follow_redirects?: boolean;
  enable_http2?: boolean;
  proxy_url?: string;
  no_proxy?: string;
  proxy_from_environment?: boolean;
  proxy_connect_header?: Record<string, unknown>;
}

export interface TlsConfigArgs {
  ca_pem?: string;
  ca_file?: string;
  cert_pem?: string;
  cert_file?: string;
  key_pem?: Secret | string;
  key_file?: string;
  server_name?: string;
  insecure_skip_verify?: boolean;
  min_version?: string;
}

export interface HttpRequestInit {
  method?: string;
  /** Extra headers for this request (override the client's). */
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Whole-request timeout in **milliseconds** (connect + response + body). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Decode `Content-Encoding: gzip`/`deflate` bodies (default true). */
  decompress?: boolean;
  /** Fail with "body size limit exceeded" once the (decoded) body exceeds this many bytes. */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  /** Status line text, e.g. "404 Not Found" (Go's `resp.Status`). */
  statusText: string;
  headers: http.IncomingHttpHeaders;
  /** The body, decoded when `decompress` and the response was compressed. */
  body: Buffer;
  /** Final URL after redirects. */
  url: string;
}

export interface HttpClient {
  /** Headers sent with every request: `Authorization` (if any auth is configured) and `http_headers`. */
  headers: Record<string, string | string[]>;
  /** Keep-alive agent for `http:` URLs. */
  agent: http.Agent;
  /** Keep-alive agent for `https:` URLs, carrying `tls`. */
  httpsAgent: https.Agent;
  /** TLS options from `tls_config` (undefined when no tls_config block was given). */
  tls?: ConnectionOptions;
  followRedirects: boolean;
  /** Performs a request with the client's settings. Rejects on network errors, timeouts and aborts. */
  request(url: string | URL, init?: HttpRequestInit): Promise<HttpResponse>;
  /** Destroys the agents' sockets. */
  close(): void;
}

/** Thrown (as `cause`-less Error) when a response body exceeds `maxBodyBytes`. */
export const BODY_SIZE_LIMIT_MESSAGE = 'body size limit exceeded';

const TLS_VERSION: Record<string, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

function secretText(v: Secret | string | undefined): string {
  if (v === undefined) return '';
  return v instanceof Secret ? v.value : String(v);
}

async function readTrimmed(file: string, what: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new Error(`unable to read ${what} file ${file}: ${(err as Error).message}`);
  }
}

/** The `Authorization` header value for the configured auth, or undefined. Reads credential files. */
async function authorizationHeader(a: HttpClientArgs): Promise<string | undefined> {
  if (a.basic_auth) {
    const user = a.basic_auth.username ?? '';
    const pass = a.basic_auth.password_file
      ? await readTrimmed(a.basic_auth.password_file, 'basic auth password')
      : secretText(a.basic_auth.password);
    return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  if (a.authorization) {
    const creds = a.authorization.credentials_file
      ? await readTrimmed(a.authorization.credentials_file, 'authorization credentials')
      : secretText(a.authorization.credentials);
    return `${a.authorization.type || 'Bearer'} ${creds}`;
  }
  if (a.bearer_token_file) {
    return `Bearer ${await readTrimmed(a.bearer_token_file, 'bearer token')}`;
  }
  const token = secretText(a.bearer_token);
  if (token) return `Bearer ${token}`;
  return undefined;
}

async function pemOrFile(pem: string | undefined, file: string | undefined, what: string) {
  if (pem) return pem;
  if (file) {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`unable to load ${what} ${file}: ${(err as Error).message}`);
    }
  }
  return undefined;
}

/** Node TLS options from a decoded `tls_config` block. Reads the files it names. */
export async function tlsOptions(t: TlsConfigArgs): Promise<ConnectionOptions> {
  const out: ConnectionOptions = {
    rejectUnauthorized: !t.insecure_skip_verify,
    minVersion: TLS_VERSION[t.min_version ?? ''] ?? 'TLSv1.2',
  };
  const ca = await pemOrFile(t.ca_pem, t.ca_file, 'specified CA cert');
  if (ca) out.ca = ca;
  const cert = await pemOrFile(t.cert_pem, t.cert_file, 'specified client cert');
  const key = await pemOrFile(secretText(t.key_pem) || undefined, t.key_file, 'specified client key');
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (t.server_name) out.servername = t.server_name;
  return out;
}

/**
 * Builds a client from decoded HTTPClientConfig arguments.
 * @throws Error for unsupported settings (oauth2, proxies) and unreadable credential / TLS files.
 */
export async function httpClient(args: HttpClientArgs): Promise<HttpClient> {
  if (args.oauth2) throw new Error('oauth2 is not supported yet by this engine');
  if (args.proxy_url || args.proxy_from_environment)
    throw new Error('proxy_url / proxy_from_environment are not supported yet by this engine');

  const headers: Record<string, string | string[]> = {};
  for (const [k, vals] of Object.entries(args.http_headers ?? {})) {
    const list = vals.map((v) => secretText(v));
    if (list.length) headers[k] = list.length === 1 ? list[0]! : list;
  }
  const auth = await authorizationHeader(args);
  if (auth !== undefined) headers['Authorization'] = auth;
  const usesFiles = !!(
    args.bearer_token_file ||
    args.basic_auth?.password_file ||
    args.authorization?.credentials_file
  );

  const tls = args.tls_config ? await tlsOptions(args.tls_config) : undefined;
  const agent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, ...(tls ?? {}) });
  const followRedirects = args.follow_redirects ?? true;

  const client: HttpClient = {
    headers,
    agent,
    httpsAgent,
    tls,
    followRedirects,
    async request(url, init = {}) {
      if (usesFiles) {
        const fresh = await authorizationHeader(args);
        if (fresh !== undefined) headers['Authorization'] = fresh;
      }
      return doRequest(client, new URL(String(url)), init, 0);
    },
    close() {
      agent.destroy();
      httpsAgent.destroy();
    },
  };
  return client;
}

function doRequest(c: HttpClient, url: URL, init: HttpRequestInit, redirects: number): Promise<HttpResponse> {
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:')
    return Promise.reject(
      new Error(`unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`),
    );
  const signals: AbortSignal[] = [];
  if (init.signal) signals.push(init.signal);
  if (init.timeoutMs !== undefined && init.timeoutMs > 0) signals.push(AbortSignal.timeout(init.timeoutMs));
  const signal =
    signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  const headers: Record<string, string | string[]> = { ...c.headers, ...(init.headers ?? {}) };
  if (init.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(init.body));

  return new Promise<HttpResponse>((resolve, reject) => {
    const mod = isHttps ? https : http;
    const req = mod.request(
      url,
      {
        method: init.method ?? 'GET',
        headers,
        agent: isHttps ? c.httpsAgent : c.agent,
        signal,
        ...(isHttps && c.tls ? c.tls : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (c.followRedirects && status >= 300 && status < 400 && res.headers.location && status !== 304) {
          res.resume();
          if (redirects >= 10) {
            reject(new Error('stopped after 10 redirects'));
            return;
          }
          const next = new URL(res.headers.location, url);
          // As Go's client: 301/302/303 turn non-GET/HEAD into GET without body; 307/308 keep method and body.
          const keep = status === 307 || status === 308;
          const method = init.method ?? 'GET';
          const nextInit: HttpRequestInit = keep
            ? init
            : { ...init, method: method === 'HEAD' ? 'HEAD' : 'GET', body: undefined };
          doRequest(c, next, nextInit, redirects + 1).then(resolve, reject);
          return;
        }
        const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
        let stream: NodeJS.ReadableStream = res;
        if (init.decompress !== false && (enc === 'gzip' || enc === 'x-gzip'))
          stream = res.pipe(createGunzip());
        else if (init.decompress !== false && enc === 'deflate') stream = res.pipe(createInflate());
        const chunks: Buffer[] = [];
        let size = 0;
        const limit = init.maxBodyBytes ?? Infinity;
        const fail = (err: Error) => {
          res.destroy();
          reject(err);
        };
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            fail(new Error(BODY_SIZE_LIMIT_MESSAGE));
            return;
          }
          chunks.push(chunk);
        });
        stream.on('error', (err: Error) => fail(err));
        res.on('error', (err: Error) => fail(err));
        stream.on('end', () =>
          resolve({
            status,
            statusText: `${status} ${res.statusMessage ?? http.STATUS_CODES[status] ?? ''}`.trimEnd(),
            headers: res.headers,
            body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
            url: url.toString(),
          }),
        );
      },
    );
    req.on('error', (err: Error) => {
      if (signal?.aborted) {
        const reason = signal.reason as Error | undefined;
        reject(
          reason?.name === 'TimeoutError'
            ? new Error(`context deadline exceeded (timeout ${init.timeoutMs}ms)`)
            : new Error('context canceled'),
        );
      } else reject(err);
    });
    if (init.body !== undefined) req.end(init.body);
    else req.end();
  });
}
