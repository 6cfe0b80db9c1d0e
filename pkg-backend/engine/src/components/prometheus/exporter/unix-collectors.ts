/**
 * The node_exporter collectors `prometheus.exporter.unix` implements, reading Linux procfs/sysfs with
 * node_exporter's metric names and labels: cpu, meminfo, loadavg, filesystem, netdev, diskstats,
 * uname, time. Each collector appends to an ExpositionWriter and throws on failure (reported through
 * `node_scrape_collector_success`).
 */
import { readFile } from 'node:fs/promises';
import { statfs } from 'node:fs/promises';
import type { StatsFs } from 'node:fs';
import { machine, release, version } from 'node:os';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import type { ExpositionWriter } from './exporter.js';

export interface CollectorPaths {
  procfs: string;
  sysfs: string;
  rootfs: string;
}

export interface CollectorOptions {
  paths: CollectorPaths;
  /** Unanchored RE2 patterns, as node_exporter's flags. */
  diskDeviceExclude: string;
  diskDeviceInclude: string;
  fsMountPointsExclude: string;
  fsTypesExclude: string;
  netdevDeviceExclude: string;
  netdevDeviceInclude: string;
}

export type Collector = (w: ExpositionWriter, o: CollectorOptions) => Promise<void>;

/** USER_HZ on Linux: /proc/stat counts in 1/100 s. */
const USER_HZ = 100;
const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

/** statfs results as numbers (the number variant of Node's StatsFs). */
type StatFs = StatsFs;

function matcher(pattern: string): ((s: string) => boolean) | undefined {
  if (!pattern) return undefined;
  const re = RE2JS.compile(pattern);
  return (s) => re.test(s);
}

async function cpu(w: ExpositionWriter, o: CollectorOptions): Promise<void> {
  const text = await readFile(join(o.paths.procfs, 'stat'), 'utf8');
  w.family('node_cpu_seconds_total', 'counter', 'Seconds the CPUs spent in each mode.');
  const guest: [string, number[]][] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    CPU_MODES.forEach((mode, i) =>
      w.sample('node_cpu_seconds_total', { cpu: m[1]!, mode }, (f[i] ?? 0) / USER_HZ),
    );
    guest.push([m[1]!, [f[8] ?? 0, f[9] ?? 0]]);
  }
  w.family(
    'node_cpu_guest_seconds_total',
    'counter',
    'Seconds the CPUs spent in guests (VMs) for each mode.',
  );
  for (const [c, [user, nice]] of guest) {
    w.sample('node_cpu_guest_seconds_total', { cpu: c, mode: 'nice' }, nice! / USER_HZ);
    w.sample('node_cpu_guest_seconds_total', { cpu: c, mode: 'user' }, user! / USER_HZ);
  }
}

async function meminfo(w: ExpositionWriter, o: CollectorOptions): Promise<void> {
  const text = await readFile(join(o.paths.procfs, 'meminfo'), 'utf8');
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)\s*(kB)?$/.exec(line.trim());
    if (!m) continue;
    // node_exporter: "Active(anon)" → "Active_anon"; kB values become bytes with a _bytes suffix.
    const key = m[1]!.replace(/\((.*)\)/, '_$1');
    const name = `node_memory_${key}${m[3] ? '_bytes' : ''}`;
    w.family(name, 'gauge', `Memory information field ${key}${m[3] ? '_bytes' : ''}.`);
    w.sample(name, undefined, Number(m[2]) * (m[3] ? 1024 : 1));
  }
}

async function loadavg(w: ExpositionWriter, o: CollectorOptions): Promise<void> {
  const f = (await readFile(join(o.paths.procfs, 'loadavg'), 'utf8')).trim().split(/\s+/);
  for (const [i, n] of ['1', '5', '15'].entries()) {
    w.family(`node_load${n}`, 'gauge', `${n}m load average.`).sample(
      `node_load${n}`,
      undefined,
      Number(f[i]),
    );
  }
}

