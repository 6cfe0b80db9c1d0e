/**
 * `stage.decolorize`, as Alloy's stage.decolorize (`stages/decolorize.go`): removes ANSI escape sequences
 * (colour codes, cursor movement, OSC titles) from the line, with the pattern of
 * github.com/acarl005/stripansi. Decoded shape: `{}`.
 */
import type { Stage, StageFactory } from '../stage.js';
import { compileGoRegexp } from './extra-util.js';

const ANSI_PATTERN =
  '[\u001B\u009B][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\u0007)|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))';

const ansi = compileGoRegexp(ANSI_PATTERN);

/** The line without ANSI escape sequences. */
export function stripAnsi(line: string): string {
  if (!line.includes('\u001B') && !line.includes('\u009B')) return line;
  return ansi.replaceAllLiteral(line, '');
}

export const decolorizeStage: StageFactory = () => {
  const stage: Stage = {
    process(entries) {
      for (const e of entries) e.line = stripAnsi(e.line);
      return entries;
    },
  };
  return stage;
};
