/**
 * `otelcol.processor.probabilistic_sampler` (Alloy `processor/probabilistic_sampler`, the collector's
 * probabilisticsamplerprocessor) for traces and logs, with the collector's sampler modes:
 *
 * - `hash_seed` (chosen when `hash_seed` ≠ 0, or for logs with `attribute_source = "record"`): FNV-1a-32
 *   over the little-endian seed and the trace id (or the `from_attribute` value); the item is kept when
 *   the low 14 bits are below `sampling_percentage × 163.84` (float32, truncated), exactly as the
 *   collector, so decisions agree across collectors with the same seed. The OTel tracestate gets `rv` and
 *   `th` (span) or `sampling.randomness` / `sampling.threshold` attributes (log record).
 * - `proportional` (default) and `equalizing`: randomness is the explicit `rv` (tracestate `ot` value or
 *   `sampling.randomness` attribute) or the trace id's low 56 bits; the rejection threshold comes from
 *   the probability (`sampling_precision` hex digits, widened near 0 and 1); `proportional` multiplies an
 *   arriving `th` probability by the configured one. Kept items carry the new `th`.
 * - Items without randomness (empty trace id, missing attribute) are dropped when `fail_closed`, else kept.
 * - Spans with `sampling.priority` 0 are dropped and > 0 kept; for logs the `sampling_priority` attribute
 *   gives a percentage (0 drops) that overrides the configured one.
 * Resources and scopes left empty are removed; an empty request is not passed on.
 */
