/**
 * Splitting and merging requests for the batch processor (the collector's `splitTraces` / `splitMetrics` /
 * `splitLogs`): the first `n` items move to a new request; envelopes (resource, scope, metric descriptor)
 * that straddle the cut appear in both halves, the head getting deep copies so the halves share nothing.
 * Metrics split at data-point granularity. Encoded traces and logs split without decoding.
 */
import {
  concatLogs,
  concatMetrics,
  concatTraces,
  EncodedLogs,
  EncodedMetrics,
  EncodedTraces,
  encodeExportLogsServiceRequest,
  encodeExportMetricsServiceRequest,
  encodeExportTraceServiceRequest,
  rawOf,
  splitEncodedLogs,
  splitEncodedTraces,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
  type Metric,
  type ResourceLogs,
  type ResourceMetrics,
  type ResourceSpans,
} from '../../../../protocols/otlp/index.js';
import { metricPointCount, type OtelSignal } from '../../consumer.js';

type Req = object;

/** Splits the first `n` spans off `req` (0 < n < count). */
export function splitTraces(
  req: ExportTraceServiceRequest,
  n: number,
): [ExportTraceServiceRequest, ExportTraceServiceRequest] {
  if (req instanceof EncodedTraces && rawOf(req)) return splitEncodedTraces(req, n);
  const head: ResourceSpans[] = [];
  const tail: ResourceSpans[] = [];
  let left = n;
  for (const rs of req.resourceSpans) {
    if (left === 0) {
      tail.push(rs);
      continue;
    }
    const h: ResourceSpans = {
      ...(rs.resource && { resource: structuredClone(rs.resource) }),
      scopeSpans: [],
      schemaUrl: rs.schemaUrl,
    };
    const t: ResourceSpans = { ...rs, scopeSpans: [] };
    for (const ss of rs.scopeSpans) {
      if (left === 0) t.scopeSpans.push(ss);
      else if (ss.spans.length <= left) {
        h.scopeSpans.push(ss);
        left -= ss.spans.length;
      } else {
        h.scopeSpans.push({
          ...(ss.scope && { scope: structuredClone(ss.scope) }),
          spans: ss.spans.slice(0, left),
          schemaUrl: ss.schemaUrl,
        });
        t.scopeSpans.push({ ...ss, spans: ss.spans.slice(left) });
        left = 0;
      }
    }
    head.push(h);
    if (t.scopeSpans.length) tail.push(t);
  }
  return [{ resourceSpans: head }, { resourceSpans: tail }];
}

/** Splits the first `n` log records off `req` (0 < n < count). */
export function splitLogs(
  req: ExportLogsServiceRequest,
  n: number,
): [ExportLogsServiceRequest, ExportLogsServiceRequest] {
  if (req instanceof EncodedLogs && rawOf(req)) return splitEncodedLogs(req, n);
  const head: ResourceLogs[] = [];
  const tail: ResourceLogs[] = [];
  let left = n;
  for (const rl of req.resourceLogs) {
    if (left === 0) {
      tail.push(rl);
      continue;
    }
    const h: ResourceLogs = {
      ...(rl.resource && { resource: structuredClone(rl.resource) }),
      scopeLogs: [],
      schemaUrl: rl.schemaUrl,
    };
    const t: ResourceLogs = { ...rl, scopeLogs: [] };
    for (const sl of rl.scopeLogs) {
      if (left === 0) t.scopeLogs.push(sl);
      else if (sl.logRecords.length <= left) {
        h.scopeLogs.push(sl);
        left -= sl.logRecords.length;
      } else {
        h.scopeLogs.push({
          ...(sl.scope && { scope: structuredClone(sl.scope) }),
          logRecords: sl.logRecords.slice(0, left),
          schemaUrl: sl.schemaUrl,
        });
        t.scopeLogs.push({ ...sl, logRecords: sl.logRecords.slice(left) });
        left = 0;
      }
    }
    head.push(h);
    if (t.scopeLogs.length) tail.push(t);
  }
  return [{ resourceLogs: head }, { resourceLogs: tail }];
}

