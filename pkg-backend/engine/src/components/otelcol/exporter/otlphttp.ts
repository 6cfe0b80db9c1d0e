import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import {
  consumerExports,
  debugMetricsBlock,
  httpClientArgsSchema,
  retryOnFailureSchema,
  sendingQueueSchema,
} from '../../common/otelcol-schema.js';
import { buildOtlpHttpExporter, type OtlpHttpExporterArgs } from './otlphttp/component.js';

/**
 * otelcol.exporter.otlphttp — arguments as Alloy 1.18 otelcol.exporter.otlphttp (`internal/component/otelcol/exporter/otlphttp/otlphttp.go`).
 * Behaviour: `otlphttp/component.ts`, `helper/exporterhelper.ts`.
 */
export const otelcolExporterOtlphttp: ComponentRegistration<OtlpHttpExporterArgs> = {
  name: 'otelcol.exporter.otlphttp',
  stability: 'generally-available',
  args: {
    attrs: {
      traces_endpoint: { type: t.string() },
      metrics_endpoint: { type: t.string() },
      logs_endpoint: { type: t.string() },
      encoding: { type: t.string(), default: 'proto' },
    },
    blocks: {
      client: {
        required: true,
        schema: httpClientArgsSchema({
          max_idle_conns: 100,
          idle_conn_timeout: 90_000,
          timeout: 30_000,
          headers: {},
          compression: 'gzip',
          write_buffer_size: '512KiB',
          http2_ping_timeout: 15_000,
          force_attempt_http2: true,
        }),
      },
      sending_queue: { schema: sendingQueueSchema },
      retry_on_failure: { schema: retryOnFailureSchema },
      debug_metrics: debugMetricsBlock,
    },
    validate: (a) => {
      if (!a.client?.endpoint && !a.traces_endpoint && !a.metrics_endpoint && !a.logs_endpoint) {
        return 'at least one endpoint must be specified';
      }
      if (a.encoding !== 'proto' && a.encoding !== 'json') return `invalid encoding type ${a.encoding}`;
      return undefined;
    },
  },
  exports: consumerExports,
  build: (opts, args) => buildOtlpHttpExporter(opts, args),
};
