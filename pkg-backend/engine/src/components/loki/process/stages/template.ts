/**
 * `stage.template`, as Alloy's stage.template (`stages/template.go`): sets `extracted[source]` to the
 * result of a Go text/template (see ../gotemplate.ts for the supported syntax and functions).
 *
 * Decoded shape: `{ source: string, template: string }`. Template data: every extracted value that
 * `getString` converts, by key; `.Value` = `extracted[source]` (absent when missing); `.Entry` = the line.
 * An empty result removes `source` from the extracted map; an execution error (a function given "no
 * value", a bad regex in regexReplaceAll, …) leaves the entry as it is.
 *
 * Errors (Alloy's texts): "template source value is required", Go template parse errors
 * ("template: pipeline_template:1: function \"foo\" not defined").
 */
import type { Stage, StageFactory } from '../stage.js';
import { parseGoTemplate } from '../gotemplate.js';
import { tryGetString } from '../values.js';

export const templateStage: StageFactory = (config, ctx) => {
  const a = config as unknown as { source?: string; template?: string };
  const source = a.source ?? '';
  if (source === '') throw new Error('template source value is required');
  const tpl = parseGoTemplate(a.template ?? '');
  const logger = ctx.logger.child({ stage: 'template' });
  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        const td = new Map<string, unknown>();
        for (const [k, v] of e.extracted) {
          const s = tryGetString(v);
          if (s === undefined) continue;
          td.set(k, s);
        }
        const value = tryGetString(e.extracted.get(source));
        if (value !== undefined) td.set('Value', value);
        td.set('Entry', e.line);
        let out: string;
        try {
          out = tpl.execute(td);
        } catch (err) {
          logger.debug('failed to execute template on extracted value', { err: (err as Error).message });
          continue;
        }
        if (out === '') e.extracted.delete(source);
        else e.extracted.set(source, out);
      }
      return entries;
    },
  };
  return stage;
};
