import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { consumerExports, debugMetricsBlock } from '../../common/otelcol-schema.js';
import { buildDebugExporter, type DebugArgs } from './debug/component.js';

/**
 * otelcol.exporter.debug — arguments as Alloy 1.18 otelcol.exporter.debug
 * (`internal/component/otelcol/exporter/debug/debug.go`; `verbosity` is checked when the exporter is built).
 * Behaviour: `debug/component.ts`.
 */
export const otelcolExporterDebug: ComponentRegistration<DebugArgs> = {
  name: 'otelcol.exporter.debug',
  stability: 'experimental',
  args: {
    attrs: {
      verbosity: { type: t.string(), default: 'basic' },
      sampling_initial: { type: t.int(), default: 2 },
      sampling_thereafter: { type: t.int(), default: 1 },
      use_internal_logger: { type: t.bool(), default: true },
      output_paths: { type: t.list(t.string()) },
    },
    blocks: { debug_metrics: debugMetricsBlock },
  },
  exports: consumerExports,
  build: (opts, args) => buildDebugExporter(opts, args),
};
