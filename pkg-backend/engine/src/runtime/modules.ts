/**
 * Modules (Alloy's `declare` and `import.*`): custom component definitions, their lexical scopes, and
 * the component implementations that run a custom component instance as a child controller and load
 * imported module text.
 */
import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BlockStmt, File } from '../syntax/ast.js';
import { blockName } from '../syntax/ast.js';
import { DiagnosticError } from '../syntax/diag.js';
import { parseFile } from '../syntax/parser.js';
import { evaluate, Scope } from '../syntax/eval.js';
import { importSchemas } from './config-blocks.js';
import { decodeBody } from './schema.js';
import type { SourceFile } from '../syntax/source.js';
import { Secret, type Value } from '../syntax/value.js';
import { untilAborted, type Component, type ComponentOptions } from './component.js';
import { health, type Health } from './health.js';
import type { Controller } from './controller.js';

/** A `declare` block: the body that instances of the custom component run. */
export interface DeclareDef {
  name: string;
  block: BlockStmt;
  file: SourceFile;
  /** Definitions visible from inside the body (lexical scope). */
  scope: DeclareScope;
  /** `module_path` inside instances. */
  modulePath: string;
}

/** Something that provides declares under a namespace (an import node's loaded module). */
export interface DeclareProvider {
  declares(): Map<string, DeclareDef> | undefined;
}

/** Definitions visible at one level: local declares, import namespaces, then the enclosing scope. */
export class DeclareScope {
  constructor(
    readonly declares: Map<string, DeclareDef>,
    readonly imports: Map<string, { nodeID: string; provider: () => DeclareProvider | undefined }>,
    readonly parent?: DeclareScope,
  ) {}

  /** Whether a block name could be a custom component here (used while wiring the graph). */
  resolveName(
    name: string[],
  ): { kind: 'declare'; def: DeclareDef } | { kind: 'import'; nodeID: string; rest: string } | undefined {
    if (name.length === 1) {
      const d = this.declares.get(name[0]!);
      if (d) return { kind: 'declare', def: d };
      return this.parent?.resolveName(name);
    }
    const imp = this.imports.get(name[0]!);
    if (imp) return { kind: 'import', nodeID: imp.nodeID, rest: name.slice(1).join('.') };
    return this.parent?.resolveName(name);
  }

  /** The definition for a custom component name, following imports. */
  lookup(name: string[]): DeclareDef | undefined {
    const r = this.resolveName(name);
    if (!r) return undefined;
    if (r.kind === 'declare') return r.def;
    return this.importProvider(name[0]!)?.declares()?.get(r.rest);
  }

  private importProvider(namespace: string): DeclareProvider | undefined {
    const imp = this.imports.get(namespace);
    return imp ? imp.provider() : this.parent?.importProvider(namespace);
  }
}

/** Arguments of a custom component instance. */
export interface ModuleArgs {
  def: DeclareDef;
  /** Key identifying the definition's text, so an unchanged reparsed declare does not count as a change. */
  defKey: string;
  values: Map<string, Value>;
}

/** Factory for child controllers, injected by the controller to avoid an import cycle. */
export type ChildControllerFactory = (
  opts: ComponentOptions,
  def: DeclareDef,
  onExports: (e: Value) => void,
) => Controller;

/**
 * Runs a custom component instance: a child controller loaded with the declare's body, its
 * `argument` blocks fed from the instance's attributes and its `export` blocks published as exports.
 */
export class ModuleComponent implements Component<ModuleArgs> {
  private child: Controller;
  private key: string;

  constructor(
    private readonly opts: ComponentOptions,
    args: ModuleArgs,
    private readonly factory: ChildControllerFactory,
  ) {
    this.key = args.defKey;
    this.child = factory(opts, args.def, (e) =>
      opts.onStateChange(Object.fromEntries(e as Map<string, Value>)),
    );
    this.child.loadModule(args.def, args.values);
  }

  get controller(): Controller {
    return this.child;
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.child.run(signal);
  }

  update(args: ModuleArgs): void {
    this.key = args.defKey;
    this.child.loadModule(args.def, args.values);
  }

  health(): Health | undefined {
    return this.child.moduleHealth();
  }

  get defKey(): string {
    return this.key;
  }
}

/** Nested imports of a module, by namespace label (import blocks at the top of an imported file). */
export type ModuleImports = Map<string, { nodeID: string; provider: () => DeclareProvider | undefined }>;

/**
 * The top-level declare blocks of module text, in a scope that also sees the module's own imports.
 * Any other top-level block is refused (a module file only defines components).
 */
export function declaresFromModule(
  files: File[],
  imports: ModuleImports,
  modulePath: string,
): Map<string, DeclareDef> {
  const declares = new Map<string, DeclareDef>();
  const scope = new DeclareScope(declares, imports, undefined);
  for (const file of files) {
    for (const stmt of file.body) {
      if (stmt.kind !== 'Block') continue;
      const name = blockName(stmt);
      if (name === 'declare' && stmt.label !== undefined) {
        declares.set(stmt.label, { name: stmt.label, block: stmt, file: file.source, scope, modulePath });
      } else if (name !== 'import.file' && name !== 'import.string') {
        throw new Error(`${name} blocks are not allowed in an imported module`);
      }
    }
  }
  return declares;
}

/** Arguments decoded from `import.string` / `import.file` blocks. */
export interface ImportArgs {
  content?: string | Secret;
  filename?: string;
  detector?: string;
  poll_frequency?: number;
}

/**
 * `import.string` and `import.file`: loads module text, exposes its declares, and (for files) watches
 * for changes with fs.watch (`detector = "fsnotify"`) or polling (`"poll"`), reloading dependants.
 * An unreadable or invalid module keeps the last good declares and reports unhealthy.
 */
