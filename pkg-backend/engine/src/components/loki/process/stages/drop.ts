/**
 * `stage.drop`, as Alloy's stage.drop (`stages/drop.go`): drops an entry when every configured condition
 * holds, counting it in `loki_process_dropped_lines_total{reason=<drop_counter_reason, default "drop_stage">}`.
 *
 * Decoded shape: `{ source?: string (comma-separated extracted keys), value?: string, separator: string
 * (default ";"), expression?: string (Go regexp, unanchored), older_than?: number (ms),
 * longer_than?: string (bytes, "10B"/"1KiB"), drop_counter_reason: string }`.
 *
 * Conditions: `longer_than` — the line is longer than that many UTF-8 bytes; `older_than` — the timestamp
 * (ns) is before now − older_than; `source` alone — every listed key exists in the extracted map;
 * `expression` alone — it matches the line; `source` + `expression`/`value` — the present keys' values
 * (Go `getString`) joined by `separator` match (`value` is the exact regex `^QuoteMeta(value)$`; a value that
 * has no string form keeps the entry).
 *
 * Errors (Alloy's texts): "drop stage config must contain at least one of `source`, `expression`,
 * `older_than` or `longer_than`", "drop stage config error, `value` and `expression` cannot both be defined
 * at the same time", "drop stage config must contain `source` if `value` is specified",
 * "drop stage regex compilation error: error parsing regexp: …".
 */
import { RE2JS } from 're2js';
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { byteLength, compileGoRegexp, getString, nowNanos, parseSize, type GoRegexp } from './extra-util.js';

interface DropArgs {
  source?: string;
  value?: string;
  separator?: string;
  expression?: string;
  older_than?: number;
  longer_than?: string;
  drop_counter_reason?: string;
}

export const dropStage: StageFactory = (config, ctx) => {
  const a = config as unknown as DropArgs;
  const source = a.source ?? '';
  const expression = a.expression ?? '';
  const value = a.value ?? '';
  const olderThanMs = a.older_than ?? 0;
  const longerThan = a.longer_than ? parseSize(a.longer_than, 'longer_than') : 0;
  if (source === '' && expression === '' && olderThanMs === 0 && longerThan === 0) {
    throw new Error(
      'drop stage config must contain at least one of `source`, `expression`, `older_than` or `longer_than`',
    );
  }
  const reason = a.drop_counter_reason || 'drop_stage';
  if (value !== '' && expression !== '')
    throw new Error(
      'drop stage config error, `value` and `expression` cannot both be defined at the same time',
    );
  const separator = a.separator || ';';
  if (value !== '' && source === '')
    throw new Error('drop stage config must contain `source` if `value` is specified');
  let regex: GoRegexp | undefined;
  try {
    if (expression !== '') regex = compileGoRegexp(expression);
    if (value !== '') regex = compileGoRegexp(`^${RE2JS.quote(value)}$`);
  } catch (err) {
    throw new Error(`drop stage regex compilation error: ${(err as Error).message}`);
  }
  const sources = source === '' ? [] : source.split(',');

  const shouldDrop = (e: StageEntry): boolean => {
    if (longerThan !== 0 && byteLength(e.line) <= longerThan) return false;
    if (olderThanMs !== 0) {
      const cutoff = nowNanos() - BigInt(Math.round(olderThanMs * 1e6));
      if (!(e.timestamp < cutoff)) return false;
    }
    if (sources.length > 0 && regex === undefined) {
      for (const s of sources) if (!e.extracted.has(s)) return false;
    }
    if (sources.length === 0 && regex !== undefined && !regex.test(e.line)) return false;
    if (sources.length > 0 && regex !== undefined) {
      const parts: string[] = [];
      for (const s of sources) {
        if (!e.extracted.has(s)) continue;
        try {
          parts.push(getString(e.extracted.get(s)));
        } catch {
          return false;
        }
      }
      if (!regex.test(parts.join(separator))) return false;
    }
    return true;
  };

  const stage: Stage = {
    process(entries) {
      const out: StageEntry[] = [];
      let dropped = 0;
      for (const e of entries) {
        if (shouldDrop(e)) dropped++;
        else out.push(e);
      }
      if (dropped > 0) ctx.dropped(reason, dropped);
      return out;
    },
  };
  return stage;
};
