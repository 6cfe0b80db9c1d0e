/**
 * `stage.sampling`, as Alloy's stage.sampling (`stages/sampling.go`, `internal/sampling`): keeps each entry
 * with probability `rate` (0 keeps none, 1 keeps all); the others are counted in
 * `loki_process_dropped_lines_total{reason=<drop_counter_reason, default "sampling_stage">}`.
 *
 * Decoded shape: `{ rate: number (0..1), drop_counter_reason: string }`.
 * Errors (Alloy's text): "sampling stage failed to parse rate,Sampling Rate must be between 0.0 and 1.0,
 * received 1.500000".
 */
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { goFloatF } from '../../../common/validation.js';

interface SamplingArgs {
  rate: number;
  drop_counter_reason?: string;
}

export const samplingStage: StageFactory = (config, ctx) => {
  const a = config as unknown as SamplingArgs;
  if (!(a.rate >= 0 && a.rate <= 1)) {
    throw new Error(
      `sampling stage failed to parse rate,Sampling Rate must be between 0.0 and 1.0, received ${goFloatF(a.rate)}`,
    );
  }
  const reason = a.drop_counter_reason || 'sampling_stage';
  const rate = a.rate;
  const sample = (): boolean => (rate <= 0 ? false : rate >= 1 ? true : Math.random() < rate);
  const stage: Stage = {
    process(entries) {
      const out: StageEntry[] = [];
      for (const e of entries) if (sample()) out.push(e);
      if (out.length < entries.length) ctx.dropped(reason, entries.length - out.length);
      return out;
    },
  };
  return stage;
};
