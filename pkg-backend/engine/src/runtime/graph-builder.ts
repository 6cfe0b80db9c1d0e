/**
 * Building a module's graph from blocks (Alloy's `loadNewGraph` and `wireGraphEdges`): node creation in
 * Alloy's order (declares, config blocks, components, services), duplicate and label checks, stability
 * gates, edges from references by the first prefix that is a node ID, and cycle detection. Everything is
 * built into fresh records; kept IDs reuse their cells so running instances carry over.
 */
import type { BlockStmt, Expr, Stmt } from '../syntax/ast.js';
import { blockID, blockName } from '../syntax/ast.js';
import { diagAt, type Diagnostic } from '../syntax/diag.js';
import { collectTraversals } from '../syntax/eval.js';
import type { SourceFile } from '../syntax/source.js';
import { stdlib, stdlibInfo } from '../syntax/stdlib/index.js';
import type { Value } from '../syntax/value.js';
import { stabilityAllowed, type ComponentRegistration } from './component.js';
import { CONFIG_BLOCK_STABILITY, CONFIG_BLOCKS, serviceSchemas } from './config-blocks.js';
import type { EngineContext } from './context.js';
import { Graph } from './dag.js';
import { DeclareScope, type DeclareDef, type ImportComponent } from './modules.js';
import { Cell, type GraphNode, type NodeKind } from './nodes.js';

export interface ControllerOptions {
  /** Module path: '' for the root, else the owning component's global ID. */
  id: string;
  /** True inside custom components and isolated modules: `argument`/`export` allowed, no `logging`. */
  isModule: boolean;
  /** Definitions from enclosing scopes (declares of the parent, or of an imported file). */
  parentScope?: DeclareScope;
  /** Directory for `module_path` and relative `import.file` paths. */
  modulePath: string;
  /** Receives the module's exports (object of export labels) when they change. */
  onExports?: (exports: Value) => void;
}

/** A statement with the file it came from. */
export interface SourcedBlock {
  block: BlockStmt;
  file: SourceFile;
}

/** The graph of one load, built into fresh records. */
export interface LoadedGraph {
  graph: Graph;
  nodes: Map<string, GraphNode>;
  declareScope: DeclareScope;
}

