import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { ConfigGraph } from '../../api/types';
import { layoutGraph } from './layout';

const NODE_W = 230;
const NODE_H = 46;
const GAP_X = 60;
const GAP_Y = 16;

interface Props {
  graph: ConfigGraph;
  /** Health per component ID (healthy | unhealthy | unknown | exited); absent: not running. */
  health?: Record<string, { health: string; message?: string }>;
  'data-testid'?: string;
}

/**
 * The components of a config and their references, left to right: an arrow goes from a component to
 * the components that use its exports. With `health`, each node shows its component's health.
 */
export function ComponentGraph({ graph, health, ...rest }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const { nodes, layers, rows } = layoutGraph(graph);
  if (nodes.length === 0) {
    return <div className={styles.empty}>No components.</div>;
  }
  const width = layers * NODE_W + (layers - 1) * GAP_X + 2;
  const height = rows * NODE_H + (rows - 1) * GAP_Y + 2;
  const pos = new Map(
    nodes.map((n) => [n.id, { x: 1 + n.layer * (NODE_W + GAP_X), y: 1 + n.row * (NODE_H + GAP_Y) }]),
  );
  const color = (h: string | undefined) =>
    h === 'healthy'
      ? theme.colors.success.main
      : h === 'unhealthy'
        ? theme.colors.error.main
        : h === 'exited'
          ? theme.colors.warning.main
          : theme.colors.text.disabled;

  return (
    <div className={styles.scroll} data-testid={rest['data-testid']}>
      <svg width={width} height={height} role="img" aria-label="Component graph">
        <defs>
          <marker
            id="foundry-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" fill={theme.colors.text.secondary} />
          </marker>
        </defs>
        {graph.edges.map((e) => {
          const a = pos.get(e.to);
          const b = pos.get(e.from);
          if (!a || !b) {
            return null;
          }
          const x1 = a.x + NODE_W;
          const y1 = a.y + NODE_H / 2;
          const x2 = b.x;
          const y2 = b.y + NODE_H / 2;
          const mid = (x1 + x2) / 2;
          return (
            <path
              key={`${e.to}->${e.from}`}
              d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 2},${y2}`}
              fill="none"
              stroke={theme.colors.border.strong}
              strokeWidth={1.5}
              markerEnd="url(#foundry-arrow)"
            />
          );
        })}
        {nodes.map((n) => {
          const p = pos.get(n.id)!;
          const h = health?.[n.id];
          return (
            <g
              key={n.id}
              transform={`translate(${p.x},${p.y})`}
              data-component={n.id}
              data-health={h?.health ?? 'none'}
            >
              <title>{`${n.id}${h ? `\n${h.health}${h.message ? `: ${h.message}` : ''}` : ''}`}</title>
              <rect
                width={NODE_W}
                height={NODE_H}
                rx={theme.shape.radius.default}
                fill={theme.colors.background.secondary}
                stroke={health ? color(h?.health) : theme.colors.border.medium}
                strokeWidth={health ? 2 : 1}
              />
              {health && <circle cx={14} cy={NODE_H / 2} r={5} fill={color(h?.health)} />}
              <text x={health ? 26 : 10} y={18} className={styles.title}>
                {truncate(n.component, 30)}
              </text>
              <text x={health ? 26 : 10} y={35} className={styles.label}>
                {truncate(n.id.slice(n.component.length + 1) || n.id, 32)}
                {h ? ` · ${h.health}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const getStyles = (theme: GrafanaTheme2) => ({
  scroll: css({ overflowX: 'auto', padding: theme.spacing(1, 0) }),
  empty: css({ color: theme.colors.text.secondary }),
  title: css({
    fill: theme.colors.text.primary,
    fontSize: 12,
    fontFamily: theme.typography.fontFamilyMonospace,
  }),
  label: css({
    fill: theme.colors.text.secondary,
    fontSize: 11,
    fontFamily: theme.typography.fontFamilyMonospace,
  }),
});
