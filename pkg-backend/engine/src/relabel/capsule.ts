/**
 * The `relabel.Rules` capsule that relabel components export as `rules`: its payload is the compiled
 * `RelabelRules` (with the rule configs in `configs`).
 */
import { Capsule } from '../syntax/value.js';
import { compileRules, type NameValidation, type RelabelConfig, type RelabelRules } from './relabel.js';

/** Capsule type name of exported rules (Alloy's `relabel.Rules`). */
export const RELABEL_RULES = 'relabel.Rules';

/**
 * Keeps one compiled `RelabelRules` and its capsule while the rule configs stay the same, so dependants of
 * `rules` see an unchanged export (capsules compare by payload identity) when other arguments change.
 */
export class RulesHolder {
  private key: string | undefined;
  private current: RelabelRules | undefined;
  private cap: Capsule<RelabelRules> | undefined;

  constructor(private readonly nameValidation: NameValidation) {}

  /**
   * Compiles `configs` unless they equal the last ones. Returns whether the rules changed.
   * @throws RegexpSyntaxError on an invalid regex (the previous rules stay).
   */
  set(configs: readonly RelabelConfig[]): boolean {
    const key = JSON.stringify(configs);
    if (key === this.key) return false;
    const rules = compileRules(configs, { nameValidation: this.nameValidation });
    this.current = rules;
    this.cap = new Capsule(RELABEL_RULES, rules);
    this.key = key;
    return true;
  }

  get rules(): RelabelRules {
    if (!this.current) throw new Error('relabel rules not set');
    return this.current;
  }

  get capsule(): Capsule<RelabelRules> {
    if (!this.cap) throw new Error('relabel rules not set');
    return this.cap;
  }
}
