/**
 * The engine host: one root controller for the local config plus any number of isolated modules (a
 * managed agent runs each remote pipeline as one, named after it), sharing logging, metrics and
 * storage. This is what the agent embeds; it has no HTTP server or CLI of its own.
 */
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { File } from '../syntax/ast.js';
import { DiagnosticError, type Diagnostic } from '../syntax/diag.js';
import { parseFileWithDiagnostics } from '../syntax/parser.js';
import { ComponentRegistry, type Stability } from './component.js';
import type { EngineContext } from './context.js';
import { Controller, type LoadResult } from './controller.js';
import type { Health } from './health.js';
import {
  formatJSON,
  formatLogfmt,
  Logger,
  LogSink,
  type LogFormat,
  type LogLevel,
  type LogRecord,
} from './logger.js';
import { PromControllerMetrics, renderRegistries } from './metrics.js';
import type { GraphNode } from './nodes.js';

export interface EngineOptions {
  /** Components available to configs (default: the engine's built-in registry). */
  registry: ComponentRegistry;
  /** `--storage.path` (default `data-alloy`). */
  storagePath?: string;
  /** `--stability.level` (default generally-available). */
  minStability?: Stability;
  communityComponents?: boolean;
  logSink?: LogSink;
  /** Registry for engine-level metrics (default: a new one). */
  metricsRegistry?: Registry;
  /** Directory used as `module_path` for the root config. */
  modulePath?: string;
  /** Per-component stop deadline in ms (default 10 minutes, as Alloy). */
  shutdownDeadlineMs?: number;
  /** The agent's HTTP address (default 127.0.0.1:12345), for exporter targets. */
  httpAddress?: string;
  /** Extra registries rendered with the engine's own by `selfMetrics` (the agent's process metrics). */
  extraMetrics?: Registry[];
}

export interface SourceText {
  filename: string;
  text: string;
}

/** Component summary for the components API. */
export interface ComponentInfo {
  moduleID: string;
  localID: string;
  name: string;
  label: string | undefined;
  health: Health;
  referencesTo: string[];
  referencedBy: string[];
  node: GraphNode;
  controller: Controller;
}

const DEFAULT_LOGGING = { level: 'info', format: 'logfmt' };

/**
 * The part of a `loki.LogsReceiver` that `logging { write_to }` needs (structural, so the runtime does not
 * import components): entries with Labels as a sorted flat array and ns timestamps.
 */
interface LogsReceiverLike {
  push(
    entries: readonly {
      labels: readonly string[];
      timestamp: bigint;
      line: string;
      structuredMetadata: readonly string[];
    }[],
  ): void;
}

/** Labels of the agent's own log lines sent to `write_to` (Alloy's lokiWriter: `{component="alloy"}`). */
const AGENT_LOG_LABELS: readonly string[] = Object.freeze(['component', 'alloy']);
const NO_LABELS: readonly string[] = Object.freeze([]);

export class Engine {
  readonly logSink: LogSink;
  readonly logger: Logger;
  readonly metricsRegistry: Registry;
  readonly root: Controller;
  private readonly modules = new Map<string, Controller>();
  private readonly moduleAborts = new Map<string, AbortController>();
  private readonly componentRegistries = new Set<Registry>();
  private readonly ctx: EngineContext;
  private runSignal: AbortSignal | undefined;
  private rootRun: Promise<void> | undefined;
  private loaded = false;
  /** `logging { write_to }` receivers; the sink listener is registered only while there are some. */
  private logReceivers: LogsReceiverLike[] = [];
  /** Set while a log line is being handed to `write_to` (records logged meanwhile are not forwarded). */
  private forwardingLog = false;
  private readonly logListener = (r: LogRecord): void => this.forwardLog(r);

  constructor(readonly options: EngineOptions) {
    this.logSink = options.logSink ?? new LogSink();
    this.logger = new Logger(this.logSink);
    this.metricsRegistry = options.metricsRegistry ?? new Registry();
    const storage = options.storagePath ?? 'data-alloy';
    const metrics = new PromControllerMetrics(this.metricsRegistry, (set) => this.collectRunning(set));
    this.ctx = {
      registry: options.registry,
      logger: this.logger,
      metrics,
      minStability: options.minStability ?? 'generally-available',
      communityComponents: options.communityComponents ?? false,
      shutdownDeadlineMs: options.shutdownDeadlineMs ?? 600_000,
      dataPath: (id) => join(storage, id),
      componentRegistry: (componentPath, componentID) => {
        const reg = new Registry();
        reg.setDefaultLabels({ component_path: componentPath, component_id: componentID });
        this.componentRegistries.add(reg);
        return reg;
      },
      releaseComponentRegistry: (reg) => {
        this.componentRegistries.delete(reg);
      },
      applyLogging: (args) => this.applyLogging(args),
      fail: (diags) => new DiagnosticError(diags),
      httpAddress: options.httpAddress ?? '127.0.0.1:12345',
      selfMetrics: () => this.metricsText(),
    };
    this.root = new Controller(this.ctx, {
      id: '',
      isModule: false,
      modulePath: options.modulePath ?? process.cwd(),
    });
  }

