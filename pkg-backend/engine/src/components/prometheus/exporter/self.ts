import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';

/** prometheus.exporter.self — arguments as Alloy 1.18 prometheus.exporter.self (`internal/component/prometheus/exporter/self`): none. */
export const prometheusExporterSelf: ComponentRegistration = {
  name: 'prometheus.exporter.self',
  stability: 'generally-available',
  args: {},
  exports: { targets: t.targets() },
};
