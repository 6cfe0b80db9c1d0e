import type { ComponentRegistration } from '../../../runtime/component.js';
import type { BlockSchema } from '../../../runtime/schema.js';
import { t } from '../../../runtime/schema.js';
import { authExports, debugMetricsBlock } from '../../common/otelcol-schema.js';

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
export const otelcolAuthHeaders: ComponentRegistration = {
  name: 'otelcol.auth.headers',
  stability: 'generally-available',
  args: {
    blocks: {
      header: { schema: headerSchema, multiple: true },
      debug_metrics: debugMetricsBlock,
    },
  },
  exports: authExports,
};
