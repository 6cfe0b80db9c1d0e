/**
 * A controller runs one module's component graph (Alloy's `internal/runtime/internal/controller`):
 * it loads blocks into a graph (graph-builder.ts), evaluates in topological order, re-evaluates
 * dependants when exports change, and runs components. Loads are transactional: the new
 * graph is built into fresh node records and committed only when structurally valid, so a rejected
 * reload leaves the running graph and its scope exactly as they were.
 */
import type { File } from '../syntax/ast.js';
import { blockName } from '../syntax/ast.js';
import { diagAt, type Diagnostic } from '../syntax/diag.js';
import { evaluate, Scope } from '../syntax/eval.js';
import type { SourceFile } from '../syntax/source.js';
import { fromJS, valuesEqual, type Value } from '../syntax/value.js';
import type { ComponentOptions } from './component.js';
import {
  argumentSchema,
  exportSchema,
  foreachSchema,
  importSchemas,
  loggingSchema,
  serviceSchemas,
  tracingSchema,
} from './config-blocks.js';
import { Graph } from './dag.js';
import type { EngineContext } from './context.js';
import { health, leastHealthy, type Health } from './health.js';
import {
  DeclareScope,
  ImportComponent,
  ModuleComponent,
  type DeclareDef,
  type ModuleArgs,
} from './modules.js';
import type { Cell, GraphNode } from './nodes.js';
import { argsEqual, decodeBody, type BlockSchema } from './schema.js';
import { startTask, stopTask } from './scheduler.js';
import {
  buildGraph,
  headerEnd,
  type ControllerOptions,
  type LoadedGraph,
  type SourcedBlock,
} from './graph-builder.js';

export interface LoadResult {
  /** Every error and warning found. */
  diagnostics: Diagnostic[];
  /** False when the load was rejected (syntax or structural errors); the previous graph keeps running. */
  committed: boolean;
  /** False when the sources did not parse (Alloy's `alloy_config_last_load_successful` reflects only this). */
  parsed?: boolean;
}

export type { ControllerOptions };

export class Controller {
  private graph: Graph = new Graph();
  private nodes = new Map<string, GraphNode>();
  private declareScope: DeclareScope;
  /** Scope variables: nested objects of component exports, `argument`, `module_path`. */
  private vars = new Map<string, Value>();
  private moduleArgs = new Map<string, Value>();
  private dirty = new Set<string>();
  private flushScheduled = false;
  private evaluating = false;
  private runSignal: AbortSignal | undefined;
  private runDone: (() => void) | undefined;
  private loadedOnce = false;
  private moduleExports: Value = new Map();

  constructor(
    readonly ctx: EngineContext,
    readonly opts: ControllerOptions,
  ) {
    this.declareScope = new DeclareScope(new Map(), new Map(), opts.parentScope);
    this.vars.set('module_path', opts.modulePath);
  }

  get id(): string {
    return this.opts.id;
  }

  /** Loads parsed files (the root config or an isolated module). */
  load(files: File[]): LoadResult {
    const blocks: SourcedBlock[] = [];
    const diags: Diagnostic[] = [];
    for (const f of files) {
      for (const stmt of f.body) {
        if (stmt.kind === 'Block') blocks.push({ block: stmt, file: f.source });
        else diags.push(diagAt(f.source, stmt.start, stmt.end, `unrecognized attribute ${stmt.name}`));
      }
    }
    if (diags.length) return { diagnostics: diags, committed: false };
    return this.apply(blocks);
  }

  /** Loads a declare body with instance arguments (custom component instances). Throws on structural errors. */
  loadModule(def: DeclareDef, args: Map<string, Value>): void {
    // A reloaded import gives a new definition with a new lexical scope: resolve against that one.
    this.opts.parentScope = def.scope;
    this.opts.modulePath = def.modulePath;
    this.vars.set('module_path', def.modulePath);
    const blocks: SourcedBlock[] = [];
    for (const stmt of def.block.body) {
      if (stmt.kind === 'Block') blocks.push({ block: stmt, file: def.file });
      else {
        throw this.ctx.fail([diagAt(def.file, stmt.start, stmt.end, `unrecognized attribute ${stmt.name}`)]);
      }
    }
    const res = this.apply(blocks, args);
    const errors = res.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw this.ctx.fail(errors);
  }

