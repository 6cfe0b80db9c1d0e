/**
 * The HTTP side of one remote_write endpoint: POSTs snappy-compressed WriteRequests with the Remote Write
 * 1.0 headers (protocols.md §1.1) through the shared HTTP client (`components/common/http-client.ts`: auth,
 * `http_headers`, TLS, keep-alive) and returns status, Retry-After and a prefix of the response body.
 *
 * `sigv4`, `azuread` and `google_iam` (and, from the shared client, `oauth2` and proxies) are refused at
 * build time: not implemented by this engine yet.
 */
import { httpClient, type HttpClient } from '../../common/http-client.js';
import { stdlib } from '../../../syntax/stdlib/index.js';
import { RW1_HEADERS } from '../../../protocols/remote-write.js';

export interface SendResult {
  status: number;
  /** Milliseconds from Retry-After (integer seconds or HTTP-date); 0 when absent. */
  retryAfterMs: number;
  /** First KiB of the response body (for logs and error messages). */
  body: string;
}

/** Alloy's User-Agent shape: `Alloy/<version> (<os>; <mode>)`. */
export function userAgent(): string {
  const c = stdlib.get('constants') as Map<string, unknown> | undefined;
  const version = String(c?.get('version') ?? 'v0.0.0');
  return `Alloy/${version} (${process.platform}; foundry)`;
}

/** Parses Retry-After: delay-seconds or an HTTP-date. Returns ms (0 when absent or unparsable). */
export function parseRetryAfter(v: string | string[] | undefined, now = Date.now()): number {
  if (Array.isArray(v)) v = v[0];
  if (!v) return 0;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : Math.max(0, t - now);
}

/**
 * Refuses endpoint options this engine does not implement yet (synchronously, so the component fails
 * its build with the message).
 */
export function checkSupported(ep: Record<string, any>): void {
  for (const k of ['oauth2', 'sigv4', 'azuread', 'google_iam']) {
    if (ep[k] !== undefined) throw new Error(`endpoint ${ep.url}: ${k} is not supported by this engine yet`);
  }
  if (ep.proxy_url || ep.proxy_from_environment)
    throw new Error(`endpoint ${ep.url}: proxies are not supported by this engine yet`);
  const u = new URL(ep.url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`unsupported remote_write url scheme ${JSON.stringify(u.protocol.slice(0, -1))}`);
}

/** Sends compressed WriteRequests to one endpoint. Create with `EndpointClient.create`. */
export class EndpointClient {
  private readonly ua = userAgent();

  private constructor(
    private readonly client: HttpClient,
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs: number,
  ) {}

  /** @throws for unsupported options and unreadable credential / TLS files. */
  static async create(ep: Record<string, any>): Promise<EndpointClient> {
    checkSupported(ep);
    const client = await httpClient({ ...ep, follow_redirects: ep.follow_redirects ?? true });
    return new EndpointClient(client, ep.url, { ...(ep.headers ?? {}) }, ep.remote_timeout);
  }

  /**
   * POSTs one compressed body. `attempt` > 0 adds `Retry-Attempt` (as Prometheus). Rejects on network
   * errors, on `remote_timeout` and when `signal` aborts.
   */
  async post(body: Buffer, attempt: number, signal: AbortSignal): Promise<SendResult> {
    const headers: Record<string, string> = {
      ...this.headers,
      ...RW1_HEADERS,
      'User-Agent': this.ua,
    };
    if (attempt > 0) headers['Retry-Attempt'] = String(attempt);
    const res = await this.client.request(this.url, {
      method: 'POST',
      headers,
      body,
      timeoutMs: this.timeoutMs,
      signal,
      decompress: false,
      maxBodyBytes: 1 << 20,
    });
    return {
      status: res.status,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']),
      body: res.body.subarray(0, 1024).toString('utf8'),
    };
  }

  close(): void {
    this.client.close();
  }
}
