import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { relabelRulesBlock } from '../common/relabel-schema.js';

/** discovery.relabel — arguments as Alloy 1.18 discovery.relabel (`internal/component/discovery/relabel/relabel.go`). */
export const discoveryRelabel: ComponentRegistration = {
  name: 'discovery.relabel',
  stability: 'generally-available',
  args: {
    attrs: {
      targets: { type: t.targets(), required: true },
    },
    blocks: { rule: relabelRulesBlock },
  },
  exports: { output: t.targets(), rules: t.capsule('relabel.Rules') },
};