  /**
   * Builds, validates and (when structurally valid) commits a new graph, then evaluates it.
   * Evaluation errors do not stop the commit: failing kept components keep their last good arguments.
   */
  private apply(blocks: SourcedBlock[], args?: Map<string, Value>): LoadResult {
    const diagnostics: Diagnostic[] = [];
    const loaded = buildGraph(this.ctx, this.opts, this.nodes, blocks, diagnostics, args);
    if (diagnostics.some((d) => d.severity === 'error') || !loaded) return { diagnostics, committed: false };
    const removed = [...this.nodes.values()].filter(
      (n) => !loaded.nodes.has(n.id) || loaded.nodes.get(n.id)!.cell !== n.cell,
    );
    const oldGraph = this.graph;
    this.commitStructure(loaded, args);
    for (const n of removed) this.deleteVar(n.id);
    this.evaluateAll(diagnostics);
    this.loadedOnce = true;
    void this.synchronize(removed, oldGraph);
    this.scheduleFlush();
    return { diagnostics, committed: true };
  }

  private commitStructure(loaded: LoadedGraph, args?: Map<string, Value>): void {
    this.graph = loaded.graph;
    this.nodes = loaded.nodes;
    this.declareScope = loaded.declareScope;
    if (args) this.moduleArgs = args;
    this.ctx.metrics.graphConnections(this.opts.id, this.edges());
  }

  // ---------------------------------------------------------------------------------------------
  // Evaluation

  private evaluateAll(diags: Diagnostic[]): void {
    const stop = this.ctx.metrics.evaluating(this.opts.id, 1);
    this.evaluating = true;
    try {
      for (const id of this.graph.topoOrder()) this.evaluateNode(this.nodes.get(id)!, diags);
      this.updateModuleExports();
    } finally {
      this.evaluating = false;
      stop();
    }
  }

  private scopeFor(): Scope {
    return new Scope(this.vars);
  }

  /** Evaluates one node; errors are appended to `diags` and recorded as unhealthy evaluation. */
  private evaluateNode(node: GraphNode, diags: Diagnostic[]): void {
    const started = performance.now();
    const cell = node.cell;
    const local: Diagnostic[] = [];
    try {
      switch (node.kind) {
        case 'component':
          this.evaluateComponent(node, local);
          break;
        case 'custom':
          this.evaluateCustom(node, local);
          break;
        case 'import':
          this.evaluateImport(node, local);
          break;
        case 'argument':
          this.evaluateArgument(node, local);
          break;
        case 'export':
          this.evaluateExport(node, local);
          break;
        case 'logging': {
          const args = this.decode(node, loggingSchema, local);
          if (args) this.ctx.applyLogging?.(args);
          break;
        }
        case 'tracing':
          this.decode(node, tracingSchema, local);
          break;
        case 'foreach':
          this.decode(node, foreachSchema, local);
          local.push(
            diagAt(
              node.file,
              node.block.nameStart,
              headerEnd(node.block),
              'foreach blocks are not supported by this engine yet',
            ),
          );
          break;
        case 'service': {
          const args = this.decode(node, serviceSchemas[node.name] ?? {}, local);
          if (args) cell.args = args;
          break;
        }
        case 'declare':
          break;
      }
    } catch (e) {
      local.push(diagAt(node.file, node.block.start, node.block.end, errorMessage(e)));
    }
    const errors = local.filter((d) => d.severity === 'error');
    if (errors.length) {
      cell.evalHealth = health(
        'unhealthy',
        `component evaluation failed: ${errors.map((d) => d.message).join('; ')}`,
      );
    } else if (node.kind !== 'declare') {
      cell.evalHealth = health('healthy', 'component evaluated');
    }
    diags.push(...local);
    this.ctx.metrics.observeEvaluation(this.opts.id, (performance.now() - started) / 1000);
  }

  private decode(
    node: GraphNode,
    schema: BlockSchema,
    diags: Diagnostic[],
  ): Record<string, unknown> | undefined {
    const scope = this.scopeFor();
    const file = node.file;
    const res = decodeBody(node.block.body, schema, {
      file,
      evaluate: (e) => evaluate(e, scope, file),
      rangeStart: node.block.start,
      rangeEnd: node.block.end,
    });
    if (res.diagnostics.length) {
      diags.push(...res.diagnostics);
      return undefined;
    }
    return res.value;
  }

