/**
 * `stage.timestamp`, as Alloy's stage.timestamp (`stages/timestamp.go`): sets the entry's timestamp from an
 * extracted value.
 *
 * Decoded shape: `{ source: string, format: string, fallback_formats?: string[], location?: string (IANA
 * name), action_on_failure: "fudge" | "skip", action_on_duplicate_timestamp: "fudge" | "keep" }`.
 *
 * Formats: the names ANSIC, UnixDate, RubyDate, RFC822, RFC822Z, RFC850, RFC1123, RFC1123Z, RFC3339,
 * RFC3339Nano; Unix (seconds, with an optional `.fraction`), UnixMs, UnixUs, UnixNs; or a Go reference
 * layout (parsed in `location`, UTC by default). A layout without a year ("Jan 02 15:04:05") takes the
 * current year (the previous/next one around New Year). `fallback_formats` are tried in order when
 * `format` fails. Timestamps are nanoseconds since the epoch (bigint, exact).
 *
 * Per stream (label set at this stage, up to 10000 streams, least recently used forgotten):
 * - on failure, "fudge" sets the timestamp to the stream's last timestamp + 1 ns (keeping the entry's own
 *   timestamp when the stream has none yet); "skip" keeps the entry's timestamp;
 * - with action_on_duplicate_timestamp "fudge", a parsed timestamp equal to the stream's previous parsed
 *   one becomes the previous output + 1 ns, so equal timestamps keep their order.
 *
 * Errors (Alloy's texts): "timestamp source value is required if timestamp is specified", "timestamp
 * format is required", "invalid location specified: unknown time zone …", "invalid action on failure
 * (supported values are [skip fudge])", "invalid action on duplicate timestamp (supported values are
 * [keep fudge])".
 */
import type { Stage, StageFactory } from '../stage.js';
import {
  NAMED_LAYOUTS,
  UTC,
  loadLocation,
  parseGoTimeFields,
  parsedToNs,
  type GoLocation,
} from '../gotime.js';
import { labelSetString, tryGetString } from '../values.js';

interface TimestampArgs {
  source?: string;
  format?: string;
  fallback_formats?: string[];
  location?: string;
  action_on_failure?: string;
  action_on_duplicate_timestamp?: string;
}

/** A parser from text to ns since the epoch; throws on failure. */
export type TimestampParser = (s: string) => bigint;

const MAX_STREAMS = 10_000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go `strconv.ParseInt(s, 10, 64)`. */
function parseInt64(s: string): bigint {
  if (!/^[+-]?\d+$/.test(s))
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  }
  return v;
}

/**
 * Alloy's `convertDateLayout`: a parser for a named format, a Unix format or a Go layout.
 * `now` gives the current time for layouts without a year.
 */
export function timestampParser(
  format: string,
  loc: GoLocation | undefined,
  now: () => Date = () => new Date(),
): TimestampParser {
  switch (format) {
    case 'Unix':
      return (t) => {
        if (t.split('.').length === 2) {
          const [secS, fracS] = t.split('.') as [string, string];
          const sec = parseInt64(secS);
          const frac = parseInt64(fracS);
          // Go: int64(float64(frac) * math.Pow(10, 9-len(frac)))
          const nsec = BigInt(Math.trunc(Number(frac) * Math.pow(10, 9 - fracS.length)));
          return sec * 1_000_000_000n + nsec;
        }
        return parseInt64(t) * 1_000_000_000n;
      };
    case 'UnixMs':
      return (t) => BigInt.asIntN(64, parseInt64(t) * 1_000_000n);
    case 'UnixUs':
      return (t) => BigInt.asIntN(64, parseInt64(t) * 1_000n);
    case 'UnixNs':
      return (t) => parseInt64(t);
  }
  const named = NAMED_LAYOUTS[format];
  if (named !== undefined) return (t) => parsedToNs(parseGoTimeFields(named, t, UTC));
  if (!format.includes('06')) {
    // No year in the layout: parse, then place the date in the current year (Alloy's
    // parseTimestampWithoutYear / SetYearForLimitedTimeFormat).
    return (t) => {
      const p = parseGoTimeFields(format, t, loc ?? UTC);
      if (p.year !== 0)
        throw new Error(`timestamp '${t}' is expected to not contain the year date component`);
      const n = now();
      const nowMonth = n.getUTCMonth() + 1;
      const nowYear = n.getUTCFullYear();
      if (p.month === 12 && nowMonth === 1) p.year = nowYear - 1;
      else if (p.month === 1 && nowMonth === 12) p.year = nowYear + 1;
      else p.year = nowYear;
      return parsedToNs(p);
    };
  }
  return (t) => parsedToNs(parseGoTimeFields(format, t, loc ?? UTC));
}

