/**
 * Every agent with the counts its state depends on, in one SQL aggregate (no query per agent): the
 * agents list, the fleet summary and the fleet metrics read the fleet through this.
 */
import type { PrismaService } from '../database/prisma.service.js';
import {
  deriveAgentState,
  hasDrift,
  PIPELINE_FAILED_SQL,
  pipelineDriftSql,
  type AgentState,
  type AgentStateFacts,
  type AgentStateOptions,
} from './agent-state.js';

/** An agent row with its pipeline and component counts. */
export interface AgentFacts extends AgentStateFacts {
  id: string;
  name: string;
  kind: string;
  localAttributes: unknown;
  remoteAttributes: unknown;
  systemAttributes: unknown;
  buildInfo: unknown;
  firstSeenAt: Date;
  /** Pipelines the agent should or does run. */
  pipelines: number;
  components: number;
}

/** AgentFacts with the derived state. */
export interface AgentWithState extends AgentFacts {
  state: AgentState;
  drift: boolean;
}

type Db = Pick<PrismaService, '$queryRawUnsafe'>;

const FACTS_SQL = `
SELECT a.id, a.name, a.kind,
       a.local_attributes AS "localAttributes", a.remote_attributes AS "remoteAttributes",
       a.system_attributes AS "systemAttributes", a.build_info AS "buildInfo",
       a.connected, a.first_seen_at AS "firstSeenAt", a.last_seen_at AS "lastSeenAt",
       coalesce(p.pipelines, 0) AS pipelines, coalesce(p.failed, 0) AS "failedPipelines",
       coalesce(p.drifting, 0) AS "driftingPipelines", coalesce(c.components, 0) AS components,
       coalesce(c.unhealthy, 0) AS "unhealthyComponents", coalesce(c.unknown, 0) AS "unknownComponents"
FROM agents a
LEFT JOIN (
  SELECT ap.agent_id,
         (count(*) FILTER (WHERE ap.desired_version IS NOT NULL OR ap.applied_version IS NOT NULL))::int AS pipelines,
         (count(*) FILTER (WHERE ${PIPELINE_FAILED_SQL}))::int AS failed,
         (count(*) FILTER (WHERE ${pipelineDriftSql('$1')}))::int AS drifting
  FROM agent_pipelines ap
  GROUP BY ap.agent_id
) p ON p.agent_id = a.id
LEFT JOIN (
  SELECT ch.agent_id,
         count(*)::int AS components,
         (count(*) FILTER (WHERE ch.health = 'unhealthy'))::int AS unhealthy,
         (count(*) FILTER (WHERE ch.health = 'unknown'))::int AS unknown
  FROM component_health ch
  GROUP BY ch.agent_id
) c ON c.agent_id = a.id`;

/**
 * Loads agents (all, or those in `ids`) with their counts, ordered by name then id.
 * `now` and `driftGraceSeconds` decide which pipelines count as drifting.
 */
export async function loadAgentFacts(
  db: Db,
  opts: Pick<AgentStateOptions, 'driftGraceSeconds' | 'now'> & { ids?: string[] },
): Promise<AgentFacts[]> {
  const cutoff = new Date(opts.now - opts.driftGraceSeconds * 1000);
  if (opts.ids) {
    return db.$queryRawUnsafe<AgentFacts[]>(
      `${FACTS_SQL} WHERE a.id = ANY($2::text[]) ORDER BY a.name, a.id`,
      cutoff,
      opts.ids,
    );
  }
  return db.$queryRawUnsafe<AgentFacts[]>(`${FACTS_SQL} ORDER BY a.name, a.id`, cutoff);
}

/** Adds the derived state and drift flag. */
export function withState(facts: AgentFacts, opts: AgentStateOptions): AgentWithState {
  return { ...facts, state: deriveAgentState(facts, opts), drift: hasDrift(facts) };
}
