/**
 * Blocks shared by the `otelcol.*` catalogue entries (Alloy 1.18 `internal/component/otelcol`:
 * consumer.go, config_grpc.go, config_http.go, config_tls.go, config_queue.go, config_retry.go,
 * config_compression.go, config/config_debug_metrics.go).
 *
 * Byte sizes (`units.Base2Bytes`, e.g. "4MiB") are kept as strings.
 */
import type { AttrSpec, BlockFieldSpec, BlockSchema, TypeSpec } from '../../runtime/schema.js';
import { t } from '../../runtime/schema.js';

/** `otelcol.Consumer` lists in `output` blocks. */
export const consumerList = (): TypeSpec => t.list(t.capsule('otelcol.Consumer'));
/** `*auth.Handler` (exported by otelcol.auth.* as `handler`). */
export const authHandler = (): TypeSpec => t.capsule('otelcol.Handler');
/** `*extension.ExtensionHandler` (exported by otelcol.storage.* as `handler`). */
export const extensionHandler = (): TypeSpec => t.capsule('otelcol.ExtensionHandler');

/** `output { metrics, logs, traces }` (ConsumerArguments). */
export const outputSchema: BlockSchema = {
  attrs: {
    metrics: { type: consumerList() },
    logs: { type: consumerList() },
    traces: { type: consumerList() },
  },
};

/** The required `output` block of receivers, processors and connectors. */
export const outputBlock: BlockFieldSpec = { schema: outputSchema, required: true };

const DEBUG_METRIC_LEVELS = ['none', 'basic', 'normal', 'detailed'];

/** `debug_metrics` (DebugMetricsArguments). */
export const debugMetricsSchema: BlockSchema = {
  attrs: {
    disable_high_cardinality_metrics: { type: t.bool(), default: true },
    level: { type: t.string(), default: 'detailed' },
  },
  validate: (a) =>
    DEBUG_METRIC_LEVELS.includes(a.level) ? undefined : `unrecognized debug metric level: ${a.level}`,
};

export const debugMetricsBlock: BlockFieldSpec = { schema: debugMetricsSchema };

export const COMPRESSION_TYPES = ['gzip', 'zlib', 'deflate', 'snappy', 'zstd', 'none', ''];

/** CompressionType's unmarshaler check. */
export function validateCompression(v: string | undefined): string | undefined {
  return v === undefined || COMPRESSION_TYPES.includes(v)
    ? undefined
    : `unrecognized compression type ${JSON.stringify(v)}`;
}

const tpmSchema: BlockSchema = {
  attrs: {
    enabled: { type: t.bool() },
    path: { type: t.string() },
    owner_auth: { type: t.string() },
    auth: { type: t.string() },
  },
};

/** TLSSetting (squashed into the client and server TLS blocks). */
const tlsSettingAttrs: Record<string, AttrSpec> = {
  ca_pem: { type: t.string() },
  ca_file: { type: t.string() },
  cert_pem: { type: t.string() },
  cert_file: { type: t.string() },
  key_pem: { type: t.secret() },
  key_file: { type: t.string() },
  min_version: { type: t.string() },
  max_version: { type: t.string() },
  reload_interval: { type: t.duration() },
  cipher_suites: { type: t.list(t.string()) },
  include_system_ca_certs_pool: { type: t.bool() },
  curve_preferences: { type: t.list(t.string()) },
};

/** `tls` of servers (TLSServerArguments). */
export const tlsServerSchema: BlockSchema = {
  attrs: { ...tlsSettingAttrs, client_ca_file: { type: t.string() } },
  blocks: { tpm: { schema: tpmSchema } },
};

/** `tls` of clients (TLSClientArguments). */
export const tlsClientSchema: BlockSchema = {
  attrs: {
    ...tlsSettingAttrs,
    insecure: { type: t.bool() },
    insecure_skip_verify: { type: t.bool() },
    server_name: { type: t.string() },
  },
  blocks: { tpm: { schema: tpmSchema } },
};

/** `keepalive` of gRPC servers (KeepaliveServerArguments); both sub-blocks exist by default, empty. */
export const keepaliveServerSchema: BlockSchema = {
  blocks: {
    server_parameters: {
      schema: {
        attrs: {
          max_connection_idle: { type: t.duration() },
          max_connection_age: { type: t.duration() },
          max_connection_age_grace: { type: t.duration() },
          time: { type: t.duration() },
          timeout: { type: t.duration() },
        },
      },
    },
    enforcement_policy: {
      schema: {
        attrs: {
          min_time: { type: t.duration() },
          permit_without_stream: { type: t.bool() },
        },
      },
    },
  },
};

