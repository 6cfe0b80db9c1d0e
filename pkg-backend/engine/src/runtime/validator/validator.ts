/**
 * The static validator behind `alloy validate` (Alloy's `internal/validator`): a walk over the parsed
 * sources that builds one graph per scope (the root, each `declare` body, each `foreach` template),
 * registers custom components (declares and import namespaces), then reports, node by node in
 * definition order, structural errors, argument type checks, unresolved references and stdlib
 * warnings, recursing into nested scopes, and finally cycles. Nothing is evaluated, loaded or run.
 *
 * The order of checks, which errors are reported together and their ranges follow Alloy exactly so
 * that the rendered report matches `alloy validate` byte for byte.
 */
import type { BlockStmt, Expr, Stmt } from '../../syntax/ast.js';
import { blockID, blockName } from '../../syntax/ast.js';
import { diagAt, type Diagnostic } from '../../syntax/diag.js';
import { collectTraversals, evaluate, Scope } from '../../syntax/eval.js';
import { parseFileWithDiagnostics } from '../../syntax/parser.js';
import { formatPosition, type SourceFile } from '../../syntax/source.js';
import type { Value } from '../../syntax/value.js';
import { stdlib, stdlibInfo } from '../../syntax/stdlib/index.js';
import { stabilityAllowed, type ComponentRegistry, type Stability } from '../component.js';
import {
  argumentSchema,
  CONFIG_BLOCK_STABILITY,
  CONFIG_BLOCKS,
  exportSchema,
  foreachSchema,
  importSchemas,
  loggingSchema,
  serviceSchemas,
  tracingSchema,
} from '../config-blocks.js';
import { stabilityMessage } from '../graph-builder.js';
import { Graph } from '../dag.js';
import { t, type BlockSchema } from '../schema.js';
import { typecheckBody } from './typecheck.js';

export interface ValidatorOptions {
  registry: ComponentRegistry;
  minStability: Stability;
  communityComponents: boolean;
}

export interface ValidatorSource {
  filename: string;
  text: string;
}

/** Parses and validates the sources (one config split over files); returns every error and warning. */
export function validateConfig(sources: ValidatorSource[], opts: ValidatorOptions): Diagnostic[] {
  const parsed = parseSources(sources);
  if ('diagnostics' in parsed) return parsed.diagnostics;
  return new Validator(opts).run(parsed.blocks);
}

/** A block with the file it came from. */
interface SourcedBlock {
  block: BlockStmt;
  file: SourceFile;
}

/**
 * Parses every file (sorted by name, as Alloy merges a directory). Syntax errors of all files are
 * reported together; a top-level attribute stops parsing with that single error (as Alloy).
 */
function parseSources(
  sources: ValidatorSource[],
): { blocks: SourcedBlock[] } | { diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const blocks: SourcedBlock[] = [];
  const sorted = [...sources].sort((a, b) =>
    a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0,
  );
  for (const s of sorted) {
    const r = parseFileWithDiagnostics(s.filename, s.text);
    if (!r.file) {
      diagnostics.push(...r.diagnostics);
      continue;
    }
    for (const stmt of r.file.body) {
      if (stmt.kind === 'Attribute') {
        return {
          diagnostics: [
            diagAt(
              r.file.source,
              stmt.nameStart,
              stmt.nameStart + stmt.name.length,
              `unrecognized attribute ${stmt.name}`,
            ),
          ],
        };
      }
      blocks.push({ block: stmt, file: r.file.source });
    }
  }
  return diagnostics.length ? { diagnostics } : { blocks };
}

// -----------------------------------------------------------------------------------------------
// Graph

type NodeKind = 'node' | 'component' | 'module' | 'foreach';

interface VNode {
  kind: NodeKind;
  /** Graph ID: the block ID, made unique for duplicates so they are still checked. */
  id: string;
  sb: SourcedBlock;
  /** Statements searched for references and type-checked: none for declares, no template for foreach. */
  body: Stmt[];
  /** Errors found while building the graph, reported before the node's type check. */
  diags: Diagnostic[];
  /** Argument schema to type-check `body` against (none: not checked). */
  schema?: BlockSchema;
  /** Nested scope of a declare body or foreach template. */
  state?: State;
}

/** One scope's graph; remembers insertion order, and a foreach template sees its parent's nodes. */
class ScopeGraph {
  readonly ids: string[] = [];
  readonly nodes = new Map<string, VNode>();
  readonly dag = new Graph();

