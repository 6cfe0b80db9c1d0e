import { isOffline } from '../agents/agent-state.js';
import type { PrismaService } from '../database/prisma.service.js';

/** One agent of a rollout, with what it reports for the rollout's pipeline. */
export interface RolloutMember {
  id: string;
  name: string;
  /** Wave index; agents that matched after the rollout began belong to the last wave. */
  wave: number;
  online: boolean;
  /** agent_pipelines.status: pending | applying | applied | failed | removed. */
  status: string;
  appliedVersion: number | null;
  /** Version the last status refers to. */
  reportedVersion: number | null;
  error: string | null;
  /** Components of the pipeline reported unhealthy. */
  unhealthyComponents: number;
}

export interface RolloutRef {
  id: string;
  pipelineId: string;
  pipelineName: string;
  toVersion: number;
  waveCount: number;
}

/**
 * The agents of a rollout in one query: those planned into waves when it began, plus those that matched
 * later and were pushed its target version (they count in the last wave), ordered by wave and name.
 */
export async function loadRolloutMembers(
  prisma: Pick<PrismaService, '$queryRawUnsafe'>,
  r: RolloutRef,
  opts: { heartbeatIntervalSeconds: number; now?: number },
): Promise<RolloutMember[]> {
  const rows = await prisma.$queryRawUnsafe<
    {
      agent_id: string;
      name: string;
      wave: number | null;
      connected: boolean;
      kind: string;
      last_seen_at: Date;
      status: string | null;
      applied_version: number | null;
      reported_version: number | null;
      error: string | null;
      unhealthy: number;
    }[]
  >(
    `WITH members AS (
       SELECT agent_id, wave FROM rollout_agents WHERE rollout_id = $1::uuid
       UNION ALL
       SELECT ap.agent_id, NULL FROM agent_pipelines ap
       WHERE ap.pipeline_id = $2::uuid AND ap.desired_version = $3
         AND NOT EXISTS (SELECT 1 FROM rollout_agents ra WHERE ra.rollout_id = $1::uuid AND ra.agent_id = ap.agent_id)
     )
     SELECT m.agent_id, a.name, m.wave, a.connected, a.kind, a.last_seen_at, ap.status, ap.applied_version,
            ap.reported_version, ap.error,
            (SELECT count(*)::int FROM component_health ch
               WHERE ch.agent_id = m.agent_id AND ch.pipeline = $4 AND ch.health = 'unhealthy') AS unhealthy
     FROM members m JOIN agents a ON a.id = m.agent_id
     LEFT JOIN agent_pipelines ap ON ap.agent_id = m.agent_id AND ap.pipeline_id = $2::uuid
     ORDER BY coalesce(m.wave, $5), a.name`,
    r.id,
    r.pipelineId,
    r.toVersion,
    r.pipelineName,
    r.waveCount - 1,
  );
  const now = opts.now ?? Date.now();
  return rows.map((a) => ({
    id: a.agent_id,
    name: a.name,
    wave: a.wave ?? r.waveCount - 1,
    online: !isOffline(
      { connected: a.connected, lastSeenAt: a.last_seen_at, kind: a.kind },
      { now, heartbeatIntervalSeconds: opts.heartbeatIntervalSeconds },
    ),
    status: a.status ?? 'pending',
    appliedVersion: a.applied_version,
    reportedVersion: a.reported_version,
    error: a.error,
    unhealthyComponents: a.unhealthy,
  }));
}
