import React, { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { EmptyState, Field, FilterInput, Pagination, Spinner, Stack, useStyles2 } from '@grafana/ui';
import { AGENT_STATES, type AgentState } from '../../api/types';
import { MatchersInput } from '../../components/common/MatchersInput';
import { QueryStatus } from '../../components/common/QueryStatus';
import { FleetPluginPage } from '../../components/Page/FleetPluginPage';
import { testIds } from '../../components/testIds';
import { AGENTS_PAGE_SIZE } from '../../constants';
import { useDebounce } from '../../hooks/useDebounce';
import { useAgents, useFleetSummary } from '../../hooks/useFleet';
import { AgentsTable } from './AgentsTable';
import { FleetSummary } from './FleetSummary';

/** Filters kept in the URL: `?matcher=…&matcher=…&q=…&state=…&page=…`. */
function useFleetFilters() {
  const [params, setParams] = useSearchParams();
  const matchers = params.getAll('matcher');
  const q = params.get('q') ?? '';
  const stateParam = params.get('state');
  const state = AGENT_STATES.includes(stateParam as AgentState) ? (stateParam as AgentState) : undefined;
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const update = useCallback(
    (change: { matchers?: string[]; q?: string; state?: AgentState | null; page?: number }) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (change.matchers) {
            next.delete('matcher');
            change.matchers.forEach((m) => next.append('matcher', m));
          }
          if (change.q !== undefined) {
            change.q ? next.set('q', change.q) : next.delete('q');
          }
          if (change.state !== undefined) {
            change.state ? next.set('state', change.state) : next.delete('state');
          }
          // Any filter change goes back to the first page.
          const page = change.page ?? 1;
          page > 1 ? next.set('page', String(page)) : next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  return { matchers, q, state, page, update };
}

/** Fleet: agents by state and drift, and a server-paged table filtered by matchers, state and text. */
export default function FleetPage() {
  const styles = useStyles2(getStyles);
  const { matchers, q, state, page, update } = useFleetFilters();
  const text = useDebounce(q, 300);
  const summary = useFleetSummary();
  const matchersKey = matchers.join('\u0000');
  const query = useMemo(
    () => ({
      matchers: matchersKey ? matchersKey.split('\u0000') : [],
      q: text || undefined,
      state,
      limit: AGENTS_PAGE_SIZE,
      offset: (page - 1) * AGENTS_PAGE_SIZE,
    }),
    [matchersKey, text, state, page],
  );
  const agents = useAgents(query);
  const filtered = query.matchers.length > 0 || Boolean(query.q) || Boolean(state);

  return (
    <FleetPluginPage
      title="Fleet"
      subTitle="Agents, their state and their pipelines"
      data-testid={testIds.fleet.container}
    >
      <QueryStatus state={summary} what="the fleet summary">
        {(s) => (
          <FleetSummary summary={s} selected={state} onSelect={(st) => update({ state: st ?? null })} />
        )}
      </QueryStatus>
      <Stack gap={2} alignItems="flex-end" wrap="wrap">
        <Field label="Matchers" description="All must match" className={styles.noMargin}>
          <MatchersInput
            id="fleet-matchers"
            data-testid={testIds.fleet.matchers}
            matchers={matchers}
            width={50}
            onChange={(m) => update({ matchers: m })}
          />
        </Field>
        <Field label="Search" description="Name, id or attribute value" className={styles.noMargin}>
          <div data-testid={testIds.fleet.search}>
            <FilterInput
              placeholder="Search agents"
              value={q}
              // Plain text for the controller's substring search (FilterInput escapes regex characters by default).
              escapeRegex={false}
              onChange={(v) => update({ q: v })}
              width={40}
            />
          </div>
        </Field>
        {agents.loading && <Spinner />}
      </Stack>
      <div className={styles.table}>
        <QueryStatus state={agents} what="agents">
          {(pageData) =>
            pageData.items.length === 0 ? (
              <EmptyState
                variant={filtered ? 'not-found' : 'call-to-action'}
                message={filtered ? 'No agent matches these filters' : 'No agent has connected yet'}
                data-testid={testIds.common.empty}
              >
                {filtered
                  ? 'Change the matchers, state or search text.'
                  : 'Start foundry-agent with --controller and an agent token; it appears here when it connects.'}
              </EmptyState>
            ) : (
              <>
                <div className={styles.total} data-testid={testIds.fleet.total}>
                  {pageData.offset + 1}–{pageData.offset + pageData.items.length} of {pageData.total} agents
                </div>
                <AgentsTable agents={pageData.items} />
                {pageData.total > pageData.limit && (
                  <div className={styles.pagination} data-testid={testIds.fleet.pagination}>
                    <Pagination
                      currentPage={page}
                      numberOfPages={Math.ceil(pageData.total / pageData.limit)}
                      onNavigate={(p) => update({ page: p })}
                    />
                  </div>
                )}
              </>
            )
          }
        </QueryStatus>
      </div>
    </FleetPluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  noMargin: css({ marginBottom: 0 }),
  table: css({ marginTop: theme.spacing(2) }),
  total: css({ color: theme.colors.text.secondary, marginBottom: theme.spacing(1) }),
  pagination: css({ display: 'flex', justifyContent: 'center', marginTop: theme.spacing(2) }),
});
