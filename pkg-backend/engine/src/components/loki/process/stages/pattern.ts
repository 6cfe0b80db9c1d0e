/**
 * `stage.pattern`, as Alloy's stage.pattern (`stages/pattern.go`) with Loki's LogQL pattern matcher
 * (`pkg/logql/log/pattern`, Loki v3.7): `<name>` captures and `<_>` skips text up to the next literal;
 * captured values go into the extracted map (and into labels with `labels_from_groups`).
 *
 * Decoded shape: `{ pattern: string, source?: string (extracted key; the line when absent),
 * labels_from_groups: boolean }`.
 *
 * Matching (Loki's `Matches`): an empty input never matches; a leading literal must start the input; each
 * capture then takes the text up to the first occurrence of the literal after it — when that literal is
 * missing, the capture takes the rest and later captures are not set; a trailing capture takes the rest.
 *
 * Errors (Alloy's and Loki's texts): "pattern is required", "empty source", "failed to parse pattern: at
 * least one capture is required", "failed to parse pattern: found consecutive capture '<a><b>': invalid
 * expression", "failed to parse pattern: duplicate capture name (a): invalid expression".
 */
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { getString } from './extra-util.js';

interface PatternArgs {
  pattern?: string;
  source?: string;
  labels_from_groups?: boolean;
}

type PatternNode = { capture: string } | { literal: string };

const IDENT = /^<([A-Za-z_][A-Za-z0-9_]*)>/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Loki's lexer + parser: `<name>` captures (`[A-Za-z_][A-Za-z0-9_]*`) and runs of literal text. */
function parsePattern(p: string): PatternNode[] {
  const nodes: PatternNode[] = [];
  let lit = '';
  let i = 0;
  while (i < p.length) {
    const m = p[i] === '<' ? IDENT.exec(p.slice(i)) : null;
    if (m) {
      if (lit) nodes.push({ literal: lit });
      lit = '';
      nodes.push({ capture: m[1]! });
      i += m[0].length;
      continue;
    }
    lit += p[i];
    i++;
  }
  if (lit) nodes.push({ literal: lit });
  return nodes;
}

export interface PatternMatcher {
  /** Named capture names, in order. */
  readonly names: readonly string[];
  /** Captured values of the named captures (possibly fewer than `names`), or undefined without a match. */
  matches(input: string): string[] | undefined;
}

/** Loki's `pattern.New`. @throws Error with Loki's validation texts. */
export function compilePattern(p: string): PatternMatcher {
  const nodes = parsePattern(p);
  const names = nodes.flatMap((n) => ('capture' in n && n.capture !== '_' ? [n.capture] : []));
  if (names.length === 0) throw new Error('at least one capture is required');
  for (let i = 0; i + 1 < nodes.length; i++) {
    const a = nodes[i]!;
    const b = nodes[i + 1]!;
    if ('capture' in a && 'capture' in b)
      throw new Error(`found consecutive capture '<${a.capture}><${b.capture}>': invalid expression`);
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`duplicate capture name (${n}): invalid expression`);
    seen.add(n);
  }
  return {
    names,
    matches(input) {
      if (input.length === 0 || nodes.length === 0) return undefined;
      let rest = input;
      let k = 0;
      const first = nodes[0]!;
      if ('literal' in first) {
        if (!rest.startsWith(first.literal)) return undefined;
        rest = rest.slice(first.literal.length);
        k = 1;
      }
      if (k >= nodes.length) return undefined;
      const out: string[] = [];
      while (k < nodes.length) {
        const cap = nodes[k] as { capture: string };
        if (k + 1 === nodes.length) {
          if (cap.capture !== '_') out.push(rest);
          return out;
        }
        const lit = (nodes[k + 1] as { literal: string }).literal;
        k += 2;
        const i = rest.indexOf(lit);
        if (i < 0) {
          if (cap.capture !== '_') out.push(rest);
          return out;
        }
        if (cap.capture !== '_') out.push(rest.slice(0, i));
        rest = rest.slice(i + lit.length);
      }
      return out;
    },
  };
}

export const patternStage: StageFactory = (config, ctx) => {
  const a = config as unknown as PatternArgs;
  if (!a.pattern) throw new Error('pattern is required');
  if (a.source !== undefined && a.source === '') throw new Error('empty source');
  let matcher: PatternMatcher;
  try {
    matcher = compilePattern(a.pattern);
  } catch (err) {
    throw new Error(`failed to parse pattern: ${(err as Error).message}`);
  }
  const source = a.source;
  const labelsFromGroups = a.labels_from_groups ?? false;

  const processOne = (e: StageEntry): void => {
    let input = e.line;
    if (source !== undefined) {
      if (!e.extracted.has(source)) {
        ctx.logger.debug('source does not exist in the set of extracted values', { source });
        return;
      }
      try {
        input = getString(e.extracted.get(source));
      } catch (err) {
        ctx.logger.debug('failed to convert source value to string', { source, err: (err as Error).message });
        return;
      }
    }
    const m = matcher.matches(input);
    if (!m) {
      ctx.logger.debug('pattern did not match', { input, pattern: a.pattern });
      return;
    }
    m.forEach((v, i) => {
      const name = matcher.names[i]!;
      e.extracted.set(name, v);
      if (labelsFromGroups && !LONE_SURROGATE.test(v)) e.labels.set(name, v);
    });
  };

  const stage: Stage = {
    process(entries) {
      for (const e of entries) processOne(e);
      return entries;
    },
  };
  return stage;
};
