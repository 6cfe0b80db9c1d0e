/**
 * `stage.output`, as Alloy's stage.output (`stages/output.go`): replaces the line with an extracted value.
 *
 * Decoded shape: `{ source: string }`. A missing or non-string-convertible value leaves the line as is.
 * Error: "output source value is required if output is specified".
 */
import type { Stage, StageFactory } from '../stage.js';
import { tryGetString } from '../values.js';

export const outputStage: StageFactory = (config, ctx) => {
  const source = (config as unknown as { source?: string }).source ?? '';
  if (source === '') throw new Error('output source value is required if output is specified');
  const logger = ctx.logger.child({ stage: 'output' });
  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        if (!e.extracted.has(source)) {
          logger.debug('extracted data did not contain output source', { source });
          continue;
        }
        const s = tryGetString(e.extracted.get(source));
        if (s !== undefined) e.line = s;
      }
      return entries;
    },
  };
  return stage;
};