  constructor(readonly parent?: ScopeGraph) {}

  add(n: VNode): void {
    this.ids.push(n.id);
    this.nodes.set(n.id, n);
    this.dag.add(n.id);
  }

  get(id: string): VNode | undefined {
    return this.nodes.get(id) ?? this.parent?.get(id);
  }

  isFromParent(n: VNode): boolean {
    return !this.nodes.has(n.id) && this.parent?.get(n.id) !== undefined;
  }
}

// -----------------------------------------------------------------------------------------------
// Component lookup

type Lookup = { schema: BlockSchema | undefined } | { error: string };

/**
 * Custom components visible in a scope (declares by label, import namespaces), falling back to the
 * enclosing scope and finally the built-in registry. As Alloy, only the first name fragment is
 * matched against custom names: modules are not loaded, so `ns.anything` is accepted for an import.
 */
class CustomRegistry {
  private readonly custom = new Map<string, BlockSchema | undefined>();

  constructor(private readonly parent: CustomRegistry | ((name: string) => Lookup)) {}

  register(label: string, args: BlockSchema | undefined): void {
    this.custom.set(label, args);
  }

  get(name: string): Lookup {
    const first = name.split('.')[0]!;
    if (this.custom.has(first)) return { schema: this.custom.get(first) };
    return typeof this.parent === 'function' ? this.parent(name) : this.parent.get(name);
  }
}

// -----------------------------------------------------------------------------------------------
// Walk

interface State {
  root: boolean;
  foreach: boolean;
  graph: ScopeGraph;
  declares: SourcedBlock[];
  configs: SourcedBlock[];
  components: SourcedBlock[];
  services: SourcedBlock[];
  cr: CustomRegistry;
  /** Labelled, non-duplicate `argument` blocks of a declare body. */
  arguments: SourcedBlock[];
}

const DEPRECATION_WARNING =
  'this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives';

class Validator {
  /**
   * Names of scope variables. Alloy shares one variable map between every scope of the walk, so a
   * foreach `var` or `argument` is accepted anywhere once defined somewhere; kept for parity.
   */
  private readonly vars = new Set<string>(['module_path']);

  constructor(private readonly opts: ValidatorOptions) {}

  run(blocks: SourcedBlock[]): Diagnostic[] {
    const declares: SourcedBlock[] = [];
    const configs: SourcedBlock[] = [];
    const components: SourcedBlock[] = [];
    const services: SourcedBlock[] = [];
    for (const sb of blocks) {
      const name = blockName(sb.block);
      if (name === 'declare') declares.push(sb);
      else if (CONFIG_BLOCKS.has(name)) configs.push(sb);
      else if (isService(sb.block)) services.push(sb);
      else components.push(sb);
    }
    const root: State = {
      root: true,
      foreach: false,
      graph: new ScopeGraph(),
      declares,
      configs,
      components,
      services,
      cr: new CustomRegistry((name) => this.builtin(name)),
      arguments: [],
    };
    return this.validateGraph(this.validate(root));
  }

  private builtin(name: string): Lookup {
    const reg = this.opts.registry.get(name);
    if (!reg) return { error: `cannot find the definition of component name ${JSON.stringify(name)}` };
    if (reg.community) {
      if (!this.opts.communityComponents) {
        return {
          error: `the component ${JSON.stringify(name)} is a community component. Use the --feature.community-components.enabled command-line flag to enable community components`,
        };
      }
      return { schema: reg.args }; // community components are not subject to stability levels
    }
    if (!stabilityAllowed(reg.stability, this.opts.minStability)) {
      return {
        error: stabilityMessage(`component ${JSON.stringify(name)}`, reg.stability, this.opts.minStability),
      };
    }
    return { schema: reg.args };
  }

  /** Builds a scope's graph; declares first, since they register custom components. */
  private validate(s: State): State {
    this.validateDeclares(s);
    this.validateConfigs(s);
    this.validateComponents(s);
    this.validateServices(s);
    return s;
  }

