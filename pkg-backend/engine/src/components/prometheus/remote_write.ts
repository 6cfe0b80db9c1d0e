import type { ComponentRegistration } from '../../runtime/component.js';
import type { BlockSchema } from '../../runtime/schema.js';
import { t } from '../../runtime/schema.js';
import { httpClientHasAuth, squashHttpClient, validateHttpClient } from '../common/http-client-schema.js';
import { relabelRulesBlock } from '../common/relabel-schema.js';
import { isSet } from '../common/validation.js';
import { RemoteWrite, type RemoteWriteArgs } from './remote_write/component.js';

const PROTOBUF_V1 = 'prometheus.WriteRequest';
const PROTOBUF_V2 = 'io.prometheus.write.v2.Request';
const AZURE_CLOUDS = ['AzurePublic', 'AzureChina', 'AzureGovernment'];
const UUID =
  /^(urn:uuid:)?\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$/;

const queueConfigSchema: BlockSchema = {
  attrs: {
    capacity: { type: t.int(), default: 10_000 },
    max_shards: { type: t.int(), default: 50 },
    min_shards: { type: t.int(), default: 1 },
    max_samples_per_send: { type: t.int(), default: 2_000 },
    batch_send_deadline: { type: t.duration(), default: 5_000 },
    min_backoff: { type: t.duration(), default: 30 },
    max_backoff: { type: t.duration(), default: 5_000 },
    retry_on_http_429: { type: t.bool(), default: true },
    sample_age_limit: { type: t.duration(), default: 0 },
  },
};

const metadataConfigSchema: BlockSchema = {
  attrs: {
    send: { type: t.bool(), default: true },
    send_interval: { type: t.duration(), default: 60_000 },
    max_samples_per_send: { type: t.int(), default: 2_000 },
  },
};

const sigv4Schema: BlockSchema = {
  attrs: {
    region: { type: t.string() },
    access_key: { type: t.string() },
    secret_key: { type: t.secret() },
    profile: { type: t.string() },
    role_arn: { type: t.string() },
    external_id: { type: t.string() },
    use_fips_sts_endpoint: { type: t.bool() },
    service_name: { type: t.string() },
  },
  validate: (a) => {
    if (isSet(a.access_key) !== isSet(a.secret_key)) {
      return 'must provide an AWS SigV4 access key and secret key if credentials are specified in the SigV4 config';
    }
    if (isSet(a.external_id) && !isSet(a.role_arn)) return 'external_id can only be used with role_arn';
    return undefined;
  },
};

const azureadSchema: BlockSchema = {
  attrs: {
    cloud: { type: t.string(), default: 'AzurePublic' },
    scope: { type: t.string() },
  },
  blocks: {
    managed_identity: { schema: { attrs: { client_id: { type: t.string(), required: true } } } },
    workload_identity: {
      schema: {
        attrs: {
          client_id: { type: t.string(), required: true },
          tenant_id: { type: t.string(), required: true },
          token_file_path: { type: t.string() },
        },
      },
    },
    oauth: {
      schema: {
        attrs: {
          client_id: { type: t.string(), required: true },
          client_secret: { type: t.secret(), required: true },
          tenant_id: { type: t.string(), required: true },
        },
      },
    },
    sdk: { schema: { attrs: { tenant_id: { type: t.string(), required: true } } } },
  },
  validate: (a) => {
    if (!AZURE_CLOUDS.includes(a.cloud)) return 'must provide a cloud in the Azure AD config';
    const n = [a.managed_identity, a.workload_identity, a.oauth, a.sdk].filter((x) => x !== undefined).length;
    if (n === 0) {
      return 'must provide an Azure Managed Identity, Azure Workload Identity, Azure OAuth or Azure SDK in the Azure AD config';
    }
    if (n > 1) return 'cannot provide multiple authentication methods in the Azure AD config';
    if (a.managed_identity) {
      if (a.managed_identity.client_id === '')
        return 'must provide an Azure Managed Identity client_id in the Azure AD config';
      if (!UUID.test(a.managed_identity.client_id))
        return 'the provided Azure Managed Identity client_id is invalid';
    }
    if (a.workload_identity) {
      const w = a.workload_identity;
      if (w.client_id === '')
        return 'must provide an Azure Workload Identity client_id in the Azure AD config';
      if (w.tenant_id === '')
        return 'must provide an Azure Workload Identity tenant_id in the Azure AD config';
      if (!UUID.test(w.client_id)) return 'the provided Azure Workload Identity client_id is invalid';
      if (!UUID.test(w.tenant_id)) return 'the provided Azure Workload Identity tenant_id is invalid';
    }
    if (a.oauth) {
      if (a.oauth.client_id === '') return 'must provide an Azure OAuth client_id in the Azure AD config';
      if (!isSet(a.oauth.client_secret))
        return 'must provide an Azure OAuth client_secret in the Azure AD config';
      if (a.oauth.tenant_id === '') return 'must provide an Azure OAuth tenant_id in the Azure AD config';
      if (!UUID.test(a.oauth.client_id)) return 'the provided Azure OAuth client_id is invalid';
    }
    if (isSet(a.scope) && !/^[\w\s:/.-]+$/.test(a.scope))
      return 'the provided scope contains invalid characters';
    return undefined;
  },
};

