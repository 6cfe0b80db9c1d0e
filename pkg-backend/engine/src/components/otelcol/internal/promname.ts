/**
 * OpenTelemetry ↔ Prometheus naming, as the collector's `pkg/translator/prometheus` (the version Alloy
 * builds against): `BuildCompliantName` (unit and type suffixes when `add_metric_suffixes`), `NormalizeLabel`
 * (PermissiveLabelSanitization on: a single leading `_` is kept), `UnitWordToUCUM` for the reverse direction,
 * and Go's `strconv.FormatFloat(f, 'f', -1, 64)` used for `le` / `quantile` label values.
 */
import type { Metric } from '../../../protocols/otlp/index.js';

/** OTLP (UCUM) units → Prometheus unit words. */
const UNIT_MAP: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

/** "per" units: `s` → `second`. */
const PER_UNIT_MAP: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const NOT_ALNUM = /[^\p{L}\p{Nd}]+/u;
const FORBIDDEN = /[^\p{L}\p{Nd}_:]+/u;
const LEADING_DIGIT = /^\p{Nd}/u;

/** Go `strings.FieldsFunc(s, sep)` joined with `_`. */
function fields(s: string, sep: RegExp): string[] {
  return s.split(sep).filter((f) => f !== '');
}

/** `CleanUpString`: non-alphanumeric runs become `_`, trimmed at both ends. */
export function cleanUpString(s: string): string {
  return fields(s, NOT_ALNUM).join('_');
}

/** `RemovePromForbiddenRunes`. */
export function removePromForbiddenRunes(s: string): string {
  return fields(s, FORBIDDEN).join('_');
}

/** `BuildCompliantName(metric, namespace, addMetricSuffixes)`. */
export function buildCompliantName(m: Metric, namespace: string, addMetricSuffixes: boolean): string {
  if (addMetricSuffixes) return normalizeName(m, namespace);
  let name = removePromForbiddenRunes(m.name);
  if (namespace !== '') return namespace + '_' + name;
  if (name !== '' && LEADING_DIGIT.test(name)) name = '_' + name;
  return name;
}

function normalizeName(m: Metric, namespace: string): string {
  let tokens = fields(m.name, NOT_ALNUM);
  const slash = m.unit.indexOf('/');
  const unitTokens = slash < 0 ? [m.unit] : [m.unit.slice(0, slash), m.unit.slice(slash + 1)];
  const main = unitTokens[0]!.trim();
  if (main !== '' && !/[{}]/.test(main)) {
    const prom = cleanUpString(UNIT_MAP[main] ?? main);
    if (prom !== '' && !tokens.includes(prom)) tokens.push(prom);
  }
  if (unitTokens.length > 1 && unitTokens[1] !== '') {
    const per = unitTokens[1]!.trim();
    if (per !== '' && !/[{}]/.test(per)) {
      const prom = cleanUpString(PER_UNIT_MAP[per] ?? per);
      if (prom !== '' && !tokens.includes(prom)) tokens.push('per', prom);
    }
  }
  if (m.sum && m.sum.isMonotonic) tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (m.unit === '1' && m.gauge) tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  if (namespace !== '') tokens.unshift(namespace);
  let name = tokens.join('_');
  if (name !== '' && LEADING_DIGIT.test(name)) name = '_' + name;
  return name;
}

/** `NormalizeLabel`: non-alphanumerics → `_`; a leading digit gets `key_`. */
export function normalizeLabel(label: string): string {
  if (label === '') return label;
  let out = '';
  for (const ch of label) out += /[\p{L}\p{Nd}]/u.test(ch) ? ch : '_';
  if (LEADING_DIGIT.test(out)) out = 'key_' + out;
  return out;
}

/** Prometheus unit words → UCUM (`UnitWordToUCUM`): `seconds` → `s`, `bytes_per_second` → `By/s`. */
export function unitWordToUCUM(unit: string): string {
  if (unit === '') return '';
  const at = unit.indexOf('_per_');
  const head = at < 0 ? unit : unit.slice(0, at);
  const main = wordToUCUM[head] ?? head;
  const tail = at < 0 ? '' : unit.slice(at + 5);
  if (tail === '') return main;
  return `${main}/${perWordToUCUM[tail] ?? tail}`;
}

const wordToUCUM: Record<string, string> = Object.fromEntries(
  Object.entries(UNIT_MAP)
    .filter(([, w]) => w !== '')
    .map(([u, w]) => [w, u]),
);
wordToUCUM.ratio = '1';
const perWordToUCUM: Record<string, string> = Object.fromEntries(
  Object.entries(PER_UNIT_MAP).map(([u, w]) => [w, u]),
);

/** Go `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest digits, never an exponent. */
export function formatFloatF(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const s = String(f);
  if (!s.includes('e')) return s;
  const neg = f < 0;
  const [mant, expStr] = (neg ? s.slice(1) : s).split('e') as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace('.', '');
  const point = (mant.indexOf('.') < 0 ? mant.length : mant.indexOf('.')) + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + out;
}
