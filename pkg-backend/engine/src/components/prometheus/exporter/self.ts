import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { Exporter } from './exporter.js';

/** Serves the agent's own metrics (what `/metrics` shows) as a scrape target. */
class SelfExporter extends Exporter<Record<string, never>> {
  protected metrics(): Promise<string> {
    return this.opts.selfMetrics();
  }
}

/** prometheus.exporter.self — arguments as Alloy 1.18 prometheus.exporter.self (`internal/component/prometheus/exporter/self`): none. */
export const prometheusExporterSelf: ComponentRegistration = {
  name: 'prometheus.exporter.self',
  stability: 'generally-available',
  args: {},
  exports: { targets: t.targets() },
  build: (opts, args) => new SelfExporter(opts, args, 'self'),
};
