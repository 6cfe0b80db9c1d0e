import React, { useState } from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { EmptyState, LinkButton, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { ROLLOUT_STATUSES, type RolloutStatus } from '../../api/types';
import { RolloutStatusBadge } from '../../components/common/Badges';
import { QueryStatus } from '../../components/common/QueryStatus';
import { TimeAgo } from '../../components/common/TimeAgo';
import { FleetPluginPage } from '../../components/Page/FleetPluginPage';
import { testIds } from '../../components/testIds';
import { useRollouts } from '../../hooks/useRollouts';
import { newRolloutUrl, pipelineUrl, rolloutUrl } from '../../utils/utils.routing';
import { getTableStyles } from '../Fleet/AgentsTable';
import { canEdit, NEEDS_EDITOR } from '../../hooks/useCanEdit';

const FILTERS: Array<SelectableValue<RolloutStatus | ''>> = [
  { label: 'All', value: '' },
  ...ROLLOUT_STATUSES.map((s) => ({ label: s.replace('_', ' '), value: s })),
];

/** Rollouts, newest first, filterable by status; auto-refreshed. */
export default function RolloutsPage() {
  const styles = useStyles2(getStyles);
  const [status, setStatus] = useState<RolloutStatus | ''>('');
  const rollouts = useRollouts(status ? { status } : {});
  return (
    <FleetPluginPage
      title="Rollouts"
      subTitle="Moving the agents a pipeline selects to a version, wave by wave, gated on health"
      actions={
        <LinkButton
          icon="rocket"
          href={newRolloutUrl()}
          data-testid={testIds.rollouts.start}
          disabled={!canEdit()}
          tooltip={canEdit() ? undefined : NEEDS_EDITOR}
        >
          Start a rollout
        </LinkButton>
      }
      data-testid={testIds.rollouts.container}
    >
      <RadioButtonGroup options={FILTERS} value={status} onChange={(v) => setStatus(v ?? '')} size="sm" />
      <div className={styles.top}>
        <QueryStatus state={rollouts} what="rollouts">
          {({ items }) =>
            items.length === 0 ? (
              <EmptyState
                variant="not-found"
                message={status ? `No ${status.replace('_', ' ')} rollouts` : 'No rollouts yet'}
                data-testid={testIds.common.empty}
              >
                Save a pipeline version, then roll it out from the pipeline page or with “Start a rollout”.
              </EmptyState>
            ) : (
              <table className={styles.table} data-testid={testIds.rollouts.table}>
                <thead>
                  <tr>
                    <th>Pipeline</th>
                    <th>Versions</th>
                    <th>Status</th>
                    <th>Wave</th>
                    <th>Agents</th>
                    <th>By</th>
                    <th>Started</th>
                    <th>Finished</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((r) => (
                    <tr key={r.id} data-testid={testIds.rollouts.row(r.id)}>
                      <td>
                        <Link to={pipelineUrl(r.pipelineId)} className={styles.link}>
                          {r.pipelineName}
                        </Link>
                      </td>
                      <td>
                        <Link to={rolloutUrl(r.id)} className={styles.link}>
                          v{r.fromVersion ?? '∅'} → v{r.toVersion}
                        </Link>
                      </td>
                      <td>
                        <RolloutStatusBadge status={r.status} />
                        {r.pausedReason && <div className={styles.reason}>{r.pausedReason}</div>}
                      </td>
                      <td>
                        {Math.min(r.currentWave + 1, r.waves.length)}/{r.waves.length}
                      </td>
                      <td>{r.agentCount ?? '—'}</td>
                      <td>{r.createdBy}</td>
                      <td>
                        <TimeAgo at={r.createdAt} />
                      </td>
                      <td>
                        <TimeAgo at={r.finishedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </QueryStatus>
      </div>
    </FleetPluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: getTableStyles(theme),
  top: css({ marginTop: theme.spacing(2) }),
  link: css({ color: theme.colors.text.link }),
  reason: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
