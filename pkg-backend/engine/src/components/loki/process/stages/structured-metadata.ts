/**
 * `stage.structured_metadata`, as Alloy's stage.structured_metadata (`stages/structured_metadata.go`):
 * adds structured metadata from extracted values and moves labels into structured metadata.
 *
 * Decoded shape: `{ values?: Record<metadata name, source | null ("" / null = the name)>, regex?: string
 * (Go regexp, unanchored, matched against names) }`.
 *
 * In order, for every entry: extracted values named by `values` (converted with `getString`; null and
 * objects skipped), extracted values whose key matches `regex`, then labels named by `values` and labels
 * matching `regex` — those labels are removed from the stream labels. A later write of the same name
 * replaces the earlier value.
 *
 * Errors (Alloy's texts): "invalid label name: …", Go regexp parse errors.
 */
import type { Stage, StageFactory } from '../stage.js';
import { compileRegexp, isValidLabelValue, tryGetString } from '../values.js';
import { labelSources } from './labels.js';

interface StructuredMetadataArgs {
  values?: Record<string, string | null>;
  regex?: string;
}

export const structuredMetadataStage: StageFactory = (config) => {
  const a = config as unknown as StructuredMetadataArgs;
  const pairs = a.values && Object.keys(a.values).length > 0 ? labelSources(a.values) : [];
  const re = a.regex ? compileRegexp(a.regex) : undefined;

  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        const sm = e.structuredMetadata;
        for (const [name, src] of pairs) {
          if (!e.extracted.has(src)) continue;
          const s = tryGetString(e.extracted.get(src));
          if (s !== undefined && isValidLabelValue(s)) sm.set(name, s);
        }
        if (re) {
          for (const [k, v] of e.extracted) {
            if (!re.test(k)) continue;
            const s = tryGetString(v);
            if (s !== undefined && isValidLabelValue(s)) sm.set(k, s);
          }
        }
        if (pairs.length) {
          const found: string[] = [];
          for (const [name, src] of pairs) {
            const v = e.labels.get(src);
            if (v !== undefined) {
              sm.set(name, v);
              found.push(src);
            }
          }
          for (const f of found) e.labels.delete(f);
        }
        if (re) {
          const found: string[] = [];
          for (const [k, v] of e.labels) {
            if (re.test(k)) {
              sm.set(k, v);
              found.push(k);
            }
          }
          for (const f of found) e.labels.delete(f);
        }
      }
      return entries;
    },
  };
  return stage;
};
