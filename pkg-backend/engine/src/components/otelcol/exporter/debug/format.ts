/**
 * The collector debug exporter's text output: `normal` verbosity (one line per span / data point / log
 * record, `internal/normal`) and `detailed` verbosity (the `otlptext` marshalers), with pdata's value
 * rendering (`Value.AsString`), Go's `time.Time.String()` timestamps and pdata's enum names.
 */
import type {
  AnyValue,
  Exemplar,
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  Metric,
  NumberDataPoint,
  Resource,
} from '../../../../protocols/otlp/index.js';
import { asString, valueType, VALUE_TYPE_NAMES } from '../../internal/pdata.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** Go's `%v` of a float64 (shortest representation). */
function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  return s.replace(/e\+?(-?)(\d)$/, 'e$1' + '0$2').replace(/e(-?)0(\d\d)$/, 'e$1$2');
}

/** Go's `%f`. */
const fixed = (v: number): string => (Number.isFinite(v) ? v.toFixed(6) : goFloat(v));

/** otlptext's `valueToString`: `Type(AsString)`, e.g. `Str(GET)`. */
const valueToString = (v: AnyValue | undefined): string =>
  `${VALUE_TYPE_NAMES[valueType(v)]}(${asString(v)})`;

/** pcommon `Timestamp.String()`: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTime(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  let s = secs;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    s -= 1n;
  }
  const d = new Date(Number(s) * 1000);
  const iso = d.toISOString();
  const f = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${f} +0000 UTC`;
}

const KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS = ['Unset', 'Ok', 'Error'];
const TEMPORALITY = ['Unspecified', 'Delta', 'Cumulative'];
const SEVERITY = ['Trace', 'Debug', 'Info', 'Warn', 'Error', 'Fatal'];

function severityName(n: number): string {
  if (n <= 0 || n > 24) return n === 0 ? 'Unspecified' : `SeverityNumber(${n})`;
  const base = SEVERITY[Math.floor((n - 1) / 4)]!;
  const k = ((n - 1) % 4) + 1;
  return k === 1 ? base : `${base}${k}`;
}

function metricType(m: Metric): string {
  if (m.gauge) return 'Gauge';
  if (m.sum) return 'Sum';
  if (m.histogram) return 'Histogram';
  if (m.exponentialHistogram) return 'ExponentialHistogram';
  if (m.summary) return 'Summary';
  return 'Empty';
}

// --------------------------------------------------------------------------------------------- normal

const attrPairs = (kvs: KeyValue[]): string[] => kvs.map((kv) => `${kv.key}=${asString(kv.value)}`);
const attrString = (kvs: KeyValue[]): string => (kvs.length ? ' ' + attrPairs(kvs).join(' ') : '');
const resDetails = (schema: string): string => (schema ? ` [${schema}]` : '');

function scopeDetails(name: string, version: string, schema: string): string {
  let s = name;
  if (version) s += '@' + version;
  if (schema) s += (s ? ' ' : '') + `[${schema}]`;
  return s ? ' ' + s : '';
}

export function normalTraces(req: ExportTraceServiceRequest): string {
  let out = '';
  req.resourceSpans.forEach((rs, i) => {
    out += `ResourceTraces #${i}${resDetails(rs.schemaUrl)}${attrString(rs.resource?.attributes ?? [])}\n`;
    rs.scopeSpans.forEach((ss, j) => {
      const sc = ss.scope;
      out += `ScopeTraces #${j}${scopeDetails(sc?.name ?? '', sc?.version ?? '', ss.schemaUrl)}${attrString(sc?.attributes ?? [])}\n`;
      for (const s of ss.spans) {
        out += `${s.name} ${hex(s.traceId)} ${hex(s.spanId)}`;
        if (s.attributes.length) out += ' ' + attrPairs(s.attributes).join(' ');
        out += '\n';
      }
    });
  });
  return out;
}

export function normalLogs(req: ExportLogsServiceRequest): string {
  let out = '';
  req.resourceLogs.forEach((rl, i) => {
    out += `ResourceLog #${i}${resDetails(rl.schemaUrl)}${attrString(rl.resource?.attributes ?? [])}\n`;
    rl.scopeLogs.forEach((sl, j) => {
      const sc = sl.scope;
      out += `ScopeLog #${j}${scopeDetails(sc?.name ?? '', sc?.version ?? '', sl.schemaUrl)}${attrString(sc?.attributes ?? [])}\n`;
      for (const r of sl.logRecords) out += `${asString(r.body)} ${attrPairs(r.attributes).join(' ')}\n`;
    });
  });
  return out;
}

function normalNumber(name: string, p: NumberDataPoint): string {
  const v = p.asInt !== undefined ? p.asInt.toString() : p.asDouble !== undefined ? goFloat(p.asDouble) : '';
  return `${name}{${attrPairs(p.attributes).join(',')}} ${v}\n`;
}

export function normalMetrics(req: ExportMetricsServiceRequest): string {
  let out = '';
  req.resourceMetrics.forEach((rm, i) => {
    out += `ResourceMetrics #${i}${resDetails(rm.schemaUrl)}${attrString(rm.resource?.attributes ?? [])}\n`;
    rm.scopeMetrics.forEach((sm, j) => {
      const sc = sm.scope;
      out += `ScopeMetrics #${j}${scopeDetails(sc?.name ?? '', sc?.version ?? '', sm.schemaUrl)}${attrString(sc?.attributes ?? [])}\n`;
      for (const m of sm.metrics) {
        const attrs = (kvs: KeyValue[]) => attrPairs(kvs).join(',');
        for (const p of m.gauge?.dataPoints ?? m.sum?.dataPoints ?? []) out += normalNumber(m.name, p);
        for (const p of m.histogram?.dataPoints ?? []) {
          let v = `count=${p.count}`;
          if (p.sum !== undefined) v += ` sum=${goFloat(p.sum)}`;
          if (p.min !== undefined) v += ` min=${goFloat(p.min)}`;
          if (p.max !== undefined) v += ` max=${goFloat(p.max)}`;
          p.bucketCounts.forEach((c, k) => {
            const b = k < p.explicitBounds.length ? `le${goFloat(p.explicitBounds[k]!)}=` : '';
            v += ` ${b}${c}`;
          });
          out += `${m.name}{${attrs(p.attributes)}} ${v}\n`;
        }
        for (const p of m.exponentialHistogram?.dataPoints ?? []) {
          let v = `count=${p.count}`;
          if (p.sum !== undefined) v += ` sum=${goFloat(p.sum)}`;
          if (p.min !== undefined) v += ` min=${goFloat(p.min)}`;
          if (p.max !== undefined) v += ` max=${goFloat(p.max)}`;
          out += `${m.name}{${attrs(p.attributes)}} ${v}\n`;
        }
        for (const p of m.summary?.dataPoints ?? []) {
          let v = `count=${p.count} sum=${goFloat(p.sum)}`;
          for (const q of p.quantileValues) v += ` q${goFloat(q.quantile)}=${goFloat(q.value)}`;
          out += `${m.name}{${attrs(p.attributes)}} ${v}\n`;
        }
      }
    });
  });
  return out;
}

// ------------------------------------------------------------------------------------------- detailed

class Buf {
  s = '';
  entry(line: string): void {
    this.s += line + '\n';
  }
  attr(name: string, value: string): void {
    this.entry(`    ${name.padEnd(15)}: ${value}`);
  }
  attributes(header: string, kvs: KeyValue[] | undefined): void {
    if (!kvs || kvs.length === 0) return;
    this.entry(`${header}:`);
    const parts = header.split('->');
    const prefix = parts.length > 1 ? parts[0] + '     ->' : '     ->';
    for (const kv of kvs) this.entry(`${prefix} ${kv.key}: ${valueToString(kv.value)}`);
  }
  resource(schema: string, r: Resource | undefined): void {
    this.entry(`Resource SchemaURL: ${schema}`);
    this.attributes('Resource attributes', r?.attributes);
    const refs = r?.entityRefs ?? [];
    if (refs.length === 0) return;
    this.entry('Resource entity refs:');
    refs.forEach((e, i) => {
      this.entry(`     -> Entity ref #${i}:`);
      this.entry(`          -> Type: ${e.type}`);
      if (e.schemaUrl) this.entry(`          -> Schema URL: ${e.schemaUrl}`);
      if (e.idKeys.length) {
        this.entry('          -> ID keys:');
        for (const k of e.idKeys) this.entry(`               -> ${k}`);
      }
      if (e.descriptionKeys.length) {
        this.entry('          -> Description keys:');
        for (const k of e.descriptionKeys) this.entry(`               -> ${k}`);
      }
    });
  }
  scope(s: { name: string; version: string; attributes: KeyValue[] } | undefined): void {
    this.entry(`InstrumentationScope ${s?.name ?? ''} ${s?.version ?? ''}`);
    this.attributes('InstrumentationScope attributes', s?.attributes);
  }
  exemplars(es: Exemplar[]): void {
    if (es.length === 0) return;
    this.entry('Exemplars:');
    es.forEach((e, i) => {
      this.entry(`Exemplar #${i}`);
      this.entry(`     -> Trace ID: ${hex(e.traceId)}`);
      this.entry(`     -> Span ID: ${hex(e.spanId)}`);
      this.entry(`     -> Timestamp: ${goTime(e.timeUnixNano)}`);
      if (e.asInt !== undefined) this.entry(`     -> Value: ${e.asInt}`);
      else if (e.asDouble !== undefined) this.entry(`     -> Value: ${fixed(e.asDouble)}`);
      this.attributes('     -> FilteredAttributes', e.filteredAttributes);
    });
  }
}

export function detailedTraces(req: ExportTraceServiceRequest): string {
  const b = new Buf();
  req.resourceSpans.forEach((rs, i) => {
    b.entry(`ResourceSpans #${i}`);
    b.resource(rs.schemaUrl, rs.resource);
    rs.scopeSpans.forEach((ss, j) => {
      b.entry(`ScopeSpans #${j}`);
      b.entry(`ScopeSpans SchemaURL: ${ss.schemaUrl}`);
      b.scope(ss.scope);
      ss.spans.forEach((s, k) => {
        b.entry(`Span #${k}`);
        b.attr('Trace ID', hex(s.traceId));
        b.attr('Parent ID', hex(s.parentSpanId));
        b.attr('ID', hex(s.spanId));
        b.attr('Name', s.name);
        b.attr('Kind', KINDS[s.kind] ?? `SpanKind(${s.kind})`);
        if (s.traceState) b.attr('TraceState', s.traceState);
        b.attr('Start time', goTime(s.startTimeUnixNano));
        b.attr('End time', goTime(s.endTimeUnixNano));
        b.attr('Status code', STATUS[s.status?.code ?? 0] ?? `StatusCode(${s.status?.code})`);
        b.attr('Status message', s.status?.message ?? '');
        b.attr('DroppedAttributesCount', String(s.droppedAttributesCount));
        b.attr('DroppedEventsCount', String(s.droppedEventsCount));
        b.attr('DroppedLinksCount', String(s.droppedLinksCount));
        b.attributes('Attributes', s.attributes);
        if (s.events.length) {
          b.entry('Events:');
          s.events.forEach((e, n) => {
            b.entry(`SpanEvent #${n}`);
            b.entry(`     -> Name: ${e.name}`);
            b.entry(`     -> Timestamp: ${goTime(e.timeUnixNano)}`);
            b.entry(`     -> DroppedAttributesCount: ${e.droppedAttributesCount}`);
            b.attributes('     -> Attributes:', e.attributes);
          });
        }
        if (s.links.length) {
          b.entry('Links:');
          s.links.forEach((l, n) => {
            b.entry(`SpanLink #${n}`);
            b.entry(`     -> Trace ID: ${hex(l.traceId)}`);
            b.entry(`     -> ID: ${hex(l.spanId)}`);
            b.entry(`     -> TraceState: ${l.traceState}`);
            b.entry(`     -> DroppedAttributesCount: ${l.droppedAttributesCount}`);
            b.attributes('     -> Attributes:', l.attributes);
          });
        }
      });
    });
  });
  return b.s;
}

export function detailedLogs(req: ExportLogsServiceRequest): string {
  const b = new Buf();
  req.resourceLogs.forEach((rl, i) => {
    b.entry(`ResourceLog #${i}`);
    b.resource(rl.schemaUrl, rl.resource);
    rl.scopeLogs.forEach((sl, j) => {
      b.entry(`ScopeLogs #${j}`);
      b.entry(`ScopeLogs SchemaURL: ${sl.schemaUrl}`);
      b.scope(sl.scope);
      sl.logRecords.forEach((r, k) => {
        b.entry(`LogRecord #${k}`);
        b.entry(`ObservedTimestamp: ${goTime(r.observedTimeUnixNano)}`);
        b.entry(`Timestamp: ${goTime(r.timeUnixNano)}`);
        b.entry(`SeverityText: ${r.severityText}`);
        b.entry(`SeverityNumber: ${severityName(r.severityNumber)}(${r.severityNumber})`);
        if (r.eventName) b.entry(`EventName: ${r.eventName}`);
        b.entry(`Body: ${valueToString(r.body)}`);
        b.attributes('Attributes', r.attributes);
        b.entry(`Trace ID: ${hex(r.traceId)}`);
        b.entry(`Span ID: ${hex(r.spanId)}`);
        b.entry(`Flags: ${r.flags}`);
      });
    });
  });
  return b.s;
}

function numberPoints(b: Buf, ps: NumberDataPoint[]): void {
  ps.forEach((p, i) => {
    b.entry(`NumberDataPoints #${i}`);
    b.attributes('Data point attributes', p.attributes);
    b.entry(`StartTimestamp: ${goTime(p.startTimeUnixNano)}`);
    b.entry(`Timestamp: ${goTime(p.timeUnixNano)}`);
    if (p.asInt !== undefined) b.entry(`Value: ${p.asInt}`);
    else if (p.asDouble !== undefined) b.entry(`Value: ${fixed(p.asDouble)}`);
    b.exemplars(p.exemplars);
  });
}

export function detailedMetrics(req: ExportMetricsServiceRequest): string {
  const b = new Buf();
  req.resourceMetrics.forEach((rm, i) => {
    b.entry(`ResourceMetrics #${i}`);
    b.resource(rm.schemaUrl, rm.resource);
    rm.scopeMetrics.forEach((sm, j) => {
      b.entry(`ScopeMetrics #${j}`);
      b.entry(`ScopeMetrics SchemaURL: ${sm.schemaUrl}`);
      b.scope(sm.scope);
      sm.metrics.forEach((m, k) => {
        b.entry(`Metric #${k}`);
        b.entry('Descriptor:');
        b.entry(`     -> Name: ${m.name}`);
        b.entry(`     -> Description: ${m.description}`);
        b.entry(`     -> Unit: ${m.unit}`);
        b.entry(`     -> DataType: ${metricType(m)}`);
        b.attributes('     -> Metadata', m.metadata);
        if (m.gauge) numberPoints(b, m.gauge.dataPoints);
        else if (m.sum) {
          b.entry(`     -> IsMonotonic: ${m.sum.isMonotonic}`);
          b.entry(
            `     -> AggregationTemporality: ${TEMPORALITY[m.sum.aggregationTemporality] ?? m.sum.aggregationTemporality}`,
          );
          numberPoints(b, m.sum.dataPoints);
        } else if (m.histogram) {
          b.entry(
            `     -> AggregationTemporality: ${TEMPORALITY[m.histogram.aggregationTemporality] ?? m.histogram.aggregationTemporality}`,
          );
          m.histogram.dataPoints.forEach((p, n) => {
            b.entry(`HistogramDataPoints #${n}`);
            b.attributes('Data point attributes', p.attributes);
            b.entry(`StartTimestamp: ${goTime(p.startTimeUnixNano)}`);
            b.entry(`Timestamp: ${goTime(p.timeUnixNano)}`);
            b.entry(`Count: ${p.count}`);
            if (p.sum !== undefined) b.entry(`Sum: ${fixed(p.sum)}`);
            if (p.min !== undefined) b.entry(`Min: ${fixed(p.min)}`);
            if (p.max !== undefined) b.entry(`Max: ${fixed(p.max)}`);
            p.explicitBounds.forEach((x, q) => b.entry(`ExplicitBounds #${q}: ${fixed(x)}`));
            p.bucketCounts.forEach((c, q) => b.entry(`Buckets #${q}, Count: ${c}`));
            b.exemplars(p.exemplars);
          });
        } else if (m.exponentialHistogram) {
          const eh = m.exponentialHistogram;
          b.entry(
            `     -> AggregationTemporality: ${TEMPORALITY[eh.aggregationTemporality] ?? eh.aggregationTemporality}`,
          );
          eh.dataPoints.forEach((p, n) => {
            b.entry(`ExponentialHistogramDataPoints #${n}`);
            b.attributes('Data point attributes', p.attributes);
            b.entry(`StartTimestamp: ${goTime(p.startTimeUnixNano)}`);
            b.entry(`Timestamp: ${goTime(p.timeUnixNano)}`);
            b.entry(`Count: ${p.count}`);
            if (p.sum !== undefined) b.entry(`Sum: ${fixed(p.sum)}`);
            if (p.min !== undefined) b.entry(`Min: ${fixed(p.min)}`);
            if (p.max !== undefined) b.entry(`Max: ${fixed(p.max)}`);
            const factor = Math.LN2 * 2 ** -p.scale;
            const neg = p.negative?.bucketCounts ?? [];
            for (let q = neg.length - 1; q >= 0; q--) {
              const index = (p.negative?.offset ?? 0) + q;
              b.entry(
                `Bucket [${fixed(-Math.exp((index + 1) * factor))}, ${fixed(-Math.exp(index * factor))}), Count: ${neg[q]}`,
              );
            }
            if (p.zeroCount !== 0) b.entry(`Bucket [0, 0], Count: ${p.zeroCount}`);
            const pos = p.positive?.bucketCounts ?? [];
            pos.forEach((c, q) => {
              const index = (p.positive?.offset ?? 0) + q;
              b.entry(
                `Bucket (${fixed(Math.exp(index * factor))}, ${fixed(Math.exp((index + 1) * factor))}], Count: ${c}`,
              );
            });
            b.exemplars(p.exemplars);
          });
        } else if (m.summary) {
          m.summary.dataPoints.forEach((p, n) => {
            b.entry(`SummaryDataPoints #${n}`);
            b.attributes('Data point attributes', p.attributes);
            b.entry(`StartTimestamp: ${goTime(p.startTimeUnixNano)}`);
            b.entry(`Timestamp: ${goTime(p.timeUnixNano)}`);
            b.entry(`Count: ${p.count}`);
            b.entry(`Sum: ${fixed(p.sum)}`);
            p.quantileValues.forEach((q, r) =>
              b.entry(`QuantileValue #${r}: Quantile ${fixed(q.quantile)}, Value ${fixed(q.value)}`),
            );
          });
        }
      });
    });
  });
  return b.s;
}