  /**
   * Parses and loads the root config (one or more files, merged as Alloy merges a directory).
   * Parse errors or structural errors reject the load and leave the running graph untouched.
   */
  load(sources: SourceText[]): LoadResult {
    const parsed = parseAll(sources);
    if (parsed.diagnostics.length)
      return { diagnostics: parsed.diagnostics, committed: false, parsed: false };
    const res: LoadResult = { ...this.root.load(parsed.files), parsed: true };
    if (res.committed) {
      if (!this.root.node('logging')) this.applyLogging(DEFAULT_LOGGING);
      if (!res.diagnostics.some((d) => d.severity === 'error')) this.loaded = true;
    }
    return res;
  }

  /**
   * Loads or replaces an isolated module (a managed pipeline) named `name`: its component IDs live in
   * their own namespace (global IDs `<name>/<local ID>`), beside the root config.
   */
  loadModule(name: string, sources: SourceText[]): LoadResult {
    const parsed = parseAll(sources);
    if (parsed.diagnostics.length)
      return { diagnostics: parsed.diagnostics, committed: false, parsed: false };
    let ctrl = this.modules.get(name);
    const isNew = !ctrl;
    if (!ctrl)
      ctrl = new Controller(this.ctx, {
        id: name,
        isModule: true,
        modulePath: this.options.modulePath ?? process.cwd(),
      });
    const res = ctrl.load(parsed.files);
    if (isNew && res.committed) {
      this.modules.set(name, ctrl);
      if (this.runSignal) this.startModule(name, ctrl);
    }
    return res;
  }

  /** Stops and removes an isolated module (dependants first). */
  async removeModule(name: string): Promise<void> {
    const ctrl = this.modules.get(name);
    if (!ctrl) return;
    this.modules.delete(name);
    const abort = this.moduleAborts.get(name);
    this.moduleAborts.delete(name);
    abort?.abort();
    await ctrl.stopAll();
  }

  moduleNames(): string[] {
    return [...this.modules.keys()].sort();
  }

  module(name: string): Controller | undefined {
    return this.modules.get(name);
  }

  /** Starts running components; resolves when `signal` aborts and everything stopped. */
  async run(signal: AbortSignal): Promise<void> {
    this.runSignal = signal;
    for (const [name, ctrl] of this.modules) this.startModule(name, ctrl);
    this.rootRun = this.root.run(signal);
    await this.rootRun;
    await Promise.all([...this.modules.values()].map((m) => m.stopAll()));
  }

  private startModule(name: string, ctrl: Controller): void {
    const abort = new AbortController();
    this.moduleAborts.set(name, abort);
    this.runSignal!.addEventListener('abort', () => abort.abort(), { once: true });
    void ctrl.run(abort.signal);
  }

  /** True once a root load succeeded (`/-/ready`). */
  get ready(): boolean {
    return this.loaded;
  }

  /** Every controller: root, isolated modules, and custom component instances below them. */
  controllers(): Controller[] {
    const out: Controller[] = [];
    const walk = (c: Controller) => {
      out.push(c);
      for (const child of c.childControllers()) walk(child);
    };
    walk(this.root);
    for (const m of this.modules.values()) walk(m);
    return out;
  }

  /** Controller for a module ID ('' = root). */
  controller(moduleID: string): Controller | undefined {
    return this.controllers().find((c) => c.id === moduleID);
  }

  /** Component infos of one module ('' = root). Config nodes other than components are included as Alloy does. */
  components(moduleID = ''): ComponentInfo[] {
    const ctrl = this.controller(moduleID);
    if (!ctrl) return [];
    return ctrl.listNodes().map((n) => this.info(ctrl, n));
  }

