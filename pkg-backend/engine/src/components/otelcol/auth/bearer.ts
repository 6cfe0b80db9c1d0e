import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { authExports, debugMetricsBlock } from '../../common/otelcol-schema.js';
import { text } from '../../common/validation.js';
import { AuthComponent } from './component.js';
import { headerValue, type AuthHandler } from './handler.js';

interface BearerArgs {
  scheme: string;
  token: unknown;
  header: string;
}

/**
 * Handler of otelcol.auth.bearer (the contrib bearertokenauthextension): client side sets `header`
 * (default `Authorization`) to `<scheme> <token>` (just the token when `scheme` is empty); server side
 * requires exactly that value ("missing or empty authorization header" / "scheme or token does not match").
 */
function bearerHandler(id: string): { handler: AuthHandler; apply: (a: BearerArgs) => void } {
  let key = 'authorization';
  let value = '';
  const handler: AuthHandler = {
    id,
    client(headers) {
      headers[key] = value;
    },
    async server(headers) {
      const got = headerValue(headers, key);
      if (!got) throw new Error('missing or empty authorization header');
      if (got !== value) throw new Error('scheme or token does not match');
      return {};
    },
  };
  const apply = (a: BearerArgs) => {
    key = (a.header || 'Authorization').toLowerCase();
    value = a.scheme ? `${a.scheme} ${text(a.token)}` : text(a.token);
  };
  return { handler, apply };
}

/**
 * otelcol.auth.bearer — arguments as Alloy 1.18 otelcol.auth.bearer
 * (`internal/component/otelcol/auth/bearer/bearer.go`); behaviour: `bearerHandler` above.
 */
export const otelcolAuthBearer: ComponentRegistration<BearerArgs> = {
  name: 'otelcol.auth.bearer',
  stability: 'generally-available',
  args: {
    attrs: {
      scheme: { type: t.string(), default: 'Bearer' },
      token: { type: t.secret(), required: true },
      header: { type: t.string(), default: 'Authorization' },
    },
    blocks: { debug_metrics: debugMetricsBlock },
  },
  exports: authExports,
  build: (opts, args) => {
    const { handler, apply } = bearerHandler(opts.id);
    return new AuthComponent(opts, handler, apply, args);
  },
};
