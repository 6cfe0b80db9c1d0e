import type { ComponentRegistration } from '../../../runtime/component.js';
import type { AttrSpec, BlockFieldSpec } from '../../../runtime/schema.js';
import { t } from '../../../runtime/schema.js';
import { Exporter, ExpositionWriter } from './exporter.js';
import { COLLECTORS, type CollectorOptions } from './unix-collectors.js';

const str = (def?: string): AttrSpec =>
  def === undefined ? { type: t.string() } : { type: t.string(), default: def };
const bool = (): AttrSpec => ({ type: t.bool() });
const strings = (): AttrSpec => ({ type: t.list(t.string()) });
const block = (attrs: Record<string, AttrSpec>): BlockFieldSpec => ({
  schema: { attrs },
  defaultIfAbsent: true,
});

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
  build: (opts, args) => new UnixExporter(opts, args, 'unix'),
};

/** The collectors this engine implements; node_exporter's other default collectors are not run. */
const DEFAULT_COLLECTORS = Object.keys(COLLECTORS);

/** Collectors to run: `set_collectors` replaces the defaults, then `enable_`/`disable_collectors` apply (as Alloy). */
export function selectCollectors(a: {
  set_collectors?: string[];
  enable_collectors?: string[];
  disable_collectors?: string[];
}): {
  run: string[];
  unsupported: string[];
} {
  const chosen = new Set(a.set_collectors?.length ? a.set_collectors : DEFAULT_COLLECTORS);
  for (const c of a.enable_collectors ?? []) chosen.add(c);
  for (const c of a.disable_collectors ?? []) chosen.delete(c);
  const run = [...chosen].filter((c) => c in COLLECTORS).sort();
  const unsupported = [...chosen].filter((c) => !(c in COLLECTORS)).sort();
  return { run, unsupported };
}

/** `prometheus.exporter.unix`: node_exporter's cpu, meminfo, loadavg, filesystem, netdev, diskstats, uname and time collectors. */
class UnixExporter extends Exporter<any> {
  private warned = '';

  protected async metrics(): Promise<string> {
    const a = this.args;
    const { run, unsupported } = selectCollectors(a);
    const key = unsupported.join(',');
    if (key && key !== this.warned) {
      this.warned = key;
      this.opts.logger.warn('collectors not implemented by this engine are skipped', { collectors: key });
    }
    const o: CollectorOptions = {
      paths: { procfs: a.procfs_path, sysfs: a.sysfs_path, rootfs: a.rootfs_path },
      diskDeviceExclude: a.disk?.device_exclude ?? '',
      diskDeviceInclude: a.disk?.device_include ?? '',
      fsMountPointsExclude: a.filesystem?.mount_points_exclude ?? '',
      fsTypesExclude: a.filesystem?.fs_types_exclude ?? '',
      netdevDeviceExclude: a.netdev?.device_exclude ?? '',
      netdevDeviceInclude: a.netdev?.device_include ?? '',
    };
    const w = new ExpositionWriter();
    const results: [string, number, boolean][] = [];
    for (const name of run) {
      const start = performance.now();
      const part = new ExpositionWriter();
      let ok = true;
      try {
        await COLLECTORS[name]!(part, o);
        w.append(part);
      } catch (err) {
        ok = false;
        this.opts.logger.error('collector failed', { collector: name, err: (err as Error).message });
      }
      results.push([name, (performance.now() - start) / 1000, ok]);
    }
    w.family(
      'node_scrape_collector_duration_seconds',
      'gauge',
      'node_exporter: Duration of a collector scrape.',
    );
    for (const [c, d] of results) w.sample('node_scrape_collector_duration_seconds', { collector: c }, d);
    w.family('node_scrape_collector_success', 'gauge', 'node_exporter: Whether a collector succeeded.');
    for (const [c, , ok] of results) w.sample('node_scrape_collector_success', { collector: c }, ok ? 1 : 0);
    return w.text();
  }
}