  private evaluateComponent(node: GraphNode, diags: Diagnostic[]): void {
    const reg = node.registration!;
    const args = this.decode(node, reg.args, diags);
    const cell = node.cell;
    if (!args) return;
    if (!cell.instance) {
      if (!reg.build) {
        failBuild(
          diags,
          node,
          'building',
          new Error(`component ${JSON.stringify(reg.name)} is not implemented by this engine yet`),
        );
        return;
      }
      try {
        cell.instance = reg.build(this.componentOptions(cell), args);
      } catch (e) {
        failBuild(diags, node, 'building', e);
        return;
      }
      cell.args = args;
      return;
    }
    if (argsEqual(cell.args, args) && !cell.updateFailed) return;
    try {
      cell.instance.update(args);
      cell.args = args;
      cell.updateFailed = false;
    } catch (e) {
      // The instance may have taken part of the rejected arguments: update it again next time, even
      // with arguments equal to the last good ones (a reverted config must reach it).
      cell.updateFailed = true;
      failBuild(diags, node, 'updating', e);
    }
  }

  private evaluateCustom(node: GraphNode, diags: Diagnostic[]): void {
    const def = this.declareScope.lookup(node.block.name);
    const via = this.declareScope.resolveName(node.block.name);
    if (!def && via?.kind === 'import') {
      const msg = `Failed to build component: loading custom component controller: custom component config not found in the registry, namespace: ${JSON.stringify(node.block.name[0])}, componentName: ${JSON.stringify(via.rest)}`;
      diags.push(diagAt(node.file, node.block.start, node.block.end, msg));
      return;
    }
    if (!def) {
      diags.push(
        diagAt(
          node.file,
          node.block.nameStart,
          node.block.nameEnd,
          `cannot find the definition of component name ${JSON.stringify(node.name)}`,
        ),
      );
      return;
    }
    const scope = this.scopeFor();
    const values = new Map<string, Value>();
    for (const stmt of node.block.body) {
      if (stmt.kind === 'Block') {
        diags.push(
          diagAt(
            node.file,
            stmt.nameStart,
            stmt.nameEnd,
            `unrecognized block name ${JSON.stringify(blockName(stmt))}`,
          ),
        );
        continue;
      }
      try {
        values.set(stmt.name, evaluate(stmt.value, scope, node.file));
      } catch (e) {
        pushError(e, diags, node.file, stmt.value.start, stmt.value.end);
      }
    }
    if (diags.length) return;
    const cell = node.cell;
    // Imports the definition uses are part of its identity: a reloaded module must reach the instance.
    const imports = [...this.graph.dependencies(node.id)]
      .map((id) => this.nodes.get(id))
      .filter((n) => n?.kind === 'import')
      .map((n) => `${n!.id}@${n!.cell.version}`)
      .join(',');
    const args: ModuleArgs = {
      def,
      defKey: `${def.file.filename}\0${def.file.text.slice(def.block.start, def.block.end)}\0${imports}`,
      values,
    };
    if (!cell.instance) {
      try {
        cell.instance = new ModuleComponent(this.componentOptions(cell), args, (opts, d, onExports) =>
          this.childController(opts, d, onExports),
        );
        cell.args = args;
      } catch (e) {
        failBuild(diags, node, 'building', e);
      }
      return;
    }
    const prev = cell.args as ModuleArgs;
    if (prev && prev.defKey === args.defKey && prev.def === args.def && mapsEqual(prev.values, args.values))
      return;
    try {
      cell.instance.update(args);
      cell.args = args;
    } catch (e) {
      failBuild(diags, node, 'updating', e);
    }
  }

  private childController(
    opts: ComponentOptions,
    def: DeclareDef,
    onExports: (e: Value) => void,
  ): Controller {
    return new Controller(this.ctx, {
      id: opts.id,
      isModule: true,
      parentScope: def.scope,
      modulePath: def.modulePath,
      onExports,
    });
  }

  private evaluateImport(node: GraphNode, diags: Diagnostic[]): void {
    const schema = importSchemas[node.name]!;
    const args = this.decode(node, schema, diags);
    if (!args) return;
    if (node.name !== 'import.string' && node.name !== 'import.file') return;
    const cell = node.cell;
    if (!cell.instance) {
      const inst = new ImportComponent(
        node.name,
        this.componentOptions(cell),
        args,
        this.opts.modulePath,
        () => {
          cell.version++;
          this.markDirty(cell.id);
        },
      );
      try {
        inst.load(true);
      } catch (e) {
        failBuild(diags, node, 'building', e);
        return;
      }
      cell.instance = inst;
      cell.args = args;
      return;
    }
    if (!argsEqual(cell.args, args)) {
      cell.instance.update(args);
      cell.args = args;
    }
  }

