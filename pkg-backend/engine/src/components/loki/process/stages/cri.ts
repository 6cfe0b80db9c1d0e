/**
 * `stage.cri`, as Alloy's stage.cri (`stages/cri.go`, `stages/cri/parse.go`): parses the CRI log format
 * `<timestamp> <stdout|stderr> <F|P> <content>`. The line becomes the content, the `stream` label is set,
 * the timestamp (ns) is taken from the first field when it is RFC 3339, and the extracted map gets `flags`,
 * `stream`, `content` and `time`. Lines that are not CRI pass unchanged.
 *
 * Parsing is as lenient as Alloy's: the timestamp is the text before the first whitespace and is not
 * validated; exactly one space must follow it and the stream; the flag is optional (`F` assumed; a content
 * starting with `F`/`P` loses that letter, as in Alloy) and one space after it is skipped.
 *
 * Partial lines (`P`) are held per stream (label set, including `stream`) and joined with the following
 * lines of that stream up to the next full line (`F`), which is emitted with the joined content. When
 * `max_partial_lines` streams are already held, a new partial line releases all of them as they are
 * (counted in `loki_process_cri_partial_lines_flushed_total`) and starts again with itself. With
 * `max_partial_line_size_truncate`, held and joined lines are cut to `max_partial_line_size` bytes
 * (counted in `loki_process_cri_lines_truncated_total`). Partial lines still held when the pipeline stops
 * are lost, as in Alloy.
 *
 * Decoded shape: `{ max_partial_lines: number (default 100), max_partial_line_size: number (bytes, default 0),
 * max_partial_line_size_truncate: boolean }`.
 */
import { Counter, type Registry } from 'prom-client';
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { byteLength, labelSetKey, parseRFC3339Nano, truncateBytes } from './extra-util.js';

interface CRIArgs {
  max_partial_lines?: number;
  max_partial_line_size?: number;
  max_partial_line_size_truncate?: boolean;
}

export interface ParsedCRI {
  timestamp: string;
  stream: 'stdout' | 'stderr';
  flag: 'F' | 'P';
  content: string;
}

const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/** Alloy's `cri.ParseCRI`: the fields of a CRI line, or undefined when it is not one. */
export function parseCRI(line: string): ParsedCRI | undefined {
  const sp = line.search(SPACE);
  let timestamp = '';
  let rest = line;
  if (sp >= 0) {
    timestamp = line.slice(0, sp);
    rest = line.slice(sp);
  }
  if (!rest.startsWith(' ')) return undefined;
  rest = rest.slice(1);
  let stream: ParsedCRI['stream'];
  if (rest.startsWith('stdout')) stream = 'stdout';
  else if (rest.startsWith('stderr')) stream = 'stderr';
  else return undefined;
  rest = rest.slice(6);
  if (!rest.startsWith(' ')) return undefined;
  rest = rest.slice(1);
  let flag: ParsedCRI['flag'] = 'F';
  if (rest.startsWith('P') || rest.startsWith('F')) {
    flag = rest[0] as ParsedCRI['flag'];
    rest = rest.slice(1);
  }
  if (rest.startsWith(' ')) rest = rest.slice(1);
  return { timestamp, stream, flag, content: rest };
}

function counter(registry: Registry, name: string, help: string): Counter {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter;
  return new Counter({ name, help, registers: [registry] });
}

export const criStage: StageFactory = (config, ctx) => {
  const a = config as unknown as CRIArgs;
  const maxPartialLines = a.max_partial_lines ?? 100;
  const maxSize = a.max_partial_line_size ?? 0;
  const truncate = a.max_partial_line_size_truncate ?? false;
  if (maxPartialLines <= 0) throw new Error('max_partial_lines must be greater than 0');
  const flushedMetric = counter(
    ctx.registry,
    'loki_process_cri_partial_lines_flushed_total',
    'A count of partial lines that were flushed prematurely due to the max_partial_lines limit being exceeded',
  );
  const truncatedMetric = counter(
    ctx.registry,
    'loki_process_cri_lines_truncated_total',
    'A count of lines that were truncated due to the max_partial_line_size limit',
  );
  let partial = new Map<string, StageEntry>();

  const ensureTruncate = (e: StageEntry): void => {
    if (truncate && byteLength(e.line) > maxSize) {
      e.line = truncateBytes(e.line, maxSize);
      truncatedMetric.inc();
    }
  };

  const processOne = (e: StageEntry, out: StageEntry[]): void => {
    const p = parseCRI(e.line);
    if (!p) {
      out.push(e);
      return;
    }
    e.extracted.set('flags', p.flag);
    e.extracted.set('stream', p.stream);
    e.extracted.set('content', p.content);
    e.extracted.set('time', p.timestamp);
    e.line = p.content;
    const ts = parseRFC3339Nano(p.timestamp);
    if (ts !== undefined) e.timestamp = ts;
    e.labels.set('stream', p.stream);
    const key = labelSetKey(e.labels);
    if (p.flag === 'P') {
      if (partial.size >= maxPartialLines) {
        ctx.logger.warn('partial lines upperbound exceeded, merging it to single line', {
          threshold: maxPartialLines,
        });
        flushedMetric.inc(partial.size);
        for (const held of partial.values()) out.push(held);
        partial = new Map();
        ensureTruncate(e);
        partial.set(key, e);
        return;
      }
      const prev = partial.get(key);
      if (prev) e.line = prev.line + e.line;
      ensureTruncate(e);
      partial.delete(key);
      partial.set(key, e);
      return;
    }
    const prev = partial.get(key);
    if (prev) {
      e.line = prev.line + e.line;
      ensureTruncate(e);
      partial.delete(key);
    }
    out.push(e);
  };

  const stage: Stage = {
    process(entries) {
      const out: StageEntry[] = [];
      for (const e of entries) processOne(e, out);
      return out;
    },
    close() {
      partial = new Map();
    },
  };
  return stage;
};
