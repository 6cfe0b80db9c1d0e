import React from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, EmptyState, LinkButton, Stack, useStyles2 } from '@grafana/ui';
import { AttributeList } from '../../components/common/AttributeList';
import { RolloutStatusBadge } from '../../components/common/Badges';
import { QueryStatus } from '../../components/common/QueryStatus';
import { TimeAgo } from '../../components/common/TimeAgo';
import { FleetPluginPage } from '../../components/Page/FleetPluginPage';
import { testIds } from '../../components/testIds';
import { usePipelines } from '../../hooks/usePipelines';
import { newPipelineUrl, pipelineUrl, rolloutUrl } from '../../utils/utils.routing';
import { getTableStyles } from '../Fleet/AgentsTable';
import { canEdit, NEEDS_EDITOR } from '../../hooks/useCanEdit';

/** `['env="prod"']` → `{ env: '"prod"' }`-like chips; shown as written. */
function Matchers({ matchers }: { matchers: string[] }) {
  if (matchers.length === 0) {
    return <Badge color="blue" text="every agent" />;
  }
  return <AttributeList attributes={Object.fromEntries(matchers.map((m, i) => [`${i}`, m]))} />;
}

/** Pipelines: matchers, matched agents, latest and deployed versions, active rollout. */
export default function PipelinesPage() {
  const styles = useStyles2(getStyles);
  const pipelines = usePipelines();
  return (
    <FleetPluginPage
      title="Pipelines"
      subTitle="Versioned Alloy configs, each running on the agents its matchers select"
      actions={
        <LinkButton
          icon="plus"
          href={newPipelineUrl()}
          data-testid={testIds.pipelines.create}
          disabled={!canEdit()}
          tooltip={canEdit() ? undefined : NEEDS_EDITOR}
        >
          New pipeline
        </LinkButton>
      }
      data-testid={testIds.pipelines.container}
    >
      <QueryStatus state={pipelines} what="pipelines">
        {(list) =>
          list.length === 0 ? (
            <EmptyState
              variant="call-to-action"
              message="No pipelines yet"
              button={
                <LinkButton icon="plus" href={newPipelineUrl()}>
                  New pipeline
                </LinkButton>
              }
              data-testid={testIds.common.empty}
            >
              A pipeline is an Alloy config that runs on every agent its matchers select.
            </EmptyState>
          ) : (
            <table className={styles.table} data-testid={testIds.pipelines.table}>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Matchers</th>
                  <th>Matched agents</th>
                  <th>Current version</th>
                  <th>Deployed</th>
                  <th>Rollout</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.map((p) => (
                  <tr key={p.id} data-testid={testIds.pipelines.row(p.name)}>
                    <td>
                      <Link to={pipelineUrl(p.id)} className={styles.link}>
                        {p.name}
                      </Link>
                      {!p.enabled && <Badge color="darkgrey" text="disabled" className={styles.gap} />}
                    </td>
                    <td>
                      <Matchers matchers={p.matchers} />
                    </td>
                    <td>{p.matchedAgents}</td>
                    <td>{p.latestVersion ? `v${p.latestVersion}` : '—'}</td>
                    <td>
                      {p.deployedVersions.length
                        ? p.deployedVersions.map((v) => `v${v}`).join(', ')
                        : 'not deployed'}
                    </td>
                    <td>
                      {p.activeRollout ? (
                        <Stack gap={1} alignItems="center">
                          <RolloutStatusBadge status={p.activeRollout.status} />
                          <Link to={rolloutUrl(p.activeRollout.id)} className={styles.link}>
                            v{p.activeRollout.fromVersion ?? '∅'} → v{p.activeRollout.toVersion}
                          </Link>
                        </Stack>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      <TimeAgo at={p.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryStatus>
    </FleetPluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: getTableStyles(theme),
  link: css({ color: theme.colors.text.link, fontWeight: theme.typography.fontWeightMedium }),
  gap: css({ marginLeft: theme.spacing(1) }),
});
