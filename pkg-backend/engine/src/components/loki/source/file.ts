/**
 * `loki.source.file`: tails the files named by `targets` (`__path__`; a glob when `file_match.enabled`)
 * and forwards each line to `forward_to` as a LogEntry with the target's labels minus `__`-prefixed ones,
 * plus `filename` = path, timestamped with the read time (ns). Behaviour follows Alloy 1.18
 * (`internal/component/loki/source/file/{file,tailer,resolver}.go`); the tailing, rotation and delivery
 * design is documented in `file/tailer.ts`, the positions file in `file/positions.ts`.
 *
 * One tailer runs per (path, labels) — the positions key. New targets start tailers, vanished ones are
 * stopped and their position removed (kept when the component itself stops). A target whose file does not
 * exist (or is a directory) is logged and skipped until the targets are resolved again — on the next
 * update, or every `file_match.sync_period` when `file_match` is enabled. Changes to `encoding`,
 * `file_watch`, `tail_from_end` or `decompression` apply to tailers started afterwards (as Alloy).
 *
 * Metrics (Alloy's): `loki_source_file_read_bytes_total{path}` (gauge: committed offset, bytes),
 * `loki_source_file_file_bytes_total{path}` (gauge: file size, bytes), `loki_source_file_read_lines_total{path}`,
 * `loki_source_file_files_active_total`; Foundry adds `loki_source_file_encoding_failures_total{path}`
 * (lines that were not valid in the file's encoding; they are forwarded with U+FFFD replacements).
 *
 * Deviations: `bz2` decompression is not implemented (build fails with a clear error); an unknown
 * `encoding` fails the build instead of every tailer; a saved offset beyond the end of the file restarts
 * the file from 0 (Alloy keeps the offset and effectively skips the file).
 */
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { labelsFromRecord } from '../../prometheus/labels.js';
import { fanoutLogs, type LogEntry, type LogsReceiver } from '../entry.js';
import { glob, pathMatch } from './file/glob.js';
import { convertLegacyPositionsFile, Positions } from './file/positions.js';
import { codecFor } from './file/reader.js';
import { Tailer, type OnPositionsFileError, type TailerMetrics } from './file/tailer.js';

const POSITIONS_FILE_ERRORS = ['skip', 'restart_from_end', 'restart_from_beginning'];
const COMPRESSION_FORMATS = ['gz', 'z', 'bz2'];

export interface LokiSourceFileArgs {
  targets: Record<string, string>[];
  forward_to: LogsReceiver[];
  encoding?: string;
  tail_from_end?: boolean;
  legacy_positions_file?: string;
  on_positions_file_error: OnPositionsFileError;
  /** `initial_delay` in ms. */
  decompression?: { enabled: boolean; format: string; initial_delay?: number };
  /** Milliseconds. */
  file_watch: { min_poll_frequency: number; max_poll_frequency: number };
  /** Milliseconds. */
  file_match: { enabled: boolean; sync_period: number; ignore_older_than?: number };
}

/** Go's strconv.Quote for label values (printable Unicode kept, control characters escaped). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** Go `model.LabelSet.String()`: `{a="1", b="2"}`, sorted by name; `{}` when empty. */
export function labelSetString(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${goQuote(labels[n]!)}`).join(', ')}}`;
}

/** A target's labels without the reserved (`__`-prefixed) ones (discovery.Target.NonReservedLabelSet). */
export function nonReserved(target: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(target)) if (!k.startsWith('__')) out[k] = v;
  return out;
}

interface Resolved {
  path: string;
  labels: Record<string, string>;
}

class LokiSourceFile implements Component<LokiSourceFileArgs> {
  private args: LokiSourceFileArgs;
  private receivers: LogsReceiver[];
  private readonly positions: Positions;
  private readonly metrics: TailerMetrics;
  private readonly tailers = new Map<string, Tailer>();
  /** Tailers being stopped, by key: a returning target waits for its predecessor. */
  private readonly stopping = new Map<string, Promise<void>>();
  private running = false;
  private componentStopping = false;
  private scheduling: Promise<void> | undefined;
  private rescheduleRequested = false;
  private syncTimer: NodeJS.Timeout | undefined;

