/**
 * The shared Prometheus-style HTTP client arguments (Alloy 1.18 `internal/component/common/config`
 * HTTPClientConfig and its blocks). Components either embed them (`alloy:",squash"`: prometheus.scrape,
 * prometheus.remote_write and loki.write endpoints, discovery.kubernetes) through `squashHttpClient`, or use
 * them as a block of their own (remote.http `client`) through `httpClientSchema`.
 */
import type { AttrSpec, BlockFieldSpec, BlockSchema } from '../../runtime/schema.js';
import { t } from '../../runtime/schema.js';
import { isSet, text } from './validation.js';

/** Accepted `tls_config.min_version` names (`config.TLSVersions`). */
export const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;

/** Headers the Prometheus client refuses to let users set (`prometheus/common/config` reservedHeaders). */
const RESERVED_HEADERS = new Set([
  'authorization',
  'host',
  'content-encoding',
  'content-length',
  'content-type',
  'user-agent',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'www-authenticate',
  'accept-encoding',
  'x-prometheus-remote-write-version',
  'x-prometheus-remote-read-version',
  'x-prometheus-scrape-timeout-seconds',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);

/** Go `textproto.CanonicalMIMEHeaderKey` for plain ASCII header names. */
function canonicalHeaderKey(k: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(k)) return k;
  return k
    .toLowerCase()
    .split('-')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1) : p))
    .join('-');
}

/** `tls_config` (TLSConfig). */
export const tlsConfigSchema: BlockSchema = {
  attrs: {
    ca_pem: { type: t.string() },
    ca_file: { type: t.string() },
    cert_pem: { type: t.string() },
    cert_file: { type: t.string() },
    key_pem: { type: t.secret() },
    key_file: { type: t.string() },
    server_name: { type: t.string() },
    insecure_skip_verify: { type: t.bool() },
    min_version: { type: t.string() },
  },
  validate: (a) => {
    if (a.min_version !== undefined && !(TLS_VERSIONS as readonly string[]).includes(a.min_version)) {
      return `unknown TLS version: ${a.min_version}`;
    }
    if (isSet(a.ca_pem) && isSet(a.ca_file)) return 'at most one of ca_pem and ca_file must be configured';
    if (isSet(a.cert_pem) && isSet(a.cert_file))
      return 'at most one of cert_pem and cert_file must be configured';
    if (isSet(a.key_pem) && isSet(a.key_file))
      return 'at most one of key_pem and key_file must be configured';
    const usingCert = isSet(a.cert_pem) || isSet(a.cert_file);
    const usingKey = isSet(a.key_pem) || isSet(a.key_file);
    if (usingCert && !usingKey)
      return 'exactly one of key_pem or key_file must be configured when a client certificate is configured';
    if (usingKey && !usingCert)
      return 'exactly one of cert_pem or cert_file must be configured when a client key is configured';
    return undefined;
  },
};

/** ProxyConfig (squashed into the client and into `oauth2`). */
const proxyAttrs: Record<string, AttrSpec> = {
  proxy_url: { type: t.string() },
  no_proxy: { type: t.string() },
  proxy_from_environment: { type: t.bool() },
  proxy_connect_header: { type: t.map(t.list(t.secret())) },
};

/** `ProxyConfig.Validate()`. */
export function validateProxy(a: Record<string, any>): string | undefined {
  const hasURL = isSet(a.proxy_url);
  const connectHeaders = a.proxy_connect_header ? Object.keys(a.proxy_connect_header).length : 0;
  if (connectHeaders > 0 && !a.proxy_from_environment && !hasURL) {
    return 'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured';
  }
  if (a.proxy_from_environment && hasURL)
    return 'if proxy_from_environment is configured, proxy_url must not be configured';
  if (a.proxy_from_environment && isSet(a.no_proxy))
    return 'if proxy_from_environment is configured, no_proxy must not be configured';
  if (a.proxy_url === undefined && isSet(a.no_proxy))
    return 'if no_proxy is configured, proxy_url must also be configured';
  return undefined;
}

export const basicAuthSchema: BlockSchema = {
  attrs: {
    username: { type: t.string() },
    password: { type: t.secret() },
    password_file: { type: t.string() },
  },
  validate: (a) =>
    isSet(a.password) && isSet(a.password_file)
      ? 'at most one of basic_auth password & password_file must be configured'
      : undefined,
};

