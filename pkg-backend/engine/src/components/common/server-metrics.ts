/**
 * The HTTP server metrics of dskit's instrumentation, as Alloy's servers register them under a
 * namespace (`loki_source_api_*`, `prometheus_receive_http_*`): request duration, request and response
 * sizes, in-flight requests and TCP connections.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';

export class ServerMetrics {
  readonly duration: Histogram;
  readonly reqBytes: Histogram;
  readonly resBytes: Histogram;
  readonly inflight: Gauge;
  readonly conns: Gauge;

  constructor(reg: Registry, ns: string) {
    this.duration = new Histogram({
      name: `${ns}_request_duration_seconds`,
      help: 'Time (in seconds) spent serving HTTP requests.',
      labelNames: ['method', 'route', 'status_code', 'ws'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100],
      registers: [reg],
    });
    const sizeBuckets = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
    this.reqBytes = new Histogram({
      name: `${ns}_request_message_bytes`,
      help: 'Size (in bytes) of messages received in the request.',
      labelNames: ['method', 'route'],
      buckets: sizeBuckets,
      registers: [reg],
    });
    this.resBytes = new Histogram({
      name: `${ns}_response_message_bytes`,
      help: 'Size (in bytes) of messages sent in response.',
      labelNames: ['method', 'route'],
      buckets: sizeBuckets,
      registers: [reg],
    });
    this.inflight = new Gauge({
      name: `${ns}_inflight_requests`,
      help: 'Current number of inflight requests.',
      labelNames: ['method', 'route'],
      registers: [reg],
    });
    this.conns = new Gauge({
      name: `${ns}_tcp_connections`,
      help: 'Current number of accepted TCP connections.',
      labelNames: ['protocol'],
      registers: [reg],
    });
  }
}