  /**
   * @throws Error for an unsupported encoding or compression format, an unreadable legacy positions file,
   * or a positions file that is not valid YAML (as Alloy, which refuses to start rather than re-read logs).
   */
  constructor(
    private readonly opts: ComponentOptions,
    args: LokiSourceFileArgs,
  ) {
    checkArgs(args);
    this.args = args;
    this.receivers = args.forward_to;
    mkdirSync(opts.dataPath, { recursive: true, mode: 0o750 });
    const positionsPath = join(opts.dataPath, 'positions.yml');
    if (args.legacy_positions_file)
      convertLegacyPositionsFile(args.legacy_positions_file, positionsPath, opts.logger);
    this.positions = new Positions(positionsPath, opts.logger);
    const registers = [opts.registry];
    this.metrics = {
      readBytes: new Gauge({
        name: 'loki_source_file_read_bytes_total',
        help: 'Number of bytes read.',
        labelNames: ['path'],
        registers,
      }),
      totalBytes: new Gauge({
        name: 'loki_source_file_file_bytes_total',
        help: 'Number of bytes total.',
        labelNames: ['path'],
        registers,
      }),
      readLines: new Counter({
        name: 'loki_source_file_read_lines_total',
        help: 'Number of lines read.',
        labelNames: ['path'],
        registers,
      }),
      filesActive: new Gauge({
        name: 'loki_source_file_files_active_total',
        help: 'Number of active files.',
        registers,
      }),
      encodingFailures: new Counter({
        name: 'loki_source_file_encoding_failures_total',
        help: 'Number of lines that were not valid in the configured encoding.',
        labelNames: ['path'],
        registers,
      }),
    };
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.resetSyncTimer();
    const positionsTimer = setInterval(() => {
      this.positions.save();
      this.positions.cleanup();
      this.positions.save();
    }, 10_000);
    this.schedule();
    await untilAborted(signal);
    this.opts.logger.info('loki.source.file component shutting down, stopping sources and positions file');
    this.componentStopping = true;
    this.running = false;
    clearInterval(this.syncTimer);
    clearInterval(positionsTimer);
    await this.scheduling;
    await Promise.all([...this.tailers.values()].map((t) => t.stop()));
    await Promise.all(this.stopping.values());
    this.tailers.clear();
    this.positions.save(true);
  }

  private resetSyncTimer(): void {
    clearInterval(this.syncTimer);
    this.syncTimer = setInterval(
      () => {
        if (this.args.file_match.enabled) this.schedule();
      },
      Math.max(10, this.args.file_match.sync_period),
    );
  }

  update(args: LokiSourceFileArgs): void {
    checkArgs(args);
    const periodChanged = args.file_match.sync_period !== this.args.file_match.sync_period;
    this.args = args;
    this.receivers = args.forward_to;
    if (!this.running) return;
    if (periodChanged) this.resetSyncTimer();
    this.schedule();
  }

  /** Reconciles tailers with the targets; runs are serialized (a request during a run runs once more). */
  private schedule(): void {
    if (this.scheduling) {
      this.rescheduleRequested = true;
      return;
    }
    this.scheduling = (async () => {
      do {
        this.rescheduleRequested = false;
        try {
          await this.reconcile();
        } catch (err) {
          this.opts.logger.error('failed to schedule sources', { error: (err as Error).message });
        }
      } while (this.rescheduleRequested && this.running);
      this.scheduling = undefined;
    })();
  }

  private async resolve(): Promise<Resolved[]> {
    const out: Resolved[] = [];
    for (const target of this.args.targets) {
      const path = target.__path__ ?? '';
      const labels = nonReserved(target);
      if (!this.args.file_match.enabled) {
        out.push({ path, labels });
        continue;
      }
      let matches: string[];
      try {
        matches = await glob(path);
      } catch (err) {
        this.opts.logger.error('failed to resolve target', { error: (err as Error).message });
        continue;
      }
      const exclude = target.__path_exclude__ ?? '';
      for (const m of matches) {
        if (exclude !== '') {
          try {
            if (pathMatch(exclude, m)) continue;
          } catch {
            // A bad exclude pattern excludes nothing (doublestar's error is ignored by Alloy).
          }
        }
        out.push({ path: resolve(m), labels });
      }
    }
    return out;
  }