export function buildGraph(
  ctx: EngineContext,
  opts: ControllerOptions,
  /** The running graph's nodes: kept IDs reuse their cells. */
  previous: Map<string, GraphNode>,
  blocks: SourcedBlock[],
  diags: Diagnostic[],
  args?: Map<string, Value>,
): LoadedGraph | undefined {
  const graph = new Graph();
  const nodes = new Map<string, GraphNode>();
  const declares = new Map<string, DeclareDef>();
  const imports = new Map<string, { nodeID: string; provider: () => ImportComponent | undefined }>();
  const declareScope = new DeclareScope(declares, imports, opts.parentScope);
  const seen = new Map<string, SourcedBlock>();
  const err = (sb: SourcedBlock, msg: string, end = headerEnd(sb.block)) =>
    diags.push(diagAt(sb.file, sb.block.nameStart, end, msg));

  const declareBlocks: SourcedBlock[] = [];
  const configBlocks: SourcedBlock[] = [];
  const componentBlocks: SourcedBlock[] = [];
  const serviceBlocks: SourcedBlock[] = [];
  for (const sb of blocks) {
    const name = blockName(sb.block);
    if (name === 'declare') declareBlocks.push(sb);
    else if (CONFIG_BLOCKS.has(name)) configBlocks.push(sb);
    else if (name in serviceSchemas && sb.block.label === undefined) serviceBlocks.push(sb);
    else componentBlocks.push(sb);
  }

  const addNode = (
    sb: SourcedBlock,
    kind: NodeKind,
    registration?: ComponentRegistration,
  ): GraphNode | undefined => {
    const id = blockID(sb.block);
    const prev = seen.get(id);
    if (prev) {
      err(sb, `block ${id} already declared at ${formatPos(prev)}`);
      return undefined;
    }
    seen.set(id, sb);
    const name = blockName(sb.block);
    const old = previous.get(id)?.cell;
    const cell = old && old.kind === kind && old.name === name ? old : new Cell(id, kind, name);
    const node: GraphNode = {
      id,
      kind,
      name,
      label: sb.block.label,
      block: sb.block,
      file: sb.file,
      cell,
      registration,
    };
    nodes.set(id, node);
    graph.add(id);
    return node;
  };

  // 1. declares
  for (const sb of declareBlocks) {
    if (sb.block.label === undefined) {
      err(sb, 'declare block must have a label');
      continue;
    }
    if (sb.block.label === 'declare') {
      err(sb, 'cannot use "declare" as a declare label');
      continue;
    }
    const node = addNode(sb, 'declare');
    if (!node) continue;
    declares.set(sb.block.label, {
      name: sb.block.label,
      block: sb.block,
      file: sb.file,
      scope: declareScope,
      modulePath: opts.modulePath,
    });
  }

  // 2. config blocks
  for (const sb of configBlocks) {
    const name = blockName(sb.block);
    const label = sb.block.label;
    const needsLabel = name !== 'logging' && name !== 'tracing';
    if (needsLabel && label === undefined) {
      err(sb, `${name} block must have a label`);
      continue;
    }
    if (!needsLabel && label !== undefined) {
      err(sb, `${name} block does not support specifying labels`);
      continue;
    }
    if ((name === 'logging' || name === 'tracing') && opts.isModule) {
      err(sb, `${name} block not allowed inside a module`);
      continue;
    }
    if ((name === 'argument' || name === 'export') && !opts.isModule) {
      err(sb, `${name} blocks only allowed inside a module`);
      continue;
    }
    const stability = CONFIG_BLOCK_STABILITY[name];
    if (stability && !stabilityAllowed(stability, ctx.minStability)) {
      err(
        sb,
        stabilityMessage(`${name} block ${JSON.stringify(label ?? '')}`, stability, ctx.minStability),
        sb.block.nameEnd,
      );
      continue;
    }
    const kind: NodeKind = name.startsWith('import.') ? 'import' : (name as NodeKind);
    const node = addNode(sb, kind);
    if (!node) continue;
    if (kind === 'import') {
      if (name === 'import.http' || name === 'import.git') {
        err(sb, `${name} is not supported by this engine yet`);
      }
      const cell = node.cell;
      imports.set(label!, {
        nodeID: node.id,
        provider: () => cell.instance as ImportComponent | undefined,
      });
    }
  }

  // 3. components (builtin and custom)
  for (const sb of componentBlocks) {
    const name = blockName(sb.block);
    const reg = ctx.registry.get(name);
    if (reg) {
      if (sb.block.label === undefined) {
        err(sb, `component ${JSON.stringify(name)} must have a label`, sb.block.nameEnd);
        continue;
      }
      if (!stabilityAllowed(reg.stability, ctx.minStability)) {
        err(
          sb,
          stabilityMessage(`component ${JSON.stringify(name)}`, reg.stability, ctx.minStability),
          sb.block.nameEnd,
        );
        continue;
      }
      if (reg.community && !ctx.communityComponents) {
        err(
          sb,
          `the component ${JSON.stringify(name)} is a community component. Use the --feature.community-components.enabled command-line flag to enable community components`,
          sb.block.nameEnd,
        );
        continue;
      }
      addNode(sb, 'component', reg);
      continue;
    }
    const custom = declareScope.resolveName(sb.block.name);
    if (custom) {
      if (sb.block.label === undefined) {
        err(sb, `component ${JSON.stringify(name)} must have a label`, sb.block.nameEnd);
        continue;
      }
      addNode(sb, 'custom');
      continue;
    }
    err(sb, `cannot find the definition of component name ${JSON.stringify(name)}`, sb.block.nameEnd);
  }

  // 4. services (root only)
  for (const sb of serviceBlocks) {
    const name = blockName(sb.block);
    if (opts.isModule) {
      err(sb, `service ${JSON.stringify(name)} is not allowed inside a module`);
      continue;
    }
    if (serviceSchemas[name] === null) {
      err(sb, `service ${JSON.stringify(name)} does not support being configured`);
      continue;
    }
    addNode(sb, 'service');
  }

  if (diags.some((d) => d.severity === 'error')) return undefined;

  // Module arguments that are not declared.
  if (args) {
    for (const key of args.keys()) {
      if (!nodes.has(`argument.${key}`)) {
        diags.push(
          diagAt(undefined, 0, 0, `Provided argument ${JSON.stringify(key)} is not defined in the module`),
        );
      }
    }
  }

  wireEdges(ctx, graph, nodes, declareScope, diags);
  if (diags.some((d) => d.severity === 'error')) return undefined;

  const { cycles, selfRefs } = graph.cycles();
  for (const cyc of cycles) diags.push(diagAt(undefined, 0, 0, `cycle: ${cyc.join(', ')}`));
  for (const id of selfRefs) diags.push(diagAt(undefined, 0, 0, `self reference: ${id}`));
  if (diags.some((d) => d.severity === 'error')) return undefined;
  return { graph, nodes, declareScope };
}

