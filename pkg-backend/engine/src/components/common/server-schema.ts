/**
 * The shared `http` / `grpc` server blocks of Alloy 1.18 `internal/component/common/net` ServerConfig
 * (squashed into loki.source.api and other push receivers). Defaults follow DefaultServerConfig, whose
 * values a present block starts from.
 */
import type { AttrSpec, BlockSchema } from '../../runtime/schema.js';
import { t } from '../../runtime/schema.js';

/** `tls` of the HTTP and gRPC servers (net.TLSConfig). */
export const serverTlsSchema: BlockSchema = {
  attrs: {
    cert_pem: { type: t.string() },
    key_pem: { type: t.secret() },
    cert_file: { type: t.string() },
    key_file: { type: t.string() },
    client_auth_type: { type: t.string() },
    client_ca_file: { type: t.string() },
    client_ca: { type: t.string() },
    cipher_suites: { type: t.string() },
    min_version: { type: t.string() },
  },
};

/** `http.http2` (HTTP2Config). */
const http2Schema: BlockSchema = {
  attrs: {
    enabled: { type: t.bool(), default: false },
    max_handlers: { type: t.int(), default: 0 },
    max_concurrent_streams: { type: t.int(), default: 100 },
    max_decoder_header_table_size: { type: t.int(), default: 4096 },
    max_encoder_header_table_size: { type: t.int(), default: 4096 },
    max_read_frame_size: { type: t.int(), default: 0 },
    permit_prohibited_ciphers: { type: t.bool(), default: false },
    idle_timeout: { type: t.duration(), default: 0 },
    read_idle_timeout: { type: t.duration(), default: 0 },
    ping_timeout: { type: t.duration(), default: 15_000 },
    write_byte_timeout: { type: t.duration(), default: 0 },
    max_upload_buffer_per_connection: { type: t.int(), default: 0 },
    max_upload_buffer_per_stream: { type: t.int(), default: 0 },
  },
};

/** `http` (HTTPConfig). */
export const serverHttpSchema: BlockSchema = {
  attrs: {
    listen_address: { type: t.string(), default: '' },
    listen_port: { type: t.int(), default: 8080 },
    conn_limit: { type: t.int(), default: 0 },
    server_read_timeout: { type: t.duration(), default: 30_000 },
    server_write_timeout: { type: t.duration(), default: 30_000 },
    server_idle_timeout: { type: t.duration(), default: 120_000 },
  },
  blocks: {
    tls: { schema: serverTlsSchema },
    http2: { schema: http2Schema },
  },
};

/** Go's `time.Duration(math.MaxInt64)` ("infinity") in milliseconds. */
const DURATION_INFINITY_MS = 9_223_372_036_854;

/** `grpc` (GRPCConfig). */
export const serverGrpcSchema: BlockSchema = {
  attrs: {
    listen_address: { type: t.string(), default: '' },
    listen_port: { type: t.int(), default: 0 },
    conn_limit: { type: t.int(), default: 0 },
    max_connection_age: { type: t.duration(), default: DURATION_INFINITY_MS },
    max_connection_age_grace: { type: t.duration(), default: DURATION_INFINITY_MS },
    max_connection_idle: { type: t.duration(), default: DURATION_INFINITY_MS },
    server_max_recv_msg_size: { type: t.int(), default: 4 << 20 },
    server_max_send_msg_size: { type: t.int(), default: 4 << 20 },
    server_max_concurrent_streams: { type: t.int(), default: 100 },
  },
  blocks: {
    tls: { schema: serverTlsSchema },
  },
};

/** ServerConfig squashed into a component: `http`, `grpc`, `graceful_shutdown_timeout`. */
export const serverAttrs: Record<string, AttrSpec> = {
  graceful_shutdown_timeout: { type: t.duration(), default: 30_000 },
};
export const serverBlocks = {
  http: { schema: serverHttpSchema },
  grpc: { schema: serverGrpcSchema },
};
