import React, { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, Button, ConfirmModal, Icon, Spinner, Stack, useStyles2 } from '@grafana/ui';
import { fleetApi } from '../../api/client';
import type { Rollout, RolloutAction, RolloutWave } from '../../api/types';
import { ApplyStatusBadge, RolloutStatusBadge } from '../../components/common/Badges';
import { QueryStatus } from '../../components/common/QueryStatus';
import { TimeAgo } from '../../components/common/TimeAgo';
import { FleetPluginPage } from '../../components/Page/FleetPluginPage';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useMutation } from '../../hooks/useMutation';
import { useNotify } from '../../hooks/useNotify';
import { useRollout } from '../../hooks/useRollouts';
import { agentUrl, pipelineUrl, prefixRoute } from '../../utils/utils.routing';
import { getTableStyles } from '../Fleet/AgentsTable';
import { waveLabel } from './waves';
import { canEdit, NEEDS_EDITOR } from '../../hooks/useCanEdit';

/** Actions a rollout in `status` allows (the controller's transitions). */
export function allowedActions(r: Pick<Rollout, 'status'>): RolloutAction[] {
  switch (r.status) {
    case 'running':
      return ['pause', 'abort', 'rollback'];
    case 'paused':
      return ['resume', 'abort', 'rollback'];
    case 'aborted':
    case 'completed':
      return ['rollback'];
    default:
      return [];
  }
}

const ACTION_LABEL: Record<RolloutAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  abort: 'Abort',
  rollback: 'Roll back',
};
const ACTION_DONE: Record<RolloutAction, string> = {
  pause: 'Paused',
  resume: 'Resumed',
  abort: 'Aborted',
  rollback: 'Rolled back',
};

