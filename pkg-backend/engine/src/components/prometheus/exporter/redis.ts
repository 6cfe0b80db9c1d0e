import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';

/** prometheus.exporter.redis — arguments as Alloy 1.18 prometheus.exporter.redis (`internal/component/prometheus/exporter/redis/redis.go`). */
export const prometheusExporterRedis: ComponentRegistration = {
  name: 'prometheus.exporter.redis',
  stability: 'generally-available',
  args: {
    attrs: {
      include_exporter_metrics: { type: t.bool(), default: false },
      redis_addr: { type: t.string(), required: true },
      redis_user: { type: t.string() },
      redis_password: { type: t.secret() },
      redis_password_file: { type: t.string() },
      redis_password_map_file: { type: t.string() },
      namespace: { type: t.string(), default: 'redis' },
      config_command: { type: t.string(), default: 'CONFIG' },
      check_keys: { type: t.list(t.string()) },
      check_key_groups: { type: t.list(t.string()) },
      check_key_groups_batch_size: { type: t.int(), default: 10_000 },
      max_distinct_key_groups: { type: t.int(), default: 100 },
      check_single_keys: { type: t.list(t.string()) },
      check_streams: { type: t.list(t.string()) },
      check_single_streams: { type: t.list(t.string()) },
      export_key_values: { type: t.bool(), default: true },
      count_keys: { type: t.list(t.string()) },
      script_path: { type: t.string() },
      script_paths: { type: t.list(t.string()) },
      connection_timeout: { type: t.duration(), default: 15_000 },
      tls_client_key_file: { type: t.string() },
      tls_client_cert_file: { type: t.string() },
      tls_ca_cert_file: { type: t.string() },
      set_client_name: { type: t.bool(), default: true },
      is_tile38: { type: t.bool() },
      is_cluster: { type: t.bool() },
      export_client_list: { type: t.bool() },
      export_client_port: { type: t.bool() },
      redis_metrics_only: { type: t.bool() },
      ping_on_connect: { type: t.bool() },
      incl_system_metrics: { type: t.bool() },
      skip_tls_verification: { type: t.bool() },
    },
    validate: (a) =>
      a.script_path && (a.script_paths?.length ?? 0) > 0
        ? 'only one of script_path and script_paths should be specified'
        : undefined,
  },
  exports: { targets: t.targets() },
};
