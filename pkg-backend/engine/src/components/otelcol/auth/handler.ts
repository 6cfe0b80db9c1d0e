/**
 * The `handler` capsule exported by otelcol.auth.* (Alloy's `auth.Handler`, capsule type
 * `otelcol.Handler`): client side it changes the headers (HTTP) or metadata (gRPC) of outgoing requests,
 * server side it authenticates incoming requests on receivers (`auth` in their `grpc` / `http` blocks).
 * Header names are lower case on both sides.
 */
import { Capsule } from '../../../syntax/value.js';
import type { ConsumeContext } from '../consumer.js';

export const OTELCOL_HANDLER = 'otelcol.Handler';

export interface AuthHandler {
  /** The component ID, for messages. */
  readonly id: string;
  /**
   * Client side: edits the outgoing headers (lower-case keys) of a request carrying data with `ctx`.
   * Absent when the extension has no client side.
   */
  client?(headers: Record<string, string>, ctx?: ConsumeContext): void | Promise<void>;
  /**
   * Server side: authenticates a request from its headers (lower-case keys) and returns the auth data
   * (`ConsumeContext.auth`). Rejects with the reason when the request is not authenticated.
   */
  server?(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<Record<string, string>>;
}

export function authCapsule(h: AuthHandler): Capsule<AuthHandler> {
  return new Capsule(OTELCOL_HANDLER, h);
}

/** First value of a header. */
export function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
