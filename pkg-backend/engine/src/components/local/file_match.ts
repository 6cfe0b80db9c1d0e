/**
 * `local.file_match`: expands the `__path__` glob of each target in `path_targets` (doublestar syntax:
 * `*`, `?`, `[…]`, `{a,b}`, `**` for any number of directories — see `loki/source/file/glob.ts`) and exports
 * one target per matching regular file: the original target's labels (including `__path_exclude__`) with
 * `__path__` set to the file's absolute path. Matches of `__path_exclude__` (a glob matched against the
 * path as globbed) are left out, as are directories, files that cannot be stat'ed and — when
 * `ignore_older_than` is set — files last modified longer ago than that.
 *
 * The targets are computed when the component starts, on every update, and every `sync_period` (as Alloy
 * 1.18 `internal/component/local/file_match/{file,watch}.go`); until the first run they are `[]`.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { glob, pathMatch } from '../loki/source/file/glob.js';

export interface LocalFileMatchArgs {
  path_targets: Record<string, string>[];
  /** Milliseconds. */
  sync_period: number;
  /** Milliseconds; 0 or absent = no age limit. */
  ignore_older_than?: number;
}

type Target = Record<string, string>;

/** Expands one path target into file targets. @throws BadPatternError for an invalid `__path__` glob. */
export async function matchTarget(
  target: Target,
  ignoreOlderThanMs: number,
  now = Date.now(),
): Promise<Target[]> {
  const out: Target[] = [];
  const exclude = target.__path_exclude__ ?? '';
  for (const m of await glob(target.__path__ ?? '')) {
    if (exclude !== '') {
      try {
        if (pathMatch(exclude, m)) continue;
      } catch {
        // An invalid exclude pattern matches nothing (Alloy ignores doublestar's error).
      }
    }
    const abs = resolve(m);
    let st;
    try {
      st = await stat(abs);
    } catch {
      continue;
    }
    if (st.isDirectory()) continue;
    if (ignoreOlderThanMs > 0 && st.mtimeMs < now - ignoreOlderThanMs) continue;
    out.push({ ...target, __path__: abs });
  }
  return out;
}

class LocalFileMatch implements Component<LocalFileMatchArgs> {
  private args: LocalFileMatchArgs;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly opts: ComponentOptions,
    args: LocalFileMatchArgs,
  ) {
    this.args = args;
    opts.onStateChange({ targets: [] });
  }

  /** Recomputes and publishes the targets; calls during a refresh cause exactly one more refresh. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        const targets: Target[] = [];
        for (const target of this.args.path_targets) {
          try {
            targets.push(...(await matchTarget(target, this.args.ignore_older_than ?? 0)));
          } catch (err) {
            this.opts.logger.error('error getting paths', {
              path: target.__path__ ?? '',
              excluded: target.__path_exclude__ ?? '',
              err: (err as Error).message,
            });
          }
        }
        if (this.running) this.opts.onStateChange({ targets });
      } while (this.again && this.running);
      this.refreshing = undefined;
    })();
    return this.refreshing;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.resetTimer();
    void this.refresh();
    await untilAborted(signal);
    this.running = false;
    clearInterval(this.timer);
    await this.refreshing;
  }

  private resetTimer(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.refresh(), Math.max(10, this.args.sync_period));
  }

  update(args: LocalFileMatchArgs): void {
    this.args = args;
    if (!this.running) return;
    this.resetTimer();
    void this.refresh();
  }
}

/** local.file_match — arguments as Alloy 1.18 local.file_match (`internal/component/local/file_match/file.go`). */
export const localFileMatch: ComponentRegistration<LocalFileMatchArgs> = {
  name: 'local.file_match',
  stability: 'generally-available',
  args: {
    attrs: {
      path_targets: { type: t.targets(), required: true },
      sync_period: { type: t.duration(), default: 10_000 },
      ignore_older_than: { type: t.duration() },
    },
  },
  exports: { targets: t.targets() },
  build: (opts, args) => new LocalFileMatch(opts, args),
};
