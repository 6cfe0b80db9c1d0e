/**
 * `stage.match`, as Alloy's stage.match (`stages/match.go`): entries whose labels satisfy a LogQL stream
 * selector and whose line passes its line filters either run through the nested `stage.*` blocks
 * (`action = "keep"`, the default) or are dropped (`action = "drop"`, counted in
 * `loki_process_dropped_lines_total{reason=<drop_counter_reason, default "match_stage">}`). Entries that
 * do not match pass on untouched.
 *
 * Decoded shape: `{ selector: string, action: "keep"|"drop", pipeline_name?: string (unused, as Alloy),
 * drop_counter_reason: string, stage: StageConfig[] }`.
 *
 * Order: consecutive matching entries go through the nested stages together; a non-matching entry is
 * emitted after the matching entries before it, so a batch keeps its order (nested stages that hold
 * entries back, e.g. multiline, release them later through `flush`).
 *
 * Errors (Alloy's texts): "selector statement required for match stage", "match stage action should be
 * 'keep' or 'drop'", "match stage requires at least one additional stage to be defined in '- stages'",
 * "match stage configured to drop entries cannot contains stages", "invalid selector syntax for match
 * stage: parse error at line 1, col 6: literal not terminated", "error parsing pipeline: error parsing
 * regexp: …" (line filter regex), "match stage failed to create pipeline from config: …" (nested stage).
 */
import type { Stage, StageConfig, StageContext, StageEntry, StageFactory } from '../stage.js';
import { compileLineFilter, parseLogSelector, type LabelMatcher, type LogSelector } from './logql.js';

interface MatchArgs {
  selector?: string;
  action?: string;
  pipeline_name?: string;
  drop_counter_reason?: string;
  stage?: StageConfig[];
}

export const matchStage: StageFactory = (config, ctx) => {
  const args = config as unknown as MatchArgs;
  const selectorText = args.selector ?? '';
  if (selectorText === '') throw new Error('selector statement required for match stage');
  const action = args.action || 'keep';
  if (action !== 'keep' && action !== 'drop')
    throw new Error("match stage action should be 'keep' or 'drop'");
  const nestedConfigs = args.stage ?? [];
  if (action === 'keep' && nestedConfigs.length === 0)
    throw new Error("match stage requires at least one additional stage to be defined in '- stages'");
  if (action === 'drop' && nestedConfigs.length !== 0)
    throw new Error('match stage configured to drop entries cannot contains stages');

  let selector: LogSelector;
  try {
    selector = parseLogSelector(selectorText);
  } catch (err) {
    throw new Error(`invalid selector syntax for match stage: ${(err as Error).message}`);
  }

  let nested: Stage[] = [];
  if (action === 'keep') {
    try {
      nested = ctx.buildStages(nestedConfigs);
    } catch (err) {
      throw new Error(`match stage failed to create pipeline from config: ${(err as Error).message}`);
    }
  }

  let filter: ((line: string) => boolean) | undefined;
  try {
    filter = compileLineFilter(selector.filters);
  } catch (err) {
    for (const s of nested) s.close?.();
    throw new Error(`error parsing pipeline: ${(err as Error).message}`);
  }

  const reason = args.drop_counter_reason || 'match_stage';
  return new MatchStage(selector.matchers, filter, action, nested, reason, ctx);
};

class MatchStage implements Stage {
  constructor(
    private readonly matchers: readonly LabelMatcher[],
    private readonly filter: ((line: string) => boolean) | undefined,
    private readonly action: 'keep' | 'drop',
    private readonly nested: Stage[],
    private readonly reason: string,
    private readonly ctx: StageContext,
  ) {}

  /** Alloy's `processLogQL`: every label matcher holds and the line passes the filters. */
  private matches(e: StageEntry): boolean {
    for (const m of this.matchers) if (!m.matches(e.labels.get(m.name) ?? '')) return false;
    return this.filter === undefined || this.filter(e.line);
  }

  process(entries: StageEntry[]): StageEntry[] {
    if (this.action === 'drop') {
      const out: StageEntry[] = [];
      let dropped = 0;
      for (const e of entries) {
        if (this.matches(e)) dropped++;
        else out.push(e);
      }
      if (dropped > 0) this.ctx.dropped(this.reason, dropped);
      return out;
    }
    const out: StageEntry[] = [];
    let run: StageEntry[] = [];
    for (const e of entries) {
      if (this.matches(e)) {
        run.push(e);
        continue;
      }
      if (run.length > 0) {
        for (const r of this.runNested(run, 0)) out.push(r);
        run = [];
      }
      out.push(e);
    }
    if (run.length > 0) for (const r of this.runNested(run, 0)) out.push(r);
    return out;
  }

  private runNested(entries: StageEntry[], from: number): StageEntry[] {
    let xs = entries;
    for (let i = from; i < this.nested.length && xs.length > 0; i++) xs = this.nested[i]!.process(xs);
    return xs;
  }

  /** Flushes the nested stages in order, sending what each releases through the nested stages after it. */
  flush(): StageEntry[] {
    const out: StageEntry[] = [];
    for (let i = 0; i < this.nested.length; i++) {
      const s = this.nested[i]!;
      if (!s.flush) continue;
      const released = s.flush();
      if (released.length > 0) for (const r of this.runNested(released, i + 1)) out.push(r);
    }
    return out;
  }

  close(): void {
    for (const s of this.nested) s.close?.();
  }
}
