import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { serverAttrs, serverBlocks } from '../../common/server-schema.js';
import { LokiSourceApi, type SourceApiArgs } from './api/component.js';

/**
 * loki.source.api — arguments as Alloy 1.18 loki.source.api (`internal/component/loki/source/api/api.go`,
 * server blocks from `internal/component/common/net`). Behaviour: see `api/component.ts`.
 */
export const lokiSourceApi: ComponentRegistration<SourceApiArgs> = {
  name: 'loki.source.api',
  stability: 'generally-available',
  args: {
    attrs: {
      ...serverAttrs,
      forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true },
      labels: { type: t.map(t.string()) },
      relabel_rules: { type: t.capsule('relabel.Rules') },
      use_incoming_timestamp: { type: t.bool() },
      max_send_message_size: { type: t.string(), default: '100MiB' },
    },
    blocks: { ...serverBlocks },
  },
  build: (opts, args) => new LokiSourceApi(opts, args),
};