export const authorizationSchema: BlockSchema = {
  attrs: {
    type: { type: t.string() },
    credentials: { type: t.secret() },
    credentials_file: { type: t.string() },
  },
  validate: (a) => {
    if (isSet(a.credentials) && isSet(a.credentials_file)) {
      return 'at most one of authorization credentials & credentials_file must be configured';
    }
    // As Alloy: an empty type becomes "Bearer".
    a.type = text(a.type).trim() || 'Bearer';
    if (a.type.toLowerCase() === 'basic')
      return 'authorization type cannot be set to "basic", use "basic_auth" block instead';
    return undefined;
  },
};

export const oauth2Schema: BlockSchema = {
  attrs: {
    client_id: { type: t.string() },
    client_secret: { type: t.secret() },
    client_secret_file: { type: t.string() },
    scopes: { type: t.list(t.string()) },
    token_url: { type: t.string() },
    endpoint_params: { type: t.map(t.string()) },
    ...proxyAttrs,
  },
  blocks: {
    tls_config: { schema: tlsConfigSchema },
  },
  validate: (a) => {
    if (!isSet(a.client_id)) return 'oauth2 client_id must be configured';
    if (!isSet(a.client_secret) && !isSet(a.client_secret_file)) {
      return 'either oauth2 client_secret or client_secret_file must be configured';
    }
    if (!isSet(a.token_url)) return 'oauth2 token_url must be configured';
    if (isSet(a.client_secret) && isSet(a.client_secret_file)) {
      return 'at most one of oauth2 client_secret & client_secret_file must be configured';
    }
    return validateProxy(a);
  },
};

export interface HttpClientOptions {
  /** Default of `enable_http2` (true, except prometheus.remote_write endpoints where it is false). */
  enableHttp2?: boolean;
}

/** Attributes of HTTPClientConfig. */
export function httpClientAttrs(opts: HttpClientOptions = {}): Record<string, AttrSpec> {
  return {
    bearer_token: { type: t.secret() },
    bearer_token_file: { type: t.string() },
    ...proxyAttrs,
    follow_redirects: { type: t.bool(), default: true },
    enable_http2: { type: t.bool(), default: opts.enableHttp2 ?? true },
    http_headers: { type: t.map(t.list(t.secret())) },
  };
}

/** Blocks of HTTPClientConfig. */
export const httpClientBlocks: Record<string, BlockFieldSpec> = {
  basic_auth: { schema: basicAuthSchema },
  authorization: { schema: authorizationSchema },
  oauth2: { schema: oauth2Schema },
  tls_config: { schema: tlsConfigSchema },
};

/** `HTTPClientConfig.Validate()` on decoded arguments holding the (squashed) client fields. */
export function validateHttpClient(a: Record<string, any>): string | undefined {
  let auths = 0;
  if (a.basic_auth !== undefined) auths++;
  if (a.authorization !== undefined) auths++;
  if (a.oauth2 !== undefined) auths++;
  if (isSet(a.bearer_token)) auths++;
  if (isSet(a.bearer_token_file)) auths++;
  if (auths > 1)
    return 'at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured';
  if (a.http_headers) {
    for (const k of Object.keys(a.http_headers)) {
      if (RESERVED_HEADERS.has(k.toLowerCase()))
        return `setting header ${JSON.stringify(canonicalHeaderKey(k))} is not allowed`;
    }
  }
  return validateProxy(a);
}

/** True when any authentication of the HTTP client is configured (remote_write counts auth methods). */
export function httpClientHasAuth(a: Record<string, any>): boolean {
  return (
    a.basic_auth !== undefined ||
    a.oauth2 !== undefined ||
    a.authorization !== undefined ||
    isSet(a.bearer_token) ||
    isSet(a.bearer_token_file)
  );
}

/** HTTPClientConfig as a block of its own (remote.http `client`). */
export function httpClientSchema(opts: HttpClientOptions = {}): BlockSchema {
  return { attrs: httpClientAttrs(opts), blocks: { ...httpClientBlocks }, validate: validateHttpClient };
}

/**
 * A schema with HTTPClientConfig squashed in. `validate` runs the component's own checks first, then the
 * client's (as the Go Validate methods that end with `HTTPClientConfig.Validate()`), unless `clientFirst`.
 */
export function squashHttpClient(
  schema: BlockSchema,
  opts: HttpClientOptions & { clientFirst?: boolean } = {},
): BlockSchema {
  const own = schema.validate;
  return {
    ...schema,
    attrs: { ...schema.attrs, ...httpClientAttrs(opts) },
    blocks: { ...schema.blocks, ...httpClientBlocks },
    validate: (a) =>
      opts.clientFirst ? (validateHttpClient(a) ?? own?.(a)) : (own?.(a) ?? validateHttpClient(a)),
  };
}
