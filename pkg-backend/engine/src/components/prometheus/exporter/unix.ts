import type { ComponentRegistration } from '../../../runtime/component.js';
import type { AttrSpec, BlockFieldSpec } from '../../../runtime/schema.js';
import { t } from '../../../runtime/schema.js';

const str = (def?: string): AttrSpec =>
  def === undefined ? { type: t.string() } : { type: t.string(), default: def };
const bool = (): AttrSpec => ({ type: t.bool() });
const strings = (): AttrSpec => ({ type: t.list(t.string()) });
const block = (attrs: Record<string, AttrSpec>): BlockFieldSpec => ({ schema: { attrs } });

/** node_exporter defaults (`internal/static/integrations/node_exporter/config.go`, Linux values). */
const NETSTAT_FIELDS =
  '^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$';
const FS_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+)($|/)';
const FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';

/**
 * prometheus.exporter.unix — arguments as Alloy 1.18 prometheus.exporter.unix
 * (`internal/component/prometheus/exporter/unix/config.go`; defaults as on Linux — `supervisord.url`
 * follows `$SUPERVISORD_URL` in Alloy).
 */
export const prometheusExporterUnix: ComponentRegistration = {
  name: 'prometheus.exporter.unix',
  stability: 'generally-available',
  args: {
    attrs: {
      include_exporter_metrics: bool(),
      procfs_path: str('/proc'),
      sysfs_path: str('/sys'),
      rootfs_path: str('/'),
      udev_data_path: str('/run/udev/data'),
      enable_collectors: strings(),
      disable_collectors: strings(),
      set_collectors: strings(),
    },
    blocks: {
      arp: block({ device_exclude: str(), device_include: str(), netlink: bool() }),
      bcache: block({ priority_stats: bool() }),
      cpu: block({ bugs_include: str(), guest: bool(), info: bool(), flags_include: str() }),
      disk: block({
        device_exclude: str('^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$'),
        device_include: str(),
      }),
      ethtool: block({ device_exclude: str(), device_include: str(), metrics_include: str('.*') }),
      filesystem: block({
        fs_types_exclude: str(FS_TYPES_EXCLUDE),
        mount_points_exclude: str(FS_MOUNT_POINTS_EXCLUDE),
        mount_timeout: { type: t.duration(), default: 5_000 },
      }),
      hwmon: block({ chip_exclude: str(), chip_include: str() }),
      ipvs: block({ backend_labels: strings() }),
      ntp: block({
        ip_ttl: { type: t.int(), default: 1 },
        local_offset_tolerance: { type: t.duration(), default: 1 },
        max_distance: { type: t.duration(), default: 3_466.08 },
        protocol_version: { type: t.int(), default: 4 },
        server: str('127.0.0.1'),
        server_is_local: bool(),
      }),
      netclass: block({ ignore_invalid_speed_device: bool(), ignored_devices: str('^$') }),
      netdev: block({ address_info: bool(), device_exclude: str(), device_include: str() }),
      netstat: block({ fields: str(NETSTAT_FIELDS) }),
      perf: block({
        cpus: str(),
        tracepoint: strings(),
        disable_hardware_profilers: bool(),
        disable_software_profilers: bool(),
        disable_cache_profilers: bool(),
        hardware_profilers: strings(),
        software_profilers: strings(),
        cache_profilers: strings(),
      }),
      powersupply: block({ ignored_supplies: str('^$') }),
      runit: block({ service_dir: str('/etc/service') }),
      supervisord: block({ url: str('http://localhost:9001/RPC2') }),
      sysctl: block({ include: strings(), include_info: strings() }),
      systemd: block({
        enable_restarts: bool(),
        start_time: bool(),
        task_metrics: bool(),
        unit_exclude: str('.+\\.(automount|device|mount|scope|slice)'),
        unit_include: str('.+'),
      }),
      tapestats: block({ ignored_devices: str('^$') }),
      textfile: block({ directory: str() }),
      vmstat: block({ fields: str('^(oom_kill|pgpg|pswp|pg.*fault).*') }),
    },
  },
  exports: { targets: t.targets() },
};