export const timestampStage: StageFactory = (config, ctx) => {
  const a = config as unknown as TimestampArgs;
  const source = a.source ?? '';
  const format = a.format ?? '';
  if (source === '') throw new Error('timestamp source value is required if timestamp is specified');
  if (format === '') throw new Error('timestamp format is required');
  let loc: GoLocation | undefined;
  if (a.location !== undefined) {
    try {
      loc = loadLocation(a.location);
    } catch (err) {
      throw new Error(`invalid location specified: ${(err as Error).message}`);
    }
  }
  const onFailure = a.action_on_failure || 'fudge';
  if (onFailure !== 'skip' && onFailure !== 'fudge') {
    throw new Error('invalid action on failure (supported values are [skip fudge])');
  }
  const onDuplicate = a.action_on_duplicate_timestamp || 'fudge';
  if (onDuplicate !== 'keep' && onDuplicate !== 'fudge') {
    throw new Error('invalid action on duplicate timestamp (supported values are [keep fudge])');
  }
  const parsers = [format, ...(a.fallback_formats ?? [])].map((f) => timestampParser(f, loc));
  const parse = (s: string): bigint => {
    let firstErr: unknown;
    for (const p of parsers) {
      try {
        return p(s);
      } catch (err) {
        firstErr ??= err;
      }
    }
    throw firstErr;
  };
  const logger = ctx.logger.child({ stage: 'timestamp' });
  const fudgeFailure = onFailure === 'fudge';
  const fudgeDuplicate = onDuplicate === 'fudge';
  /** Per stream: the last parsed timestamp and the last one set (after fudging), LRU by Map order. */
  const last = new Map<string, { parsed: bigint; adjusted: bigint }>();
  const remember = (key: string, v: { parsed: bigint; adjusted: bigint }) => {
    last.delete(key);
    last.set(key, v);
    if (last.size > MAX_STREAMS) last.delete(last.keys().next().value!);
  };
  const recall = (key: string) => {
    const v = last.get(key);
    if (v) {
      last.delete(key);
      last.set(key, v);
    }
    return v;
  };

  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        let parsed: bigint | undefined;
        if (!e.extracted.has(source)) logger.debug('extracted data did not contain a timestamp');
        else {
          const s = tryGetString(e.extracted.get(source));
          if (s === undefined) logger.debug('failed to convert extracted time to string');
          else {
            try {
              parsed = parse(s);
            } catch (err) {
              logger.debug('failed to parse time', { err: (err as Error).message, format, value: s });
            }
          }
        }
        if (parsed === undefined) {
          if (!fudgeFailure) continue;
          const key = labelSetString(e.labels);
          const prev = recall(key);
          if (!prev) continue;
          e.timestamp = prev.adjusted + 1n;
          remember(key, { parsed: prev.parsed, adjusted: e.timestamp });
          continue;
        }
        e.timestamp = parsed;
        if (!fudgeFailure && !fudgeDuplicate) continue;
        const key = labelSetString(e.labels);
        if (fudgeDuplicate) {
          const prev = recall(key);
          if (prev && prev.parsed === parsed) e.timestamp = prev.adjusted + 1n;
        }
        remember(key, { parsed, adjusted: e.timestamp });
      }
      return entries;
    },
  };
  return stage;
};
