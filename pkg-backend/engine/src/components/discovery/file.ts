/**
 * `discovery.file`: targets from Prometheus file_sd files (JSON or YAML: `[{targets: [...], labels: {...}}]`),
 * re-read on change (fs.watch on their directories) and every `refresh_interval`. Each target gets
 * `__address__`, the group's labels and `__meta_filepath`. The last path segment may contain `*` (as
 * Prometheus file_sd). A file that fails to read or parse keeps its previous targets and is counted.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Counter, Histogram } from 'prom-client';
import { parse as parseYAML } from 'yaml';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';

export interface DiscoveryFileArgs {
  files: string[];
  /** Milliseconds. */
  refresh_interval: number;
}

type Target = Record<string, string>;

/** Parses one file_sd document. @throws Error with the reason when the shape is wrong. */
export function parseFileSD(text: string, path: string): Target[] {
  const ext = extname(path).toLowerCase();
  const doc: unknown = ext === '.json' ? JSON.parse(text) : parseYAML(text);
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new Error('expected a list of target groups');
  const out: Target[] = [];
  for (const group of doc) {
    if (!group || typeof group !== 'object') throw new Error('target group must be an object');
    const { targets, labels } = group as { targets?: unknown; labels?: unknown };
    if (!Array.isArray(targets)) throw new Error('target group needs a "targets" list');
    const common: Target = {};
    if (labels !== undefined && labels !== null) {
      if (typeof labels !== 'object') throw new Error('"labels" must be a map');
      for (const [k, v] of Object.entries(labels as object)) {
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) throw new Error(`"${k}" is not a valid label name`);
        if (typeof v !== 'string') throw new Error(`label "${k}" must have a string value`);
        common[k] = v;
      }
    }
    for (const addr of targets) {
      if (typeof addr !== 'string' || addr === '') throw new Error('targets must be non-empty strings');
      out.push({ ...common, __address__: addr, __meta_filepath: path });
    }
  }
  return out;
}

/** Expands a pattern whose last segment may contain `*`. */
async function expand(pattern: string): Promise<string[]> {
  const base = basename(pattern);
  if (!base.includes('*')) return [pattern];
  const dir = dirname(pattern);
  const re = new RegExp(
    '^' +
      base
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*') +
      '$',
  );
  try {
    return (await readdir(dir))
      .filter((n) => re.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

class DiscoveryFile implements Component<DiscoveryFileArgs> {
  private args: DiscoveryFileArgs;
  private readonly byFile = new Map<string, Target[]>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly readErrors: Counter;
  private readonly scanDuration: Histogram;
  private running = false;

  constructor(
    private readonly opts: ComponentOptions,
    args: DiscoveryFileArgs,
  ) {
    this.args = args;
    this.readErrors = new Counter({
      name: 'prometheus_sd_file_read_errors_total',
      help: 'The number of File-SD read errors.',
      registers: [opts.registry],
    });
    this.scanDuration = new Histogram({
      name: 'prometheus_sd_file_scan_duration_seconds',
      help: 'The duration of the File-SD scan in seconds.',
      registers: [opts.registry],
    });
    opts.onStateChange({ targets: [] });
  }

  /** Re-reads every matching file and publishes the merged targets (in file order). */
  async refresh(): Promise<void> {
    const end = this.scanDuration.startTimer();
    const paths = (await Promise.all(this.args.files.map(expand))).flat();
    const live = new Set(paths);
    for (const p of [...this.byFile.keys()]) if (!live.has(p)) this.byFile.delete(p);
    for (const p of paths) {
      try {
        this.byFile.set(p, parseFileSD(await readFile(p, 'utf8'), p));
      } catch (err) {
        this.readErrors.inc();
        this.opts.logger.error('error reading file', { path: p, err: (err as Error).message });
      }
    }
    end();
    this.opts.onStateChange({ targets: paths.flatMap((p) => this.byFile.get(p) ?? []) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.restart();
    await untilAborted(signal);
    this.running = false;
    this.stop();
  }

  private restart(): void {
    this.stop();
    const schedule = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.refresh(), 50);
    };
    for (const dir of new Set(this.args.files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, { persistent: false }, schedule);
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // A missing directory is covered by the periodic refresh.
      }
    }
    this.timer = setInterval(() => void this.refresh(), Math.max(10, this.args.refresh_interval));
    void this.refresh();
  }

  private stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    clearInterval(this.timer);
    clearTimeout(this.debounce);
  }

  update(args: DiscoveryFileArgs): void {
    this.args = args;
    if (this.running) this.restart();
  }
}

/** discovery.file — arguments as Alloy 1.18 discovery.file (`internal/component/discovery/file/file.go`). */
export const discoveryFile: ComponentRegistration<DiscoveryFileArgs> = {
  name: 'discovery.file',
  stability: 'generally-available',
  args: {
    attrs: {
      files: { type: t.list(t.string()), required: true },
      refresh_interval: { type: t.duration(), default: 300_000 },
    },
  },
  exports: { targets: t.targets() },
  build: (opts, args) => new DiscoveryFile(opts, args),
};
