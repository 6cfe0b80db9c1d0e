import type { ConfigGraph } from '../../api/types';

/** A node placed in a column (layer) and row. */
export interface PlacedNode {
  id: string;
  component: string;
  layer: number;
  row: number;
}

/**
 * Layers a reference graph for drawing left to right: a component sits one column right of the
 * right-most component whose exports it uses (`edge.from` uses `edge.to`). Cycles (invalid configs) are
 * cut where found. Rows keep the input order within a column.
 */
export function layoutGraph(graph: ConfigGraph): { nodes: PlacedNode[]; layers: number; rows: number } {
  const deps = new Map<string, string[]>();
  for (const n of graph.nodes) {
    deps.set(n.id, []);
  }
  for (const e of graph.edges) {
    if (deps.has(e.from) && deps.has(e.to) && e.from !== e.to) {
      deps.get(e.from)!.push(e.to);
    }
  }
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) {
      return known;
    }
    if (visiting.has(id)) {
      return 0;
    }
    visiting.add(id);
    let d = 0;
    for (const to of deps.get(id) ?? []) {
      d = Math.max(d, depth(to) + 1);
    }
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  const rowsPerLayer = new Map<number, number>();
  const nodes = graph.nodes.map((n) => {
    const l = depth(n.id);
    const row = rowsPerLayer.get(l) ?? 0;
    rowsPerLayer.set(l, row + 1);
    return { id: n.id, component: n.component, layer: l, row };
  });
  return {
    nodes,
    layers: nodes.length ? Math.max(...nodes.map((n) => n.layer)) + 1 : 0,
    rows: rowsPerLayer.size ? Math.max(...rowsPerLayer.values()) : 0,
  };
}
