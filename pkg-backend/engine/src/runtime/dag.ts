/**
 * Directed graph utilities for the component graph (Alloy's `internal/dag`). An edge `from → to`
 * means `from` references `to` (so `to` is evaluated first).
 */
export class Graph {
  readonly nodes = new Set<string>();
  /** from → the nodes it references. */
  readonly out = new Map<string, Set<string>>();
  /** to → the nodes referencing it (its dependants). */
  readonly in = new Map<string, Set<string>>();

  add(id: string): void {
    if (this.nodes.has(id)) return;
    this.nodes.add(id);
    this.out.set(id, new Set());
    this.in.set(id, new Set());
  }

  addEdge(from: string, to: string): void {
    this.out.get(from)!.add(to);
    this.in.get(to)!.add(from);
  }

  dependencies(id: string): Set<string> {
    return this.out.get(id) ?? new Set();
  }

  dependants(id: string): Set<string> {
    return this.in.get(id) ?? new Set();
  }

  /** Strongly connected components with more than one node, and self edges (Tarjan). */
  cycles(): { cycles: string[][]; selfRefs: string[] } {
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const cycles: string[][] = [];
    const strong = (v: string) => {
      idx.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      onStack.add(v);
      for (const w of this.out.get(v)!) {
        if (!idx.has(w)) {
          strong(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1) cycles.push(scc.sort());
      }
    };
    for (const v of this.nodes) if (!idx.has(v)) strong(v);
    const selfRefs = [...this.nodes].filter((v) => this.out.get(v)!.has(v));
    return { cycles, selfRefs };
  }

  /**
   * Topological order from the leaves (nodes with no dependencies) up, as Alloy's Kahn walk: every node
   * comes after everything it references. Ties keep insertion order, so the result is deterministic.
   */
  topoOrder(subset?: Set<string>): string[] {
    const nodes = subset ?? this.nodes;
    const remaining = new Map<string, number>();
    for (const n of nodes) {
      let c = 0;
      for (const d of this.out.get(n)!) if (nodes.has(d) && d !== n) c++;
      remaining.set(n, c);
    }
    const ready: string[] = [];
    for (const [n, c] of remaining) if (c === 0) ready.push(n);
    const order: string[] = [];
    for (let i = 0; i < ready.length; i++) {
      const n = ready[i]!;
      order.push(n);
      for (const dep of this.in.get(n)!) {
        if (!nodes.has(dep) || dep === n) continue;
        const c = remaining.get(dep)! - 1;
        remaining.set(dep, c);
        if (c === 0) ready.push(dep);
      }
    }
    return order;
  }
}
