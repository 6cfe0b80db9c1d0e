/**
 * Component health as Alloy's `component.Health`: a state, a message and the time it was set.
 * The reported health of a component is the least healthy of its run, evaluation and own health.
 */
export type HealthState = 'unknown' | 'healthy' | 'unhealthy' | 'exited';

export interface Health {
  state: HealthState;
  message: string;
  /** Milliseconds since the epoch. */
  updateTime: number;
}

const RANK: Record<HealthState, number> = { healthy: 0, unknown: 1, unhealthy: 2, exited: 3 };

export function health(state: HealthState, message: string, updateTime = Date.now()): Health {
  return { state, message, updateTime };
}

/** Alloy's LeastHealthy: highest rank wins; on a tie, the most recently updated. */
export function leastHealthy(...hs: (Health | undefined)[]): Health {
  let worst: Health | undefined;
  for (const h of hs) {
    if (!h) continue;
    if (
      !worst ||
      RANK[h.state] > RANK[worst.state] ||
      (RANK[h.state] === RANK[worst.state] && h.updateTime > worst.updateTime)
    ) {
      worst = h;
    }
  }
  return worst ?? health('unknown', 'component created', 0);
}
