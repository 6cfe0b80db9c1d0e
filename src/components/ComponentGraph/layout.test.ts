import { layoutGraph } from './layout';

describe('layoutGraph', () => {
  it('places a component right of the components whose exports it uses', () => {
    const { nodes, layers, rows } = layoutGraph({
      nodes: [
        { id: 'prometheus.scrape.s', component: 'prometheus.scrape' },
        { id: 'prometheus.exporter.self.a', component: 'prometheus.exporter.self' },
        { id: 'prometheus.remote_write.w', component: 'prometheus.remote_write' },
        { id: 'prometheus.relabel.r', component: 'prometheus.relabel' },
      ],
      edges: [
        { from: 'prometheus.scrape.s', to: 'prometheus.exporter.self.a' },
        { from: 'prometheus.scrape.s', to: 'prometheus.relabel.r' },
        { from: 'prometheus.relabel.r', to: 'prometheus.remote_write.w' },
      ],
    });
    const layer = Object.fromEntries(nodes.map((n) => [n.id, n.layer]));
    expect(layer).toEqual({
      'prometheus.exporter.self.a': 0,
      'prometheus.remote_write.w': 0,
      'prometheus.relabel.r': 1,
      'prometheus.scrape.s': 2,
    });
    expect(layers).toBe(3);
    expect(rows).toBe(2);
  });

  it('survives cycles and unknown ids', () => {
    const { nodes } = layoutGraph({
      nodes: [
        { id: 'a.x', component: 'a' },
        { id: 'b.y', component: 'b' },
      ],
      edges: [
        { from: 'a.x', to: 'b.y' },
        { from: 'b.y', to: 'a.x' },
        { from: 'a.x', to: 'missing' },
      ],
    });
    expect(nodes).toHaveLength(2);
  });
});
