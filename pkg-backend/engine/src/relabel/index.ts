/** Prometheus relabeling shared by discovery.relabel, prometheus.relabel, prometheus.scrape and loki.relabel. */
export {
  compileRules,
  DEFAULT_ACTION,
  DEFAULT_REGEX,
  DEFAULT_REPLACEMENT,
  DEFAULT_SEPARATOR,
  RELABEL_ACTIONS,
  RelabelRules,
  type CompileOptions,
  type NameValidation,
  type RelabelAction,
  type RelabelConfig,
} from './relabel.js';
export {
  compileRelabelRegexp,
  compileTemplate,
  expandTemplate,
  RegexpSyntaxError,
  type RelabelRegexp,
  type Template,
} from './regexp.js';
export { goToLower, goToUpper, hashMod } from './gostrings.js';
export { RELABEL_RULES, RulesHolder } from './capsule.js';