/** `keepalive` of gRPC clients (KeepaliveClientArguments). */
export const keepaliveClientSchema: BlockSchema = {
  attrs: {
    ping_wait: { type: t.duration() },
    ping_response_timeout: { type: t.duration() },
    ping_without_stream: { type: t.bool() },
  },
};

/** GRPCServerArguments attributes and blocks; `defaults` fills the component's SetToDefault values. */
export function grpcServerSchema(defaults: Record<string, unknown> = {}): BlockSchema {
  const d = (name: string) => (defaults[name] === undefined ? {} : { default: defaults[name] });
  return {
    attrs: {
      endpoint: { type: t.string(), ...d('endpoint') },
      transport: { type: t.string(), ...d('transport') },
      max_recv_msg_size: { type: t.string(), ...d('max_recv_msg_size') },
      max_concurrent_streams: { type: t.int(), ...d('max_concurrent_streams') },
      read_buffer_size: { type: t.string(), ...d('read_buffer_size') },
      write_buffer_size: { type: t.string(), ...d('write_buffer_size') },
      auth: { type: authHandler() },
      include_metadata: { type: t.bool() },
    },
    blocks: {
      tls: { schema: tlsServerSchema },
      keepalive: { schema: keepaliveServerSchema },
    },
  };
}

/** `cors` of HTTP servers (CORSArguments). */
export const corsSchema: BlockSchema = {
  attrs: {
    allowed_origins: { type: t.list(t.string()) },
    allowed_headers: { type: t.list(t.string()) },
    max_age: { type: t.int() },
  },
};

export const DEFAULT_COMPRESSION_ALGORITHMS = ['', 'gzip', 'zstd', 'zlib', 'snappy', 'deflate', 'lz4'];

/** HTTPServerArguments attributes and blocks; `defaults` fills the component's SetToDefault values. */
export function httpServerSchema(defaults: Record<string, unknown> = {}): BlockSchema {
  const d = (name: string) => (defaults[name] === undefined ? {} : { default: defaults[name] });
  return {
    attrs: {
      endpoint: { type: t.string(), ...d('endpoint') },
      auth: { type: authHandler() },
      max_request_body_size: { type: t.string(), ...d('max_request_body_size') },
      include_metadata: { type: t.bool() },
      compression_algorithms: { type: t.list(t.string()), ...d('compression_algorithms') },
      keep_alives_enabled: { type: t.bool(), ...d('keep_alives_enabled') },
      idle_timeout: { type: t.duration(), ...d('idle_timeout') },
      read_timeout: { type: t.duration(), ...d('read_timeout') },
      write_timeout: { type: t.duration(), ...d('write_timeout') },
      read_header_timeout: { type: t.duration(), ...d('read_header_timeout') },
    },
    blocks: {
      tls: { schema: tlsServerSchema },
      cors: { schema: corsSchema },
    },
  };
}

/** GRPCClientArguments; `defaults` fills the component's SetToDefault values. */
export function grpcClientSchema(defaults: Record<string, unknown> = {}): BlockSchema {
  const d = (name: string) => (defaults[name] === undefined ? {} : { default: defaults[name] });
  return {
    attrs: {
      endpoint: { type: t.string(), required: true },
      compression: { type: t.string(), ...d('compression') },
      read_buffer_size: { type: t.string(), ...d('read_buffer_size') },
      write_buffer_size: { type: t.string(), ...d('write_buffer_size') },
      wait_for_ready: { type: t.bool() },
      headers: { type: t.map(t.string()), ...d('headers') },
      balancer_name: { type: t.string(), ...d('balancer_name') },
      authority: { type: t.string() },
      auth: { type: authHandler() },
    },
    blocks: {
      tls: { schema: tlsClientSchema },
      keepalive: { schema: keepaliveClientSchema },
    },
    validate: (a) => validateCompression(a.compression),
  };
}

