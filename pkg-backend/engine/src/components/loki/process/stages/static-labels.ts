/**
 * `stage.static_labels`, as Alloy's stage.static_labels (`stages/static_labels.go`): sets fixed labels.
 *
 * Decoded shape: `{ values: Record<label, string | null> }`; null or "" values are ignored.
 *
 * Errors (Alloy's texts): "static_labels stage config cannot be empty", "invalid label name: …",
 * "invalid label value: …".
 */
import type { Stage, StageFactory } from '../stage.js';
import { isValidLabelName } from '../../../common/validation.js';
import { isValidLabelValue } from '../values.js';

export const staticLabelsStage: StageFactory = (config) => {
  const values = (config as unknown as { values?: Record<string, unknown> }).values;
  if (!values) throw new Error('static_labels stage config cannot be empty');
  const pairs: [string, string][] = [];
  for (const [name, v] of Object.entries(values)) {
    if (!isValidLabelName(name)) throw new Error(`invalid label name: ${name}`);
    if (v === null || v === undefined || v === '') continue;
    const value = String(v);
    if (!isValidLabelValue(value)) throw new Error(`invalid label value: ${value}`);
    pairs.push([name, value]);
  }
  const stage: Stage = {
    process(entries) {
      for (const e of entries) for (const [n, v] of pairs) e.labels.set(n, v);
      return entries;
    },
  };
  return stage;
};
