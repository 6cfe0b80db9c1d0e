/**
 * The shared relabel `rule` block (Alloy 1.18 `internal/component/common/relabel` Config: defaults from
 * SetToDefault, checks from Validate, the Action and Regexp unmarshalers). Used by discovery.relabel,
 * prometheus.relabel, loki.relabel and prometheus.remote_write's `write_relabel_config`.
 */
import { RE2JS } from 're2js';
import {
  DEFAULT_ACTION,
  DEFAULT_REGEX,
  DEFAULT_REPLACEMENT,
  DEFAULT_SEPARATOR,
  RELABEL_ACTIONS,
  type NameValidation,
  type RelabelConfig,
} from '../../relabel/relabel.js';
import { compileRelabelRegexp, RegexpSyntaxError } from '../../relabel/regexp.js';
import type { BlockFieldSpec, BlockSchema } from '../../runtime/schema.js';
import { t } from '../../runtime/schema.js';
import { isValidLabelName, isValidLegacyLabelName } from './validation.js';

export { RELABEL_ACTIONS };

/** Decoded shape of one `rule` block. */
export type RelabelRule = RelabelConfig;

/**
 * `relabelTarget` of Alloy (Prometheus' `relabelTargetLegacy`): a legacy label name that may contain
 * `$1`/`${name}` references. RE2, not a JS RegExp: its nested repetition would backtrack exponentially.
 */
const RELABEL_TARGET = RE2JS.compile('^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$');

/** Whether `s` is a valid target label with `$` references (Alloy's `relabelTarget`). */
export function isValidRelabelTarget(s: string): boolean {
  return RELABEL_TARGET.testExact(s);
}

export interface ValidateOptions {
  /**
   * `alloy` (default): Alloy 1.18's `Config.Validate`, whose `$`-templates are always checked against
   * `relabelTarget`. `prometheus`: Prometheus 3's `Config.Validate(scheme)`, which accepts any UTF-8
   * template under the `utf8` scheme and words one message differently.
   */
  dialect?: 'alloy' | 'prometheus';
  /** Label name validation for literal target labels (default `utf8`, what Alloy 1.18 uses). */
  nameValidation?: NameValidation;
}

/**
 * Validates one rule: the regex (RE2, as the Regexp unmarshaler compiles it), the action (the Action
 * unmarshaler's "unrecognized action type"), then `Config.Validate()`. Fields may be absent (zero values),
 * as in Go tests that validate a bare struct.
 * @returns the error, worded as Alloy words it, with the attribute it concerns; undefined when valid.
 */
export function validateRelabelRule(
  rc: Partial<RelabelRule>,
  opts: ValidateOptions = {},
): { message: string; attr?: string } | undefined {
  const dialect = opts.dialect ?? 'alloy';
  const validName = opts.nameValidation === 'legacy' ? isValidLegacyLabelName : isValidLabelName;
  const action = rc.action ?? '';
  const target = rc.target_label ?? '';
  const modulus = rc.modulus ?? 0;
  const separator = rc.separator ?? '';
  const replacement = rc.replacement ?? '';
  const fail = (message: string, attr?: string) => ({ message, attr });
  if (rc.regex !== undefined) {
    try {
      compileRelabelRegexp(rc.regex);
    } catch (err) {
      if (err instanceof RegexpSyntaxError) return fail(err.message, 'regex');
      throw err;
    }
  }
  if (action === '') return fail('relabel action cannot be empty');
  if (!(RELABEL_ACTIONS as readonly string[]).includes(action))
    return fail(`unrecognized action type ${JSON.stringify(action)}`, 'action');
  if (modulus === 0 && action === 'hashmod')
    return fail('relabel configuration for hashmod requires non-zero modulus');
  if (
    ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action) &&
    target === ''
  ) {
    return fail(`relabel configuration for ${action} action requires 'target_label' value`);
  }
  const invalidTarget = () =>
    fail(`${JSON.stringify(target)} is invalid 'target_label' for ${action} action`);
  const templateOK = (s: string) =>
    dialect === 'prometheus' && opts.nameValidation !== 'legacy' ? validName(s) : isValidRelabelTarget(s);
  if (action === 'replace' && !target.includes('$') && !validName(target)) return invalidTarget();
  if (action === 'replace' && target.includes('$') && !templateOK(target)) return invalidTarget();
  const equalish = ['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action);
  if (equalish && !validName(target)) return invalidTarget();
  if (equalish && replacement !== DEFAULT_REPLACEMENT)
    return fail(`'replacement' can not be set for ${action} action`);
  if (action === 'labelmap' && !templateOK(replacement)) {
    return fail(`${JSON.stringify(replacement)} is invalid 'replacement' for ${action} action`);
  }
  if (action === 'hashmod' && !validName(target)) return invalidTarget();
  if (action === 'labeldrop' || action === 'labelkeep') {
    if (
      rc.source_labels !== undefined ||
      target !== '' ||
      modulus !== 0 ||
      separator !== DEFAULT_SEPARATOR ||
      replacement !== DEFAULT_REPLACEMENT
    ) {
      return fail(`${action} action requires only 'regex', and no other fields`);
    }
  }
  if (action === 'keepequal' || action === 'dropequal') {
    if (
      (rc.regex ?? DEFAULT_REGEX) !== DEFAULT_REGEX ||
      modulus !== 0 ||
      separator !== DEFAULT_SEPARATOR ||
      replacement !== DEFAULT_REPLACEMENT
    ) {
      const fields =
        dialect === 'prometheus'
          ? "'source_labels' and `target_label`"
          : "'source_labels' and 'target_label'";
      return fail(`${action} action requires only ${fields}, and no other fields`);
    }
  }
  return undefined;
}

/**
 * One relabel rule. `regex` is kept as written (RE2) and checked here; components compile the rules with
 * `compileRules` (src/relabel), which anchors it as `^(?s:<regex>)$`.
 */
export const relabelRuleSchema: BlockSchema = {
  attrs: {
    source_labels: { type: t.list(t.string()) },
    separator: { type: t.string(), default: DEFAULT_SEPARATOR },
    regex: { type: t.string(), default: DEFAULT_REGEX },
    modulus: { type: t.int() },
    target_label: { type: t.string() },
    replacement: { type: t.string(), default: DEFAULT_REPLACEMENT },
    action: { type: t.string(), default: DEFAULT_ACTION },
  },
  validate: (rc: RelabelRule) => validateRelabelRule(rc),
};

/** Repeated `rule` blocks (`alloy:"rule,block,optional"` of `[]*relabel.Config`). */
export const relabelRulesBlock: BlockFieldSpec = { schema: relabelRuleSchema, multiple: true };
