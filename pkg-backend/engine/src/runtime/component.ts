/**
 * The component contract (Alloy's `component.Registration` / `component.Component`).
 *
 * A registration declares its name, stability, argument schema (with defaults), exports schema and
 * `build`. An instance runs until its signal aborts, takes new arguments through `update`, and may
 * report its own health, debug info and serve HTTP under `/api/v0/component/<id>/`.
 * Components never import each other: data moves through receiver capsules in `forward_to`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Health } from './health.js';
import type { Logger } from './logger.js';
import type { BlockSchema, TypeSpec } from './schema.js';

export type Stability = 'experimental' | 'public-preview' | 'generally-available';

const STABILITY_RANK: Record<Stability, number> = {
  experimental: 0,
  'public-preview': 1,
  'generally-available': 2,
};

/** True when `level` is allowed under the minimum stability `min`. */
export function stabilityAllowed(level: Stability, min: Stability): boolean {
  return STABILITY_RANK[level] >= STABILITY_RANK[min];
}

export function isStability(s: string): s is Stability {
  return s in STABILITY_RANK;
}

export interface ComponentOptions {
  /** Global ID: `<module path>/<local ID>`, or the local ID at the root. */
  id: string;
  /** Local ID within its module (`prometheus.scrape.default`). */
  localID: string;
  logger: Logger;
  /** Registry whose metrics carry `component_path` and `component_id`. */
  registry: Registry;
  /** Per-component data directory under `--storage.path` (created on first use by the component). */
  dataPath: string;
  /** Publishes new exports; dependants are re-evaluated when they differ (deep equality). */
  onStateChange(exports: Record<string, unknown>): void;
  /**
   * `host:port` of the agent's HTTP server (`--server.http.listen-addr`): exporters publish targets
   * `{__address__ = httpAddress, __metrics_path__ = "/api/v0/component/<id>/metrics"}` served by their handler.
   */
  httpAddress: string;
  /** The agent's own metrics in the Prometheus text format (what `/metrics` serves). */
  selfMetrics(): Promise<string>;
}

/**
 * Resolves once `signal` aborts — at once when it already has, so a `run` that awaited its start-up
 * (binding a server) while the component was being removed still returns.
 */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((res) => signal.addEventListener('abort', () => res(), { once: true }));
}

export interface Component<Args = any> {
  /**
   * Runs until `signal` aborts (see untilAborted); should resolve after flushing. A rejection marks the
   * component exited.
   */
  run(signal: AbortSignal): Promise<void>;
  /** Applies new arguments (only called when they differ from the previous ones). May throw. */
  update(args: Args): void;
  /** The component's own health, merged with run and evaluation health. */
  health?(): Health | undefined;
  /** Extra information for the components API (`debugInfo`). */
  debugInfo?(): unknown;
  /** HTTP handler for `/api/v0/component/<id>/<rest>`; `path` is `/<rest>`. */
  handler?(req: IncomingMessage, res: ServerResponse, path: string): void | Promise<void>;
}

export interface ComponentRegistration<Args = any> {
  /** Full block name, e.g. `local.file`. */
  name: string;
  stability: Stability;
  community?: boolean;
  args: BlockSchema;
  /** Exported fields and their types (receiver capsules decide data-flow direction in the UI). */
  exports?: Record<string, TypeSpec>;
  /**
   * Creates the instance; may call `opts.onStateChange` synchronously. Throws on invalid input.
   * Absent for catalogue-only entries: their arguments are validated (`foundry-agent validate`, the
   * controller's checks) but running one fails with "component … is not implemented by this engine yet".
   */
  build?(opts: ComponentOptions, args: Args): Component<Args>;
}

/** Capsule type names that carry data *into* a component (data flows referencing → referenced). */
export const RECEIVER_CAPSULES = new Set([
  'storage.Appendable',
  'loki.LogsReceiver',
  'otelcol.Consumer',
  'pyroscope.Appendable',
]);

/** Component registrations by name. The engine's default registry is `defaultRegistry`. */
export class ComponentRegistry {
  private readonly byName = new Map<string, ComponentRegistration>();

  register(reg: ComponentRegistration): void {
    if (this.byName.has(reg.name)) throw new Error(`component ${reg.name} registered twice`);
    this.byName.set(reg.name, reg);
  }

  get(name: string): ComponentRegistration | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  all(): ComponentRegistration[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A registry with this one's components plus extra ones (tests add their own fakes this way). */
  extend(regs: ComponentRegistration[]): ComponentRegistry {
    const r = new ComponentRegistry();
    for (const reg of this.byName.values()) r.register(reg);
    for (const reg of regs) r.register(reg);
    return r;
  }
}
