/**
 * The quick-start demo service: a pretend "shop" that serves its own synthetic traffic and reports it
 * with the OpenTelemetry JS SDK over OTLP/HTTP — traces (a request span with a database child span,
 * about 5 % errors), metrics (request counter and duration histogram) and logs (one per request).
 *
 * Usage: node demo-service.js --otlp=http://127.0.0.1:4318 [--rate=5] (requests per second)
 */
import { metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? ''] as const;
  }),
);
const otlp = (args.get('otlp') || 'http://127.0.0.1:4318').replace(/\/$/, '');
const rate = Number(args.get('rate') || 5);

const resource = resourceFromAttributes({
  'service.name': 'demo-shop',
  'service.namespace': 'foundry-demo',
  'service.instance.id': `demo-${process.pid}`,
  'deployment.environment': 'quick-start',
});
const tracerProvider = new BasicTracerProvider({
  resource,
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlp}/v1/traces` }))],
});
trace.setGlobalTracerProvider(tracerProvider);
const meterProvider = new MeterProvider({
  resource,
  readers: [
    new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${otlp}/v1/metrics` }),
      exportIntervalMillis: 5_000,
    }),
  ],
});
metrics.setGlobalMeterProvider(meterProvider);
const loggerProvider = new LoggerProvider({
  resource,
  processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${otlp}/v1/logs` }) })],
});

const tracer = trace.getTracer('demo-shop');
const meter = metrics.getMeter('demo-shop');
const logger = loggerProvider.getLogger('demo-shop');
const requests = meter.createCounter('demo_requests', { description: 'Requests served.' });
const duration = meter.createHistogram('demo_request_duration', {
  description: 'Request duration.',
  unit: 's',
});

const routes = ['/cart', '/checkout', '/products', '/products/:id'];

function serve(): void {
  const route = routes[Math.floor(Math.random() * routes.length)]!;
  const started = performance.now();
  tracer.startActiveSpan(`GET ${route}`, { kind: 1, attributes: { 'http.route': route } }, (span) => {
    const failed = Math.random() < 0.05;
    const db = tracer.startSpan('SELECT shop.products', {
      kind: 2,
      attributes: { 'db.system': 'postgresql' },
    });
    const dbMs = 2 + Math.random() * 20;
    setTimeout(() => {
      db.end();
      const status = failed ? 500 : 200;
      span.setAttribute('http.response.status_code', status);
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'payment service timed out' });
      span.end();
      const seconds = (performance.now() - started) / 1000;
      requests.add(1, { route, status: String(status) });
      duration.record(seconds, { route });
      logger.emit({
        severityNumber: failed ? SeverityNumber.ERROR : SeverityNumber.INFO,
        severityText: failed ? 'ERROR' : 'INFO',
        body: `${failed ? 'failed' : 'served'} GET ${route} in ${(seconds * 1000).toFixed(1)} ms`,
        attributes: { route, status },
      });
    }, dbMs);
  });
}

const timer = setInterval(serve, 1000 / rate);
process.stdout.write(`demo-shop: ${rate} requests/s, sending OTLP to ${otlp}\n`);

async function shutdown(): Promise<void> {
  clearInterval(timer);
  await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
