import React, { type ReactNode } from 'react';
import { Alert, Button, LoadingPlaceholder } from '@grafana/ui';
import type { QueryState } from '../../hooks/useApiQuery';
import { testIds } from '../testIds';

interface Props<T> {
  state: QueryState<T>;
  /** What is loading, for the messages ("agents"). */
  what: string;
  children: (data: T) => ReactNode;
}

/**
 * Renders a query's three states: a placeholder on the first load, an error with a retry (above the last
 * data, when there was some), and the data.
 */
export function QueryStatus<T>({ state, what, children }: Props<T>) {
  const { data, error, loading, reload } = state;
  return (
    <>
      {error && (
        <Alert title={`Could not load ${what}`} severity="error" data-testid={testIds.common.error}>
          <div>{error.message}</div>
          <Button size="sm" variant="secondary" icon="sync" onClick={reload} disabled={loading}>
            Retry
          </Button>
        </Alert>
      )}
      {data === undefined && !error && loading && (
        <LoadingPlaceholder text={`Loading ${what}…`} data-testid={testIds.common.loading} />
      )}
      {data !== undefined && children(data)}
    </>
  );
}
