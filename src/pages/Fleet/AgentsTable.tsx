import React from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, Tooltip, useStyles2 } from '@grafana/ui';
import type { AgentListItem } from '../../api/types';
import { AttributeList } from '../../components/common/AttributeList';
import { AgentStateBadge } from '../../components/common/Badges';
import { TimeAgo } from '../../components/common/TimeAgo';
import { testIds } from '../../components/testIds';
import { agentUrl } from '../../utils/utils.routing';

/** "2/3 in sync": pipelines neither failed nor drifting, out of all the agent's pipelines. */
export function pipelinesInSync(p: AgentListItem['pipelines']): { inSync: number; total: number } {
  return { inSync: Math.max(0, p.total - p.failed - p.drifting), total: p.total };
}

/** One page of agents: name, attributes, state, pipelines in sync, version, last seen. */
export function AgentsTable({ agents }: { agents: AgentListItem[] }) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid={testIds.fleet.table}>
      <thead>
        <tr>
          <th>Name</th>
          <th>Attributes</th>
          <th>State</th>
          <th>Pipelines in sync</th>
          <th>Version</th>
          <th>Last seen</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => {
          const { inSync, total } = pipelinesInSync(a.pipelines);
          return (
            <tr key={a.id} data-testid={testIds.fleet.row(a.name)}>
              <td>
                <Link to={agentUrl(a.id)} className={styles.name}>
                  {a.name}
                </Link>
                <div className={styles.id}>{a.id}</div>
              </td>
              <td>
                <AttributeList attributes={a.attributes} max={6} hideSystem />
              </td>
              <td>
                <AgentStateBadge state={a.state} />
                {a.drift && (
                  <Tooltip content="Desired and applied pipeline versions differ for longer than the grace period">
                    <span className={styles.drift}>
                      <Icon name="exclamation-triangle" size="sm" /> drift
                    </span>
                  </Tooltip>
                )}
              </td>
              <td>
                <span className={inSync < total ? styles.warn : undefined}>
                  {inSync}/{total}
                </span>
                {a.pipelines.failed > 0 && (
                  <span className={styles.error}> · {a.pipelines.failed} failed</span>
                )}
              </td>
              <td className={styles.mono}>{a.version ?? '—'}</td>
              <td>
                <TimeAgo at={a.lastSeenAt} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export const getTableStyles = (theme: GrafanaTheme2) =>
  css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(1, 1.5),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'top',
    },
    th: {
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
      fontSize: theme.typography.bodySmall.fontSize,
      whiteSpace: 'nowrap',
    },
    'tbody tr:hover': { background: theme.colors.action.hover },
  });

const getStyles = (theme: GrafanaTheme2) => ({
  table: getTableStyles(theme),
  name: css({ fontWeight: theme.typography.fontWeightMedium, color: theme.colors.text.link }),
  id: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  mono: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  drift: css({
    marginLeft: theme.spacing(1),
    color: theme.colors.warning.text,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  warn: css({ color: theme.colors.warning.text }),
  error: css({ color: theme.colors.error.text }),
});
