/**
 * Schemas of Alloy's config blocks (`logging`, `tracing`, `argument`, `export`, `import.*`, `foreach`)
 * and service blocks (`http`, `livedebugging`, `remotecfg`, `labelstore`), as Alloy 1.18 defines them
 * (`internal/runtime/logging`, `internal/runtime/tracing`, `internal/runtime/internal/importsource`,
 * `internal/service/*`).
 */
import { t, type BlockSchema } from './schema.js';
import type { Stability } from './component.js';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];
const LOG_FORMATS = ['logfmt', 'json'];

export const loggingSchema: BlockSchema = {
  attrs: {
    level: { type: t.string(), default: 'info' },
    format: { type: t.string(), default: 'logfmt' },
    destination: { type: t.string(), default: 'stderr' },
    write_to: { type: t.list(t.capsule('loki.LogsReceiver')), default: [] },
  },
  validate: (a) => {
    if (!LOG_LEVELS.includes(a.level)) return `unrecognized log level ${JSON.stringify(a.level)}`;
    if (!LOG_FORMATS.includes(a.format)) return `unrecognized log format ${JSON.stringify(a.format)}`;
    return undefined;
  },
};

export const tracingSchema: BlockSchema = {
  attrs: {
    sampling_fraction: { type: t.number(), default: 0.1 },
    write_to: { type: t.list(t.capsule('otelcol.Consumer')), default: [] },
    send_traceparent: { type: t.bool(), default: false },
  },
  blocks: {
    sampler: {
      schema: {
        blocks: {
          jaeger_remote: {
            schema: {
              attrs: {
                url: { type: t.string(), default: 'http://127.0.0.1:5778/sampling' },
                max_operations: { type: t.int(), default: 256 },
                refresh_interval: { type: t.duration(), default: 60_000 },
              },
            },
          },
        },
      },
    },
  },
};

export const argumentSchema: BlockSchema = {
  attrs: {
    optional: { type: t.bool(), default: false },
    default: { type: t.value() },
    comment: { type: t.string() },
  },
};

export const exportSchema: BlockSchema = { attrs: { value: { type: t.value(), required: true } } };

const pollAttrs = {
  poll_frequency: { type: t.duration(), default: 60_000 },
};

export const importSchemas: Record<string, BlockSchema> = {
  'import.string': { attrs: { content: { type: t.optionalSecret(), required: true } } },
  'import.file': {
    attrs: {
      filename: { type: t.string(), required: true },
      detector: { type: t.string(), default: 'fsnotify' },
      ...pollAttrs,
    },
  },
  'import.http': {
    attrs: {
      url: { type: t.string(), required: true },
      method: { type: t.string(), default: 'GET' },
      headers: { type: t.map(t.string()), default: {} },
      ...pollAttrs,
      poll_timeout: { type: t.duration(), default: 10_000 },
    },
    blocks: { client: { schema: { anyAttrs: t.any() } } },
  },
  'import.git': {
    attrs: {
      repository: { type: t.string(), required: true },
      revision: { type: t.string(), default: 'HEAD' },
      path: { type: t.string(), default: '' },
      pull_frequency: { type: t.duration(), default: 60_000 },
    },
    blocks: {
      basic_auth: { schema: { attrs: { username: { type: t.string() }, password: { type: t.secret() } } } },
      ssh_key: {
        schema: {
          attrs: {
            username: { type: t.string() },
            key: { type: t.secret() },
            key_file: { type: t.string() },
            passphrase: { type: t.secret() },
          },
        },
      },
    },
  },
};

export const foreachSchema: BlockSchema = {
  attrs: {
    collection: { type: t.list(t.value()), required: true },
    var: { type: t.string(), required: true },
    id: { type: t.string() },
    enable_metrics: { type: t.bool(), default: false },
    hash_string_id: { type: t.bool(), default: false },
  },
};

const tlsServerSchema: BlockSchema = {
  attrs: {
    cert_pem: { type: t.string() },
    cert_file: { type: t.string() },
    key_pem: { type: t.secret() },
    key_file: { type: t.string() },
    client_ca_pem: { type: t.string() },
    client_ca_file: { type: t.string() },
    client_auth_type: { type: t.string(), default: 'NoClientCert' },
    cipher_suites: { type: t.list(t.string()) },
    curve_preferences: { type: t.list(t.string()) },
    min_version: { type: t.string() },
    max_version: { type: t.string() },
  },
  blocks: {
    windows_certificate_filter: { schema: { anyAttrs: t.any() } },
  },
};

/** Service blocks: configurable services and their schemas; `null` means "does not support being configured". */
export const serviceSchemas: Record<string, BlockSchema | null> = {
  http: {
    blocks: {
      tls: { schema: tlsServerSchema },
      auth: {
        schema: {
          blocks: {
            basic: {
              schema: {
                attrs: {
                  username: { type: t.string(), required: true },
                  password: { type: t.secret(), required: true },
                },
              },
            },
            filter: {
              schema: {
                attrs: {
                  paths: { type: t.list(t.string()), default: [] },
                  authenticate_matching_paths: { type: t.bool(), default: true },
                },
              },
            },
          },
        },
      },
    },
  },
  livedebugging: { attrs: { enabled: { type: t.bool(), default: false } } },
  labelstore: {},
  remotecfg: {
    attrs: {
      url: { type: t.string() },
      id: { type: t.string() },
      name: { type: t.string() },
      attributes: { type: t.map(t.string()), default: {} },
      poll_frequency: { type: t.duration(), default: 60_000 },
    },
    blocks: {
      basic_auth: {
        schema: {
          attrs: {
            username: { type: t.string() },
            password: { type: t.secret() },
            password_file: { type: t.string() },
          },
        },
      },
      tls_config: { schema: { anyAttrs: t.any() } },
    },
  },
  cluster: null,
  otel: null,
  ui: null,
};

/** Config block names (not components), as Alloy's `isConfigBlock`. */
export const CONFIG_BLOCKS = new Set([
  'logging',
  'tracing',
  'argument',
  'export',
  'foreach',
  'import.file',
  'import.string',
  'import.http',
  'import.git',
]);

/** Stability of config blocks that are gated (foreach is experimental in Alloy 1.18). */
export const CONFIG_BLOCK_STABILITY: Record<string, Stability> = { foreach: 'experimental' };
