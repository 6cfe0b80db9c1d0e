/**
 * The in-process contract of the Prometheus signal (Alloy's `storage.Appendable` capsule): components
 * that accept samples export a `receiver` capsule of type `storage.Appendable` whose payload is an
 * `Appendable`; producers call `append` on every receiver in their `forward_to` list.
 *
 * Samples travel in batches of parallel arrays — no object per sample. A batch and its arrays belong to
 * the caller again once `append` returns: a receiver that keeps data copies it.
 */
import { Capsule } from '../../syntax/value.js';
import type { Labels } from './labels.js';

export const APPENDABLE = 'storage.Appendable';

export type MetricType =
  'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

export interface Exemplar {
  /** Index of the sample (in the batch) the exemplar belongs to. */
  sample: number;
  labels: Labels;
  value: number;
  /** Milliseconds since the epoch; 0 when the exemplar had no timestamp. */
  timestamp: number;
}

export interface MetricMetadata {
  /** Metric family name. */
  family: string;
  type: MetricType;
  help: string;
  unit: string;
}

export interface SampleBatch {
  /** Number of samples; arrays may be longer (reused buffers). */
  count: number;
  /** Label set of each sample; the same array object for the same series across batches. */
  series: Labels[];
  /** Milliseconds since the epoch. */
  timestamps: Float64Array;
  values: Float64Array;
  /**
   * 1 where the sample is a staleness marker. Prometheus encodes these as a special NaN (StaleNaN,
   * 0x7ff0000000000002); V8 does not keep NaN payloads, so the flag travels beside the value and
   * encoders write the StaleNaN bits.
   */
  stale: Uint8Array;
  exemplars?: Exemplar[];
  /** Metadata of the families in this batch (sent by scrapes; forwarded as-is). */
  metadata?: MetricMetadata[];
}

export interface Appendable {
  /** Accepts a batch. Must not throw for data problems: count and drop instead. */
  append(batch: SampleBatch): void;
}

export function appendableCapsule(a: Appendable): Capsule<Appendable> {
  return new Capsule(APPENDABLE, a);
}

/** Sends a batch to every receiver (Alloy's fanout). */
export function fanout(receivers: readonly Appendable[], batch: SampleBatch): void {
  for (const r of receivers) r.append(batch);
}

/** An empty batch with room for `n` samples. */
export function newBatch(n: number): SampleBatch {
  return {
    count: 0,
    series: new Array(n),
    timestamps: new Float64Array(n),
    values: new Float64Array(n),
    stale: new Uint8Array(n),
  };
}

/** Prometheus' StaleNaN bit pattern, for encoders. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
