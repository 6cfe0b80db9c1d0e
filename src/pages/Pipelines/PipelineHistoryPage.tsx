import React, { useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, Combobox, ConfirmModal, Field, LinkButton, Stack, useStyles2 } from '@grafana/ui';
import { fleetApi } from '../../api/client';
import type { VersionSummary } from '../../api/types';
import { QueryStatus } from '../../components/common/QueryStatus';
import { TimeAgo } from '../../components/common/TimeAgo';
import { FleetPluginPage } from '../../components/Page/FleetPluginPage';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useMutation } from '../../hooks/useMutation';
import { useNotify } from '../../hooks/useNotify';
import { useDiff, usePipeline, useVersions } from '../../hooks/usePipelines';
import { newRolloutUrl, pipelineUrl, prefixRoute } from '../../utils/utils.routing';
import { getTableStyles } from '../Fleet/AgentsTable';
import { DiffView } from './DiffView';
import { canEdit, NEEDS_EDITOR } from '../../hooks/useCanEdit';

function Comparison({ pipelineId, versions }: { pipelineId: string; versions: VersionSummary[] }) {
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const newest = versions[0]?.version;
  const to = Number(params.get('to')) || newest;
  const from =
    Number(params.get('from')) || (versions.find((v) => v.version < (to ?? 0))?.version ?? undefined);
  const diff = useDiff(pipelineId, from, to);
  const options = versions.map((v) => ({
    label: `v${v.version}${v.message ? ` — ${v.message}` : ''}`,
    value: v.version,
  }));
  const set = (key: 'from' | 'to', v: number) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set(key, String(v));
        return next;
      },
      { replace: true },
    );
  return (
    <div className={styles.section}>
      <h3>Compare</h3>
      <Stack gap={2}>
        <Field label="Old">
          <div data-testid={testIds.history.from}>
            <Combobox
              id="history-from"
              width={40}
              options={options}
              value={from ?? null}
              onChange={(o) => set('from', o.value)}
            />
          </div>
        </Field>
        <Field label="New">
          <div data-testid={testIds.history.to}>
            <Combobox
              id="history-to"
              width={40}
              options={options}
              value={to ?? null}
              onChange={(o) => set('to', o.value)}
            />
          </div>
        </Field>
      </Stack>
      {!from || !to ? (
        <p className={styles.muted}>Only one version: nothing to compare yet.</p>
      ) : (
        <QueryStatus state={diff} what={`the diff of v${from} and v${to}`}>
          {(d) => <DiffView diff={d} />}
        </QueryStatus>
      )}
    </div>
  );
}

/** Pipelines › <name> › History: versions, a side-by-side diff of any two, restore. */
export default function PipelineHistoryPage() {
  const { id = '' } = useParams<{ id: string }>();
  const styles = useStyles2(getStyles);
  const notify = useNotify();
  const pipeline = usePipeline(id);
  const versions = useVersions(id);
  const [restoring, setRestoring] = useState<number>();
  const restore = useMutation((v: number) => fleetApi.restoreVersion(id, v, `restore version ${v}`));
  const name = pipeline.data?.name ?? 'Pipeline';

  const onRestore = async () => {
    const v = restoring!;
    setRestoring(undefined);
    const created = await restore.run(v);
    if (created) {
      notify.success(`Restored version ${v} of ${name} as version ${created.version}`);
      versions.reload();
      pipeline.reload();
    } else {
      notify.error(`Restoring version ${v} failed`);
    }
  };

  return (
    <FleetPluginPage
      title={`History of ${name}`}
      parent={{
        text: name,
        url: pipelineUrl(id),
        parentItem: { text: 'Pipelines', url: prefixRoute(ROUTES.Pipelines) },
      }}
      actions={
        <LinkButton variant="secondary" icon="pen" href={pipelineUrl(id)}>
          Edit
        </LinkButton>
      }
      data-testid={testIds.history.container}
    >
      {restore.error && <p className={styles.error}>{restore.error.message}</p>}
      <QueryStatus state={versions} what="versions">
        {(list) => (
          <>
            <table className={styles.table}>
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Message</th>
                  <th>Author</th>
                  <th>Created</th>
                  <th>Components</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.map((v) => {
                  const deployed = pipeline.data?.deployedVersions.includes(v.version);
                  return (
                    <tr key={v.version} data-testid={testIds.history.version(v.version)}>
                      <td>
                        <span className={styles.version}>v{v.version}</span>{' '}
                        {deployed && <Badge color="green" text="deployed" />}
                        {!v.valid && <Badge color="red" text="invalid" />}
                      </td>
                      <td className={cx(!v.message && styles.muted)}>{v.message || 'no message'}</td>
                      <td>{v.author}</td>
                      <td>
                        <TimeAgo at={v.createdAt} />
                      </td>
                      <td className={styles.small}>{v.components.join(', ')}</td>
                      <td>
                        <Stack gap={1} justifyContent="flex-end">
                          <LinkButton
                            size="sm"
                            variant="secondary"
                            fill="text"
                            icon="rocket"
                            href={newRolloutUrl(id, v.version)}
                          >
                            Roll out
                          </LinkButton>
                          {v.version !== list[0].version && (
                            <Button
                              size="sm"
                              variant="secondary"
                              icon="history"
                              data-testid={testIds.history.restore(v.version)}
                              disabled={restore.running || !canEdit()}
                              tooltip={canEdit() ? undefined : NEEDS_EDITOR}
                              onClick={() => setRestoring(v.version)}
                            >
                              Restore
                            </Button>
                          )}
                        </Stack>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <Comparison pipelineId={id} versions={list} />
          </>
        )}
      </QueryStatus>
      <ConfirmModal
        isOpen={restoring !== undefined}
        title={`Restore version ${restoring}?`}
        body={`This adds a new version with the text of version ${restoring}. Agents keep what they run until you roll it out.`}
        confirmText="Restore"
        icon="history"
        onConfirm={onRestore}
        onDismiss={() => setRestoring(undefined)}
      />
    </FleetPluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: getTableStyles(theme),
  section: css({ marginTop: theme.spacing(3) }),
  version: css({ fontWeight: theme.typography.fontWeightMedium }),
  muted: css({ color: theme.colors.text.secondary }),
  small: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  error: css({ color: theme.colors.error.text }),
});
