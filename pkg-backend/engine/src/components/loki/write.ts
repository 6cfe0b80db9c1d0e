import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { squashHttpClient } from '../common/http-client-schema.js';
import { LokiWrite, type LokiWriteArgs } from './write/component.js';

/** `endpoint` (EndpointOptions with the HTTP client squashed in). */
const endpointSchema = squashHttpClient({
  attrs: {
    name: { type: t.string() },
    url: { type: t.string(), required: true },
    batch_wait: { type: t.duration(), default: 1_000 },
    batch_size: { type: t.string(), default: '1MiB' },
    remote_timeout: { type: t.duration(), default: 10_000 },
    headers: { type: t.map(t.string()) },
    min_backoff_period: { type: t.duration(), default: 500 },
    max_backoff_period: { type: t.duration(), default: 300_000 },
    max_backoff_retries: { type: t.int(), default: 10 },
    tenant_id: { type: t.string() },
    retry_on_http_429: { type: t.bool(), default: true },
  },
  blocks: {
    queue_config: {
      schema: {
        attrs: {
          capacity: { type: t.string(), default: '10MiB' },
          min_shards: { type: t.int(), default: 1 },
          drain_timeout: { type: t.duration(), default: 15_000 },
          block_on_overflow: { type: t.bool(), default: true },
        },
      },
    },
  },
});

/**
 * loki.write — arguments as Alloy 1.18 loki.write (`internal/component/loki/write/{write,types}.go`).
 * Behaviour: see `write/component.ts` and `write/endpoint.ts`.
 */
export const lokiWrite: ComponentRegistration<LokiWriteArgs> = {
  name: 'loki.write',
  stability: 'generally-available',
  args: {
    attrs: {
      external_labels: { type: t.map(t.string()) },
      max_streams: { type: t.int() },
    },
    blocks: {
      endpoint: { schema: endpointSchema, multiple: true },
      wal: {
        schema: {
          attrs: {
            enabled: { type: t.bool(), default: false },
            max_segment_age: { type: t.duration(), default: 3_600_000 },
            min_read_frequency: { type: t.duration(), default: 250 },
            max_read_frequency: { type: t.duration(), default: 1_000 },
            drain_timeout: { type: t.duration(), default: 15_000 },
          },
          validate: (a) =>
            a.min_read_frequency >= a.max_read_frequency
              ? 'WAL min read frequency should be lower than max read frequency'
              : undefined,
        },
      },
    },
  },
  exports: { receiver: t.capsule('loki.LogsReceiver') },
  build: (opts, args) => new LokiWrite(opts, args),
};