  /** One component by global ID (`module/localID`, split at the last `/`). */
  component(globalID: string): ComponentInfo | undefined {
    const i = globalID.lastIndexOf('/');
    const moduleID = i < 0 ? '' : globalID.slice(0, i);
    const localID = i < 0 ? globalID : globalID.slice(i + 1);
    const ctrl = this.controller(moduleID);
    const node = ctrl?.node(localID);
    return ctrl && node ? this.info(ctrl, node) : undefined;
  }

  private info(ctrl: Controller, n: GraphNode): ComponentInfo {
    const g = ctrl.graphView();
    const isComponent = (id: string) => {
      const k = ctrl.node(id)?.kind;
      return k === 'component' || k === 'custom';
    };
    return {
      moduleID: ctrl.id,
      localID: n.id,
      name: n.name,
      label: n.label,
      health: ctrl.nodeHealth(n.id)!,
      referencesTo: [...g.dependencies(n.id)].filter(isComponent).sort(),
      referencedBy: [...g.dependants(n.id)].filter(isComponent).sort(),
      node: n,
      controller: ctrl,
    };
  }

  /** Root-level components that are unhealthy (`/-/healthy`; exited ones and module components don't count). */
  unhealthyComponents(): string[] {
    return this.root
      .listNodes()
      .filter((n) => n.kind === 'component' || n.kind === 'custom')
      .filter((n) => this.root.nodeHealth(n.id)!.state === 'unhealthy')
      .map((n) => n.id)
      .sort();
  }

  /** Prometheus text exposition of the engine and every component registry. */
  async metricsText(): Promise<string> {
    return renderRegistries([
      ...(this.options.extraMetrics ?? []),
      this.metricsRegistry,
      ...this.componentRegistries,
    ]);
  }

  private collectRunning(set: (l: Record<string, string>, v: number) => void): void {
    for (const ctrl of this.controllers()) {
      const counts = new Map<string, number>();
      for (const n of ctrl.listNodes()) {
        if (n.kind !== 'component' && n.kind !== 'custom' && n.kind !== 'import') continue;
        const h = ctrl.nodeHealth(n.id)!.state;
        counts.set(h, (counts.get(h) ?? 0) + 1);
      }
      const id = ctrl.id;
      const i = id.lastIndexOf('/');
      const labels = {
        controller_path: i < 0 ? '/' : `/${id.slice(0, i)}`,
        controller_id: i < 0 ? id : id.slice(i + 1),
      };
      for (const [h, v] of counts) set({ ...labels, health_type: h }, v);
    }
  }

  private applyLogging(args: Record<string, unknown>): void {
    this.logSink.level = (args.level as LogLevel) ?? 'info';
    this.logSink.format = (args.format as LogFormat) ?? 'logfmt';
    this.logReceivers = ((args.write_to as LogsReceiverLike[] | undefined) ?? []).filter(
      (r) => r && typeof r.push === 'function',
    );
    if (this.logReceivers.length) this.logSink.listeners.add(this.logListener);
    else this.logSink.listeners.delete(this.logListener);
  }

  /**
   * `logging { write_to }`: each emitted record at or above the level becomes one entry
   * `{component="alloy"}` whose line is the record formatted as on stderr (trailing newline included, as
   * Alloy's lokiWriter) and whose timestamp is the record's time in ns. Records logged by a receiver while
   * it handles such an entry (loki.echo) are not forwarded again, which would loop.
   */
  private forwardLog(r: LogRecord): void {
    if (this.forwardingLog || this.logReceivers.length === 0 || !this.logSink.enabled(r.level)) return;
    this.forwardingLog = true;
    try {
      const entry = {
        labels: AGENT_LOG_LABELS,
        timestamp: BigInt(r.time.getTime()) * 1_000_000n,
        line: this.logSink.format === 'json' ? formatJSON(r) : formatLogfmt(r),
        structuredMetadata: NO_LABELS,
      };
      for (const recv of this.logReceivers) {
        try {
          recv.push([entry]);
        } catch {
          // A receiver must not break logging.
        }
      }
    } finally {
      this.forwardingLog = false;
    }
  }
}

function parseAll(sources: SourceText[]): { files: File[]; diagnostics: Diagnostic[] } {
  const files: File[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const s of [...sources].sort((a, b) =>
    a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0,
  )) {
    const r = parseFileWithDiagnostics(s.filename, s.text);
    if (r.file) files.push(r.file);
    diagnostics.push(...r.diagnostics);
  }
  return { files, diagnostics };
}