  private async reconcile(): Promise<void> {
    const desired = new Set<string>();
    for (const r of await this.resolve()) {
      if (!this.running) return;
      const labelsKey = labelSetString(r.labels);
      const key = `${r.path}\u0000${labelsKey}`;
      if (desired.has(key)) continue;
      desired.add(key);
      if (this.tailers.has(key)) continue;
      await this.stopping.get(key);
      let st;
      try {
        st = statSync(r.path);
      } catch (err) {
        this.metrics.totalBytes.remove(r.path);
        this.opts.logger.error('failed to create source, skipping', {
          error: `failed to tail file, stat failed: ${(err as Error).message}`,
          path: r.path,
        });
        desired.delete(key);
        continue;
      }
      if (st.isDirectory()) {
        this.metrics.totalBytes.remove(r.path);
        this.opts.logger.error('failed to create source, skipping', {
          error: 'failed to tail file, is directory',
          path: r.path,
        });
        desired.delete(key);
        continue;
      }
      const fm = this.args.file_match;
      if (fm.enabled && fm.ignore_older_than && st.mtimeMs < Date.now() - fm.ignore_older_than) {
        desired.delete(key);
        continue;
      }
      this.metrics.totalBytes.labels(r.path).set(st.size);
      const dec = this.args.decompression?.enabled ? this.args.decompression : undefined;
      const tailer = new Tailer(
        {
          path: r.path,
          labelsKey,
          labels: labelsFromRecord({ ...r.labels, filename: r.path }),
          encoding: this.args.encoding ?? '',
          compression: dec ? (dec.format as 'gz' | 'z') : undefined,
          initialDelayMs: dec?.initial_delay ?? 0,
          minPollMs: this.args.file_watch.min_poll_frequency,
          maxPollMs: this.args.file_watch.max_poll_frequency,
          tailFromEnd: this.args.tail_from_end ?? false,
          onPositionsFileError: this.args.on_positions_file_error,
          legacyPositionUsed: !!this.args.legacy_positions_file,
        },
        {
          positions: this.positions,
          metrics: this.metrics,
          logger: this.opts.logger,
          forward: (entries: LogEntry[]) => fanoutLogs(this.receivers, entries),
        },
      );
      this.tailers.set(key, tailer);
      tailer.start();
    }
    for (const [key, tailer] of [...this.tailers]) {
      if (desired.has(key)) continue;
      this.tailers.delete(key);
      const done = tailer.stop().then(() => {
        // A vanished target's position is forgotten; a stopping component keeps every position.
        if (!this.componentStopping && !tailer.opts.compression) {
          this.positions.remove(tailer.opts.path, tailer.opts.labelsKey);
          this.positions.save();
        }
        this.stopping.delete(key);
      });
      this.stopping.set(key, done);
    }
  }

  debugInfo(): unknown {
    return {
      targets_info: [...this.tailers.values()].map((t) => ({
        path: t.opts.path,
        labels: t.opts.labelsKey,
        is_running: t.running,
        read_offset: t.readOffset(),
      })),
      positions_file: this.positions.file,
    };
  }
}

/** @throws Error for arguments this engine cannot run (see the module doc's deviations). */
function checkArgs(args: LokiSourceFileArgs): void {
  codecFor(args.encoding ?? '');
  if (args.decompression?.enabled && args.decompression.format === 'bz2')
    throw new Error('decompression format "bz2" is not supported by this engine yet (use "gz" or "z")');
}

/** loki.source.file — arguments as Alloy 1.18 loki.source.file (`internal/component/loki/source/file/file.go`). */
export const lokiSourceFile: ComponentRegistration<LokiSourceFileArgs> = {
  name: 'loki.source.file',
  stability: 'generally-available',
  args: {
    attrs: {
      targets: { type: t.targets(), required: true },
      forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true },
      encoding: { type: t.string() },
      tail_from_end: { type: t.bool() },
      legacy_positions_file: { type: t.string() },
      on_positions_file_error: { type: t.string(), default: 'restart_from_beginning' },
    },
    blocks: {
      decompression: {
        schema: {
          attrs: {
            enabled: { type: t.bool(), required: true },
            initial_delay: { type: t.duration() },
            format: { type: t.string(), required: true },
          },
          validate: (a) =>
            COMPRESSION_FORMATS.includes(a.format)
              ? undefined
              : `unsupported compression format: ${JSON.stringify(a.format)} - please use one of ${JSON.stringify(COMPRESSION_FORMATS.join(', '))}`,
        },
      },
      file_watch: {
        defaultIfAbsent: true,
        schema: {
          attrs: {
            min_poll_frequency: { type: t.duration(), default: 250 },
            max_poll_frequency: { type: t.duration(), default: 250 },
          },
        },
      },
      file_match: {
        defaultIfAbsent: true,
        schema: {
          attrs: {
            enabled: { type: t.bool(), default: false },
            sync_period: { type: t.duration(), default: 10_000 },
            ignore_older_than: { type: t.duration() },
          },
          validate: (a) => (a.sync_period <= 0 ? 'sync period must be greater than 0' : undefined),
        },
      },
    },
    validate: (a) =>
      POSITIONS_FILE_ERRORS.includes(a.on_positions_file_error)
        ? undefined
        : `unknown OnPositionsFileError value: ${a.on_positions_file_error}`,
  },
  build: (opts, args) => new LokiSourceFile(opts, args),
};
