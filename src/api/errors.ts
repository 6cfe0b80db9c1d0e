import { isFetchError } from '@grafana/runtime';
import type { Diagnostic } from './types';

/**
 * A failed call to the controller, with a message a person can act on. `status` is the HTTP status
 * (0 when no response arrived); `diagnostics` come with 400s on pipeline text.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Body of the controller's error responses, or of Grafana's own proxy errors (`{ message }`). */
interface ErrorBody {
  message?: string | string[];
  error?: string;
  diagnostics?: Diagnostic[];
}

/**
 * Turns whatever getBackendSrv().fetch threw into an ApiError. Grafana's proxy errors (no route, role
 * too low, controller unreachable) get explanations, since the raw messages don't say what to do.
 */
export function toApiError(e: unknown, what: string): ApiError {
  if (e instanceof ApiError) {
    return e;
  }
  if (isFetchError(e)) {
    const body = (e.data ?? {}) as ErrorBody;
    const raw = Array.isArray(body.message) ? body.message.join('; ') : body.message || e.statusText || '';
    const status = e.status ?? 0;
    let message: string;
    if (status === 0 || status === 502 || status === 504) {
      message = `the controller could not be reached through the plugin proxy${raw ? ` (${raw})` : ''}; check the controller URL on the Configuration page`;
    } else if (status === 401) {
      message = `the controller rejected the token${raw ? ` (${raw})` : ''}; set a valid token on the Configuration page`;
    } else if (status === 403 && /plugin proxy route access denied/i.test(raw)) {
      message = 'your Grafana role may not do this (changes need the Editor role)';
    } else if (status === 403) {
      message = `the controller token may not do this${raw ? ` (${raw})` : ''}`;
    } else if (status === 404 && /plugin route match not found/i.test(raw)) {
      message = 'the plugin proxy route is missing: is this version of the plugin installed?';
    } else if (status === 404 && /plugin not found|not enabled/i.test(raw)) {
      message = 'the Foundry Fleet app is not enabled: enable it on the Configuration page';
    } else {
      message = raw || `HTTP ${status}`;
    }
    return new ApiError(`${what}: ${message}`, status, body.diagnostics ?? []);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError(`${what}: ${message}`, 0);
}
