import { fleetApi } from '../api/client';
import { useApiQuery } from './useApiQuery';

/** One agent's detail: attributes, pipelines (desired vs applied), component health, recent errors. */
export function useAgent(id: string, pollMs = 5_000) {
  return useApiQuery(`agent:${id}`, () => fleetApi.getAgent(id), { pollMs });
}

/** The agent's stored self-metrics over the last `rangeMs`, refreshed every `pollMs`. */
export function useAgentMetrics(id: string, rangeMs: number, pollMs = 15_000) {
  return useApiQuery(
    `agent-metrics:${id}:${rangeMs}`,
    () => {
      const until = Date.now();
      return fleetApi.agentMetrics(id, until - rangeMs, until);
    },
    { pollMs },
  );
}
