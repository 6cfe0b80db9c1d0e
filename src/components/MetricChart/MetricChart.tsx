import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { formatValue, type ChartSpec, type Line } from './series';

const W = 420;
const H = 160;
const PAD = { left: 64, right: 8, top: 8, bottom: 22 };

interface Props {
  title: string;
  unit: ChartSpec['unit'];
  lines: Line[];
  'data-testid'?: string;
}

/** A small time-series chart in Grafana's palette: lines, a y range, the time range and a legend. */
export function MetricChart({ title, unit, lines, ...rest }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const all = lines.flatMap((l) => l.points);
  const palette = ['green', 'blue', 'orange', 'purple', 'red', 'yellow'].map((c) =>
    theme.visualization.getColorByName(c),
  );
  let body: React.ReactNode;
  if (all.length < 2) {
    body = <div className={styles.empty}>No data in this range</div>;
  } else {
    const t0 = Math.min(...all.map((p) => p[0]));
    const t1 = Math.max(...all.map((p) => p[0]));
    const vMax = Math.max(...all.map((p) => p[1]), 0);
    const vMin = Math.min(...all.map((p) => p[1]), 0);
    const span = vMax - vMin || 1;
    const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (W - PAD.left - PAD.right);
    const y = (v: number) => PAD.top + (1 - (v - vMin) / span) * (H - PAD.top - PAD.bottom);
    body = (
      <svg viewBox={`0 0 ${W} ${H}`} className={styles.svg} role="img" aria-label={`${title} chart`}>
        {[0, 0.5, 1].map((f) => {
          const v = vMin + f * span;
          return (
            <g key={f}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke={theme.colors.border.weak} />
              <text x={PAD.left - 4} y={y(v) + 4} textAnchor="end" className={styles.axis}>
                {formatValue(v, unit)}
              </text>
            </g>
          );
        })}
        <text x={PAD.left} y={H - 6} className={styles.axis}>
          {dateTimeFormat(t0, { format: 'HH:mm:ss' })}
        </text>
        <text x={W - PAD.right} y={H - 6} textAnchor="end" className={styles.axis}>
          {dateTimeFormat(t1, { format: 'HH:mm:ss' })}
        </text>
        {lines.map((l, i) => (
          <polyline
            key={l.name}
            fill="none"
            stroke={palette[i % palette.length]}
            strokeWidth={1.5}
            points={l.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
    );
  }
  return (
    <div className={styles.panel} data-testid={rest['data-testid']}>
      <div className={styles.title}>{title}</div>
      {body}
      <div className={styles.legend}>
        {lines.length === 0 && <span className={styles.muted}>The agent reports none of these metrics</span>}
        {lines.map((l, i) => {
          const last = l.points[l.points.length - 1];
          return (
            <span key={l.name} className={styles.item}>
              <span className={styles.swatch} style={{ background: palette[i % palette.length] }} />
              {l.name}
              {last ? `: ${formatValue(last[1], unit)}` : ''}
            </span>
          );
        })}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
  }),
  title: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(0.5) }),
  svg: css({ width: '100%', height: 'auto', display: 'block' }),
  axis: css({ fill: theme.colors.text.secondary, fontSize: 10 }),
  empty: css({
    height: 120,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    color: theme.colors.text.secondary,
  }),
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  item: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  swatch: css({ width: 10, height: 3, display: 'inline-block' }),
  muted: css({ color: theme.colors.text.secondary }),
});
