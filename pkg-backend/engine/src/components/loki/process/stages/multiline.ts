/**
 * `stage.multiline`, as Alloy's stage.multiline (`stages/multiline.go`): joins the lines of a block that
 * starts with a line matching `firstline` into one entry, per stream (label set).
 *
 * Decoded shape: `{ firstline: string (Go regexp, unanchored), max_lines: number (default 128; 0 = no
 * limit), max_wait_time: number (ms, default 3000), trim_newlines: boolean (default true) }`.
 *
 * Behaviour: until a stream has seen its first start line, its entries pass through. Afterwards lines
 * accumulate (joined with "\n", trailing "\r"/"\n" trimmed when `trim_newlines`); a new start line,
 * reaching `max_lines`, or `max_wait_time` without a new line for the stream releases the block as one
 * entry carrying the start line's labels, extracted map, timestamp (ns) and structured metadata. After a
 * `max_lines` release, following non-start lines form a new block that still inherits the old start line's
 * metadata. A stream idle for `max_wait_time` is forgotten (its next non-start lines pass through).
 *
 * Timing: the stage asks for `flush()` (`ctx.requestFlush`) at the earliest stream deadline; a flush at or
 * after a deadline releases the expired streams only. A flush before any deadline (pipeline stop) releases
 * every held block, as Alloy does when its input closes. Expired streams are also released at the start of
 * the next `process` call.
 *
 * Errors (Alloy's texts): "multiline stage config must define `firstline` regular expression",
 * "multiline stage first line regex compilation error: error parsing regexp: …".
 */
import type { Stage, StageContext, StageEntry, StageFactory } from '../stage.js';
import { compileGoRegexp, labelSetKey, type GoRegexp } from './extra-util.js';

interface MultilineArgs {
  firstline?: string;
  max_lines?: number;
  max_wait_time?: number;
  trim_newlines?: boolean;
}

/** Timers may fire a little before `Date.now()` reaches the deadline; treat that as reached. */
const TIMER_SLACK_MS = 2;

interface StreamState {
  lines: string[];
  /** The entry of the block's start line (held, never emitted itself). */
  start: StageEntry | undefined;
  currentLines: number;
  /** Date.now() of the last line added. */
  lastSeen: number;
}

export const multilineStage: StageFactory = (config, ctx) => {
  const a = config as unknown as MultilineArgs;
  if (!a.firstline) throw new Error('multiline stage config must define `firstline` regular expression');
  let re: GoRegexp;
  try {
    re = compileGoRegexp(a.firstline);
  } catch (err) {
    throw new Error(`multiline stage first line regex compilation error: ${(err as Error).message}`);
  }
  return new MultilineStage(re, a.max_lines ?? 128, a.max_wait_time ?? 3000, a.trim_newlines ?? true, ctx);
};

class MultilineStage implements Stage {
  private readonly streams = new Map<string, StreamState>();
  /** The deadline (Date.now() ms) of the flush we last asked for, if still pending. */
  private requested: number | undefined;

  constructor(
    private readonly firstline: GoRegexp,
    private readonly maxLines: number,
    private readonly maxWaitMs: number,
    private readonly trimNewlines: boolean,
    private readonly ctx: StageContext,
  ) {}

  process(entries: StageEntry[]): StageEntry[] {
    const out: StageEntry[] = [];
    const now = Date.now();
    this.releaseExpired(now, out);
    for (const e of entries) this.processEntry(labelSetKey(e.labels), e, now, out);
    this.schedule(now);
    return out;
  }

  private processEntry(key: string, e: StageEntry, now: number, out: StageEntry[]): void {
    let state = this.streams.get(key);
    const isFirstLine = this.firstline.test(e.line);
    if (!state) {
      if (!isFirstLine) {
        out.push(e);
        return;
      }
      state = { lines: [], start: undefined, currentLines: 0, lastSeen: now };
      this.streams.set(key, state);
    }
    if (isFirstLine && state.currentLines > 0) out.push(this.flushState(state));
    if (isFirstLine) state.start = e;
    state.lines.push(this.trimNewlines ? e.line.replace(/[\r\n]+$/, '') : e.line);
    state.currentLines++;
    state.lastSeen = now;
    if (state.currentLines === this.maxLines) out.push(this.flushState(state));
  }

  /** Collapses a block into a new entry with the start line's metadata (copied) and resets the block. */
  private flushState(s: StreamState): StageEntry {
    const start = s.start!;
    const collapsed: StageEntry = {
      labels: new Map(start.labels),
      extracted: new Map(start.extracted),
      timestamp: start.timestamp,
      line: s.lines.join('\n'),
      structuredMetadata: new Map(start.structuredMetadata),
    };
    s.lines = [];
    s.currentLines = 0;
    return collapsed;
  }

  /** Releases (and forgets) every stream whose deadline has passed; true when one had. */
  private releaseExpired(now: number, out: StageEntry[]): boolean {
    let any = false;
    for (const [key, state] of this.streams) {
      if (state.lastSeen + this.maxWaitMs > now + TIMER_SLACK_MS) continue;
      any = true;
      if (state.currentLines > 0) out.push(this.flushState(state));
      this.streams.delete(key);
    }
    return any;
  }

  private schedule(now: number): void {
    let next: number | undefined;
    for (const s of this.streams.values()) {
      const dl = s.lastSeen + this.maxWaitMs;
      if (next === undefined || dl < next) next = dl;
    }
    if (next === undefined) return;
    if (this.requested !== undefined && this.requested <= next && this.requested > now) return;
    this.requested = next;
    this.ctx.requestFlush(this, Math.max(0, next - now));
  }

  flush(): StageEntry[] {
    const out: StageEntry[] = [];
    const now = Date.now();
    this.requested = undefined;
    if (!this.releaseExpired(now, out)) {
      // Not a timeout: the pipeline is stopping (or flushing on demand). Release every held block.
      for (const state of this.streams.values()) if (state.currentLines > 0) out.push(this.flushState(state));
      this.streams.clear();
    }
    this.schedule(now);
    return out;
  }

  close(): void {
    this.streams.clear();
  }
}
