import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { AGENT_STATES, type AgentState, type FleetSummary as Summary } from '../../api/types';
import { testIds } from '../../components/testIds';

interface Props {
  summary: Summary;
  /** The state the table is filtered by (its tile is highlighted). */
  selected?: AgentState;
  onSelect: (state: AgentState | undefined) => void;
}

/** Tiles: agents per state (click to filter), drift, pipelines, active rollouts. */
export function FleetSummary({ summary, selected, onSelect }: Props) {
  const styles = useStyles2(getStyles);
  const color = (state: AgentState) => styles.state[state];
  return (
    <div className={styles.row} data-testid={testIds.fleet.summary}>
      <button
        type="button"
        className={cx(styles.tile, !selected && styles.selected)}
        onClick={() => onSelect(undefined)}
        data-testid={testIds.fleet.stat('total')}
      >
        <span className={styles.value}>{summary.agents.total}</span>
        <span className={styles.label}>agents</span>
      </button>
      {AGENT_STATES.map((state) => (
        <button
          type="button"
          key={state}
          className={cx(styles.tile, selected === state && styles.selected)}
          onClick={() => onSelect(selected === state ? undefined : state)}
          title={`Show only ${state} agents`}
          data-testid={testIds.fleet.stat(state)}
        >
          <span className={cx(styles.value, summary.agents[state] > 0 && color(state))}>
            {summary.agents[state]}
          </span>
          <span className={styles.label}>{state}</span>
        </button>
      ))}
      <div
        className={styles.tile}
        data-testid={testIds.fleet.stat('drift')}
        title="Agents whose applied pipeline version differs from the desired one for longer than the grace period"
      >
        <span className={cx(styles.value, summary.drift > 0 && styles.state.degraded)}>{summary.drift}</span>
        <span className={styles.label}>drifting</span>
      </div>
      <div className={styles.tile} data-testid={testIds.fleet.stat('pipelines')}>
        <span className={styles.value}>{summary.pipelines}</span>
        <span className={styles.label}>pipelines</span>
      </div>
      <div className={styles.tile} data-testid={testIds.fleet.stat('rollouts')}>
        <span className={styles.value}>{summary.activeRollouts}</span>
        <span className={styles.label}>active rollouts</span>
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(130px, 1fr))',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  }),
  tile: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    padding: theme.spacing(1.5, 2),
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    color: theme.colors.text.primary,
    textAlign: 'left',
    'button&': { cursor: 'pointer', '&:hover': { borderColor: theme.colors.border.strong } },
  }),
  selected: css({
    borderColor: theme.colors.primary.border,
    boxShadow: `inset 0 -2px 0 ${theme.colors.primary.main}`,
  }),
  value: css({
    fontSize: theme.typography.h2.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    lineHeight: 1.2,
  }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  state: {
    healthy: css({ color: theme.colors.success.text }),
    degraded: css({ color: theme.colors.warning.text }),
    unhealthy: css({ color: theme.colors.error.text }),
    offline: css({ color: theme.colors.text.secondary }),
  } as Record<AgentState, string>,
});
