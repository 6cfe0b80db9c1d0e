import React from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, Tooltip, useStyles2 } from '@grafana/ui';
import type { AgentPipeline } from '../../api/types';
import { ApplyStatusBadge } from '../../components/common/Badges';
import { TimeAgo } from '../../components/common/TimeAgo';
import { testIds } from '../../components/testIds';
import { pipelineUrl } from '../../utils/utils.routing';
import { getTableStyles } from '../Fleet/AgentsTable';

const v = (n: number | null) => (n === null ? '—' : `v${n}`);

/** Each pipeline on the agent: desired vs applied version, status, drift, error. */
export function PipelinesSection({ pipelines }: { pipelines: AgentPipeline[] }) {
  const styles = useStyles2(getStyles);
  if (pipelines.length === 0) {
    return <p className={styles.muted}>No pipeline selects this agent.</p>;
  }
  return (
    <table className={styles.table} data-testid={testIds.agent.pipelines}>
      <thead>
        <tr>
          <th>Pipeline</th>
          <th>Desired</th>
          <th>Applied</th>
          <th>Status</th>
          <th>Since</th>
        </tr>
      </thead>
      <tbody>
        {pipelines.map((p) => (
          <tr key={p.pipelineId} data-testid={testIds.agent.pipelineRow(p.name)}>
            <td>
              <Link to={pipelineUrl(p.pipelineId)} className={styles.link}>
                {p.name}
              </Link>
            </td>
            <td>{v(p.desiredVersion)}</td>
            <td>
              {v(p.appliedVersion)}
              {p.desiredVersion !== p.appliedVersion && (
                <Tooltip
                  content={
                    p.drift ? 'Drift: desired ≠ applied for longer than the grace period' : 'Not applied yet'
                  }
                >
                  <Icon
                    name={p.drift ? 'exclamation-triangle' : 'clock-nine'}
                    className={p.drift ? styles.warn : styles.muted}
                  />
                </Tooltip>
              )}
            </td>
            <td>
              <ApplyStatusBadge status={p.status} />
              {p.error && <div className={styles.error}>{p.error}</div>}
            </td>
            <td>
              <TimeAgo at={p.statusAt ?? p.desiredAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: getTableStyles(theme),
  link: css({ color: theme.colors.text.link }),
  muted: css({ color: theme.colors.text.secondary, marginLeft: theme.spacing(0.5) }),
  warn: css({ color: theme.colors.warning.text, marginLeft: theme.spacing(0.5) }),
  error: css({
    color: theme.colors.error.text,
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    marginTop: theme.spacing(0.5),
  }),
});