  private validateDeclares(s: State): void {
    const mem = new Map<string, SourcedBlock>();
    s.declares.forEach((sb, i) => {
      const node = newNode('module', sb);
      if (sb.block.label === undefined) {
        node.diags.push(nameDiag(sb, blockName(sb.block).length, 'declare block must have a label'));
      }
      markDuplicate(node, mem, i);
      const inner = extractBlocks(node, sb.block.body);
      node.body = [];
      const moduleState: State = {
        root: false,
        foreach: false,
        graph: new ScopeGraph(),
        ...inner,
        cr: new CustomRegistry(s.cr),
        arguments: [],
      };
      node.state = this.validate(moduleState);
      s.graph.add(node);
      if (sb.block.label !== undefined) {
        this.vars.add('argument');
        s.cr.register(sb.block.label, argumentsSchema(moduleState.arguments));
      }
    });
  }

  private validateConfigs(s: State): void {
    const mem = new Map<string, SourcedBlock>();
    s.configs.forEach((sb, i) => {
      const node = newNode('node', sb);
      const register = !markDuplicate(node, mem, i);
      const name = blockName(sb.block);
      switch (name) {
        case 'logging':
        case 'tracing':
          node.schema = name === 'logging' ? loggingSchema : tracingSchema;
          disallowed(s, node);
          s.graph.add(node);
          break;
        case 'foreach':
          this.validateForeach(node, s);
          break;
        case 'argument':
        case 'export':
          node.schema = name === 'argument' ? argumentSchema : exportSchema;
          if (s.root) node.diags.push(blockDiag(sb, `${name} blocks only allowed inside a module`));
          if (sb.block.label === undefined) node.diags.push(missingLabel(sb));
          else if (register && name === 'argument') s.arguments.push(sb);
          s.graph.add(node);
          break;
        default: {
          // import.file, import.string, import.http, import.git
          node.schema = importSchemas[name];
          let reg = register;
          if (sb.block.label === undefined) {
            reg = false;
            node.diags.push(missingLabel(sb));
          }
          s.graph.add(node);
          // Imported modules are not loaded: any component in the namespace is accepted, unchecked.
          if (reg) s.cr.register(sb.block.label!, undefined);
        }
      }
    });
  }

  private validateForeach(node: VNode, s: State): void {
    const sb = node.sb;
    const name = blockName(sb.block);
    const stability = CONFIG_BLOCK_STABILITY[name];
    if (stability && !stabilityAllowed(stability, this.opts.minStability)) {
      node.diags.push(
        nameDiag(
          sb,
          name.length,
          stabilityMessage(`foreach block ${JSON.stringify(name)}`, stability, this.opts.minStability),
        ),
      );
    }
    if (sb.block.label === undefined) node.diags.push(missingLabel(sb));

    let template: BlockStmt | undefined;
    const body: Stmt[] = [];
    for (const stmt of sb.block.body) {
      if (stmt.kind === 'Block' && blockName(stmt) === 'template') template = stmt;
      else body.push(stmt);
    }
    node.body = body;
    node.schema = foreachSchema;
    if (!template) {
      node.diags.push(blockDiag(sb, 'missing required block "template"'));
      s.graph.add(node);
      return;
    }
    const inner = extractBlocks(node, template.body);
    const foreachState: State = {
      root: s.root,
      foreach: true,
      graph: new ScopeGraph(s.graph),
      ...inner,
      cr: new CustomRegistry(s.cr),
      arguments: [],
    };
    const v = literalStringAttr(body, 'var');
    if (v !== undefined) this.vars.add(v);
    node.kind = 'foreach';
    node.state = this.validate(foreachState);
    s.graph.add(node);
  }

  private validateComponents(s: State): void {
    const mem = new Map<string, SourcedBlock>();
    s.components.forEach((sb, i) => {
      const node = newNode('component', sb);
      const name = blockName(sb.block);
      if (sb.block.label === undefined)
        node.diags.push(nameDiag(sb, name.length, `component ${JSON.stringify(name)} must have a label`));
      markDuplicate(node, mem, i);
      s.graph.add(node);
    });
  }

  private validateServices(s: State): void {
    const mem = new Map<string, SourcedBlock>();
    s.services.forEach((sb, i) => {
      const node = newNode('node', sb);
      markDuplicate(node, mem, i);
      disallowed(s, node);
      const schema = serviceSchemas[blockID(sb.block)];
      if (!schema)
        node.diags.push(
          blockDiag(sb, `service ${JSON.stringify(blockID(sb.block))} does not support being configured`),
        );
      else node.schema = schema;
      s.graph.add(node);
    });
  }

