/**
 * `stage.replace`, as Alloy's stage.replace (`stages/replace.go`): replaces every capture group of every
 * match of a Go regexp in the line (or the extracted value `source`) with the result of the `replace`
 * template, and sets named groups in the extracted map to their replacement.
 *
 * Decoded shape: `{ expression: string (Go regexp, unanchored), source?: string, replace?: string (Go
 * text/template; `.Value` = the captured text, other extracted values by name) }`.
 *
 * Groups are replaced left to right across all matches; a group overlapping an earlier replacement is
 * not replaced again. With `source` the result goes back into `extracted[source]`, otherwise into the
 * line. A missing source, no match or a template error leaves the entry as it is.
 *
 * Errors (Alloy's texts): "expression is required", "could not compile regular expression: …",
 * "failed to compile template: …".
 */
import type { Stage, StageFactory } from '../stage.js';
import { parseGoTemplate } from '../gotemplate.js';
import { compileRegexp, tryGetString } from '../values.js';

interface ReplaceArgs {
  expression?: string;
  source?: string;
  replace?: string;
}

export const replaceStage: StageFactory = (config, ctx) => {
  const a = config as unknown as ReplaceArgs;
  if (!a.expression) throw new Error('expression is required');
  let re;
  try {
    re = compileRegexp(a.expression);
  } catch (err) {
    throw new Error(`could not compile regular expression: ${(err as Error).message}`);
  }
  let tpl;
  try {
    tpl = parseGoTemplate(a.replace ?? '');
  } catch (err) {
    throw new Error(`failed to compile template: ${(err as Error).message}`);
  }
  const groups = Object.entries(re.namedGroups()).sort((x, y) => x[1] - y[1]);
  const source = a.source ?? '';
  const logger = ctx.logger.child({ stage: 'replace' });

  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        let input = e.line;
        if (source !== '') {
          if (!e.extracted.has(source)) continue;
          const s = tryGetString(e.extracted.get(source));
          if (s === undefined) continue;
          input = s;
        }
        const all = re.re2().findAllSubmatchIndex(input, -1) as number[][] | null;
        if (!all || all.length === 0) continue;
        const td = new Map<string, string>();
        for (const [k, v] of e.extracted) {
          const s = tryGetString(v);
          if (s !== undefined) td.set(k, s);
        }
        let result = '';
        let prevEnd = 0;
        const captured = new Map<string, string>();
        try {
          for (const m of all) {
            for (let i = 2; i < m.length; i += 2) {
              if (m[i]! === -1) continue;
              const text = input.slice(m[i], m[i + 1]);
              td.set('Value', text);
              const st = tpl.execute(td);
              if (prevEnd === 0 || prevEnd <= m[i]!) {
                result += input.slice(prevEnd, m[i]) + st;
                prevEnd = m[i + 1]!;
              }
              captured.set(text, st);
            }
          }
        } catch (err) {
          logger.debug('failed to execute template on extracted value', { err: (err as Error).message });
          continue;
        }
        result += input.slice(prevEnd);
        if (source !== '') e.extracted.set(source, result);
        else e.line = result;
        const first = all[0]!;
        for (const [name, i] of groups) {
          const text = first[2 * i]! >= 0 ? input.slice(first[2 * i], first[2 * i + 1]) : '';
          const v = captured.get(text);
          if (v !== undefined) e.extracted.set(name, v);
        }
      }
      return entries;
    },
  };
  return stage;
};
