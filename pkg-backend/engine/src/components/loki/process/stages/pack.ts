/**
 * `stage.pack`, as Alloy's stage.pack (`stages/pack.go`): embeds chosen extracted values (labels are
 * pre-seeded into the extracted map) and the line into a JSON object, `{"k1":"v1",…,"_entry":"<line>"}`
 * with keys sorted, Go's JSON string escaping (`<`, `>`, `&` as `\u003c`…); the packed names are then
 * removed from the stream labels.
 *
 * Decoded shape: `{ labels: string[], ingest_timestamp: boolean (default true) }`. With
 * `ingest_timestamp` the entry's timestamp becomes the current time (ns).
 *
 * Values without a string form (Go `getString`: null, objects) are skipped.
 */
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { getString, goJSONString, nowNanos } from './extra-util.js';

interface PackArgs {
  labels?: string[];
  ingest_timestamp?: boolean;
}

/** Alloy's `Packed.MarshalJSON`: sorted label keys, then `_entry`. */
export function marshalPacked(labels: Map<string, string>, entry: string): string {
  const keys = [...labels.keys()].sort();
  let out = '{';
  for (const k of keys) out += `${goJSONString(k)}:${goJSONString(labels.get(k)!)},`;
  return `${out}"_entry":${goJSONString(entry)}}`;
}

export const packStage: StageFactory = (config, ctx) => {
  const a = config as unknown as PackArgs;
  const wanted = a.labels ?? [];
  const ingest = a.ingest_timestamp ?? true;
  const pack = (e: StageEntry): void => {
    const packed = new Map<string, string>();
    for (const name of wanted) {
      if (!e.extracted.has(name)) continue;
      try {
        packed.set(name, getString(e.extracted.get(name)));
      } catch (err) {
        ctx.logger.debug('value cannot be converted to a string and cannot be packed', {
          key: name,
          err: (err as Error).message,
        });
      }
    }
    e.line = marshalPacked(packed, e.line);
    for (const name of packed.keys()) e.labels.delete(name);
    if (ingest) e.timestamp = nowNanos();
  };
  const stage: Stage = {
    process(entries) {
      for (const e of entries) pack(e);
      return entries;
    },
  };
  return stage;
};
