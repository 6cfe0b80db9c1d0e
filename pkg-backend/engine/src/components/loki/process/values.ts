/**
 * Helpers for the values stages keep in `StageEntry.extracted`, with the Go semantics of Alloy's
 * `internal/component/loki/process/stages/util.go` and the JSON encoding stage.json uses.
 *
 * Extracted values are strings, numbers (Go float64), booleans, null (Go nil) or bigints (Go int64 from
 * stages that produce integers); `getString` turns them into text as Alloy's `getString` does.
 */

import { RE2JS } from 're2js';
import { formatFloatF } from '../../../syntax/value.js';

/** Thrown by `getString` for values Alloy cannot convert (nil, maps, slices). */
export class NotStringError extends Error {}

/**
 * Alloy's `getString`: float64 with `strconv.FormatFloat(f, 'f', -1, 64)` (never an exponent), integers in
 * decimal, booleans as "true"/"false", strings as is.
 * @throws NotStringError for null/undefined and objects ("can't convert <nil> to string").
 */
export function getString(v: unknown): string {
  const s = tryGetString(v);
  if (s === undefined) {
    throw new NotStringError(
      `can't convert ${v === null || v === undefined ? '<nil>' : String(v)} to string`,
    );
  }
  return s;
}

/** `getString` that returns undefined instead of throwing. */
export function tryGetString(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatFloatF(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return undefined;
  }
}

/**
 * JSON encoding as json-iterator's `Marshal` (Go encoding/json compatible output) that stage.json uses to
 * re-encode complex values: no whitespace, `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`…, object
 * keys in document order (Go's map order is random; JSON.parse's insertion order is the stable choice).
 */
export function goJsonMarshal(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]!);
}

const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * Go `model.LabelValue.IsValid()`: valid UTF-8. A JS string is invalid UTF-8 only with a lone surrogate.
 */
export function isValidLabelValue(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/**
 * The stream key Alloy's timestamp stage (and others) use for a label set: Prometheus `LabelSet.String()`,
 * `{a="1", b="2"}` with names sorted.
 */
export function labelSetString(labels: Map<string, string>): string {
  const names = [...labels.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let s = '{';
  for (let i = 0; i < names.length; i++) {
    if (i) s += ', ';
    s += `${names[i]}=${JSON.stringify(labels.get(names[i]!))}`;
  }
  return s + '}';
}

/**
 * Compiles a Go `regexp` (RE2 syntax, unanchored) with re2js.
 * @throws Error with Go's message ("error parsing regexp: missing closing ): `(`").
 */
export function compileRegexp(expr: string): RE2JS {
  try {
    return RE2JS.compile(expr);
  } catch (err) {
    throw new Error((err as Error).message);
  }
}

/**
 * Go `FindStringSubmatchIndex`: `[start, end, g1start, g1end, …]` (-1 for groups that did not take part),
 * or null when there is no match.
 */
export function findSubmatchIndex(re: RE2JS, s: string): number[] | null {
  return re.re2().findSubmatchIndex(s) as number[] | null;
}

export { formatFloatF };
