import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { consumerExports, debugMetricsBlock, outputBlock } from '../../common/otelcol-schema.js';
import { parseBase2Bytes } from '../../prometheus/scrape/component.js';
import { MemoryLimiter, type MemoryLimiterArgs } from './memory_limiter/component.js';

function bytes(v: string | undefined): number {
  try {
    return parseBase2Bytes(v);
  } catch {
    return NaN;
  }
}

/**
 * otelcol.processor.memory_limiter — arguments as Alloy 1.18 otelcol.processor.memory_limiter
 * (`internal/component/otelcol/processor/memorylimiter/memorylimiter.go`; sizes are `units.Base2Bytes`
 * strings such as "512MiB"). Behaviour: `memory_limiter/component.ts`.
 */
export const otelcolProcessorMemoryLimiter: ComponentRegistration<MemoryLimiterArgs> = {
  name: 'otelcol.processor.memory_limiter',
  stability: 'generally-available',
  args: {
    attrs: {
      check_interval: { type: t.duration(), required: true },
      limit: { type: t.string(), default: '0MiB' },
      spike_limit: { type: t.string(), default: '0MiB' },
      limit_percentage: { type: t.int(), default: 0 },
      spike_limit_percentage: { type: t.int(), default: 0 },
    },
    blocks: {
      output: outputBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate: (a) => {
      const limit = bytes(a.limit);
      const spike = bytes(a.spike_limit);
      if (Number.isNaN(limit))
        return { message: `units: unknown unit in ${JSON.stringify(a.limit)}`, attr: 'limit' };
      if (Number.isNaN(spike))
        return { message: `units: unknown unit in ${JSON.stringify(a.spike_limit)}`, attr: 'spike_limit' };
      if (a.check_interval <= 0) return 'check_interval must be greater than zero';
      if (limit > 0 && a.limit_percentage > 0)
        return 'either limit or limit_percentage must be set, but not both';
      if (limit > 0) {
        if (spike >= limit) return 'spike_limit must be less than limit';
        return undefined;
      }
      if (a.limit_percentage > 0) {
        if (a.limit_percentage > 100 || a.spike_limit_percentage <= 0 || a.spike_limit_percentage > 100)
          return 'limit_percentage and spike_limit_percentage must be greater than 0 and and less or equal than 100';
        return undefined;
      }
      return 'either limit or limit_percentage must be set to greater than zero';
    },
  },
  exports: consumerExports,
  build: (opts, args) => new MemoryLimiter(opts, args),
};
