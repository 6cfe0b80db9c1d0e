/**
 * The shared relabel `rule` block (Alloy 1.18 `internal/component/common/relabel` Config: defaults from
 * SetToDefault, checks from Validate and the Action unmarshaler). Used by discovery.relabel,
 * prometheus.relabel, loki.relabel and prometheus.remote_write's `write_relabel_config`.
 */
import type { BlockFieldSpec, BlockSchema } from '../../runtime/schema.js';
import { t } from '../../runtime/schema.js';
import { isValidLabelName } from './validation.js';

export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
  'keepequal',
  'dropequal',
] as const;

const DEFAULT_REGEX = '(.*)';
const DEFAULT_REPLACEMENT = '$1';
const DEFAULT_SEPARATOR = ';';
/** Alloy's `relabelTarget`: a target label that may contain `$1`/`${name}` references. */
const RELABEL_TARGET = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/** Decoded shape of one `rule` block. */
export interface RelabelRule {
  source_labels?: string[];
  separator: string;
  regex: string;
  modulus?: number;
  target_label?: string;
  replacement: string;
  action: string;
}

/** `Config.Validate()` plus the "unrecognized action type" error of `Action.UnmarshalText`. */
export function validateRelabelRule(rc: RelabelRule): string | undefined {
  const action = rc.action;
  const target = rc.target_label ?? '';
  const modulus = rc.modulus ?? 0;
  if (action === '') return 'relabel action cannot be empty';
  if (!(RELABEL_ACTIONS as readonly string[]).includes(action))
    return `unrecognized action type ${JSON.stringify(action)}`;
  if (modulus === 0 && action === 'hashmod')
    return 'relabel configuration for hashmod requires non-zero modulus';
  if (
    ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action) &&
    target === ''
  ) {
    return `relabel configuration for ${action} action requires 'target_label' value`;
  }
  if (action === 'replace' && !target.includes('$') && !isValidLabelName(target)) {
    return `${JSON.stringify(target)} is invalid 'target_label' for ${action} action`;
  }
  if (action === 'replace' && target.includes('$') && !RELABEL_TARGET.test(target)) {
    return `${JSON.stringify(target)} is invalid 'target_label' for ${action} action`;
  }
  const equalish = ['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action);
  if (equalish && !isValidLabelName(target))
    return `${JSON.stringify(target)} is invalid 'target_label' for ${action} action`;
  if (equalish && rc.replacement !== DEFAULT_REPLACEMENT)
    return `'replacement' can not be set for ${action} action`;
  if (action === 'labelmap' && !RELABEL_TARGET.test(rc.replacement)) {
    return `${JSON.stringify(rc.replacement)} is invalid 'replacement' for ${action} action`;
  }
  if (action === 'hashmod' && !isValidLabelName(target))
    return `${JSON.stringify(target)} is invalid 'target_label' for ${action} action`;
  if (action === 'labeldrop' || action === 'labelkeep') {
    if (
      rc.source_labels !== undefined ||
      target !== '' ||
      modulus !== 0 ||
      rc.separator !== DEFAULT_SEPARATOR ||
      rc.replacement !== DEFAULT_REPLACEMENT
    ) {
      return `${action} action requires only 'regex', and no other fields`;
    }
  }
  if (action === 'keepequal' || action === 'dropequal') {
    if (
      rc.regex !== DEFAULT_REGEX ||
      modulus !== 0 ||
      rc.separator !== DEFAULT_SEPARATOR ||
      rc.replacement !== DEFAULT_REPLACEMENT
    ) {
      return `${action} action requires only 'source_labels' and 'target_label', and no other fields`;
    }
  }
  return undefined;
}

/**
 * One relabel rule. `regex` is kept as written (RE2, anchored as `^(?s:<regex>)$` when compiled); it is not
 * compiled here because RE2 and JS syntax differ.
 */
export const relabelRuleSchema: BlockSchema = {
  attrs: {
    source_labels: { type: t.list(t.string()) },
    separator: { type: t.string(), default: DEFAULT_SEPARATOR },
    regex: { type: t.string(), default: DEFAULT_REGEX },
    modulus: { type: t.int() },
    target_label: { type: t.string() },
    replacement: { type: t.string(), default: DEFAULT_REPLACEMENT },
    action: { type: t.string(), default: 'replace' },
  },
  validate: (rc: RelabelRule) => validateRelabelRule(rc),
};

/** Repeated `rule` blocks (`alloy:"rule,block,optional"` of `[]*relabel.Config`). */
export const relabelRulesBlock: BlockFieldSpec = { schema: relabelRuleSchema, multiple: true };
