import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { fleetApi } from '../../api/client';
import type { AgentDetail, AgentPipeline, ComponentHealth } from '../../api/types';
import { HealthBadge } from '../../components/common/Badges';
import { ComponentGraph } from '../../components/ComponentGraph/ComponentGraph';
import { testIds } from '../../components/testIds';
import { useApiQuery } from '../../hooks/useApiQuery';

/** The graph of one pipeline as the agent runs it (its applied version, else the desired one). */
function PipelineGraph({ pipeline, health }: { pipeline: AgentPipeline; health: ComponentHealth[] }) {
  const styles = useStyles2(getStyles);
  const version = pipeline.appliedVersion ?? pipeline.desiredVersion;
  const graph = useApiQuery(
    `agent-graph:${pipeline.pipelineId}:${version}`,
    async () => {
      const v = await fleetApi.getVersion(pipeline.pipelineId, version!);
      return (await fleetApi.validate(v.content)).graph;
    },
    { enabled: version !== null },
  );
  const byId = Object.fromEntries(
    health.map((h) => [h.componentId, { health: h.health, message: h.message }]),
  );
  return (
    <div className={styles.block}>
      <div className={styles.heading}>
        {pipeline.name} {version !== null && <span className={styles.muted}>v{version}</span>}
      </div>
      {version === null && <div className={styles.muted}>Not deployed to this agent.</div>}
      {graph.loading && !graph.data && <LoadingPlaceholder text="Loading the graph…" />}
      {graph.error && (
        <Alert severity="warning" title="Could not draw the graph">
          {graph.error.message}
        </Alert>
      )}
      {graph.data && <ComponentGraph graph={graph.data} health={byId} />}
    </div>
  );
}

/** Component health: a graph per pipeline, and the agent's local config as a list. */
export function ComponentsSection({ agent }: { agent: AgentDetail }) {
  const styles = useStyles2(getStyles);
  const local = agent.components.filter((c) => c.pipeline === '');
  return (
    <div data-testid={testIds.agent.components}>
      {agent.pipelines.map((p) => (
        <PipelineGraph
          key={p.pipelineId}
          pipeline={p}
          health={agent.components.filter((c) => c.pipeline === p.name)}
        />
      ))}
      <div className={styles.block}>
        <div className={styles.heading}>Local config</div>
        {local.length === 0 ? (
          <div className={styles.muted}>No local components.</div>
        ) : (
          <ul className={styles.list}>
            {local.map((c) => (
              <li key={c.componentId}>
                <span className={styles.mono}>{c.componentId}</span> <HealthBadge health={c.health} />
                {c.message && <span className={styles.muted}> {c.message}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  block: css({ marginBottom: theme.spacing(2) }),
  heading: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(0.5) }),
  muted: css({ color: theme.colors.text.secondary }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  list: css({ listStyle: 'none', padding: 0, 'li + li': { marginTop: theme.spacing(0.5) } }),
});