  private evaluateArgument(node: GraphNode, diags: Diagnostic[]): void {
    const args = this.decode(node, argumentSchema, diags) as
      { optional: boolean; default?: Value } | undefined;
    if (!args) return;
    const label = node.label!;
    let value: Value;
    if (this.moduleArgs.has(label)) value = this.moduleArgs.get(label)!;
    else if (!args.optional) {
      diags.push(
        diagAt(
          node.file,
          node.block.start,
          node.block.end,
          `missing required argument ${JSON.stringify(label)} to module`,
        ),
      );
      return;
    } else value = args.default ?? null;
    this.setExports(node.cell, new Map([['value', value]]));
  }

  private evaluateExport(node: GraphNode, diags: Diagnostic[]): void {
    const args = this.decode(node, exportSchema, diags);
    if (!args) return;
    node.cell.args = args;
    node.cell.exports = args.value as Value;
    if (!this.evaluating) this.updateModuleExports();
  }

  private updateModuleExports(): void {
    if (!this.opts.isModule) return;
    const out = new Map<string, Value>();
    for (const n of this.nodes.values()) if (n.kind === 'export') out.set(n.label!, n.cell.exports);
    if (valuesEqual(out, this.moduleExports)) return;
    this.moduleExports = out;
    this.opts.onExports?.(out);
  }

  // ---------------------------------------------------------------------------------------------
  // Exports and dependants

  private componentOptions(cell: Cell): ComponentOptions {
    const globalID = this.opts.id ? `${this.opts.id}/${cell.id}` : cell.id;
    cell.metrics = this.ctx.componentRegistry(this.opts.id ? `/${this.opts.id}` : '/', cell.id);
    return {
      id: globalID,
      localID: cell.id,
      logger: this.ctx.logger.child({
        component_path: this.opts.id ? `/${this.opts.id}` : '/',
        component_id: cell.id,
      }),
      registry: cell.metrics,
      dataPath: this.ctx.dataPath(globalID),
      httpAddress: this.ctx.httpAddress,
      selfMetrics: () => this.ctx.selfMetrics(),
      onStateChange: (exports) => {
        // A removed component publishing late keeps its value but wakes nobody.
        if (this.nodes.get(cell.id)?.cell !== cell) cell.exports = fromJS(exports);
        else this.setExports(cell, fromJS(exports));
      },
    };
  }

  private setExports(cell: Cell, exports: Value): void {
    if (valuesEqual(cell.exports, exports) && this.hasVar(cell.id)) return;
    cell.exports = exports;
    cell.version++;
    this.setVar(cell.id, exports);
    this.markDirty(cell.id);
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    this.ctx.metrics.queueSize(this.opts.id, this.dirty.size);
    if (!this.evaluating) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Re-evaluates the direct dependants of every changed node, once each, in topological order. */
  private flush(): void {
    if (this.dirty.size === 0) return;
    const changed = [...this.dirty];
    this.dirty.clear();
    this.ctx.metrics.queueSize(this.opts.id, 0);
    const targets = new Set<string>();
    for (const id of changed) for (const dep of this.graph.dependants(id)) targets.add(dep);
    if (targets.size === 0) return;
    const diags: Diagnostic[] = [];
    this.evaluating = true;
    const stop = this.ctx.metrics.evaluating(this.opts.id, 1);
    try {
      for (const id of this.graph.topoOrder(targets)) {
        const node = this.nodes.get(id);
        if (node) this.evaluateNode(node, diags);
      }
      this.updateModuleExports();
    } finally {
      this.evaluating = false;
      stop();
    }
    for (const d of diags)
      if (d.severity === 'error') this.ctx.logger.error('failed to evaluate component', { err: d.message });
    if (this.dirty.size) this.scheduleFlush();
  }

  private hasVar(id: string): boolean {
    let cur: Value | undefined = this.vars as Value;
    for (const part of id.split('.')) {
      if (!(cur instanceof Map)) return false;
      cur = cur.get(part);
      if (cur === undefined) return false;
    }
    return true;
  }

  private setVar(id: string, value: Value): void {
    const parts = id.split('.');
    let cur = this.vars;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = cur.get(parts[i]!);
      if (!(next instanceof Map)) {
        next = new Map();
        cur.set(parts[i]!, next);
      }
      cur = next;
    }
    cur.set(parts[parts.length - 1]!, value);
  }