async function filesystem(w: ExpositionWriter, o: CollectorOptions): Promise<void> {
  let mounts: string;
  try {
    mounts = await readFile(join(o.paths.procfs, '1/mounts'), 'utf8');
  } catch {
    mounts = await readFile(join(o.paths.procfs, 'mounts'), 'utf8');
  }
  const excludeMount = matcher(o.fsMountPointsExclude);
  const excludeType = matcher(o.fsTypesExclude);
  const rows: { labels: Record<string, string>; st?: StatFs; ro: number }[] = [];
  const seen = new Set<string>();
  for (const line of mounts.split('\n')) {
    const [device, rawMount, fstype, options] = line.split(' ');
    if (!device || !rawMount || !fstype) continue;
    // /proc/mounts escapes spaces and tabs as octal.
    const mountpoint = rawMount.replace(/\\(\d{3})/g, (_, oct: string) =>
      String.fromCharCode(parseInt(oct, 8)),
    );
    if (excludeMount?.(mountpoint) || excludeType?.(fstype)) continue;
    const key = `${device}\0${mountpoint}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const labels = { device, fstype, mountpoint };
    const ro = (options ?? '').split(',').includes('ro') ? 1 : 0;
    try {
      rows.push({ labels, st: await statfs(join(o.paths.rootfs, mountpoint)), ro });
    } catch {
      rows.push({ labels, ro });
    }
  }
  const fam = (name: string, help: string, f: (st: StatFs) => number) => {
    w.family(name, 'gauge', help);
    for (const r of rows) if (r.st) w.sample(name, r.labels, f(r.st));
  };
  fam(
    'node_filesystem_avail_bytes',
    'Filesystem space available to non-root users in bytes.',
    (s) => s.bavail * s.bsize,
  );
  w.family(
    'node_filesystem_device_error',
    'gauge',
    'Whether an error occurred while getting statistics for the given device.',
  );
  for (const r of rows) w.sample('node_filesystem_device_error', r.labels, r.st ? 0 : 1);
  fam('node_filesystem_files', 'Filesystem total file nodes.', (s) => s.files);
  fam('node_filesystem_files_free', 'Filesystem total free file nodes.', (s) => s.ffree);
  fam('node_filesystem_free_bytes', 'Filesystem free space in bytes.', (s) => s.bfree * s.bsize);
  w.family('node_filesystem_readonly', 'gauge', 'Filesystem read-only status.');
  for (const r of rows) w.sample('node_filesystem_readonly', r.labels, r.ro);
  fam('node_filesystem_size_bytes', 'Filesystem size in bytes.', (s) => s.blocks * s.bsize);
}

const NETDEV_FIELDS = [
  ['receive', 'bytes'],
  ['receive', 'packets'],
  ['receive', 'errs'],
  ['receive', 'drop'],
  ['receive', 'fifo'],
  ['receive', 'frame'],
  ['receive', 'compressed'],
  ['receive', 'multicast'],
  ['transmit', 'bytes'],
  ['transmit', 'packets'],
  ['transmit', 'errs'],
  ['transmit', 'drop'],
  ['transmit', 'fifo'],
  ['transmit', 'colls'],
  ['transmit', 'carrier'],
  ['transmit', 'compressed'],
] as const;

async function netdev(w: ExpositionWriter, o: CollectorOptions): Promise<void> {
  const text = await readFile(join(o.paths.procfs, 'net/dev'), 'utf8');
  const exclude = matcher(o.netdevDeviceExclude);
  const include = matcher(o.netdevDeviceInclude);
  const devices: [string, number[]][] = [];
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const dev = line.slice(0, i).trim();
    if (exclude?.(dev) || (include && !include(dev))) continue;
    devices.push([
      dev,
      line
        .slice(i + 1)
        .trim()
        .split(/\s+/)
        .map(Number),
    ]);
  }
  NETDEV_FIELDS.forEach(([dir, field], idx) => {
    const name = `node_network_${dir}_${field}_total`;
    w.family(name, 'counter', `Network device statistic ${dir}_${field}.`);
    for (const [dev, f] of devices) w.sample(name, { device: dev }, f[idx] ?? 0);
  });
}

/** /proc/diskstats columns after major, minor, name (node_exporter diskstats_linux.go). */
const DISK_FIELDS: [string, string, 'counter' | 'gauge', number][] = [
  ['node_disk_reads_completed_total', 'The total number of reads completed successfully.', 'counter', 1],
  ['node_disk_reads_merged_total', 'The total number of reads merged.', 'counter', 1],
  ['node_disk_read_bytes_total', 'The total number of bytes read successfully.', 'counter', 512],
  ['node_disk_read_time_seconds_total', 'The total number of seconds spent by all reads.', 'counter', 0.001],
  ['node_disk_writes_completed_total', 'The total number of writes completed successfully.', 'counter', 1],
  ['node_disk_writes_merged_total', 'The number of writes merged.', 'counter', 1],
  ['node_disk_written_bytes_total', 'The total number of bytes written successfully.', 'counter', 512],
  [
    'node_disk_write_time_seconds_total',
    'This is the total number of seconds spent by all writes.',
    'counter',
    0.001,
  ],
  ['node_disk_io_now', 'The number of I/Os currently in progress.', 'gauge', 1],
  ['node_disk_io_time_seconds_total', 'Total seconds spent doing I/Os.', 'counter', 0.001],
  [
    'node_disk_io_time_weighted_seconds_total',
    'The weighted # of seconds spent doing I/Os.',
    'counter',
    0.001,
  ],
];

async function diskstats(w: ExpositionWriter, o: CollectorOptions): Promise<void> {
  const text = await readFile(join(o.paths.procfs, 'diskstats'), 'utf8');
  const exclude = matcher(o.diskDeviceExclude);
  const include = matcher(o.diskDeviceInclude);
  const devices: [string, number[]][] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const dev = f[2]!;
    if (exclude?.(dev) || (include && !include(dev))) continue;
    devices.push([dev, f.slice(3).map(Number)]);
  }
  DISK_FIELDS.forEach(([name, help, type, scale], idx) => {
    w.family(name, type, help);
    for (const [dev, f] of devices) w.sample(name, { device: dev }, (f[idx] ?? 0) * scale);
  });
}

async function uname(w: ExpositionWriter, o: CollectorOptions): Promise<void> {
  const read = (p: string) =>
    readFile(join(o.paths.procfs, p), 'utf8').then(
      (s) => s.trim(),
      () => '',
    );
  w.family('node_uname_info', 'gauge', 'Labeled system information as provided by the uname system call.');
  w.sample(
    'node_uname_info',
    {
      domainname: (await read('sys/kernel/domainname')) || '(none)',
      machine: machine(),
      nodename: (await read('sys/kernel/hostname')) || '',
      release: release(),
      sysname: 'Linux',
      version: version(),
    },
    1,
  );
}

async function time(w: ExpositionWriter): Promise<void> {
  const now = Date.now() / 1000;
  w.family('node_time_seconds', 'gauge', 'System time in seconds since epoch (1970).').sample(
    'node_time_seconds',
    undefined,
    now,
  );
  // The zone abbreviation, as Go's time.Now().Zone().
  const zone = new Date().toLocaleTimeString('en-US', { timeZoneName: 'short' }).split(' ').pop() || 'UTC';
  w.family('node_time_zone_offset_seconds', 'gauge', 'System time zone offset in seconds.');
  w.sample('node_time_zone_offset_seconds', { time_zone: zone }, -new Date().getTimezoneOffset() * 60);
}

/** Implemented collectors by node_exporter name. */
export const COLLECTORS: Record<string, Collector> = {
  cpu,
  meminfo,
  loadavg,
  filesystem,
  netdev,
  diskstats,
  uname,
  time,
};
