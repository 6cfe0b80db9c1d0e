/**
 * `stage.label_keep`, as Alloy's stage.label_keep (`stages/label_keep.go`): removes every label that is
 * not listed (`__`-prefixed ones too).
 *
 * Decoded shape: `{ values: string[] }`. Error: "labelallow stage config cannot be empty".
 */
import type { Stage, StageFactory } from '../stage.js';

export const labelKeepStage: StageFactory = (config) => {
  const values = (config as unknown as { values?: string[] }).values ?? [];
  if (values.length < 1) throw new Error('labelallow stage config cannot be empty');
  const keep = new Set(values);
  const stage: Stage = {
    process(entries) {
      for (const e of entries)
        for (const name of [...e.labels.keys()]) if (!keep.has(name)) e.labels.delete(name);
      return entries;
    },
  };
  return stage;
};
