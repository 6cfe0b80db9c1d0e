import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { LokiProcess, type LokiProcessArgs } from './process/component.js';
import { stageEnum } from './stages/stages.js';

/**
 * loki.process — arguments as Alloy 1.18 loki.process (`internal/component/loki/process/process.go`);
 * `stage.*` blocks decode in source order into `stage` as `{ type, ...args }`.
 */
export const lokiProcess: ComponentRegistration<LokiProcessArgs> = {
  name: 'loki.process',
  stability: 'generally-available',
  args: {
    attrs: {
      forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true },
    },
    enums: stageEnum,
  },
  exports: { receiver: t.capsule('loki.LogsReceiver') },
  build: (opts, args) => new LokiProcess(opts, args),
};
