import { fleetApi } from '../api/client';
import type { Rollout, RolloutStatus } from '../api/types';
import { useApiQuery } from './useApiQuery';

export function useRollouts(filter: { pipelineId?: string; status?: RolloutStatus } = {}, pollMs = 5_000) {
  return useApiQuery(`rollouts:${JSON.stringify(filter)}`, () => fleetApi.listRollouts(filter), { pollMs });
}

/** Whether a rollout can still change by itself or by a person's action (then it is watched closely). */
export const isActive = (r: Pick<Rollout, 'status'> | undefined) =>
  r !== undefined && (r.status === 'running' || r.status === 'paused');

/** One rollout with its waves and agents; refreshed every `activeMs` while active, every `idleMs` after. */
export function useRollout(id: string, activeMs = 2_000, idleMs = 15_000) {
  return useApiQuery(`rollout:${id}`, () => fleetApi.getRollout(id), {
    pollMs: (r) => (r === undefined || isActive(r) ? activeMs : idleMs),
  });
}
