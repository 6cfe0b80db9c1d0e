/**
 * A BackendSrv for the host, built on window.fetch: what getBackendSrv() returns inside Grafana, as far
 * as plugins use it — `fetch(options)` as an Observable of `{ data, status, statusText, ok, headers,
 * url, config }`, errors as `{ status, statusText, data, config }` (what isFetchError recognises), and
 * the promise helpers `get/post/put/patch/delete/request/datasourceRequest`.
 */
import { Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';

/** Query string as Grafana serialises params: arrays repeat the key; undefined/null are dropped. */
export function serializeParams(params: Record<string, unknown> | undefined): string {
  if (!params) {
    return '';
  }
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) {
      continue;
    }
    for (const item of Array.isArray(v) ? v : [v]) {
      out.append(k, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
  const s = out.toString();
  return s ? `?${s}` : '';
}

/** `api/x` and `/api/x` → `/api/x` (Grafana resolves relative URLs against appSubUrl). */
function absolute(url: string): string {
  return /^https?:\/\//.test(url) || url.startsWith('/') ? url : `/${url}`;
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) {
    return undefined;
  }
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function hostFetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    const method = (options.method ?? 'GET').toUpperCase();
    const headers = new Headers(options.headers as Record<string, string> | undefined);
    let body: BodyInit | undefined;
    if (options.data !== undefined && method !== 'GET' && method !== 'HEAD') {
      if (
        typeof options.data === 'string' ||
        options.data instanceof FormData ||
        options.data instanceof Blob
      ) {
        body = options.data as BodyInit;
      } else {
        body = JSON.stringify(options.data);
        if (!headers.has('content-type')) {
          headers.set('content-type', 'application/json');
        }
      }
    }
    const url =
      absolute(options.url) + serializeParams(options.params as Record<string, unknown> | undefined);
    fetch(url, { method, headers, body, signal: controller.signal, credentials: 'same-origin' })
      .then(async (res) => {
        const data = (await parse(res)) as T;
        const response = {
          data,
          status: res.status,
          statusText: res.statusText,
          ok: res.ok,
          headers: res.headers,
          url: res.url,
          type: res.type,
          redirected: res.redirected,
          config: options,
        } as FetchResponse<T>;
        if (res.ok) {
          subscriber.next(response);
          subscriber.complete();
        } else {
          subscriber.error({ status: res.status, statusText: res.statusText, data, config: options });
        }
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) {
          return;
        }
        subscriber.error({
          status: 0,
          statusText: 'Network error',
          data: { message: err instanceof Error ? err.message : String(err) },
          config: options,
        });
      });
    return () => controller.abort();
  });
}

function toPromise<T>(options: BackendSrvRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    hostFetch<T>(options).subscribe({ next: (r) => resolve(r.data), error: reject });
  });
}

/** The host's BackendSrv (only what plugins call; the rest throws a clear error). */
export function createBackendSrv(): BackendSrv {
  const srv = {
    fetch: hostFetch,
    request: (o: BackendSrvRequest) => toPromise(o),
    datasourceRequest: (o: BackendSrvRequest) =>
      new Promise((resolve, reject) => hostFetch(o).subscribe({ next: resolve, error: reject })),
    get: (url: string, params?: unknown, _requestId?: string, options?: Partial<BackendSrvRequest>) =>
      toPromise({ ...options, url, params, method: 'GET' } as BackendSrvRequest),
    delete: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      toPromise({ ...options, url, data, method: 'DELETE' } as BackendSrvRequest),
    post: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      toPromise({ ...options, url, data, method: 'POST' } as BackendSrvRequest),
    patch: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      toPromise({ ...options, url, data, method: 'PATCH' } as BackendSrvRequest),
    put: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      toPromise({ ...options, url, data, method: 'PUT' } as BackendSrvRequest),
    resolveCancelerIfExists: () => undefined,
  };
  return new Proxy(srv, {
    get(target, prop) {
      if (prop in target) {
        return (target as Record<string | symbol, unknown>)[prop];
      }
      if (typeof prop === 'symbol' || prop === 'then') {
        return undefined;
      }
      return () => {
        throw new Error(
          `getBackendSrv().${String(prop)} is not emulated by the Foundry standalone plugin host`,
        );
      };
    },
  }) as unknown as BackendSrv;
}
