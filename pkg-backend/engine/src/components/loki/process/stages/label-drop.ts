/**
 * `stage.label_drop`, as Alloy's stage.label_drop (`stages/label_drop.go`): removes the listed labels.
 *
 * Decoded shape: `{ values: string[] }`. Error: "labeldrop stage config cannot be empty".
 */
import type { Stage, StageFactory } from '../stage.js';

export const labelDropStage: StageFactory = (config) => {
  const values = (config as unknown as { values?: string[] }).values ?? [];
  if (values.length < 1) throw new Error('labeldrop stage config cannot be empty');
  const stage: Stage = {
    process(entries) {
      for (const e of entries) for (const v of values) e.labels.delete(v);
      return entries;
    },
  };
  return stage;
};
