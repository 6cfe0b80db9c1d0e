/**
 * End to end on real clients: the OpenTelemetry JS SDK exports traces, metrics and logs over OTLP/gRPC,
 * OTLP/HTTP protobuf and OTLP/HTTP JSON to engine A
 *   otelcol.receiver.otlp → otelcol.processor.batch → otelcol.exporter.otlp (gRPC) and
 *                                                      otelcol.exporter.otlphttp (JSON)
 * which forward to two receivers of engine B feeding recording components (and a debug exporter).
 * Every span, data point and log record must arrive through both paths with ids, nanosecond timestamps,
 * attributes and resources exactly as the SDK exported them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OTLPLogExporter as GrpcLogs } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpLogs } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogs } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as GrpcMetrics } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as HttpMetrics } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetrics } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraces } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpTraces } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraces } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics as SdkResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import type { AnyValue, KeyValue, LogRecord, Span } from '../../src/protocols/otlp/index.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { freePort } from '../support/net.js';
import { metricValue, rec, recorderComponent } from './otlp-support.js';

let a: Running;
let b: Running;
const port: Record<string, number> = {};
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const ns = (t: HrTime) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
const TRANSPORTS = ['grpc', 'http-json', 'http-proto'] as const;
type Transport = (typeof TRANSPORTS)[number];

function plain(v: AnyValue | undefined): unknown {
  const x = v as Record<string, unknown> | undefined;
  if (!x) return undefined;
  if ('stringValue' in x) return x.stringValue;
  if ('intValue' in x) return Number(x.intValue);
  if ('doubleValue' in x) return x.doubleValue;
  if ('boolValue' in x) return x.boolValue;
  if ('arrayValue' in x) return (x.arrayValue as { values: AnyValue[] }).values.map(plain);
  return x;
}
const attrs = (kvs: KeyValue[] | undefined) =>
  Object.fromEntries((kvs ?? []).map((kv) => [kv.key, plain(kv.value)]));

before(async () => {
  for (const k of ['ga', 'ha', 'gb', 'hb']) port[k] = await freePort();
  b = startEngine(
    `
    otelcol.receiver.otlp "via_grpc" {
      grpc { endpoint = "127.0.0.1:${port.gb}" }
      output {
        traces  = [otlptest.recorder.grpc.input, otelcol.exporter.debug.dbg.input]
        metrics = [otlptest.recorder.grpc.input]
        logs    = [otlptest.recorder.grpc.input]
      }
    }
    otelcol.receiver.otlp "via_http" {
      http { endpoint = "127.0.0.1:${port.hb}" }
      output {
        traces  = [otlptest.recorder.http.input]
        metrics = [otlptest.recorder.http.input]
        logs    = [otlptest.recorder.http.input]
      }
    }
    otlptest.recorder "grpc" { name = "e2e-grpc" }
    otlptest.recorder "http" { name = "e2e-http" }
    otelcol.exporter.debug "dbg" { verbosity = "detailed" }
    `,
    { components: [recorderComponent] },
  );
  a = startEngine(`
    otelcol.receiver.otlp "in" {
      grpc { endpoint = "127.0.0.1:${port.ga}" }
      http { endpoint = "127.0.0.1:${port.ha}" }
      output {
        traces  = [otelcol.processor.batch.b.input]
        metrics = [otelcol.processor.batch.b.input]
        logs    = [otelcol.processor.batch.b.input]
      }
    }
    otelcol.processor.batch "b" {
      timeout = "20ms"
      output {
        traces  = [otelcol.exporter.otlp.out.input, otelcol.exporter.otlphttp.out.input]
        metrics = [otelcol.exporter.otlp.out.input, otelcol.exporter.otlphttp.out.input]
        logs    = [otelcol.exporter.otlp.out.input, otelcol.exporter.otlphttp.out.input]
      }
    }
    otelcol.exporter.otlp "out" {
      client {
        endpoint = "127.0.0.1:${port.gb}"
        tls { insecure = true }
      }
    }
    otelcol.exporter.otlphttp "out" {
      encoding = "json"
      client { endpoint = "http://127.0.0.1:${port.hb}" }
    }
  `);
  await eventually(() => a.logs.filter((l) => l.includes('Starting')).length >= 2, 5000, 'servers A');
  await eventually(() => b.logs.filter((l) => l.includes('Starting')).length >= 2, 5000, 'servers B');
});

after(async () => {
  await a?.stop();
  await b?.stop();
});

const grpcUrl = () => `http://127.0.0.1:${port.ga}`;
const httpUrl = (p: string) => `http://127.0.0.1:${port.ha}/v1/${p}`;

function allSpans(name: string): { span: Span; resource: Record<string, unknown>; scope: string }[] {
  return rec(name).traces.flatMap((r) =>
    r.resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((span) => ({
          span,
          resource: attrs(rs.resource?.attributes),
          scope: ss.scope?.name ?? '',
        })),
      ),
    ),
  );
}

test('traces from the SDK over gRPC, http/json and http/protobuf arrive intact through both exporters', async () => {
  const sent: ReadableSpan[] = [];
  for (const t of TRANSPORTS) {
    const exp =
      t === 'grpc'
        ? new GrpcTraces({ url: grpcUrl() })
        : t === 'http-json'
          ? new HttpTraces({ url: httpUrl('traces') })
          : new ProtoTraces({ url: httpUrl('traces') });
    const mem = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `svc-${t}`, 'deployment.environment': 'test' }),
      spanProcessors: [new SimpleSpanProcessor(mem), new SimpleSpanProcessor(exp)],
    });
    const tracer = provider.getTracer('e2e-scope', '1.2.3');
    const root = tracer.startSpan('root', {
      kind: SpanKind.SERVER,
      attributes: { 'http.method': 'GET', n: 7 },
    });
    root.addEvent('ev', { k: 'v' });
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    for (let i = 0; i < 4; i++) {
      const ctxSpan = tracer.startSpan(`child-${i}`, {
        kind: SpanKind.CLIENT,
        attributes: { i, ratio: i / 3, ok: i % 2 === 0, tags: ['a', 'b'] },
      });
      ctxSpan.end();
    }
    root.end();
    await provider.forceFlush();
    sent.push(...mem.getFinishedSpans());
    await exp.shutdown();
  }
  for (const via of ['e2e-grpc', 'e2e-http']) {
    await eventually(() => allSpans(via).length >= sent.length, 10_000, `spans via ${via}`);
    const got = allSpans(via);
    assert.equal(got.length, sent.length, via);
    for (const s of sent) {
      const g = got.find((x) => hex(x.span.spanId) === s.spanContext().spanId);
      assert.ok(g, `span ${s.name} via ${via}`);
      assert.equal(hex(g.span.traceId), s.spanContext().traceId);
      assert.equal(g.span.name, s.name);
      assert.equal(g.span.kind, s.kind + 1);
      assert.equal(g.span.startTimeUnixNano, ns(s.startTime));
      assert.equal(g.span.endTimeUnixNano, ns(s.endTime));
      assert.deepEqual(attrs(g.span.attributes), s.attributes);
      assert.equal(g.resource['service.name'], s.resource.attributes['service.name']);
      assert.equal(g.resource['deployment.environment'], 'test');
      assert.equal(g.scope, 'e2e-scope');
      if (s.name === 'root') {
        assert.equal(g.span.status?.code, 2);
        assert.equal(g.span.status?.message, 'boom');
        assert.equal(g.span.events[0]!.name, 'ev');
        assert.equal(g.span.events[0]!.timeUnixNano, ns(s.events[0]!.time));
      }
    }
  }
  // The debug exporter printed the detailed form.
  await eventually(
    () => b.logs.some((l) => l.includes('Span #0') && l.includes('e2e-scope')),
    3000,
    'debug output',
  );
  assert.ok(b.logs.some((l) => l.includes('msg=Traces') && / spans=\d+/.test(l)));
  // Exporters count a request once its response arrived (after the receiver passed it on).
  const sentBy = async (e: string) =>
    metricValue(await a.engine.metricsText(), 'otelcol_exporter_sent_spans_total', `exporter="${e}"`);
  await eventually(
    async () => (await sentBy('otlp/otelcol.exporter.otlp.out')) === sent.length,
    3000,
    'sent',
  );
  await eventually(
    async () => (await sentBy('otlphttp/otelcol.exporter.otlphttp.out')) === sent.length,
    3000,
    'sent',
  );
  const ma = await a.engine.metricsText();
  assert.equal(metricValue(ma, 'otelcol_receiver_accepted_spans_total'), sent.length);
  assert.equal(metricValue(ma, 'otelcol_receiver_accepted_spans_total', 'transport="grpc"'), 5);
  assert.equal(metricValue(ma, 'otelcol_processor_batch_batch_send_size_sum'), sent.length);
});

class Tee implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    readonly sent: SdkResourceMetrics[],
  ) {}
  export(m: SdkResourceMetrics, cb: Parameters<PushMetricExporter['export']>[1]): void {
    this.sent.push(m);
    this.inner.export(m, cb);
  }
  forceFlush() {
    return this.inner.forceFlush();
  }
  shutdown() {
    return this.inner.shutdown();
  }
  selectAggregationTemporality() {
    return AggregationTemporality.CUMULATIVE;
  }
}

test('metrics from the SDK (sum, gauge, histogram) arrive with exact points and timestamps', async () => {
  const expected: { transport: Transport; name: string; value: number; time: bigint; start: bigint }[] = [];
  for (const t of TRANSPORTS) {
    const inner =
      t === 'grpc'
        ? new GrpcMetrics({ url: grpcUrl() })
        : t === 'http-json'
          ? new HttpMetrics({ url: httpUrl('metrics') })
          : new ProtoMetrics({ url: httpUrl('metrics') });
    const tee = new Tee(inner, []);
    const reader = new PeriodicExportingMetricReader({ exporter: tee, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': `msvc-${t}` }),
      readers: [reader],
    });
    const meter = provider.getMeter('e2e-meter');
    const c = meter.createCounter('requests');
    c.add(5, { route: '/a' });
    c.add(7, { route: '/b' });
    const h = meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [1, 10, 100] } });
    for (const v of [0.5, 5, 50, 500]) h.record(v, { route: '/a' });
    meter.createObservableGauge('temp').addCallback((r) => r.observe(21.5, { room: 'x' }));
    await provider.forceFlush();
    for (const sm of tee.sent[0]!.scopeMetrics)
      for (const m of sm.metrics)
        for (const dp of m.dataPoints) {
          const v = dp.value as number | { sum?: number; count: number };
          expected.push({
            transport: t,
            name: m.descriptor.name,
            value: typeof v === 'number' ? v : v.count,
            time: ns(dp.endTime),
            start: ns(dp.startTime),
          });
        }
    await provider.shutdown();
  }
  assert.equal(expected.length, 3 * 4);
  for (const via of ['e2e-grpc', 'e2e-http']) {
    const points = () =>
      rec(via).metrics.flatMap((r) =>
        r.resourceMetrics.flatMap((rm) =>
          rm.scopeMetrics.flatMap((sm) =>
            sm.metrics.flatMap((m) => {
              const svc = attrs(rm.resource?.attributes)['service.name'] as string;
              const num = (m.sum?.dataPoints ?? m.gauge?.dataPoints ?? []).map((p) => ({
                svc,
                name: m.name,
                value: p.asDouble ?? Number(p.asInt),
                time: p.timeUnixNano,
                start: p.startTimeUnixNano,
              }));
              const hist = (m.histogram?.dataPoints ?? []).map((p) => ({
                svc,
                name: m.name,
                value: p.count,
                time: p.timeUnixNano,
                start: p.startTimeUnixNano,
                buckets: p.bucketCounts,
              }));
              return [...num, ...hist];
            }),
          ),
        ),
      );
    const find = (e: (typeof expected)[number]) =>
      points().find(
        (x) =>
          x.svc === `msvc-${e.transport}` && x.name === e.name && x.value === e.value && x.time === e.time,
      );
    await eventually(() => expected.every((e) => find(e) !== undefined), 10_000, `points via ${via}`);
    for (const e of expected) {
      const g = find(e)!;
      assert.equal(g.start, e.start);
      if ('buckets' in g) assert.deepEqual(g.buckets, [1, 1, 1, 1]);
    }
  }
  // Each provider exported twice (forceFlush, then shutdown).
  const ma = await a.engine.metricsText();
  assert.equal(metricValue(ma, 'otelcol_receiver_accepted_metric_points_total'), 2 * expected.length);
});

test('logs from the SDK arrive with timestamps, severity, body, attributes and trace context', async () => {
  const sent: { t: Transport; r: ReadableLogRecord }[] = [];
  for (const t of TRANSPORTS) {
    const exp =
      t === 'grpc'
        ? new GrpcLogs({ url: grpcUrl() })
        : t === 'http-json'
          ? new HttpLogs({ url: httpUrl('logs') })
          : new ProtoLogs({ url: httpUrl('logs') });
    const records: ReadableLogRecord[] = [];
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': `lsvc-${t}` }),
      processors: [
        {
          onEmit: (r) => void records.push(r),
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
        new SimpleLogRecordProcessor({ exporter: exp }),
      ],
    });
    const logger = provider.getLogger('e2e-logger');
    logger.emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: `disk almost full (${t})`,
      attributes: { 'disk.free': 3, mount: '/var' },
      timestamp: [1_700_000_000, 123_456_789],
      context: trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 1,
      }),
    });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'second', attributes: { n: 2 } });
    await provider.forceFlush();
    for (const r of records) sent.push({ t, r });
    await provider.shutdown();
  }
  for (const via of ['e2e-grpc', 'e2e-http']) {
    const logs = () =>
      rec(via).logs.flatMap((r) =>
        r.resourceLogs.flatMap((rl) =>
          rl.scopeLogs.flatMap((sl) =>
            sl.logRecords.map((l) => ({ svc: attrs(rl.resource?.attributes)['service.name'], l })),
          ),
        ),
      );
    await eventually(() => logs().length >= sent.length, 10_000, `logs via ${via}`);
    const got = logs();
    for (const { t, r } of sent) {
      const g = got.find((x) => x.svc === `lsvc-${t}` && plain(x.l.body) === r.body)?.l as LogRecord;
      assert.ok(g, `${String(r.body)} via ${via}`);
      assert.equal(g.timeUnixNano, ns(r.hrTime));
      assert.equal(g.observedTimeUnixNano, ns(r.hrTimeObserved));
      assert.equal(g.severityNumber, r.severityNumber);
      assert.equal(g.severityText, r.severityText ?? '');
      assert.deepEqual(attrs(g.attributes), r.attributes);
      assert.equal(hex(g.traceId), r.spanContext?.traceId ?? '');
      assert.equal(hex(g.spanId), r.spanContext?.spanId ?? '');
      assert.equal(g.flags, r.spanContext?.traceFlags ?? 0);
    }
  }
});
