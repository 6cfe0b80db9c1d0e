import type { ComponentRegistration } from '../../../runtime/component.js';
import { OtlpReceiver, type ReceiverArgs } from './otlp/component.js';
import type { BlockSchema } from '../../../runtime/schema.js';
import { t } from '../../../runtime/schema.js';
import {
  debugMetricsBlock,
  DEFAULT_COMPRESSION_ALGORITHMS,
  grpcServerSchema,
  httpServerSchema,
  outputBlock,
} from '../../common/otelcol-schema.js';

/** `grpc` (GRPCServerArguments with the receiver's SetToDefault). */
const grpcSchema = grpcServerSchema({
  endpoint: '0.0.0.0:4317',
  transport: 'tcp',
  read_buffer_size: '512KiB',
});

/** `http` (HTTPConfigArguments: the HTTP server squashed in, plus the URL paths). */
const httpServer = httpServerSchema({
  endpoint: '0.0.0.0:4318',
  compression_algorithms: DEFAULT_COMPRESSION_ALGORITHMS,
  idle_timeout: 60_000,
  read_header_timeout: 60_000,
  write_timeout: 30_000,
});
const httpSchema: BlockSchema = {
  ...httpServer,
  attrs: {
    ...httpServer.attrs,
    traces_url_path: { type: t.string(), default: '/v1/traces' },
    metrics_url_path: { type: t.string(), default: '/v1/metrics' },
    logs_url_path: { type: t.string(), default: '/v1/logs' },
  },
};

/**
 * otelcol.receiver.otlp — arguments as Alloy 1.18 otelcol.receiver.otlp (`internal/component/otelcol/receiver/otlp/otlp.go`).
 * Behaviour: `otlp/component.ts`, `otlp/grpc.ts`, `otlp/http.ts`.
 */
export const otelcolReceiverOtlp: ComponentRegistration<ReceiverArgs> = {
  name: 'otelcol.receiver.otlp',
  stability: 'generally-available',
  args: {
    blocks: {
      grpc: { schema: grpcSchema },
      http: { schema: httpSchema },
      debug_metrics: debugMetricsBlock,
      output: outputBlock,
    },
    validate: (a) => {
      if (a.http) {
        for (const [key, name] of [
          ['traces_url_path', 'traces_url_path'],
          ['logs_url_path', 'logs_url_path'],
          ['metrics_url_path', 'metrics_url_path'],
        ] as const) {
          if (a.http[key] === '') return `${name} cannot be empty`;
        }
      }
      return undefined;
    },
  },
  build: (opts, args) => new OtlpReceiver(opts, args),
};
