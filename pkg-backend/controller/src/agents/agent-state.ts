/**
 * How healthy an agent is, derived from what the database knows about it — pure functions and the SQL
 * that computes the same per-pipeline conditions in one aggregate (the agents list, the fleet summary
 * and the fleet metrics use the SQL; the agent page uses the functions).
 *
 * - offline: not connected, or last seen longer ago than 3 heartbeat intervals;
 * - unhealthy: a pipeline failed for the version the agent should run, or a component is unhealthy;
 * - degraded: drift (desired ≠ applied for longer than the drift grace period, or a pipeline stuck in
 *   `applying` that long) or a component whose health is unknown;
 * - healthy: none of the above.
 */

export type AgentState = 'healthy' | 'degraded' | 'unhealthy' | 'offline';
export const AGENT_STATES: readonly AgentState[] = ['healthy', 'degraded', 'unhealthy', 'offline'];

/** Agents count as offline after this many missed heartbeats. */
export const MISSED_HEARTBEATS = 3;

/**
 * Grafana Alloy agents (remote-config API) do not heartbeat: they poll, every minute by default (Alloy's
 * `poll_frequency`); they count as offline after three missed polls.
 */
export const ALLOY_POLL_SECONDS = 60;

/** How long an agent of `kind` may stay silent before it counts as offline, ms. */
export function offlineAfterMs(kind: string | undefined, heartbeatIntervalSeconds: number): number {
  const interval =
    kind === 'alloy' ? Math.max(heartbeatIntervalSeconds, ALLOY_POLL_SECONDS) : heartbeatIntervalSeconds;
  return MISSED_HEARTBEATS * interval * 1000;
}

export interface AgentStateOptions {
  heartbeatIntervalSeconds: number;
  driftGraceSeconds: number;
  /** Reference time, ms since the epoch. */
  now: number;
}

/** One agent_pipelines row as far as the state is concerned. */
export interface PipelineStatusFacts {
  desiredVersion: number | null;
  /** When the desired version was last set (null: unknown, counts as long ago). */
  desiredAt: Date | null;
  appliedVersion: number | null;
  /** Version the last status refers to (null: unknown). */
  reportedVersion: number | null;
  /** pending | applying | applied | failed | removed */
  status: string;
  statusAt: Date | null;
}

export interface PipelineCondition {
  /** Failed for the version the agent should run. */
  failed: boolean;
  /** Desired ≠ applied (or applying) for longer than the grace period. */
  drift: boolean;
}

/** The per-pipeline conditions (the SQL below computes the same). */
export function pipelineCondition(
  p: PipelineStatusFacts,
  opts: Pick<AgentStateOptions, 'driftGraceSeconds' | 'now'>,
): PipelineCondition {
  const cutoff = opts.now - opts.driftGraceSeconds * 1000;
  const before = (d: Date | null) => d === null || d.getTime() < cutoff;
  const failed =
    p.status === 'failed' &&
    p.desiredVersion !== null &&
    (p.reportedVersion === null || p.reportedVersion === p.desiredVersion);
  const differs =
    p.desiredVersion !== p.appliedVersion && !(p.desiredVersion === null && p.status === 'removed');
  const drift = (differs && before(p.desiredAt)) || (p.status === 'applying' && before(p.statusAt));
  return { failed, drift };
}

/** What the state of one agent depends on (counts over its pipelines and components). */
export interface AgentStateFacts {
  /** foundry | alloy (Alloy agents poll instead of heartbeating). */
  kind?: string;
  connected: boolean;
  lastSeenAt: Date;
  /** Pipelines failed for their desired version. */
  failedPipelines: number;
  /** Pipelines in drift. */
  driftingPipelines: number;
  unhealthyComponents: number;
  unknownComponents: number;
}

/** Whether an agent is offline (not connected, or silent for 3 heartbeat intervals). */
export function isOffline(
  facts: Pick<AgentStateFacts, 'connected' | 'lastSeenAt' | 'kind'>,
  opts: Pick<AgentStateOptions, 'heartbeatIntervalSeconds' | 'now'>,
): boolean {
  const silentMs = opts.now - facts.lastSeenAt.getTime();
  return !facts.connected || silentMs > offlineAfterMs(facts.kind, opts.heartbeatIntervalSeconds);
}

/** The state of one agent (see the module comment for the rules, in order). */
export function deriveAgentState(facts: AgentStateFacts, opts: AgentStateOptions): AgentState {
  if (isOffline(facts, opts)) return 'offline';
  if (facts.failedPipelines > 0 || facts.unhealthyComponents > 0) return 'unhealthy';
  if (facts.driftingPipelines > 0 || facts.unknownComponents > 0) return 'degraded';
  return 'healthy';
}

/** Whether an agent has drift (counted by the fleet summary whatever its state). */
export function hasDrift(facts: Pick<AgentStateFacts, 'driftingPipelines'>): boolean {
  return facts.driftingPipelines > 0;
}

/** Agents per state. */
export function countStates(states: Iterable<AgentState>): Record<AgentState, number> {
  const out: Record<AgentState, number> = { healthy: 0, degraded: 0, unhealthy: 0, offline: 0 };
  for (const s of states) out[s]++;
  return out;
}

/**
 * SQL, over `agent_pipelines` aliased `ap`, true when the row failed for its desired version
 * (pipelineCondition().failed).
 */
export const PIPELINE_FAILED_SQL = `(ap.status = 'failed' AND ap.desired_version IS NOT NULL AND (ap.reported_version IS NULL OR ap.reported_version = ap.desired_version))`;

/**
 * SQL, over `agent_pipelines` aliased `ap`, true when the row is in drift (pipelineCondition().drift);
 * `cutoff` is the SQL expression of now − grace (e.g. a `$1` parameter of type timestamptz).
 */
export function pipelineDriftSql(cutoff: string): string {
  return (
    `((ap.desired_version IS DISTINCT FROM ap.applied_version AND NOT (ap.desired_version IS NULL AND ap.status = 'removed')` +
    ` AND coalesce(ap.desired_at, '-infinity'::timestamptz) < ${cutoff})` +
    ` OR (ap.status = 'applying' AND coalesce(ap.status_at, '-infinity'::timestamptz) < ${cutoff}))`
  );
}
