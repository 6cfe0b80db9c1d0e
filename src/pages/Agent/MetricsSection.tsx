import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { RadioButtonGroup, Spinner, Stack, useStyles2 } from '@grafana/ui';
import { MetricChart } from '../../components/MetricChart/MetricChart';
import { AGENT_CHARTS, chartLines } from '../../components/MetricChart/series';
import { QueryStatus } from '../../components/common/QueryStatus';
import { testIds } from '../../components/testIds';
import { useAgentMetrics } from '../../hooks/useAgent';

const RANGES = [
  { label: '15m', value: 15 * 60_000 },
  { label: '1h', value: 60 * 60_000 },
  { label: '6h', value: 6 * 60 * 60_000 },
  { label: '24h', value: 24 * 60 * 60_000 },
];

/** Self-metric charts (throughput, failures, queue, CPU, memory) from the controller's stored samples. */
export function MetricsSection({ agentId }: { agentId: string }) {
  const styles = useStyles2(getStyles);
  const [range, setRange] = useState(RANGES[0].value);
  const metrics = useAgentMetrics(agentId, range);
  return (
    <div data-testid={testIds.agent.metrics}>
      <Stack gap={1} alignItems="center">
        <RadioButtonGroup size="sm" options={RANGES} value={range} onChange={setRange} />
        {metrics.loading && <Spinner />}
      </Stack>
      <QueryStatus state={metrics} what="self-metrics">
        {(m) => (
          <div className={styles.grid}>
            {AGENT_CHARTS.map((spec) => (
              <MetricChart
                key={spec.title}
                title={spec.title}
                unit={spec.unit}
                lines={chartLines(spec, m.series)}
                data-testid={testIds.agent.chart(spec.title)}
              />
            ))}
          </div>
        )}
      </QueryStatus>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(360px, 1fr))',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  }),
});
