import type { ComponentRegistration } from '../../../runtime/component.js';
import type { BlockSchema } from '../../../runtime/schema.js';
import { t } from '../../../runtime/schema.js';
import { authExports, debugMetricsBlock } from '../../common/otelcol-schema.js';
import { text } from '../../common/validation.js';
import { AuthComponent } from './component.js';
import type { AuthHandler } from './handler.js';

interface HeaderArgs {
  key: string;
  value?: unknown;
  from_context?: string;
  from_attribute?: string;
  action: string;
}

/**
 * Client-side handler of otelcol.auth.headers (the contrib headerssetterextension): for each `header` in
 * order, the value is `value`, or the first value of request metadata `from_context` (the receiver's
 * `include_metadata`, kept through batch `metadata_keys`), or auth attribute `from_attribute`; a missing
 * context value skips the header. `insert` sets only an absent header, `update` only a present one,
 * `upsert` always, `delete` removes it. There is no server side.
 */
function headersHandler(id: string): { handler: AuthHandler; apply: (a: { header?: HeaderArgs[] }) => void } {
  let rules: HeaderArgs[] = [];
  const handler: AuthHandler = {
    id,
    client(headers, ctx) {
      for (const h of rules) {
        const key = h.key.toLowerCase();
        if (h.action === 'delete') {
          delete headers[key];
          continue;
        }
        let v: string | undefined;
        if (h.value !== undefined) v = text(h.value);
        else if (h.from_context !== undefined) v = ctx?.metadata?.[h.from_context.toLowerCase()]?.[0];
        else if (h.from_attribute !== undefined) v = ctx?.auth?.[h.from_attribute];
        if (v === undefined) continue;
        const present = key in headers;
        if (h.action === 'insert' && present) continue;
        if (h.action === 'update' && !present) continue;
        headers[key] = v;
      }
    },
  };
  return { handler, apply: (a) => void (rules = a.header ?? []) };
}

const ACTIONS = ['insert', 'update', 'upsert', 'delete'];

/** `header` (Header: SetToDefault, the Action unmarshaler — case-insensitive — and Validate). */
const headerSchema: BlockSchema = {
  attrs: {
    key: { type: t.string(), required: true },
    value: { type: t.optionalSecret() },
    from_context: { type: t.string() },
    from_attribute: { type: t.string() },
    action: { type: t.string(), default: 'upsert' },
  },
  validate: (h) => {
    const action = String(h.action).toLowerCase();
    if (!ACTIONS.includes(action)) return { message: `unknown action ${action}`, attr: 'action' };
    h.action = action;
    const sources = [h.value, h.from_context, h.from_attribute].filter((x) => x !== undefined).length;
    if (h.key === '') return 'key must be set to a non-empty string';
    if (sources === 0) return 'one of value, from_context, or from_attribute must be provided';
    if (sources > 1) return 'only one of value, from_context, or from_attribute may be provided';
    return undefined;
  },
};

/** otelcol.auth.headers — arguments as Alloy 1.18 otelcol.auth.headers (`internal/component/otelcol/auth/headers/headers.go`). */
export const otelcolAuthHeaders: ComponentRegistration<{ header?: HeaderArgs[] }> = {
  name: 'otelcol.auth.headers',
  stability: 'generally-available',
  args: {
    blocks: {
      header: { schema: headerSchema, multiple: true },
      debug_metrics: debugMetricsBlock,
    },
  },
  exports: authExports,
  build: (opts, args) => {
    const { handler, apply } = headersHandler(opts.id);
    return new AuthComponent(opts, handler, apply, args);
  },
};