  /** Removes a node's exports from the scope, pruning parents that became empty. */
  private deleteVar(id: string): void {
    const parts = id.split('.');
    const path: Map<string, Value>[] = [this.vars];
    for (let i = 0; i < parts.length - 1; i++) {
      const next = path[i]!.get(parts[i]!);
      if (!(next instanceof Map)) return;
      path.push(next);
    }
    path[path.length - 1]!.delete(parts[parts.length - 1]!);
    for (let i = path.length - 1; i > 0; i--) {
      if (path[i]!.size === 0) path[i - 1]!.delete(parts[i - 1]!);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Scheduling

  /** Runs the graph's components until `signal` aborts, then stops them dependants first. */
  async run(signal: AbortSignal): Promise<void> {
    this.runSignal = signal;
    await this.synchronize([], this.graph);
    await new Promise<void>((res) => {
      this.runDone = res;
      if (signal.aborted) res();
      else signal.addEventListener('abort', () => res(), { once: true });
    });
    await this.stopAll();
  }

  /** Stops removed components (dependants first) and starts new ones (dependencies first). */
  private async synchronize(removed: GraphNode[], oldGraph: Graph): Promise<void> {
    const removedIDs = new Set(removed.map((n) => n.id));
    const order = oldGraph
      .topoOrder()
      .filter((id) => removedIDs.has(id))
      .reverse();
    const byID = new Map(removed.map((n) => [n.id, n]));
    for (const id of order) await stopTask(this.ctx, byID.get(id)!.cell);
    if (!this.runSignal || this.runSignal.aborted) return;
    for (const id of this.graph.topoOrder()) {
      const cell = this.nodes.get(id)!.cell;
      if (cell.instance && !cell.running) startTask(cell, this.ctx);
    }
  }

  /** Stops every component in reverse dependency order. */
  async stopAll(): Promise<void> {
    for (const id of this.graph.topoOrder().reverse()) {
      const n = this.nodes.get(id);
      if (n) await stopTask(this.ctx, n.cell);
    }
    this.runDone?.();
  }

  // ---------------------------------------------------------------------------------------------
  // Introspection

  get ready(): boolean {
    return this.loadedOnce;
  }

  /** Health of a node: least healthy of run, evaluation and the component's own health. */
  nodeHealth(id: string): Health | undefined {
    const n = this.nodes.get(id);
    if (!n) return undefined;
    const c = n.cell;
    let own: Health | undefined;
    try {
      own = c.instance?.health?.();
    } catch (e) {
      own = health('unhealthy', errorMessage(e));
    }
    if (n.kind === 'declare') return health('healthy', 'declare');
    return leastHealthy(
      c.running || c.runHealth.state === 'exited' ? c.runHealth : undefined,
      c.evalHealth,
      own,
    );
  }

  /** Least healthy of the module's components (used as a custom component's own health). */
  moduleHealth(): Health | undefined {
    const hs: Health[] = [];
    for (const n of this.nodes.values())
      if (n.kind === 'component' || n.kind === 'custom') hs.push(this.nodeHealth(n.id)!);
    const bad = hs.filter((h) => h.state === 'unhealthy');
    return bad.length ? leastHealthy(...bad) : undefined;
  }

  /** Nodes of this controller in definition order. */
  listNodes(): GraphNode[] {
    return [...this.nodes.values()];
  }

  node(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  graphView(): Graph {
    return this.graph;
  }

  edges(): { from: string; to: string }[] {
    const out: { from: string; to: string }[] = [];
    for (const [from, tos] of this.graph.out) for (const to of tos) out.push({ from, to });
    return out;
  }

  /** Child controllers of custom component instances (for the components API and health). */
  childControllers(): Controller[] {
    const out: Controller[] = [];
    for (const n of this.nodes.values()) {
      if (n.cell.instance instanceof ModuleComponent) out.push(n.cell.instance.controller);
    }
    return out;
  }
}

// -----------------------------------------------------------------------------------------------

function errorMessage(e: unknown): string {
  if (e && typeof e === 'object' && 'diagnostics' in e) {
    return (e as { diagnostics: Diagnostic[] }).diagnostics.map((d) => d.message).join('; ');
  }
  return e instanceof Error ? e.message : String(e);
}

function pushError(e: unknown, diags: Diagnostic[], file: SourceFile, start: number, end: number): void {
  if (e && typeof e === 'object' && 'diagnostics' in e) {
    diags.push(...(e as { diagnostics: Diagnostic[] }).diagnostics);
    return;
  }
  diags.push(diagAt(file, start, end, errorMessage(e)));
}

/** Alloy's wrapping of build and update failures, spanning the whole block. */
function failBuild(diags: Diagnostic[], node: GraphNode, stage: 'building' | 'updating', e: unknown): void {
  diags.push(
    diagAt(
      node.file,
      node.block.start,
      node.block.end,
      `Failed to build component: ${stage} component: ${errorMessage(e)}`,
    ),
  );
}

function mapsEqual(a: Map<string, Value>, b: Map<string, Value>): boolean {
  return valuesEqual(a, b);
}
