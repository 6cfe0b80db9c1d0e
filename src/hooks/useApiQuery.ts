import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ApiError, toApiError } from '../api/errors';

/** State of a query: the last data (kept while reloading), the last error, and whether a call is running. */
export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True while a call runs (also while reloading with data shown). */
  loading: boolean;
  /** Runs the query again now. */
  reload: () => void;
}

export interface QueryOptions<T> {
  /**
   * Re-run this many ms after each call finishes (auto-refresh), or a function of the last data giving
   * that interval; 0 or undefined: never.
   */
  pollMs?: number | ((data: T | undefined) => number);
  /** False: don't run (data stays undefined). Default true. */
  enabled?: boolean;
}

interface Result<T> {
  /** Which call this is the answer of (`key#tick`). */
  id: string;
  key: string;
  data?: T;
  error?: ApiError;
}

/**
 * Runs `fetcher` when `key` changes (a string identifying the query), keeps the previous data while a
 * new call runs, drops answers of superseded calls, and polls when asked.
 */
export function useApiQuery<T>(
  key: string,
  fetcher: () => Promise<T>,
  options: QueryOptions<T> = {},
): QueryState<T> {
  const { pollMs, enabled = true } = options;
  const [tick, setTick] = useState(0);
  const [result, setResult] = useState<Result<T>>({ id: '', key: '' });
  const fetcherRef = useRef(fetcher);
  const pollRef = useRef(pollMs);
  useLayoutEffect(() => {
    fetcherRef.current = fetcher;
    pollRef.current = pollMs;
  });
  const id = `${key}#${tick}`;

  useEffect(() => {
    if (!enabled) {
      return;
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (next: (previous: Result<T>) => Result<T>, data: T | undefined) => {
      if (cancelled) {
        return;
      }
      setResult(next);
      const poll = pollRef.current;
      const ms = typeof poll === 'function' ? poll(data) : poll;
      if (ms) {
        timer = setTimeout(() => setTick((t) => t + 1), ms);
      }
    };
    fetcherRef.current().then(
      (data) => settle(() => ({ id, key, data }), data),
      (e: unknown) =>
        settle((prev) => ({ id, key, data: prev.data, error: toApiError(e, 'Loading') }), undefined),
    );
    return () => {
      cancelled = true;
      if (timer) {
        clearTimeout(timer);
      }
    };
  }, [id, key, enabled]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return {
    data: enabled ? result.data : undefined,
    // An error belongs to its query: a different query starts clean.
    error: enabled && result.key === key ? result.error : undefined,
    loading: enabled && result.id !== id,
    reload,
  };
}
