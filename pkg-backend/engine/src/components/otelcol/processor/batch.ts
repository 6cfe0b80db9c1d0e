import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { consumerExports, debugMetricsBlock, outputBlock } from '../../common/otelcol-schema.js';
import { BatchProcessor, type BatchArgs } from './batch/component.js';

/**
 * otelcol.processor.batch — arguments as Alloy 1.18 otelcol.processor.batch
 * (`internal/component/otelcol/processor/batch/batch.go`). Behaviour: `batch/component.ts`.
 */
export const otelcolProcessorBatch: ComponentRegistration<BatchArgs> = {
  name: 'otelcol.processor.batch',
  stability: 'generally-available',
  args: {
    attrs: {
      timeout: { type: t.duration(), default: 200 },
      send_batch_size: { type: t.int(), default: 2000 },
      send_batch_max_size: { type: t.int(), default: 3000 },
      metadata_keys: { type: t.list(t.string()) },
      metadata_cardinality_limit: { type: t.int(), default: 1000 },
    },
    blocks: {
      output: outputBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate: (a) =>
      a.send_batch_max_size > 0 && a.send_batch_max_size < a.send_batch_size
        ? 'send_batch_max_size must be greater or equal to send_batch_size when not 0'
        : undefined,
  },
  exports: consumerExports,
  build: (opts, args) => new BatchProcessor(opts, args),
};
