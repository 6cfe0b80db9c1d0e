import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';

/** loki.echo — arguments as Alloy 1.18 loki.echo (`internal/component/loki/echo/echo.go`): none. */
export const lokiEcho: ComponentRegistration = {
  name: 'loki.echo',
  stability: 'generally-available',
  args: {},
  exports: { receiver: t.capsule('loki.LogsReceiver') },
};
