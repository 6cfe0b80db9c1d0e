/**
 * `stage.labels`, as Alloy's stage.labels (`stages/labels.go`): sets labels from extracted values (or from
 * structured metadata with `source_type = "structured_metadata"`).
 *
 * Decoded shape: `{ values: Record<label, source name | null ("" / null = the label name)>,
 * source_type: "extracted" (default) | "structured_metadata" }`. Extracted values are converted with
 * `getString` (numbers without exponent, booleans as "true"/"false"); values that cannot be converted
 * (null, objects) and absent sources are skipped.
 *
 * Errors (Alloy's texts): "label stage config cannot be empty", "invalid label name: …",
 * "invalid labels source_type: …. Can only be 'extracted' or 'structured_metadata'".
 */
import type { Stage, StageFactory } from '../stage.js';
import { isValidLabelName } from '../../../common/validation.js';
import { isValidLabelValue, tryGetString } from '../values.js';

interface LabelsArgs {
  values?: Record<string, string | null>;
  source_type?: string;
}

/** Validates a `map[string]*string` of label name → source and resolves empty sources to the name. */
export function labelSources(values: Record<string, string | null> | undefined): [string, string][] {
  if (!values) throw new Error('label stage config cannot be empty');
  return Object.entries(values).map(([name, src]) => {
    if (!isValidLabelName(name)) throw new Error(`invalid label name: ${name}`);
    return [name, src === null || src === undefined || src === '' ? name : String(src)];
  });
}

export const labelsStage: StageFactory = (config) => {
  const a = config as unknown as LabelsArgs;
  const sourceType = a.source_type || 'extracted';
  if (!a.values) throw new Error('label stage config cannot be empty');
  if (sourceType !== 'extracted' && sourceType !== 'structured_metadata') {
    throw new Error(
      `invalid labels source_type: ${sourceType}. Can only be 'extracted' or 'structured_metadata'`,
    );
  }
  const pairs = labelSources(a.values);
  const fromMetadata = sourceType === 'structured_metadata';

  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        for (const [name, src] of pairs) {
          let value: string | undefined;
          if (fromMetadata) value = e.structuredMetadata.get(src);
          else if (e.extracted.has(src)) value = tryGetString(e.extracted.get(src));
          if (value !== undefined && isValidLabelValue(value)) e.labels.set(name, value);
        }
      }
      return entries;
    },
  };
  return stage;
};
