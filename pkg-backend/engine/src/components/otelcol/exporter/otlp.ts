import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import {
  consumerExports,
  debugMetricsBlock,
  grpcClientSchema,
  retryOnFailureSchema,
  sendingQueueSchema,
} from '../../common/otelcol-schema.js';
import { buildOtlpExporter, type OtlpExporterArgs } from './otlp/component.js';

/**
 * otelcol.exporter.otlp — arguments as Alloy 1.18 otelcol.exporter.otlp (`internal/component/otelcol/exporter/otlp/otlp.go`).
 * Behaviour: `otlp/component.ts`, `helper/exporterhelper.ts`.
 */
export const otelcolExporterOtlp: ComponentRegistration<OtlpExporterArgs> = {
  name: 'otelcol.exporter.otlp',
  stability: 'generally-available',
  args: {
    attrs: {
      timeout: { type: t.duration(), default: 5_000 },
    },
    blocks: {
      sending_queue: { schema: sendingQueueSchema },
      retry_on_failure: { schema: retryOnFailureSchema },
      debug_metrics: debugMetricsBlock,
      client: {
        required: true,
        schema: grpcClientSchema({
          headers: {},
          compression: 'gzip',
          write_buffer_size: '512KiB',
          balancer_name: 'round_robin',
        }),
      },
    },
  },
  exports: consumerExports,
  build: (opts, args) => buildOtlpExporter(opts, args),
};