  /** Reports a scope's diagnostics node by node, recursing into nested scopes, then its cycles. */
  private validateGraph(s: State): Diagnostic[] {
    const diags: Diagnostic[] = [];
    for (const id of s.graph.ids) {
      const n = s.graph.nodes.get(id)!;
      if (n.kind === 'component') {
        const found = s.cr.get(blockName(n.sb.block));
        diags.push(...n.diags);
        if ('error' in found) {
          diags.push(nameDiag(n.sb, blockName(n.sb.block).length, found.error));
          continue; // an unknown component's references are not checked
        }
        if (found.schema) diags.push(...this.typecheck(n, found.schema));
      } else {
        diags.push(...n.diags);
        if (n.schema) diags.push(...this.typecheck(n, n.schema));
        if (n.state) diags.push(...this.validateGraph(n.state));
      }
      for (const target of this.findReferences(n, s.graph, diags)) {
        // A template may reference nodes outside it but not the other way round, so only edges
        // within this scope matter for cycles.
        if (!s.graph.isFromParent(target)) s.graph.dag.addEdge(n.id, target.id);
      }
    }

    const { cycles, selfRefs } = s.graph.dag.cycles();
    for (const cycle of cycles) {
      const ids = [...cycle].sort(compareBytes);
      for (const id of ids)
        diags.push(headerDiag(s.graph.nodes.get(id)!.sb, `cycle detected: ${ids.join(', ')}`));
    }
    for (const id of selfRefs) diags.push(headerDiag(s.graph.nodes.get(id)!.sb, 'cannot reference self'));
    return diags;
  }

  private typecheck(n: VNode, schema: BlockSchema): Diagnostic[] {
    const b = n.sb.block;
    return typecheckBody(n.body, schema, n.sb.file, { start: b.start, end: b.end });
  }

  /**
   * Resolves every traversal of the node's body against the graph (the longest-first prefix that is a
   * node ID), else the scope variables and stdlib; adds stdlib shadowing/deprecation warnings and
   * stability errors for experimental stdlib functions.
   */
  private findReferences(n: VNode, graph: ScopeGraph, diags: Diagnostic[]): VNode[] {
    const refs: VNode[] = [];
    const file = n.sb.file;
    for (const expr of expressionsOf(n.body)) {
      for (const tr of collectTraversals(expr)) {
        let target: VNode | undefined;
        for (let i = 1; i <= tr.path.length && !target; i++)
          target = graph.get(tr.path.slice(0, i).join('.'));
        const first = tr.path[0]!;
        const full = tr.path.join('.');
        const inScope = this.vars.has(first) || stdlib.has(first);
        if (!target && !inScope) {
          diags.push(
            diagAt(
              file,
              tr.start,
              tr.end,
              `component ${JSON.stringify(full)} does not exist or is out of scope`,
            ),
          );
          continue;
        }
        if (target) {
          if (stdlib.has(first)) {
            diags.push(
              warning(
                diagAt(
                  file,
                  tr.start,
                  tr.start + first.length,
                  'a component is shadowing an existing stdlib name',
                ),
              ),
            );
          }
          refs.push(target);
        } else if (stdlibInfo(first)?.deprecated) {
          diags.push(warning(diagAt(file, tr.start, tr.end, DEPRECATION_WARNING)));
        } else if (
          stdlibInfo(full)?.stability === 'experimental' &&
          !stabilityAllowed('experimental', this.opts.minStability)
        ) {
          diags.push(
            diagAt(file, tr.start, tr.end, stabilityMessage(full, 'experimental', this.opts.minStability)),
          );
        }
      }
    }
    return refs;
  }
}

// -----------------------------------------------------------------------------------------------
// Helpers

function newNode(kind: NodeKind, sb: SourcedBlock): VNode {
  return { kind, id: blockID(sb.block), sb, body: sb.block.body, diags: [] };
}

function isService(b: BlockStmt): boolean {
  return Object.hasOwn(serviceSchemas, blockID(b));
}

