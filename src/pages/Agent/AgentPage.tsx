import React from 'react';
import { useParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Card, Stack, useStyles2 } from '@grafana/ui';
import type { AgentDetail } from '../../api/types';
import { AgentStateBadge } from '../../components/common/Badges';
import { QueryStatus } from '../../components/common/QueryStatus';
import { TimeAgo } from '../../components/common/TimeAgo';
import { FleetPluginPage } from '../../components/Page/FleetPluginPage';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useAgent } from '../../hooks/useAgent';
import { prefixRoute } from '../../utils/utils.routing';
import { AttributesSection } from './AttributesSection';
import { ComponentsSection } from './ComponentsSection';
import { MetricsSection } from './MetricsSection';
import { PipelinesSection } from './PipelinesSection';

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.section}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function Overview({ agent }: { agent: AgentDetail }) {
  const styles = useStyles2(getStyles);
  const build = agent.buildInfo as Record<string, unknown>;
  return (
    <Stack gap={3} wrap="wrap" alignItems="center">
      <span data-testid={testIds.agent.state}>
        <AgentStateBadge state={agent.state} />
      </span>
      {agent.drift && <Badge color="orange" icon="exclamation-triangle" text="drift" />}
      <span>
        <span className={styles.label}>Connection </span>
        {agent.connected ? 'connected' : 'disconnected'}
      </span>
      <span>
        <span className={styles.label}>Version </span>
        {String(build.version ?? '—')}
      </span>
      <span>
        <span className={styles.label}>Last seen </span>
        <TimeAgo at={agent.lastSeenAt} />
      </span>
      <span>
        <span className={styles.label}>First seen </span>
        <TimeAgo at={agent.firstSeenAt} />
      </span>
      <span className={styles.mono}>{agent.id}</span>
    </Stack>
  );
}

/** One agent: attributes, pipelines (desired vs applied), component graph with health, self-metrics, errors. */
export default function AgentPage() {
  const { id = '' } = useParams<{ id: string }>();
  const styles = useStyles2(getStyles);
  const agent = useAgent(id);
  return (
    <FleetPluginPage
      title={agent.data?.name ?? 'Agent'}
      parent={{ text: 'Fleet', url: prefixRoute(ROUTES.Fleet) }}
      data-testid={testIds.agent.container}
    >
      <QueryStatus state={agent} what="the agent">
        {(a) => (
          <>
            <Overview agent={a} />
            <div className={styles.columns}>
              <Section title="Attributes">
                <AttributesSection agent={a} onSaved={() => agent.reload()} />
              </Section>
              <Section title="Pipelines">
                <PipelinesSection pipelines={a.pipelines} />
              </Section>
            </div>
            <Section title="Components">
              <ComponentsSection agent={a} />
            </Section>
            <Section title="Self-metrics">
              <MetricsSection agentId={a.id} />
            </Section>
            <Section title="Recent errors">
              <div data-testid={testIds.agent.errors}>
                {a.recentErrors.length === 0 ? (
                  <p className={styles.label}>No errors.</p>
                ) : (
                  a.recentErrors.map((e, i) => (
                    <Card key={i} className={styles.card}>
                      <Card.Heading>
                        {e.pipeline || 'local config'}
                        {e.componentId ? ` · ${e.componentId}` : ''}
                      </Card.Heading>
                      <Card.Meta>
                        {[e.source, e.at ? new Date(e.at).toLocaleString() : 'time unknown']}
                      </Card.Meta>
                      <Card.Description>
                        <span className={styles.error}>{e.message}</span>
                      </Card.Description>
                    </Card>
                  ))
                )}
              </div>
            </Section>
          </>
        )}
      </QueryStatus>
    </FleetPluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(3) }),
  columns: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))',
    gap: theme.spacing(3),
  }),
  label: css({ color: theme.colors.text.secondary }),
  mono: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  card: css({ marginBottom: theme.spacing(1) }),
  error: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    whiteSpace: 'pre-wrap',
    color: theme.colors.error.text,
  }),
});
