/**
 * `local.file`: exposes the contents of a file as `content` (a secret when `is_secret`), re-reading it
 * on change — watched with fs.watch on its directory (`detector = "fsnotify"`) or polled every
 * `poll_frequency` (`"poll"`) — and in any case every `poll_frequency` as a safety net.
 * While the file cannot be read the component is unhealthy and keeps exporting the last content
 * (as Alloy 1.18 local.file).
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Gauge } from 'prom-client';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../runtime/component.js';
import { health, type Health } from '../../runtime/health.js';
import { t } from '../../runtime/schema.js';
import { Secret } from '../../syntax/value.js';

export interface LocalFileArgs {
  filename: string;
  detector: 'fsnotify' | 'poll';
  /** Milliseconds. */
  poll_frequency: number;
  is_secret: boolean;
}

export class LocalFile implements Component<LocalFileArgs> {
  private args: LocalFileArgs;
  private content: string | undefined;
  private status: Health = health('unknown', 'not read yet');
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly lastAccessed: Gauge;

  /** @throws Error when the file cannot be read at build time (as Alloy fails the build). */
  constructor(
    private readonly opts: ComponentOptions,
    args: LocalFileArgs,
  ) {
    this.args = args;
    this.lastAccessed = new Gauge({
      name: 'local_file_timestamp_last_accessed_unix_seconds',
      help: 'The last successful access in unix seconds',
      registers: [opts.registry],
    });
    this.read(true);
  }

  /** Reads the file and publishes new content; on failure keeps the last content and turns unhealthy. */
  private read(throwOnError: boolean): void {
    let text: string;
    try {
      text = readFileSync(this.args.filename, 'utf8');
    } catch (err) {
      const msg = `failed to read file: ${(err as Error).message}`;
      this.status = health('unhealthy', msg);
      if (throwOnError) throw new Error(msg);
      this.opts.logger.error('failed to read file', {
        path: this.args.filename,
        err: (err as Error).message,
      });
      return;
    }
    this.lastAccessed.set(Date.now() / 1000);
    this.status = health('healthy', 'read file');
    this.content = text;
    this.publish();
  }

  private publish(): void {
    const text = this.content ?? '';
    this.opts.onStateChange({ content: this.args.is_secret ? new Secret(text) : text });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.startWatching();
    await untilAborted(signal);
    this.stopWatching();
  }

  private startWatching(): void {
    this.stopWatching();
    const reread = () => this.read(false);
    this.poller = setInterval(reread, Math.max(10, this.args.poll_frequency));
    if (this.args.detector !== 'fsnotify') return;
    const path = resolve(this.args.filename);
    const name = basename(path);
    try {
      // The directory, not the file: editors and Kubernetes replace files by renaming over them.
      this.watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
        if (changed && changed !== name && !name.startsWith('..')) return;
        clearTimeout(this.debounce);
        this.debounce = setTimeout(reread, 10);
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // Directory missing: polling covers it until the next update.
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.poller);
    clearTimeout(this.debounce);
    this.poller = undefined;
  }

  update(args: LocalFileArgs): void {
    const rewatch =
      args.filename !== this.args.filename ||
      args.detector !== this.args.detector ||
      args.poll_frequency !== this.args.poll_frequency;
    const secretChanged = args.is_secret !== this.args.is_secret;
    this.args = args;
    if (rewatch) {
      this.read(true);
      if (this.poller) this.startWatching();
    } else if (secretChanged) this.publish();
  }

  health(): Health {
    return this.status;
  }
}

/** Registration of `local.file` (arguments as Alloy 1.18 local.file). */
export const localFile: ComponentRegistration<LocalFileArgs> = {
  name: 'local.file',
  stability: 'generally-available',
  args: {
    attrs: {
      filename: { type: t.string(), required: true },
      detector: { type: t.string(), default: 'fsnotify' },
      poll_frequency: { type: t.duration(), default: 60_000 },
      is_secret: { type: t.bool(), default: false },
    },
    validate: (a) => {
      if (a.detector !== 'fsnotify' && a.detector !== 'poll')
        return `unknown detector ${JSON.stringify(a.detector)}, expected one of "fsnotify" or "poll"`;
      if (a.poll_frequency <= 0) return 'poll_frequency must be greater than 0';
      return undefined;
    },
  },
  exports: { content: t.optionalSecret() },
  build: (opts, args) => new LocalFile(opts, args),
};
