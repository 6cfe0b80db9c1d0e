/**
 * `discovery.relabel`: applies `rule` blocks to every target of `targets` and exports the kept, relabeled
 * targets as `output` and the compiled rules as `rules` (a `relabel.Rules` capsule that loki.source.* and
 * others accept as `relabel_rules`). As Alloy 1.18 `internal/component/discovery/relabel`: relabeling runs
 * on every update; labels with empty values are absent from the output; expanded `replace` targets are
 * checked as UTF-8 label names.
 */
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { RELABEL_RULES, RulesHolder } from '../../relabel/capsule.js';
import type { RelabelConfig } from '../../relabel/relabel.js';
import { relabelRulesBlock } from '../common/relabel-schema.js';

export interface DiscoveryRelabelArgs {
  targets: Record<string, string>[];
  rule: RelabelConfig[];
}

export class DiscoveryRelabel implements Component<DiscoveryRelabelArgs> {
  private readonly holder = new RulesHolder('utf8');

  constructor(
    private readonly opts: ComponentOptions,
    args: DiscoveryRelabelArgs,
  ) {
    this.update(args);
  }

  async run(signal: AbortSignal): Promise<void> {
    await untilAborted(signal);
  }

  update(args: DiscoveryRelabelArgs): void {
    this.holder.set(args.rule);
    const output = this.holder.rules.applyTargets(args.targets);
    this.opts.onStateChange({ output, rules: this.holder.capsule });
  }
}

/** discovery.relabel — arguments as Alloy 1.18 discovery.relabel (`internal/component/discovery/relabel/relabel.go`). */
export const discoveryRelabel: ComponentRegistration<DiscoveryRelabelArgs> = {
  name: 'discovery.relabel',
  stability: 'generally-available',
  args: {
    attrs: {
      targets: { type: t.targets(), required: true },
    },
    blocks: { rule: relabelRulesBlock },
  },
  exports: { output: t.targets(), rules: t.capsule(RELABEL_RULES) },
  build: (opts, args) => new DiscoveryRelabel(opts, args),
};