/**
 * IDs of the import nodes a custom component name depends on: its own import namespace, or — for a
 * local declare — every import used by the blocks of its body, recursively (as Alloy's declare edges).
 */
function importsUsed(name: string[], scope: DeclareScope, seen: Set<DeclareDef>): string[] {
  const r = scope.resolveName(name);
  if (!r) return [];
  if (r.kind === 'import') return [r.nodeID];
  if (seen.has(r.def)) return [];
  seen.add(r.def);
  const out: string[] = [];
  const walk = (body: Stmt[]) => {
    for (const s of body) {
      if (s.kind !== 'Block') continue;
      if (blockName(s) === 'declare') walk(s.body);
      else out.push(...importsUsed(s.name, r.def.scope, seen));
    }
  };
  walk(r.def.block.body);
  return out;
}

/** Adds an edge for every reference, by the first prefix of a traversal that is a node ID (as Alloy). */
function wireEdges(
  ctx: EngineContext,
  graph: Graph,
  nodes: Map<string, GraphNode>,
  scope: DeclareScope,
  diags: Diagnostic[],
): void {
  const localVars = new Set(['module_path']);
  for (const node of nodes.values()) {
    if (node.kind === 'declare') continue;
    if (node.kind === 'custom') {
      // The instance needs the imports its definition uses, directly or through declares it instantiates.
      for (const id of importsUsed(node.block.name, scope, new Set()))
        if (nodes.has(id)) graph.addEdge(node.id, id);
    }
    const body =
      node.kind === 'foreach'
        ? node.block.body.filter((s) => !(s.kind === 'Block' && blockName(s) === 'template'))
        : node.block.body;
    for (const expr of expressionsOf(body)) {
      for (const tr of collectTraversals(expr)) {
        let target: string | undefined;
        for (let i = 1; i <= tr.path.length; i++) {
          const prefix = tr.path.slice(0, i).join('.');
          if (nodes.has(prefix)) {
            target = prefix;
            break;
          }
        }
        const first = tr.path[0]!;
        if (target) {
          graph.addEdge(node.id, target);
          if (stdlib.has(first))
            ctx.logger.warn('a component is shadowing an existing stdlib name', { component: target });
          continue;
        }
        if (localVars.has(first)) continue;
        if (stdlib.has(first)) {
          const info = stdlibInfo(tr.path.join('.')) ?? stdlibInfo(first);
          const fnPath = stdlibInfo(tr.path.join('.')) ? tr.path.join('.') : first;
          if (info && !stabilityAllowed(info.stability, ctx.minStability)) {
            diags.push(
              diagAt(
                node.file,
                tr.start,
                tr.start + fnPath.length,
                stabilityMessage(fnPath, info.stability, ctx.minStability),
              ),
            );
          } else if (info?.deprecated) {
            const msg =
              'this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives';
            ctx.logger.warn(msg, { function: fnPath });
          }
          continue;
        }
        diags.push(
          diagAt(
            node.file,
            tr.start,
            tr.end,
            `component ${JSON.stringify(tr.path.join('.'))} does not exist or is out of scope`,
          ),
        );
      }
    }
  }
}

export function headerEnd(b: BlockStmt): number {
  return b.label !== undefined && b.labelStart >= 0 ? b.labelStart + b.label.length + 2 : b.nameEnd;
}

function formatPos(sb: SourcedBlock): string {
  const p = sb.file.position(sb.block.nameStart);
  return `${p.filename}:${p.line}:${p.column}`;
}

export function stabilityMessage(what: string, level: string, min: string): string {
  return `${what} is at stability level ${JSON.stringify(level)}, which is below the minimum allowed stability level ${JSON.stringify(min)}. Use --stability.level command-line flag to enable ${JSON.stringify(level)} features`;
}

/** Every expression in a body, including nested blocks. */
function* expressionsOf(body: Stmt[]): Generator<Expr> {
  for (const s of body) {
    if (s.kind === 'Attribute') yield s.value;
    else yield* expressionsOf(s.body);
  }
}
