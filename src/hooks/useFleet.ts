import { fleetApi } from '../api/client';
import type { AgentQuery } from '../api/types';
import { useApiQuery } from './useApiQuery';

/** Agents per state and drift; refreshed every `pollMs`. */
export function useFleetSummary(pollMs = 10_000) {
  return useApiQuery('fleet-summary', () => fleetApi.fleetSummary(), { pollMs });
}

/** One page of agents for a query (matchers, state, text, paging); refreshed every `pollMs`. */
export function useAgents(query: AgentQuery, pollMs = 10_000) {
  const key = JSON.stringify(query);
  return useApiQuery(`agents:${key}`, () => fleetApi.listAgents(query), { pollMs });
}