/** A metric with only points [from, to) of its data (descriptor deep-copied when `copy`). */
function metricSlice(m: Metric, from: number, to: number, copy: boolean): Metric {
  const base: Metric = copy
    ? { name: m.name, description: m.description, unit: m.unit, metadata: structuredClone(m.metadata) }
    : { name: m.name, description: m.description, unit: m.unit, metadata: m.metadata };
  if (m.gauge) base.gauge = { dataPoints: m.gauge.dataPoints.slice(from, to) };
  else if (m.sum) base.sum = { ...m.sum, dataPoints: m.sum.dataPoints.slice(from, to) };
  else if (m.histogram)
    base.histogram = { ...m.histogram, dataPoints: m.histogram.dataPoints.slice(from, to) };
  else if (m.exponentialHistogram)
    base.exponentialHistogram = {
      ...m.exponentialHistogram,
      dataPoints: m.exponentialHistogram.dataPoints.slice(from, to),
    };
  else if (m.summary) base.summary = { dataPoints: m.summary.dataPoints.slice(from, to) };
  return base;
}

/** Splits the first `n` data points off `req` (0 < n < count). */
export function splitMetrics(
  req: ExportMetricsServiceRequest,
  n: number,
): [ExportMetricsServiceRequest, ExportMetricsServiceRequest] {
  const head: ResourceMetrics[] = [];
  const tail: ResourceMetrics[] = [];
  let left = n;
  for (const rm of req.resourceMetrics) {
    if (left === 0) {
      tail.push(rm);
      continue;
    }
    const h: ResourceMetrics = {
      ...(rm.resource && { resource: structuredClone(rm.resource) }),
      scopeMetrics: [],
      schemaUrl: rm.schemaUrl,
    };
    const t: ResourceMetrics = { ...rm, scopeMetrics: [] };
    for (const sm of rm.scopeMetrics) {
      if (left === 0) {
        t.scopeMetrics.push(sm);
        continue;
      }
      const hm: Metric[] = [];
      const tm: Metric[] = [];
      for (const m of sm.metrics) {
        const k = metricPointCount(m);
        if (left === 0) tm.push(m);
        else if (k <= left) {
          hm.push(m);
          left -= k;
        } else {
          hm.push(metricSlice(m, 0, left, true));
          tm.push(metricSlice(m, left, k, false));
          left = 0;
        }
      }
      h.scopeMetrics.push({
        ...(sm.scope && { scope: structuredClone(sm.scope) }),
        metrics: hm,
        schemaUrl: sm.schemaUrl,
      });
      if (tm.length) t.scopeMetrics.push({ ...sm, metrics: tm });
    }
    head.push(h);
    if (t.scopeMetrics.length) tail.push(t);
  }
  return [{ resourceMetrics: head }, { resourceMetrics: tail }];
}

export function splitRequest(signal: OtelSignal, req: Req, n: number): [Req, Req] {
  if (signal === 'traces') return splitTraces(req as ExportTraceServiceRequest, n);
  if (signal === 'metrics') return splitMetrics(req as ExportMetricsServiceRequest, n);
  return splitLogs(req as ExportLogsServiceRequest, n);
}

/**
 * Merges owned requests into one, encoded: concatenated bytes when all are still encoded, else the
 * merged model encoded once with the model kept (`Encoded*` with a model returns it without decoding,
 * while an exporter downstream sends the bytes). Returns the request and its size in bytes.
 */
export function mergeEncoded(signal: OtelSignal, reqs: Req[], count: number): { req: Req; bytes: number } {
  if (signal === 'traces') {
    const m = concatTraces(reqs as ExportTraceServiceRequest[]);
    const raw = rawOf(m);
    if (raw) return { req: m, bytes: raw.length };
    const b = encodeExportTraceServiceRequest(m);
    return { req: new EncodedTraces(b, count, m.resourceSpans), bytes: b.length };
  }
  if (signal === 'metrics') {
    const m = concatMetrics(reqs as ExportMetricsServiceRequest[]);
    const raw = rawOf(m);
    if (raw) return { req: m, bytes: raw.length };
    const b = encodeExportMetricsServiceRequest(m);
    return { req: new EncodedMetrics(b, count, m.resourceMetrics), bytes: b.length };
  }
  const m = concatLogs(reqs as ExportLogsServiceRequest[]);
  const raw = rawOf(m);
  if (raw) return { req: m, bytes: raw.length };
  const b = encodeExportLogsServiceRequest(m);
  return { req: new EncodedLogs(b, count, m.resourceLogs), bytes: b.length };
}
