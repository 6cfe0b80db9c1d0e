/**
 * `stage.structured_metadata_drop`, as Alloy's (`stages/structured_metadata_drop.go`): removes the named
 * structured metadata entries. Decoded shape: `{ values: string[] }`.
 * Errors (Alloy's text): "structured_metadata_drop stage config cannot be empty".
 */
import type { Stage, StageFactory } from '../stage.js';

export const structuredMetadataDropStage: StageFactory = (config) => {
  const values = (config as unknown as { values?: string[] }).values ?? [];
  if (values.length < 1) throw new Error('structured_metadata_drop stage config cannot be empty');
  const stage: Stage = {
    process(entries) {
      for (const e of entries) for (const v of values) e.structuredMetadata.delete(v);
      return entries;
    },
  };
  return stage;
};