/** HTTPClientArguments; `defaults` fills the component's SetToDefault values. */
export function httpClientArgsSchema(defaults: Record<string, unknown> = {}): BlockSchema {
  const d = (name: string) => (defaults[name] === undefined ? {} : { default: defaults[name] });
  return {
    attrs: {
      endpoint: { type: t.string(), required: true },
      proxy_url: { type: t.string() },
      compression: { type: t.string(), ...d('compression') },
      read_buffer_size: { type: t.string(), ...d('read_buffer_size') },
      write_buffer_size: { type: t.string(), ...d('write_buffer_size') },
      timeout: { type: t.duration(), ...d('timeout') },
      headers: { type: t.map(t.string()), ...d('headers') },
      max_idle_conns: { type: t.int(), ...d('max_idle_conns') },
      max_idle_conns_per_host: { type: t.int() },
      max_conns_per_host: { type: t.int() },
      idle_conn_timeout: { type: t.duration(), ...d('idle_conn_timeout') },
      disable_keep_alives: { type: t.bool() },
      http2_read_idle_timeout: { type: t.duration() },
      http2_ping_timeout: { type: t.duration(), ...d('http2_ping_timeout') },
      force_attempt_http2: { type: t.bool(), ...d('force_attempt_http2') },
      auth: { type: authHandler() },
    },
    blocks: {
      compression_params: { schema: { attrs: { level: { type: t.int(), required: true } } } },
      tls: { schema: tlsClientSchema },
      cookies: { schema: { attrs: { enabled: { type: t.bool() } } } },
    },
    validate: (a) => validateCompression(a.compression),
  };
}

const SIZERS = ['bytes', 'items', 'requests'];

/** `sending_queue.batch` (BatchConfig). */
export const queueBatchSchema: BlockSchema = {
  attrs: {
    flush_timeout: { type: t.duration(), default: 200 },
    min_size: { type: t.int(), default: 2000 },
    max_size: { type: t.int(), default: 3000 },
    sizer: { type: t.string(), default: 'items' },
  },
  validate: (a) => {
    if (a.sizer !== 'items' && a.sizer !== 'bytes') return '`batch` supports only `items` or `bytes` sizer';
    if (a.flush_timeout <= 0) return '`flush_timeout` must be positive';
    if (a.min_size < 0) return '`min_size` must be non-negative';
    if (a.max_size < 0) return '`max_size` must be non-negative';
    if (a.max_size > 0 && a.max_size < a.min_size) return '`max_size` must be greater or equal to `min_size`';
    return undefined;
  },
};

/** `sending_queue` (QueueArguments). */
export const sendingQueueSchema: BlockSchema = {
  attrs: {
    enabled: { type: t.bool(), default: true },
    num_consumers: { type: t.int(), default: 10 },
    queue_size: { type: t.int(), default: 1000 },
    block_on_overflow: { type: t.bool() },
    sizer: { type: t.string(), default: 'requests' },
    wait_for_result: { type: t.bool() },
    storage: { type: extensionHandler() },
  },
  blocks: {
    batch: { schema: queueBatchSchema },
  },
  validate: (a) => {
    if (!a.enabled) return undefined;
    if (a.queue_size <= 0) return 'queue_size must be greater than zero';
    if (!SIZERS.includes(a.sizer)) return `invalid sizer: ${a.sizer}`;
    if (a.batch && a.batch.sizer === a.sizer && a.batch.min_size > a.queue_size) {
      return '`min_size` must be less than or equal to `queue_size`';
    }
    return undefined;
  },
};

/** `retry_on_failure` (RetryArguments). */
export const retryOnFailureSchema: BlockSchema = {
  attrs: {
    enabled: { type: t.bool(), default: true },
    initial_interval: { type: t.duration(), default: 5_000 },
    randomization_factor: { type: t.number(), default: 0.5 },
    multiplier: { type: t.number(), default: 1.5 },
    max_interval: { type: t.duration(), default: 30_000 },
    max_elapsed_time: { type: t.duration(), default: 300_000 },
  },
  validate: (a) => {
    if (a.multiplier <= 1) return 'multiplier must be greater than 1.0';
    if (a.randomization_factor < 0) return 'randomization_factor must be greater or equal to 0';
    return undefined;
  },
};

/** Exports of otelcol processors and exporters. */
export const consumerExports = { input: t.capsule('otelcol.Consumer') };
/** Exports of otelcol.auth.* extensions. */
export const authExports = { handler: authHandler() };