import type { ComponentOptions, ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import type {
  AnyValue,
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
} from '../../../protocols/otlp/index.js';
import { consumerExports, debugMetricsBlock, outputBlock } from '../../common/otelcol-schema.js';
import type { OutputArgs } from '../internal/next.js';
import { asString, getAttr, isEmptyId, lv, putAttr, valueType } from '../internal/pdata.js';
import { OtelProcessor } from '../internal/processor.js';

export interface ProbabilisticSamplerArgs {
  sampling_percentage: number;
  hash_seed: number;
  mode: string;
  fail_closed: boolean;
  sampling_precision: number;
  attribute_source: string;
  from_attribute: string;
  sampling_priority: string;
  output: OutputArgs;
}

const MAX = 1n << 56n;
const NUM_HASH_BUCKETS = 0x4000n;

/** FNV-1a 32 over the seed (4 bytes little endian) and `b`, as the collector's computeHash. */
export function computeHash(b: Uint8Array, seed: number): number {
  let h = 0x811c9dc5;
  const feed = (x: number) => {
    h ^= x & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (let i = 0; i < 4; i++) feed(seed >>> (8 * i));
  for (const x of b) feed(x);
  return h >>> 0;
}

/** The 56-bit randomness the hash_seed mode derives from bytes (`randomnessFromBytes`). */
export function hashRandomness(b: Uint8Array, seed: number): bigint {
  const hashed32 = BigInt(computeHash(b, seed));
  const hashed = hashed32 & (NUM_HASH_BUCKETS - 1n);
  const rprime14 = NUM_HASH_BUCKETS - 1n - hashed;
  const unused18 = hashed32 >> 14n;
  const mixed28 = (unused18 ^ (unused18 << 10n)) & ((1n << 28n) - 1n);
  return (rprime14 << 42n) | (mixed28 << 14n) | hashed;
}

/** `ProbabilityToThresholdWithPrecision`. */
export function probabilityToThreshold(p: number, precision: number): bigint | undefined {
  if (!(p >= 2 ** -56 && p <= 1)) return undefined;
  if (p === 1) return 0n;
  let prec = precision === 0 ? 14 : precision;
  const frexpExp = (x: number) => (x === 0 ? 0 : Math.floor(Math.log2(Math.abs(x))) + 1);
  const expF = frexpExp(p);
  const expR = frexpExp(1 - p);
  prec = Math.min(14, Math.max(prec + Math.trunc(expF / -4), prec + Math.trunc(expR / -4)));
  let th = MAX - BigInt(Math.round(p * 2 ** 56));
  const shift = BigInt(4 * (14 - prec));
  if (shift !== 0n) {
    th += 1n << (shift - 1n);
    th >>= shift;
    th <<= shift;
  }
  return th;
}

/** The `th` encoding: 14 hex digits without trailing zeros ("0" for always). */
export function tvalue(th: bigint): string {
  if (th === 0n) return '0';
  return th.toString(16).padStart(14, '0').replace(/0+$/, '');
}

function parseTValue(s: string): bigint | undefined {
  if (!/^[0-9a-f]{1,14}$/.test(s)) return undefined;
  return BigInt('0x' + s.padEnd(14, '0'));
}

function parseRValue(s: string): bigint | undefined {
  return /^[0-9a-f]{14}$/.test(s) ? BigInt('0x' + s) : undefined;
}

/** A W3C tracestate with its OpenTelemetry (`ot`) entry split into sub-keys. */
class TraceState {
  others: string[] = [];
  ot: [string, string][] = [];
  constructor(raw: string) {
    for (const member of raw
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean)) {
      const eq = member.indexOf('=');
      if (eq > 0 && member.slice(0, eq) === 'ot') {
        for (const kv of member.slice(eq + 1).split(';')) {
          const c = kv.indexOf(':');
          if (c > 0) this.ot.push([kv.slice(0, c), kv.slice(c + 1)]);
        }
      } else this.others.push(member);
    }
  }
  get(k: string): string | undefined {
    return this.ot.find(([x]) => x === k)?.[1];
  }
  set(k: string, v: string): void {
    const i = this.ot.findIndex(([x]) => x === k);
    if (i >= 0) this.ot[i] = [k, v];
    else this.ot.push([k, v]);
  }
  serialize(): string {
    const ot = this.ot.length ? [`ot=${this.ot.map(([k, v]) => `${k}:${v}`).join(';')}`] : [];
    return [...ot, ...this.others].join(',');
  }
}

function priorityOf(v: AnyValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = lv(v)!;
  switch (valueType(v)) {
    case 'int':
      return Number(x.intValue);
    case 'double':
      return x.doubleValue;
    case 'str': {
      const n = Number(x.stringValue);
      return x.stringValue!.trim() === '' || Number.isNaN(n) ? undefined : n;
    }
    default:
      return undefined;
  }
}

function removeIf<T>(arr: T[], pred: (x: T) => boolean): void {
  let w = 0;
  for (let r = 0; r < arr.length; r++) if (!pred(arr[r]!)) arr[w++] = arr[r]!;
  arr.length = w;
}

export class ProbabilisticSamplerProcessor extends OtelProcessor<ProbabilisticSamplerArgs> {
  private a!: ProbabilisticSamplerArgs;
  private ratio = 0;

  constructor(opts: ComponentOptions, args: ProbabilisticSamplerArgs) {
    super(opts, ['traces', 'logs'], 'probabilistic_sampler');
    this.init(args);
  }

  protected configure(args: ProbabilisticSamplerArgs): void {
    this.a = args;
    this.ratio = Math.max(Math.min(args.sampling_percentage, 100) / 100, 2 ** -56);
  }

  private mode(isLogs: boolean): 'hash_seed' | 'proportional' | 'equalizing' {
    const m = this.a.mode;
    if (m === 'hash_seed' || m === 'proportional' || m === 'equalizing') return m;
    return this.a.hash_seed !== 0 || (isLogs && this.a.attribute_source !== 'traceID')
      ? 'hash_seed'
      : 'proportional';
  }

  /** The hash_seed reject threshold, or undefined when sampling nothing. */
  private hashThreshold(): bigint | undefined {
    const pct = Math.fround(Math.min(this.a.sampling_percentage, 100));
    const scaled = BigInt(Math.trunc(Math.fround(pct * Math.fround(16384 / 100))));
    if (scaled === 0n) return undefined;
    return (NUM_HASH_BUCKETS - scaled) << 42n;
  }

  private consistentThreshold(
    incoming: bigint | undefined,
    mode: 'proportional' | 'equalizing',
  ): bigint | undefined {
    if (this.a.sampling_percentage <= 0) return undefined;
    if (mode === 'proportional' && incoming !== undefined) {
      const inProb = Number(MAX - incoming) / 2 ** 56;
      return probabilityToThreshold(inProb * this.ratio, this.a.sampling_precision);
    }
    return probabilityToThreshold(this.ratio, this.a.sampling_precision);
  }

  /** Decides one item; returns whether to keep it. */
  private decide(
    mode: 'hash_seed' | 'proportional' | 'equalizing',
    randomness: bigint | undefined,
    incomingTh: bigint | undefined,
    forced: 'keep' | 'drop' | undefined,
    record: (th: bigint) => void,
  ): boolean {
    if (forced === 'drop') return false;
    let th: bigint | undefined;
    if (forced === 'keep') th = 0n;
    else if (this.a.sampling_percentage <= 0) return false;
    else if (mode === 'hash_seed') th = this.hashThreshold();
    else th = this.consistentThreshold(incomingTh, mode);
    if (th === undefined) return false;
    if (randomness === undefined) return forced === 'keep' || !this.a.fail_closed;
    if (incomingTh !== undefined && randomness < incomingTh && forced === undefined) {
      // Inconsistent arriving threshold: the item should not have been sampled.
      return !this.a.fail_closed;
    }
    const keep = th <= randomness;
    if (keep) record(th);
    return keep;
  }

  protected override processTraces(req: ExportTraceServiceRequest): ExportTraceServiceRequest | undefined {
    const mode = this.mode(false);
    removeIf(req.resourceSpans, (rs) => {
      removeIf(rs.scopeSpans, (ss) => {
        removeIf(ss.spans, (span) => {
          const p = priorityOf(getAttr(span.attributes, 'sampling.priority'));
          const forced = p === undefined ? undefined : p === 0 ? 'drop' : p > 0 ? 'keep' : undefined;
          const ts = new TraceState(span.traceState);
          let randomness: bigint | undefined;
          let incoming: bigint | undefined;
          if (mode === 'hash_seed') {
            randomness = hashRandomness(
              span.traceId.length ? span.traceId : new Uint8Array(16),
              this.a.hash_seed,
            );
          } else {
            const rv = ts.get('rv');
            randomness = rv !== undefined ? parseRValue(rv) : undefined;
            if (randomness === undefined && !isEmptyId(span.traceId))
              randomness = BigInt('0x' + Buffer.from(span.traceId.subarray(9, 16)).toString('hex'));
            const th = ts.get('th');
            incoming = th !== undefined ? parseTValue(th) : undefined;
          }
          const keep = this.decide(mode, randomness, incoming, forced, (th) => {
            if (mode === 'hash_seed') ts.set('rv', randomness!.toString(16).padStart(14, '0'));
            ts.set('th', tvalue(th));
            span.traceState = ts.serialize();
          });
          return !keep;
        });
        return ss.spans.length === 0;
      });
      return rs.scopeSpans.length === 0;
    });
    return req.resourceSpans.length ? req : undefined;
  }

  protected override processLogs(req: ExportLogsServiceRequest): ExportLogsServiceRequest | undefined {
    const mode = this.mode(true);
    const a = this.a;
    removeIf(req.resourceLogs, (rl) => {
      removeIf(rl.scopeLogs, (sl) => {
        removeIf(sl.logRecords, (lr) => {
          const attrs: KeyValue[] = lr.attributes;
          let randomness: bigint | undefined;
          let incoming: bigint | undefined;
          const fromAttr = () => {
            const v = a.from_attribute ? getAttr(attrs, a.from_attribute) : undefined;
            return v === undefined
              ? undefined
              : hashRandomness(Buffer.from(asString(v), 'utf8'), a.hash_seed);
          };
          if (mode === 'hash_seed') {
            randomness =
              a.attribute_source === 'traceID'
                ? hashRandomness(lr.traceId.length ? lr.traceId : new Uint8Array(16), a.hash_seed)
                : fromAttr();
          } else {
            const rv = getAttr(attrs, 'sampling.randomness');
            randomness = rv !== undefined ? parseRValue(asString(rv)) : undefined;
            if (randomness === undefined && !isEmptyId(lr.traceId))
              randomness = BigInt('0x' + Buffer.from(lr.traceId.subarray(9, 16)).toString('hex'));
            if (randomness === undefined) randomness = fromAttr();
            const th = getAttr(attrs, 'sampling.threshold');
            incoming = th !== undefined ? parseTValue(asString(th)) : undefined;
          }
          let forced: 'keep' | 'drop' | undefined;
          let priorityTh: bigint | undefined;
          if (a.sampling_priority) {
            const p = priorityOf(getAttr(attrs, a.sampling_priority));
            if (p !== undefined) {
              if (p <= 0) forced = 'drop';
              else priorityTh = probabilityToThreshold(Math.min(p, 100) / 100, a.sampling_precision);
            }
          }
          if (priorityTh !== undefined) {
            // Without randomness the collector compares with the largest randomness (always kept).
            const keep = priorityTh <= (randomness ?? MAX - 1n);
            if (keep) putAttr(attrs, 'sampling.threshold', { stringValue: tvalue(priorityTh) });
            return !keep;
          }
          const keep = this.decide(mode, randomness, incoming, forced, (th) => {
            if (mode === 'hash_seed')
              putAttr(attrs, 'sampling.randomness', {
                stringValue: randomness!.toString(16).padStart(14, '0'),
              });
            putAttr(attrs, 'sampling.threshold', { stringValue: tvalue(th) });
          });
          return !keep;
        });
        return sl.logRecords.length === 0;
      });
      return rl.scopeLogs.length === 0;
    });
    return req.resourceLogs.length ? req : undefined;
  }
}

/** otelcol.processor.probabilistic_sampler — arguments as Alloy 1.18 (`internal/component/otelcol/processor/probabilistic_sampler`). */
export const otelcolProcessorProbabilisticSampler: ComponentRegistration<ProbabilisticSamplerArgs> = {
  name: 'otelcol.processor.probabilistic_sampler',
  stability: 'generally-available',
  args: {
    attrs: {
      sampling_percentage: { type: t.number(), default: 0 },
      hash_seed: { type: t.int(), default: 0 },
      mode: { type: t.string(), default: '' },
      fail_closed: { type: t.bool(), default: true },
      sampling_precision: { type: t.int(), default: 4 },
      attribute_source: { type: t.string(), default: 'traceID' },
      from_attribute: { type: t.string(), default: '' },
      sampling_priority: { type: t.string(), default: '' },
    },
    blocks: { output: outputBlock, debug_metrics: debugMetricsBlock },
    validate: (a: ProbabilisticSamplerArgs) => {
      if (a.sampling_percentage < 0) return `sampling rate is negative: ${a.sampling_percentage}%`;
      if (!['', 'hash_seed', 'proportional', 'equalizing'].includes(a.mode))
        return `unsupported sampler mode "${a.mode}"`;
      if (a.attribute_source !== 'traceID' && a.attribute_source !== 'record')
        return `invalid attribute source: ${a.attribute_source}. Expected: traceID or record`;
      if (a.attribute_source === 'record' && a.from_attribute === '')
        return 'missing required field "from_attribute" when attribute_source is record';
      if (a.sampling_precision < 1 || a.sampling_precision > 14)
        return `sampling precision is too great, should be defined as 1 <= precision <= 14: ${a.sampling_precision}`;
      if (a.mode === 'hash_seed' && a.sampling_percentage > 0 && a.sampling_percentage < 100 / 16384)
        return `sampling rate is too small: ${a.sampling_percentage}%`;
      return undefined;
    },
  },
  exports: consumerExports,
  build: (opts, args) => new ProbabilisticSamplerProcessor(opts, args),
};
