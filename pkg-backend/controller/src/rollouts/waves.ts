/**
 * Wave planning and gating for rollouts — pure functions.
 *
 * A wave is given as the cumulative share of the selected agents it reaches (`percent`, 0 < p ≤ 100)
 * and/or an absolute cumulative `count`; the larger wins. The last wave always reaches everyone.
 * Agents are ordered by sha256(rollout id + agent id), so the order is stable, spread evenly and
 * different for every rollout.
 */
import { createHash } from 'node:crypto';

export interface WaveSpec {
  percent?: number;
  count?: number;
}

/** Default waves: one canary agent, then 10 %, 50 %, 100 %. */
export const DEFAULT_WAVES: readonly WaveSpec[] = [
  { count: 1 },
  { percent: 10 },
  { percent: 50 },
  { percent: 100 },
];

/**
 * Assigns every agent a wave index. @returns agent id → wave, for `agentIds` (order irrelevant).
 */
export function assignWaves(
  rolloutId: string,
  agentIds: readonly string[],
  waves: readonly WaveSpec[],
): Map<string, number> {
  const order = agentIds
    .map((id) => ({ id, key: createHash('sha256').update(`${rolloutId}\u0000${id}`).digest('hex') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const n = order.length;
  const reach: number[] = [];
  let prev = 0;
  waves.forEach((w, i) => {
    let r = Math.max(w.count ?? 0, Math.ceil(((w.percent ?? 0) / 100) * n));
    if (i === waves.length - 1) r = n;
    r = Math.min(n, Math.max(prev, r));
    reach.push(r);
    prev = r;
  });
  const out = new Map<string, number>();
  let wave = 0;
  order.forEach((a, idx) => {
    while (idx >= reach[wave]!) wave++;
    out.set(a.id, wave);
  });
  return out;
}

/** What one agent of a rollout looks like to the gate. */
export interface GateAgent {
  id: string;
  wave: number;
  online: boolean;
  /** Applied the target version (status applied, applied version = target). */
  applied: boolean;
  /** Reported failed for the target version. */
  failed: boolean;
  /** A component of the pipeline is unhealthy. */
  unhealthy: boolean;
  error?: string | null;
}

export type GateDecision =
  { kind: 'pause'; reason: string } | { kind: 'wait'; reason: string } | { kind: 'soak' } | { kind: 'empty' };

/**
 * Decides for the current wave: pause when failed or unhealthy agents among the online agents of the
 * started waves exceed `failureThreshold` (a fraction; 0 pauses on the first failure); `soak` when every
 * online agent of the current wave applied the target and is healthy; `empty` when the wave has no
 * agents; otherwise wait. Offline agents are left out: they cannot report, and they get the version of
 * their wave when they come back.
 */
export function gate(
  agents: readonly GateAgent[],
  currentWave: number,
  failureThreshold: number,
): GateDecision {
  const started = agents.filter((a) => a.wave <= currentWave && a.online);
  const bad = started.filter((a) => a.failed || a.unhealthy);
  if (bad.length > 0 && bad.length / Math.max(1, started.length) > failureThreshold) {
    const first = bad[0]!;
    const why = first.failed ? `failed${first.error ? `: ${first.error}` : ''}` : 'unhealthy';
    return {
      kind: 'pause',
      reason: `${bad.length} of ${started.length} agents failed or unhealthy (threshold ${Math.round(failureThreshold * 100)} %); ${first.id} ${why}`,
    };
  }
  const wave = agents.filter((a) => a.wave === currentWave);
  if (wave.length === 0) return { kind: 'empty' };
  const online = wave.filter((a) => a.online);
  if (online.length === 0)
    return { kind: 'wait', reason: `all ${wave.length} agents of wave ${currentWave + 1} are offline` };
  const pending = online.filter((a) => !(a.applied && !a.unhealthy));
  if (pending.length > 0)
    return { kind: 'wait', reason: `${pending.length} of ${online.length} agents not applied yet` };
  return { kind: 'soak' };
}
