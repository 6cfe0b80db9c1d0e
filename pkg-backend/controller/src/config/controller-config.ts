import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/** Everything the controller reads from flags and the environment. Durations in seconds. */
export interface ControllerConfig {
  /** REST listen address host:port (default 127.0.0.1:8420). */
  httpAddress: string;
  /** gRPC listen address host:port for agents (default 127.0.0.1:8421). */
  grpcAddress: string;
  /** PostgreSQL URL; when absent an embedded PostgreSQL is started under dataDir. */
  databaseUrl?: string;
  /** Folder for the embedded database and generated credentials (default .foundry/controller). */
  dataDir: string;
  /** Port of the embedded PostgreSQL (default 8432). */
  embeddedPostgresPort: number;
  /** Bootstrap admin token (else generated once and written to <dataDir>/admin-token). */
  adminToken?: string;
  /** Bootstrap agent enrollment token (else generated once and written to <dataDir>/agent-token). */
  agentToken?: string;
  /** Interval agents send self-metrics at (default 15). */
  metricsIntervalSeconds: number;
  /** Interval of heartbeats both ways (default 10); an agent is offline after 3 missed. */
  heartbeatIntervalSeconds: number;
  /** How long self-metric samples are kept (default 86400). */
  metricsRetentionSeconds: number;
  /** How long desired ≠ applied may last before it counts as drift (default 60). */
  driftGraceSeconds: number;
  /** Largest gRPC message accepted from an agent, bytes (default 4 MiB). */
  grpcMaxMessageBytes: number;
  /** Largest REST request body, bytes (default 1 MiB). */
  httpMaxBodyBytes: number;
  /** TLS for the gRPC listener: PEM file paths; clientCa turns on mutual TLS. */
  grpcTls?: { cert: string; key: string; clientCa?: string };
  /** Identifier of this replica (hostname-pid-random). */
  controllerId: string;
}

const FLAGS: Record<string, keyof ControllerConfig> = {
  'http.listen-addr': 'httpAddress',
  'grpc.listen-addr': 'grpcAddress',
  'database-url': 'databaseUrl',
  'data-dir': 'dataDir',
  'embedded-postgres.port': 'embeddedPostgresPort',
  'metrics-interval': 'metricsIntervalSeconds',
  'heartbeat-interval': 'heartbeatIntervalSeconds',
  'metrics-retention': 'metricsRetentionSeconds',
  'drift-grace': 'driftGraceSeconds',
};

const NUMERIC = new Set<keyof ControllerConfig>([
  'embeddedPostgresPort',
  'metricsIntervalSeconds',
  'heartbeatIntervalSeconds',
  'metricsRetentionSeconds',
  'driftGraceSeconds',
  'grpcMaxMessageBytes',
  'httpMaxBodyBytes',
]);

/** Help text for `foundry-controller --help`. */
export const CONTROLLER_USAGE = `Usage: foundry-controller [flags]

Flags (environment variable in brackets):
  --http.listen-addr=ADDR      REST API, /metrics, /healthz (FOUNDRY_HTTP_ADDR; default 127.0.0.1:8420)
  --grpc.listen-addr=ADDR      agents' gRPC stream (FOUNDRY_GRPC_ADDR; default 127.0.0.1:8421)
  --database-url=URL           PostgreSQL (DATABASE_URL; default: embedded PostgreSQL in the data folder)
  --data-dir=DIR               data folder (FOUNDRY_DATA_DIR; default .foundry/controller)
  --embedded-postgres.port=N   port of the embedded PostgreSQL (FOUNDRY_EMBEDDED_PG_PORT; default 8432)
  --metrics-interval=SECONDS   agents' self-metrics interval (FOUNDRY_METRICS_INTERVAL; default 15)
  --heartbeat-interval=SECONDS heartbeat interval (FOUNDRY_HEARTBEAT_INTERVAL; default 10)
  --metrics-retention=SECONDS  self-metric retention (FOUNDRY_METRICS_RETENTION; default 86400)
  --drift-grace=SECONDS        desired != applied longer than this is drift (FOUNDRY_DRIFT_GRACE; default 60)
  --grpc.tls-cert=FILE --grpc.tls-key=FILE [--grpc.tls-client-ca=FILE]
                               TLS for agents; a client CA requires client certificates (mutual TLS)
Tokens: FOUNDRY_ADMIN_TOKEN and FOUNDRY_AGENT_TOKEN seed an admin and an agent token on first start;
when unset, tokens are generated once and written to <data-dir>/admin-token and <data-dir>/agent-token.
`;

/**
 * Reads the configuration from `--flag=value` / `--flag value` arguments, then the environment, then
 * defaults. @throws Error on an unknown flag or a non-numeric number.
 */
export function loadControllerConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ControllerConfig {
  const config: ControllerConfig = {
    httpAddress: env.FOUNDRY_HTTP_ADDR ?? '127.0.0.1:8420',
    grpcAddress: env.FOUNDRY_GRPC_ADDR ?? '127.0.0.1:8421',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.FOUNDRY_DATA_DIR ?? '.foundry/controller',
    embeddedPostgresPort: Number(env.FOUNDRY_EMBEDDED_PG_PORT ?? 8432),
    adminToken: env.FOUNDRY_ADMIN_TOKEN || undefined,
    agentToken: env.FOUNDRY_AGENT_TOKEN || undefined,
    metricsIntervalSeconds: Number(env.FOUNDRY_METRICS_INTERVAL ?? 15),
    heartbeatIntervalSeconds: Number(env.FOUNDRY_HEARTBEAT_INTERVAL ?? 10),
    metricsRetentionSeconds: Number(env.FOUNDRY_METRICS_RETENTION ?? 86400),
    driftGraceSeconds: Number(env.FOUNDRY_DRIFT_GRACE ?? 60),
    grpcMaxMessageBytes: 4 * 1024 * 1024,
    httpMaxBodyBytes: 1024 * 1024,
    controllerId: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  };
  const tls: Partial<{ cert: string; key: string; clientCa: string }> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const [name, given] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let value = given;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new Error(`flag --${name} needs a value`);
    }
    if (name === 'grpc.tls-cert') tls.cert = value;
    else if (name === 'grpc.tls-key') tls.key = value;
    else if (name === 'grpc.tls-client-ca') tls.clientCa = value;
    else {
      const key = FLAGS[name];
      if (!key) throw new Error(`unknown flag --${name}`);
      (config as any)[key] = value;
    }
  }
  for (const key of NUMERIC) {
    const v = Number(config[key]);
    if (!Number.isFinite(v) || v <= 0)
      throw new Error(`${key} must be a positive number, got ${config[key]}`);
    (config as any)[key] = v;
  }
  if (tls.cert || tls.key || tls.clientCa) {
    if (!tls.cert || !tls.key) throw new Error('--grpc.tls-cert and --grpc.tls-key go together');
    config.grpcTls = { cert: tls.cert, key: tls.key, ...(tls.clientCa ? { clientCa: tls.clientCa } : {}) };
  }
  return config;
}

/** Splits host:port (IPv6 in brackets). @throws Error when the port is missing or invalid. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid address ${JSON.stringify(address)}: want host:port`);
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

/** Injection token of the ControllerConfig. */
export const CONTROLLER_CONFIG = Symbol('ControllerConfig');
