/**
 * `stage.json`, as Alloy's stage.json (`stages/json.go`): parses the line (or the extracted value
 * `source`) as a JSON object and extracts values with JMESPath `expressions` and/or every top-level key
 * matching `regex`.
 *
 * Decoded shape: `{ expressions?: Record<name, JMESPath ("" = the name itself)>, regex?: string (Go
 * regexp, unanchored, matched against top-level keys), source?: string, drop_malformed?: boolean }`.
 *
 * Extracted values keep Alloy's types: numbers (float64), strings, booleans, null (an expression that
 * matched nothing); arrays and objects are re-encoded as JSON strings. A missing or non-string-convertible
 * `source` skips the entry; malformed JSON skips it too, or drops it with `drop_malformed` (not counted,
 * as in Alloy). An expression that fails at run time is skipped.
 *
 * Errors (Alloy's texts): "JMES expressions or regex is required", "empty source",
 * "could not compile JMES expression: …", Go regexp parse errors.
 */
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { compileJMESPath, type JMESPath } from '../jmespath.js';
import { compileRegexp, goJsonMarshal, tryGetString } from '../values.js';

interface JsonArgs {
  expressions?: Record<string, string>;
  regex?: string;
  source?: string;
  drop_malformed?: boolean;
}

/** Alloy's `simplifyType`: simple values as they are, complex ones as JSON text. */
function simplify(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return goJsonMarshal(v);
}

export const jsonStage: StageFactory = (config, ctx) => {
  const a = config as unknown as JsonArgs;
  const exprs = Object.entries(a.expressions ?? {});
  if (exprs.length === 0 && !a.regex) throw new Error('JMES expressions or regex is required');
  if (a.source === '') throw new Error('empty source');
  const compiled: [string, JMESPath][] = exprs.map(([name, e]) => {
    try {
      return [name, compileJMESPath(e === '' ? name : e)];
    } catch (err) {
      throw new Error(`could not compile JMES expression: ${(err as Error).message}`);
    }
  });
  const re = a.regex ? compileRegexp(a.regex) : undefined;
  const source = a.source;
  const logger = ctx.logger.child({ stage: 'json' });

  /** Returns false for malformed JSON. */
  const processOne = (e: StageEntry): boolean => {
    let input = e.line;
    if (source !== undefined) {
      if (!e.extracted.has(source)) return true;
      const s = tryGetString(e.extracted.get(source));
      if (s === undefined) return true;
      input = s;
    }
    let data: unknown;
    try {
      data = JSON.parse(input);
    } catch {
      logger.debug('failed to unmarshal log line');
      return false;
    }
    // Go unmarshals into map[string]any: `null` gives a nil map, anything but an object is an error.
    if (data !== null && (typeof data !== 'object' || Array.isArray(data))) return false;
    for (const [name, expr] of compiled) {
      let raw: unknown;
      try {
        raw = expr.search(data);
      } catch {
        continue;
      }
      e.extracted.set(name, simplify(raw));
    }
    if (re && data !== null) {
      for (const [key, raw] of Object.entries(data as Record<string, unknown>)) {
        if (re.test(key)) e.extracted.set(key, simplify(raw));
      }
    }
    return true;
  };

  const stage: Stage = {
    process(entries) {
      if (!a.drop_malformed) {
        for (const e of entries) processOne(e);
        return entries;
      }
      return entries.filter(processOne);
    },
  };
  return stage;
};
