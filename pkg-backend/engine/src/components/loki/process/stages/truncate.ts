/**
 * `stage.truncate`, as Alloy's stage.truncate (`stages/truncate.go`): cuts the line, labels, structured
 * metadata or extracted string values longer than `limit` bytes to `limit − len(suffix)` bytes plus
 * `suffix`. Each truncation is counted in `loki_process_truncated_fields_total{field="line"|"label"|
 * "structured_metadata"|"extracted"}` and the fields truncated so far are recorded, sorted and
 * comma-joined, in the extracted key `truncated`.
 *
 * Decoded shape: `{ rule: { limit: string ("1KiB"), suffix?: string, sources?: string[] (names; all when
 * empty), source_type: "line"|"label"|"structured_metadata"|"extracted" }[] }`.
 *
 * Lengths are UTF-8 bytes; a character cut in the middle is dropped whole (Go keeps its leading bytes).
 * Errors: "limit must be greater than zero", "sources cannot be set when source_type is 'line'",
 * "suffix length cannot be greater than or equal to limit" (Alloy's texts), "invalid limit: …" (size).
 */
import { Counter, type Registry } from 'prom-client';
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { byteLength, parseSize, truncateBytes } from './extra-util.js';

interface RuleArgs {
  limit: string;
  suffix?: string;
  sources?: string[];
  source_type?: string;
}

interface Rule {
  sourceType: string;
  sources: string[];
  suffix: string;
  /** limit − len(suffix), bytes. */
  limit: number;
}

function truncatedCounter(registry: Registry): Counter<'field'> {
  const name = 'loki_process_truncated_fields_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'field'>;
  return new Counter({
    name,
    help: 'A count of all log lines, labels, extracted values, or structured_metadata truncated as a result of a pipeline stage',
    labelNames: ['field'],
    registers: [registry],
  });
}

export const truncateStage: StageFactory = (config, ctx) => {
  const rules: Rule[] = ((config as unknown as { rule?: RuleArgs[] }).rule ?? []).map((r) => {
    const limit = parseSize(r.limit, 'limit');
    const suffix = r.suffix ?? '';
    const sourceType = r.source_type || 'line';
    const sources = r.sources ?? [];
    if (limit <= 0) throw new Error('limit must be greater than zero');
    if (sourceType === 'line' && sources.length > 0)
      throw new Error("sources cannot be set when source_type is 'line'");
    if (suffix.length > 0 && limit <= byteLength(suffix))
      throw new Error('suffix length cannot be greater than or equal to limit');
    return { sourceType, sources, suffix, limit: limit - byteLength(suffix) };
  });
  const counter = truncatedCounter(ctx.registry);

  const cut = (v: string, r: Rule): string | undefined =>
    byteLength(v) > r.limit ? truncateBytes(v, r.limit) + r.suffix : undefined;

  const processOne = (e: StageEntry): void => {
    const truncated = new Set<string>();
    const mark = (field: string) => {
      counter.inc({ field });
      truncated.add(field);
    };
    for (const r of rules) {
      if (r.sourceType === 'line') {
        const v = cut(e.line, r);
        if (v !== undefined) {
          e.line = v;
          mark('line');
        }
      } else if (r.sourceType === 'label' || r.sourceType === 'structured_metadata') {
        const m = r.sourceType === 'label' ? e.labels : e.structuredMetadata;
        const names = r.sources.length > 0 ? r.sources : [...m.keys()];
        for (const name of names) {
          const old = m.get(name);
          if (old === undefined) continue;
          const v = cut(old, r);
          if (v === undefined) continue;
          m.set(name, v);
          mark(r.sourceType);
        }
      } else if (r.sourceType === 'extracted') {
        const names = r.sources.length > 0 ? r.sources : [...e.extracted.keys()];
        for (const name of names) {
          const old = e.extracted.get(name);
          if (typeof old !== 'string') continue;
          const v = cut(old, r);
          if (v === undefined) continue;
          e.extracted.set(name, v);
          mark('extracted');
        }
      }
      if (truncated.size > 0) {
        const existing = e.extracted.get('truncated');
        if (typeof existing === 'string') for (const s of existing.split(',')) truncated.add(s);
        e.extracted.set('truncated', [...truncated].sort().join(','));
      }
    }
  };

  const stage: Stage = {
    process(entries) {
      for (const e of entries) processOne(e);
      return entries;
    },
  };
  return stage;
};
