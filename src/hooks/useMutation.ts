import { useRef, useState } from 'react';
import { ApiError, toApiError } from '../api/errors';

/** A change in progress: run it, see whether it runs, read its error. */
export interface MutationState<A extends unknown[], R> {
  /** Runs the change; resolves to its result, or to undefined when it failed (the error is in `error`). */
  run: (...args: A) => Promise<R | undefined>;
  running: boolean;
  error: ApiError | undefined;
  clearError: () => void;
}

/** Wraps a call that changes something; one at a time (a second `run` while one runs is ignored). */
export function useMutation<A extends unknown[], R>(fn: (...args: A) => Promise<R>): MutationState<A, R> {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError>();
  const busy = useRef(false);

  const run = async (...args: A) => {
    if (busy.current) {
      return undefined;
    }
    busy.current = true;
    setRunning(true);
    setError(undefined);
    try {
      return await fn(...args);
    } catch (e) {
      setError(toApiError(e, 'Request'));
      return undefined;
    } finally {
      busy.current = false;
      setRunning(false);
    }
  };
  return { run, running, error, clearError: () => setError(undefined) };
}
