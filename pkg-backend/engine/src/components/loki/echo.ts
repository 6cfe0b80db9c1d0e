/**
 * `loki.echo` (Alloy 1.18 `internal/component/loki/echo/echo.go`): exports a `receiver` and logs every
 * entry it receives at info level with the fields `receiver` (the component ID), `entry` (the line) and
 * `labels` (the label set as `{a="b", …}`). Entries are not forwarded anywhere.
 */
import type { ComponentRegistration } from '../../runtime/component.js';
import { formatLabelText } from '../../protocols/loki-push.js';
import { logsReceiverCapsule } from './entry.js';

/** loki.echo — arguments as Alloy 1.18 loki.echo: none. */
export const lokiEcho: ComponentRegistration<Record<string, never>> = {
  name: 'loki.echo',
  stability: 'generally-available',
  args: {},
  exports: { receiver: { kind: 'capsule', name: 'loki.LogsReceiver' } },
  build: (opts) => {
    let running = true;
    opts.onStateChange({
      receiver: logsReceiverCapsule({
        push: (entries) => {
          if (!running) return;
          for (const e of entries)
            opts.logger.info('', {
              receiver: opts.id,
              entry: e.line,
              labels: formatLabelText(e.labels, false),
            });
        },
      }),
    });
    return {
      run: (signal) =>
        new Promise<void>((res) =>
          signal.addEventListener(
            'abort',
            () => {
              running = false;
              res();
            },
            { once: true },
          ),
        ),
      update: () => undefined,
    };
  },
};
