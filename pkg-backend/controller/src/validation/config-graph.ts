/**
 * What a pipeline's text contains, from its syntax tree: the components it uses and the graph of
 * references between its top-level blocks (edges as the engine wires them: a traversal refers to the
 * first of its prefixes that is a block ID), plus the checks that only apply because a pipeline runs
 * as an isolated module on the agent.
 */
import {
  blockID,
  blockName,
  collectTraversals,
  diagAt,
  parseFileWithDiagnostics,
  type BlockStmt,
  type ComponentRegistry,
  type Diagnostic,
  type Expr,
  type Stmt,
} from '@foundry/engine';

export interface ConfigGraph {
  nodes: { id: string; component: string }[];
  /** `from` refers to (reads the exports of) `to`. */
  edges: { from: string; to: string }[];
}

export interface ConfigAnalysis {
  /** Registered component names used anywhere (inside declare and foreach bodies too), sorted. */
  components: string[];
  graph: ConfigGraph;
  /** Errors that the module context adds to the engine's validation. */
  moduleDiagnostics: Diagnostic[];
}

/** Blocks that exist once per agent process and cannot appear in a module. */
const PROCESS_BLOCKS = new Set([
  'logging',
  'tracing',
  'http',
  'livedebugging',
  'labelstore',
  'remotecfg',
  'cluster',
  'otel',
  'ui',
]);

/** Analyses `text`; a text that does not parse yields nothing (the engine reports its syntax errors). */
export function analyzeConfig(filename: string, text: string, registry: ComponentRegistry): ConfigAnalysis {
  const { file } = parseFileWithDiagnostics(filename, text);
  if (!file) return { components: [], graph: { nodes: [], edges: [] }, moduleDiagnostics: [] };
  const blocks = file.body.filter((s): s is BlockStmt => s.kind === 'Block');

  const components = new Set<string>();
  collectComponents(blocks, registry, components);

  const moduleDiagnostics: Diagnostic[] = [];
  for (const b of blocks) {
    const name = blockName(b);
    if (PROCESS_BLOCKS.has(name) && b.label === undefined) {
      moduleDiagnostics.push(
        diagAt(
          file.source,
          b.nameStart,
          b.nameEnd,
          `${name} block is not allowed in a pipeline: pipelines run as isolated modules; configure it in the agent's local config`,
        ),
      );
    }
  }

  const ids = new Set(blocks.map(blockID));
  const nodes = blocks.map((b) => ({ id: blockID(b), component: blockName(b) }));
  const edges: ConfigGraph['edges'] = [];
  const seen = new Set<string>();
  for (const b of blocks) {
    const name = blockName(b);
    if (name === 'declare') continue;
    const from = blockID(b);
    const body =
      name === 'foreach'
        ? b.body.filter((s) => !(s.kind === 'Block' && blockName(s) === 'template'))
        : b.body;
    for (const expr of expressionsOf(body)) {
      for (const tr of collectTraversals(expr)) {
        let to: string | undefined;
        for (let i = 1; i <= tr.path.length && !to; i++) {
          const prefix = tr.path.slice(0, i).join('.');
          if (ids.has(prefix)) to = prefix;
        }
        const key = `${from}\u0000${to}`;
        if (!to || to === from || seen.has(key)) continue;
        seen.add(key);
        edges.push({ from, to });
      }
    }
  }
  return { components: [...components].sort(), graph: { nodes, edges }, moduleDiagnostics };
}

function collectComponents(blocks: readonly Stmt[], registry: ComponentRegistry, out: Set<string>): void {
  for (const s of blocks) {
    if (s.kind !== 'Block') continue;
    const name = blockName(s);
    if (name === 'declare') collectComponents(s.body, registry, out);
    else if (name === 'foreach') {
      for (const t of s.body)
        if (t.kind === 'Block' && blockName(t) === 'template') collectComponents(t.body, registry, out);
    } else if (registry.has(name)) out.add(name);
  }
}

function* expressionsOf(body: readonly Stmt[]): Generator<Expr> {
  for (const s of body) {
    if (s.kind === 'Attribute') yield s.value;
    else yield* expressionsOf(s.body);
  }
}
