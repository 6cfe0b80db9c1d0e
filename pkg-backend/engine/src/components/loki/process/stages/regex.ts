/**
 * `stage.regex`, as Alloy's stage.regex (`stages/regex.go`): matches the line (or the extracted value
 * `source`) with a Go regexp (unanchored, first match) and sets every named group in the extracted map
 * ("" for a group that did not take part), and as a label too with `labels_from_groups`.
 *
 * Decoded shape: `{ expression: string, source?: string, labels_from_groups?: boolean }`.
 * A missing or non-string-convertible source, or no match, leaves the entry as it is.
 *
 * Errors (Alloy's texts): "expression is required", "empty source",
 * "could not compile regular expression: error parsing regexp: …".
 */
import type { Stage, StageFactory } from '../stage.js';
import { compileRegexp, findSubmatchIndex, tryGetString } from '../values.js';
import { isValidLabelName } from '../../../common/validation.js';

interface RegexArgs {
  expression?: string;
  source?: string;
  labels_from_groups?: boolean;
}

export const regexStage: StageFactory = (config) => {
  const a = config as unknown as RegexArgs;
  if (!a.expression) throw new Error('expression is required');
  if (a.source === '') throw new Error('empty source');
  let re;
  try {
    re = compileRegexp(a.expression);
  } catch (err) {
    throw new Error(`could not compile regular expression: ${(err as Error).message}`);
  }
  const groups = Object.entries(re.namedGroups()).sort((x, y) => x[1] - y[1]);
  const source = a.source;
  const toLabels = a.labels_from_groups === true;

  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        let input = e.line;
        if (source !== undefined) {
          if (!e.extracted.has(source)) continue;
          const s = tryGetString(e.extracted.get(source));
          if (s === undefined) continue;
          input = s;
        }
        const m = findSubmatchIndex(re, input);
        if (!m) continue;
        for (const [name, i] of groups) {
          const start = m[2 * i]!;
          const value = start >= 0 ? input.slice(start, m[2 * i + 1]) : '';
          e.extracted.set(name, value);
          if (toLabels && isValidLabelName(name)) e.labels.set(name, value);
        }
      }
      return entries;
    },
  };
  return stage;
};