function Wave({ wave, rollout }: { wave: RolloutWave; rollout: Rollout }) {
  const styles = useStyles2(getStyles);
  const agents = wave.agents ?? [];
  const applied = agents.filter(
    (a) => a.status === 'applied' && a.appliedVersion === rollout.toVersion,
  ).length;
  const current =
    wave.index === rollout.currentWave && (rollout.status === 'running' || rollout.status === 'paused');
  return (
    <div
      className={cx(styles.wave, current && styles.current)}
      data-testid={testIds.rollout.wave(wave.index)}
      data-status={wave.status}
    >
      <Stack gap={2} alignItems="center">
        <strong>Wave {wave.index + 1}</strong>
        <span className={styles.muted}>up to {waveLabel(wave)}</span>
        <Badge
          text={wave.status.replace('_', ' ')}
          color={
            wave.status === 'done'
              ? 'green'
              : wave.status === 'soaking'
                ? 'purple'
                : wave.status === 'in_progress'
                  ? 'blue'
                  : 'darkgrey'
          }
        />
        {wave.status === 'soaking' && wave.soakStartedAt && (
          <span className={styles.muted}>
            soaking since <TimeAgo at={wave.soakStartedAt} /> ({rollout.soakSeconds}s)
          </span>
        )}
        <span className={styles.muted}>
          {applied}/{agents.length} on v{rollout.toVersion}
        </span>
      </Stack>
      {agents.length > 0 && (
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Agent</th>
              <th>Status</th>
              <th>Applied</th>
              <th>Health</th>
              <th>Online</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr
                key={a.id}
                data-testid={testIds.rollout.agent(a.name)}
                data-status={a.status}
                data-applied={a.appliedVersion ?? ''}
              >
                <td>
                  <Link to={agentUrl(a.id)} className={styles.link}>
                    {a.name}
                  </Link>
                </td>
                <td>
                  <ApplyStatusBadge status={a.status} />
                  {a.error && <div className={styles.error}>{a.error}</div>}
                </td>
                <td>{a.appliedVersion === null ? '—' : `v${a.appliedVersion}`}</td>
                <td>
                  {a.healthy ? (
                    <Badge color="green" text="healthy" />
                  ) : (
                    <Badge color="red" text="unhealthy" />
                  )}
                </td>
                <td>{a.online ? <Icon name="check" /> : <Icon name="times" className={styles.muted} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Rollouts › one: wave by wave with agent states, auto-refreshed; pause, resume, abort, roll back. */
export default function RolloutPage() {
  const { id = '' } = useParams<{ id: string }>();
  const styles = useStyles2(getStyles);
  const notify = useNotify();
  const rollout = useRollout(id);
  const [confirm, setConfirm] = useState<RolloutAction>();
  const act = useMutation((action: RolloutAction) => fleetApi.rolloutAction(id, action));
  const r = rollout.data;

  const run = async (action: RolloutAction) => {
    setConfirm(undefined);
    const after = await act.run(action);
    if (after) {
      notify.success(
        `${ACTION_DONE[action]} the rollout of ${after.pipelineName} v${after.toVersion}${
          action === 'rollback'
            ? ` (agents go back to ${after.fromVersion ? `v${after.fromVersion}` : 'no version'})`
            : ''
        }`,
      );
      rollout.reload();
    }
  };
  const onAction = (action: RolloutAction) =>
    action === 'abort' || action === 'rollback' ? setConfirm(action) : run(action);

  return (
    <FleetPluginPage
      title={r ? `${r.pipelineName}: v${r.fromVersion ?? '∅'} → v${r.toVersion}` : 'Rollout'}
      parent={{ text: 'Rollouts', url: prefixRoute(ROUTES.Rollouts) }}
      data-testid={testIds.rollout.container}
    >
      <QueryStatus state={rollout} what="the rollout">
        {(data) => (
          <>
            <Stack gap={2} alignItems="center" wrap="wrap">
              <span data-testid={testIds.rollout.status} data-status={data.status}>
                <RolloutStatusBadge status={data.status} />
              </span>
              <Link to={pipelineUrl(data.pipelineId)} className={styles.link}>
                pipeline {data.pipelineName}
              </Link>
              <span className={styles.muted}>
                wave {Math.min(data.currentWave + 1, data.waves.length)} of {data.waves.length} · soak{' '}
                {data.soakSeconds}s · failure threshold {Math.round(data.failureThreshold * 100)}% · by{' '}
                {data.createdBy} · started <TimeAgo at={data.createdAt} />
              </span>
              {rollout.loading && <Spinner inline />}
            </Stack>
            {data.pausedReason && data.status === 'paused' && (
              <Alert severity="warning" title="Paused" className={styles.top}>
                {data.pausedReason}
              </Alert>
            )}
            <Stack gap={1}>
              {allowedActions(data).map((a) => (
                <Button
                  key={a}
                  size="sm"
                  variant={a === 'abort' || a === 'rollback' ? 'destructive' : 'secondary'}
                  icon={
                    a === 'pause' ? 'pause' : a === 'resume' ? 'play' : a === 'abort' ? 'times' : 'history'
                  }
                  disabled={act.running || !canEdit()}
                  tooltip={canEdit() ? undefined : NEEDS_EDITOR}
                  onClick={() => onAction(a)}
                  data-testid={testIds.rollout.action(a)}
                >
                  {ACTION_LABEL[a]}
                </Button>
              ))}
            </Stack>
            {act.error && (
              <Alert severity="error" title="The action failed" className={styles.top}>
                {act.error.message}
              </Alert>
            )}
            <div className={styles.top}>
              {data.waves.map((w) => (
                <Wave key={w.index} wave={w} rollout={data} />
              ))}
            </div>
          </>
        )}
      </QueryStatus>
      <ConfirmModal
        isOpen={confirm !== undefined}
        title={confirm === 'abort' ? 'Abort the rollout?' : 'Roll back?'}
        body={
          confirm === 'abort'
            ? 'The rollout stops where it is: agents keep the version of their wave.'
            : `Every agent of this pipeline goes back to ${r?.fromVersion ? `v${r.fromVersion}` : 'not running it'}.`
        }
        confirmText={confirm ? ACTION_LABEL[confirm] : ''}
        onConfirm={() => confirm && run(confirm)}
        onDismiss={() => setConfirm(undefined)}
      />
    </FleetPluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css(getTableStyles(theme), { marginTop: theme.spacing(1) }),
  link: css({ color: theme.colors.text.link }),
  muted: css({ color: theme.colors.text.secondary }),
  top: css({ marginTop: theme.spacing(2) }),
  wave: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5),
    marginBottom: theme.spacing(1.5),
  }),
  current: css({ borderColor: theme.colors.primary.border }),
  error: css({
    color: theme.colors.error.text,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
  }),
});