/** Splits a declare body or foreach template; attributes are not allowed there. */
function extractBlocks(
  node: VNode,
  body: Stmt[],
): Pick<State, 'configs' | 'declares' | 'services' | 'components'> {
  const out = {
    configs: [] as SourcedBlock[],
    declares: [] as SourcedBlock[],
    services: [] as SourcedBlock[],
    components: [] as SourcedBlock[],
  };
  const file = node.sb.file;
  for (const stmt of body) {
    if (stmt.kind !== 'Block') {
      node.diags.push(diagAt(file, stmt.start, stmt.end, 'unsupported statement type *ast.AttributeStmt'));
      continue;
    }
    const sb = { block: stmt, file };
    const name = blockName(stmt);
    if (CONFIG_BLOCKS.has(name)) out.configs.push(sb);
    else if (name === 'declare') out.declares.push(sb);
    else if (isService(stmt)) out.services.push(sb);
    else out.components.push(sb);
  }
  return out;
}

/**
 * Records a duplicate ID (returns true) and renames the node so it is still checked. The range spans
 * as many characters from the name as the ID has (Alloy's quirk: `foreach "x"` marks `foreach "`).
 */
function markDuplicate(node: VNode, mem: Map<string, SourcedBlock>, index: number): boolean {
  const sb = node.sb;
  const id = blockID(sb.block);
  const orig = mem.get(id);
  if (!orig) {
    mem.set(id, sb);
    return false;
  }
  const at = formatPosition(orig.file.position(orig.block.start));
  node.diags.push(nameDiag(sb, id.length, `block ${id} already declared at ${at}`));
  node.id = `${node.id}-${index}`;
  return true;
}

/** Service and logging/tracing blocks exist once per process: not inside modules or templates. */
function disallowed(s: State, node: VNode): void {
  const id = blockID(node.sb.block);
  if (!s.root) node.diags.push(nameDiag(node.sb, id.length, `${id} not allowed in module`));
  else if (s.foreach) node.diags.push(nameDiag(node.sb, id.length, `${id} not allowed in foreach`));
}

function missingLabel(sb: SourcedBlock): Diagnostic {
  const name = blockName(sb.block);
  return nameDiag(sb, name.length, `${name} block must have a label`);
}

/** `length` characters from the start of the block name. */
function nameDiag(sb: SourcedBlock, length: number, message: string): Diagnostic {
  return diagAt(sb.file, sb.block.nameStart, sb.block.nameStart + length, message);
}

function blockDiag(sb: SourcedBlock, message: string): Diagnostic {
  return diagAt(sb.file, sb.block.start, sb.block.end, message);
}

/** From the block's start through its `{`. */
function headerDiag(sb: SourcedBlock, message: string): Diagnostic {
  return diagAt(sb.file, sb.block.start, sb.block.lcurly + 1, message);
}

function warning(d: Diagnostic): Diagnostic {
  return { ...d, severity: 'warning' };
}

/**
 * Arguments of a declared component: one attribute of any type per `argument` block, required unless
 * it sets `optional = true` literally (what Alloy can know without evaluating).
 */
function argumentsSchema(args: SourcedBlock[]): BlockSchema {
  const attrs: NonNullable<BlockSchema['attrs']> = {};
  for (const a of args)
    attrs[a.block.label!] = { type: t.any(), required: literalBoolAttr(a.block.body, 'optional') !== true };
  return { attrs };
}

/**
 * The last literal value of attribute `name` of the wanted kind (nested blocks included), as Alloy's
 * UnwrapBlockAttr: what can be known about a block without evaluating it.
 */
function literalAttr(body: Stmt[], name: string, kind: 'BOOL' | 'STRING'): Value | undefined {
  let found: Value | undefined;
  for (const s of body) {
    if (s.kind === 'Attribute') {
      if (s.name === name && s.value.kind === 'Literal' && s.value.literalKind === kind)
        found = evaluate(s.value, new Scope());
    } else {
      found = literalAttr(s.body, name, kind) ?? found;
    }
  }
  return found;
}

function literalBoolAttr(body: Stmt[], name: string): boolean | undefined {
  const v = literalAttr(body, name, 'BOOL');
  return typeof v === 'boolean' ? v : undefined;
}

function literalStringAttr(body: Stmt[], name: string): string | undefined {
  const v = literalAttr(body, name, 'STRING');
  return typeof v === 'string' ? v : undefined;
}

/** Every expression in a body, nested blocks included, in source order. */
function* expressionsOf(body: Stmt[]): Generator<Expr> {
  for (const s of body) {
    if (s.kind === 'Attribute') yield s.value;
    else yield* expressionsOf(s.body);
  }
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
