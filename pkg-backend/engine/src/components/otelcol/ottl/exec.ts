/**
 * Walks OTLP requests context by context, giving each item its `TransformContext` (resource and scope
 * messages are created when absent so statements can set them).
 */
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  InstrumentationScope,
  Metric,
  Resource,
} from '../../../protocols/otlp/index.js';
import type { ContextName, DataPoint, TransformContext } from './contexts.js';

export function ensureResource(holder: { resource?: Resource }): Resource {
  return (holder.resource ??= { attributes: [], droppedAttributesCount: 0, entityRefs: [] });
}

export function ensureScope(holder: { scope?: InstrumentationScope }): InstrumentationScope {
  return (holder.scope ??= { name: '', version: '', attributes: [], droppedAttributesCount: 0 });
}

const NO_SCOPE: InstrumentationScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };

export function dataPointsOf(m: Metric): DataPoint[] {
  return (
    m.gauge?.dataPoints ??
    m.sum?.dataPoints ??
    m.histogram?.dataPoints ??
    m.exponentialHistogram?.dataPoints ??
    m.summary?.dataPoints ??
    []
  );
}

export function forEachTraceContext(
  req: ExportTraceServiceRequest,
  ctx: ContextName,
  fn: (tc: TransformContext) => void,
): void {
  for (const rs of req.resourceSpans) {
    const resource = ensureResource(rs);
    if (ctx === 'resource') {
      fn({ resource, scope: NO_SCOPE, cache: [] });
      continue;
    }
    for (const ss of rs.scopeSpans) {
      const scope = ensureScope(ss);
      if (ctx === 'scope') {
        fn({ resource, scope, cache: [] });
        continue;
      }
      for (const span of ss.spans) {
        if (ctx === 'span') fn({ resource, scope, span, cache: [] });
        else for (const spanEvent of span.events) fn({ resource, scope, span, spanEvent, cache: [] });
      }
    }
  }
}

export function forEachMetricContext(
  req: ExportMetricsServiceRequest,
  ctx: ContextName,
  fn: (tc: TransformContext) => void,
): void {
  for (const rm of req.resourceMetrics) {
    const resource = ensureResource(rm);
    if (ctx === 'resource') {
      fn({ resource, scope: NO_SCOPE, cache: [] });
      continue;
    }
    for (const sm of rm.scopeMetrics) {
      const scope = ensureScope(sm);
      if (ctx === 'scope') {
        fn({ resource, scope, cache: [] });
        continue;
      }
      for (const metric of sm.metrics) {
        if (ctx === 'metric') fn({ resource, scope, metric, cache: [] });
        else
          for (const dataPoint of dataPointsOf(metric)) fn({ resource, scope, metric, dataPoint, cache: [] });
      }
    }
  }
}

export function forEachLogContext(
  req: ExportLogsServiceRequest,
  ctx: ContextName,
  fn: (tc: TransformContext) => void,
): void {
  for (const rl of req.resourceLogs) {
    const resource = ensureResource(rl);
    if (ctx === 'resource') {
      fn({ resource, scope: NO_SCOPE, cache: [] });
      continue;
    }
    for (const sl of rl.scopeLogs) {
      const scope = ensureScope(sl);
      if (ctx === 'scope') {
        fn({ resource, scope, cache: [] });
        continue;
      }
      for (const log of sl.logRecords) fn({ resource, scope, log, cache: [] });
    }
  }
}
