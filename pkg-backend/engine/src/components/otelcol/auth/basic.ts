import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { authExports, debugMetricsBlock } from '../../common/otelcol-schema.js';
import { isSet } from '../../common/validation.js';

/** otelcol.auth.basic — arguments as Alloy 1.18 otelcol.auth.basic (`internal/component/otelcol/auth/basic/basic.go`). */
export const otelcolAuthBasic: ComponentRegistration = {
  name: 'otelcol.auth.basic',
  stability: 'generally-available',
  args: {
    attrs: {
      // Deprecated in favour of `client_auth`.
      username: { type: t.string() },
      password: { type: t.secret() },
    },
    blocks: {
      client_auth: {
        schema: {
          attrs: {
            username: { type: t.string() },
            username_file: { type: t.string() },
            password: { type: t.secret() },
            password_file: { type: t.string() },
          },
        },
      },
      htpasswd: {
        schema: {
          attrs: {
            file: { type: t.string() },
            inline: { type: t.string() },
          },
        },
      },
      debug_metrics: debugMetricsBlock,
    },
    validate: (a) => {
      if (
        !isSet(a.username) &&
        !isSet(a.password) &&
        a.htpasswd === undefined &&
        a.client_auth === undefined
      ) {
        return 'no credential source provided';
      }
      if (isSet(a.username) && !isSet(a.password)) return 'no password provided';
      return undefined;
    },
  },
  exports: authExports,
};
