/**
 * The otelcol components that transform data and bridge signals (processors, connectors, the Prometheus
 * and Loki bridges), spread into the engine's catalogue (`components/catalogue.ts`).
 */
import type { ComponentRegistration } from '../../runtime/component.js';
import { otelcolConnectorServicegraph } from './connector/servicegraph.js';
import { otelcolConnectorSpanlogs } from './connector/spanlogs.js';
import { otelcolConnectorSpanmetrics } from './connector/spanmetrics.js';
import { otelcolExporterLoki } from './exporter/loki.js';
import { otelcolExporterPrometheus } from './exporter/prometheus.js';
import { otelcolProcessorAttributes } from './processor/attributes.js';
import { otelcolProcessorFilter } from './processor/filter.js';
import { otelcolProcessorProbabilisticSampler } from './processor/probabilistic_sampler.js';
import { otelcolProcessorResourceDetection } from './processor/resourcedetection.js';
import { otelcolProcessorTransform } from './processor/transform.js';
import { otelcolReceiverLoki } from './receiver/loki.js';
import { otelcolReceiverPrometheus } from './receiver/prometheus.js';

export const otelcolTransformComponents: ComponentRegistration[] = [
  otelcolExporterPrometheus,
  otelcolExporterLoki,
  otelcolProcessorTransform,
  otelcolProcessorFilter,
  otelcolProcessorAttributes,
  otelcolProcessorResourceDetection,
  otelcolReceiverPrometheus,
  otelcolReceiverLoki,
  otelcolConnectorServicegraph,
  otelcolConnectorSpanlogs,
  otelcolConnectorSpanmetrics,
  otelcolProcessorProbabilisticSampler,
];