/** `endpoint` (EndpointOptions with the HTTP client squashed in; `enable_http2` defaults to false here). */
const endpointSchema: BlockSchema = squashHttpClient(
  {
    attrs: {
      name: { type: t.string() },
      url: { type: t.string(), required: true },
      remote_timeout: { type: t.duration(), default: 30_000 },
      headers: { type: t.map(t.string()) },
      send_exemplars: { type: t.bool(), default: true },
      send_native_histograms: { type: t.bool() },
      protobuf_message: { type: t.string(), default: PROTOBUF_V1 },
      round_robin_dns: { type: t.bool() },
    },
    blocks: {
      queue_config: { schema: queueConfigSchema },
      metadata_config: { schema: metadataConfigSchema },
      write_relabel_config: relabelRulesBlock,
      sigv4: { schema: sigv4Schema },
      azuread: { schema: azureadSchema },
      google_iam: { schema: { attrs: { credentials_file: { type: t.string() } } } },
    },
  },
  { enableHttp2: false },
);
// EndpointOptions.Validate: the HTTP client first, then the auth-method count and protobuf_message.
endpointSchema.validate = (a) => {
  const err = validateHttpClient(a);
  if (err) return err;
  const auths =
    [a.sigv4, a.azuread, a.google_iam].filter((x) => x !== undefined).length + (httpClientHasAuth(a) ? 1 : 0);
  if (auths > 1) {
    return 'at most one of sigv4, azuread, google_iam, basic_auth, oauth2, bearer_token & bearer_token_file must be configured';
  }
  if (a.protobuf_message !== PROTOBUF_V1 && a.protobuf_message !== PROTOBUF_V2) {
    return `invalid protobuf_message ${JSON.stringify(a.protobuf_message)} for endpoint ${JSON.stringify(a.name ?? '')}: unknown remote write protobuf message ${a.protobuf_message}, supported: ${PROTOBUF_V1}, ${PROTOBUF_V2}`;
  }
  return undefined;
};

/**
 * prometheus.remote_write — arguments as Alloy 1.18 prometheus.remote_write
 * (`internal/component/prometheus/remotewrite/types.go`); implementation (WAL, queues, Remote Write 1.0
 * client) in `remote_write/`.
 */
export const prometheusRemoteWrite: ComponentRegistration<RemoteWriteArgs> = {
  name: 'prometheus.remote_write',
  stability: 'generally-available',
  args: {
    attrs: {
      external_labels: { type: t.map(t.string()) },
    },
    blocks: {
      endpoint: { schema: endpointSchema, multiple: true },
      wal: {
        schema: {
          attrs: {
            truncate_frequency: { type: t.duration(), default: 7_200_000 },
            min_keepalive_time: { type: t.duration(), default: 300_000 },
            max_keepalive_time: { type: t.duration(), default: 28_800_000 },
          },
          validate: (a) => {
            if (a.truncate_frequency === 0) return 'truncate_frequency must not be 0';
            if (a.max_keepalive_time <= a.min_keepalive_time)
              return 'min_keepalive_time must be smaller than max_keepalive_time';
            return undefined;
          },
        },
      },
    },
  },
  exports: { receiver: t.capsule('storage.Appendable') },
  build: (opts, args) => new RemoteWrite(opts, args),
};