export class ImportComponent implements Component<ImportArgs>, DeclareProvider {
  private current: Map<string, DeclareDef> | undefined;
  private text = '';
  private status: Health = health('healthy', 'module loaded');
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private args: ImportArgs;

  constructor(
    private readonly kind: 'import.string' | 'import.file',
    private readonly opts: ComponentOptions,
    args: ImportArgs,
    private readonly baseDir: string,
    /** Called when the loaded declares changed (dependants must re-evaluate). */
    private readonly onChange: () => void,
  ) {
    this.args = args;
  }

  /**
   * Loads the module text (synchronously, so instances can be evaluated in the same load) and parses its
   * declares. Throws on the first load's failure; later failures keep the last good module.
   */
  load(initial: boolean): void {
    try {
      const sources = this.read();
      const joined = sources.map((s) => `${s.name}\0${s.text}`).join('\0');
      if (joined === this.text && this.current) return;
      const files = sources.map((s) => parseFile(s.name, s.text));
      const modulePath = this.kind === 'import.file' ? this.moduleDir() : this.baseDir;
      const nested = this.loadNested(files, modulePath);
      this.current = declaresFromModule(files, nested.imports, modulePath);
      this.replaceNested(nested.components);
      this.text = joined;
      this.status = health('healthy', 'module loaded');
      if (!initial) this.onChange();
    } catch (err) {
      this.status = health('unhealthy', `failed to load module: ${errorText(err)}`);
      if (initial) throw err;
      this.opts.logger.error('failed to reload imported module', { err: errorText(err) });
    }
  }

  private moduleDir(): string {
    const p = this.resolvedPath();
    return this.isDirectory ? p : dirname(p);
  }

  private isDirectory = false;

  private resolvedPath(): string {
    return resolve(this.baseDir, this.args.filename ?? '');
  }

  private read(): { name: string; text: string }[] {
    if (this.kind === 'import.string') {
      const c = this.args.content;
      return [{ name: this.opts.localID, text: c instanceof Secret ? c.value : (c ?? '') }];
    }
    const path = this.resolvedPath();
    this.isDirectory = statSync(path).isDirectory();
    if (!this.isDirectory) return [{ name: path, text: readFileSync(path, 'utf8') }];
    const names = readdirSync(path)
      .filter((n) => n.endsWith('.alloy'))
      .sort();
    return names.map((n) => ({ name: join(path, n), text: readFileSync(join(path, n), 'utf8') }));
  }

  declares(): Map<string, DeclareDef> | undefined {
    return this.current;
  }

  /**
   * Builds the module's own `import.file` / `import.string` blocks (relative paths resolve against the
   * module's directory); a change in any of them counts as a change of this module.
   */
  private loadNested(
    files: File[],
    modulePath: string,
  ): { imports: ModuleImports; components: ImportComponent[] } {
    const imports: ModuleImports = new Map();
    const components: ImportComponent[] = [];
    const scope = new Scope(new Map([['module_path', modulePath]]));
    for (const file of files) {
      for (const stmt of file.body) {
        if (stmt.kind !== 'Block') continue;
        const name = blockName(stmt);
        if (name !== 'import.file' && name !== 'import.string') continue;
        if (stmt.label === undefined) throw new Error(`${name} block must have a label`);
        const { value, diagnostics } = decodeBody(stmt.body, importSchemas[name]!, {
          file: file.source,
          evaluate: (e) => evaluate(e, scope, file.source),
          rangeStart: stmt.start,
          rangeEnd: stmt.end,
        });
        if (diagnostics.length) throw new DiagnosticError(diagnostics);
        const child = new ImportComponent(name, this.opts, value as ImportArgs, modulePath, () =>
          this.onChange(),
        );
        child.load(true);
        components.push(child);
        imports.set(stmt.label, { nodeID: `${name}.${stmt.label}`, provider: () => child });
      }
    }
    return { imports, components };
  }

  private nested: ImportComponent[] = [];
  private nestedAbort: AbortController | undefined;
  private runSignal: AbortSignal | undefined;

  /** Swaps the nested imports, stopping the old ones and starting the new ones when running. */
  private replaceNested(next: ImportComponent[]): void {
    this.nestedAbort?.abort();
    this.nested = next;
    this.nestedAbort = undefined;
    if (this.runSignal && !this.runSignal.aborted && next.length) {
      const abort = new AbortController();
      this.runSignal.addEventListener('abort', () => abort.abort(), { once: true });
      this.nestedAbort = abort;
      for (const c of next) void c.run(abort.signal);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    this.runSignal = signal;
    this.replaceNested(this.nested);
    if (this.kind === 'import.file') this.startWatching();
    await untilAborted(signal);
    this.stopWatching();
  }

  private startWatching(): void {
    this.stopWatching();
    const reload = () => this.load(false);
    if (this.args.detector === 'poll') {
      this.timer = setInterval(reload, Math.max(10, this.args.poll_frequency ?? 60_000));
      return;
    }
    try {
      // Watch the directory so editors that replace the file (rename over it) are seen too.
      const target = this.isDirectory ? this.resolvedPath() : dirname(this.resolvedPath());
      this.watcher = watch(target, { persistent: false }, () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(reload, 20);
      });
    } catch {
      this.timer = setInterval(reload, Math.max(10, this.args.poll_frequency ?? 60_000));
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.timer);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  update(args: ImportArgs): void {
    this.args = args;
    this.load(false);
    if (this.watcher || this.timer) this.startWatching();
  }

  health(): Health {
    return this.status;
  }
}

function errorText(err: unknown): string {
  if (err instanceof DiagnosticError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
