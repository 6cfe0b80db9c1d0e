import { useMemo } from 'react';
import { AppEvents } from '@grafana/data';
import { getAppEvents } from '@grafana/runtime';

/** Grafana's toasts: `success('Saved v2')`, `error('…')`. */
export interface Notify {
  success: (message: string) => void;
  error: (message: string) => void;
}

export function notify(): Notify {
  return {
    success: (message) => getAppEvents().publish({ type: AppEvents.alertSuccess.name, payload: [message] }),
    error: (message) => getAppEvents().publish({ type: AppEvents.alertError.name, payload: [message] }),
  };
}

/** Confirms what a change did (or why it failed) with Grafana's toasts. */
export function useNotify(): Notify {
  return useMemo(() => notify(), []);
}
