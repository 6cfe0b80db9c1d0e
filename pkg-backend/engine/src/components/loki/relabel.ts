import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { relabelRulesBlock } from '../common/relabel-schema.js';

/** loki.relabel — arguments as Alloy 1.18 loki.relabel (`internal/component/loki/relabel/relabel.go`). */
export const lokiRelabel: ComponentRegistration = {
  name: 'loki.relabel',
  stability: 'generally-available',
  args: {
    attrs: {
      forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true },
      max_cache_size: { type: t.int(), default: 10_000 },
    },
    blocks: { rule: relabelRulesBlock },
  },
  exports: { receiver: t.capsule('loki.LogsReceiver'), rules: t.capsule('relabel.Rules') },
};
