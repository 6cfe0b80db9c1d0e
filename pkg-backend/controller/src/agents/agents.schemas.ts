import { z } from 'zod';
import { MatcherList, page, repeatedParam, Timestamp } from '../common/schemas.js';
import { RESERVED_PREFIX } from '../fleet/desired-state.js';
import { AGENT_STATES } from './agent-state.js';

/** Attribute keys must be usable in matchers. */
const ATTRIBUTE_KEY = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;
export const MAX_ATTRIBUTE_KEY = 100;
export const MAX_ATTRIBUTE_VALUE = 150;
export const MAX_ATTRIBUTES = 100;

export const ListAgentsQuery = z.object({
  matcher: repeatedParam(z.string().max(200)).describe('attribute matcher (repeatable), all must match'),
  state: z.enum(AGENT_STATES).optional(),
  q: z
    .string()
    .max(200)
    .optional()
    .describe('case-insensitive substring of the id, name or an attribute value'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListAgentsQuery = z.infer<typeof ListAgentsQuery>;

/** A point in time: unix milliseconds or an ISO 8601 date. */
const Instant = z
  .string()
  .refine((s) => !Number.isNaN(toDate(s).getTime()), 'want unix milliseconds or an ISO 8601 date')
  .optional();

export const AgentMetricsQuery = z.object({
  since: Instant.describe('start (unix ms or ISO 8601; default: one hour before until)'),
  until: Instant.describe('end (unix ms or ISO 8601; default: now)'),
});
export type AgentMetricsQuery = z.infer<typeof AgentMetricsQuery>;

export function toDate(s: string): Date {
  return /^\d+$/.test(s) ? new Date(Number(s)) : new Date(s);
}

export const PutAttributesBody = z
  .object({
    remoteAttributes: z.record(z.string(), z.string()).superRefine((attrs, ctx) => {
      const keys = Object.keys(attrs);
      if (keys.length > MAX_ATTRIBUTES) {
        ctx.addIssue({ code: 'custom', message: `at most ${MAX_ATTRIBUTES} attributes` });
      }
      for (const key of keys) {
        const problem = key.startsWith(RESERVED_PREFIX)
          ? `keys starting with "${RESERVED_PREFIX}" are reserved for the system`
          : key.length > MAX_ATTRIBUTE_KEY
            ? `key longer than ${MAX_ATTRIBUTE_KEY} characters`
            : !ATTRIBUTE_KEY.test(key)
              ? 'a key starts with a letter or _ and holds letters, digits, _ . - /'
              : attrs[key]!.length > MAX_ATTRIBUTE_VALUE
                ? `value longer than ${MAX_ATTRIBUTE_VALUE} characters`
                : undefined;
        if (problem)
          ctx.addIssue({ code: 'custom', message: `${JSON.stringify(key)}: ${problem}`, path: [key] });
      }
    }),
  })
  .strict();
export type PutAttributesBody = z.infer<typeof PutAttributesBody>;

export const PreviewBody = z.object({ matchers: MatcherList }).strict();
export type PreviewBody = z.infer<typeof PreviewBody>;

// ---- responses (documentation) ----

const StringMap = z.record(z.string(), z.string());

export const AgentListItemSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    state: z.enum(AGENT_STATES),
    drift: z.boolean(),
    connected: z.boolean(),
    firstSeenAt: Timestamp,
    lastSeenAt: Timestamp,
    version: z.string().nullable().describe('agent version from its build info'),
    attributes: StringMap.describe('effective attributes'),
    pipelines: z.object({ total: z.number().int(), failed: z.number().int(), drifting: z.number().int() }),
    components: z.object({ total: z.number().int(), unhealthy: z.number().int(), unknown: z.number().int() }),
  })
  .meta({ id: 'AgentSummary' });
export const AgentListSchema = page(AgentListItemSchema);

export const AgentPipelineSchema = z.object({
  pipelineId: z.string(),
  name: z.string(),
  desiredVersion: z.number().int().nullable().describe('version the agent should run now (null: none)'),
  appliedVersion: z.number().int().nullable(),
  reportedVersion: z.number().int().nullable().describe('version the last status refers to'),
  appliedHash: z.string().nullable(),
  status: z.string().describe('pending | applying | applied | failed | removed'),
  error: z.string().nullable(),
  diagnostics: z.array(z.unknown()),
  desiredAt: Timestamp.nullable(),
  statusAt: Timestamp.nullable(),
  appliedAt: Timestamp.nullable(),
  failed: z.boolean(),
  drift: z.boolean(),
});

export const ComponentHealthSchema = z.object({
  pipeline: z.string().describe("pipeline (module) name, '' for the local config"),
  componentId: z.string(),
  health: z.string(),
  message: z.string(),
  updatedAt: Timestamp,
});

export const AgentDetailSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    state: z.enum(AGENT_STATES),
    drift: z.boolean(),
    connected: z.boolean(),
    controllerId: z.string().nullable(),
    firstSeenAt: Timestamp,
    lastSeenAt: Timestamp,
    disconnectedAt: Timestamp.nullable(),
    buildInfo: z.record(z.string(), z.unknown()),
    supportedComponents: z.array(z.string()),
    attributes: z.object({ local: StringMap, remote: StringMap, system: StringMap, effective: StringMap }),
    pipelines: z.array(AgentPipelineSchema),
    components: z.array(ComponentHealthSchema),
    recentErrors: z.array(
      z.object({
        source: z.enum(['pipeline', 'component']),
        pipeline: z.string(),
        componentId: z.string().nullable(),
        message: z.string(),
        at: Timestamp.nullable(),
      }),
    ),
  })
  .meta({ id: 'Agent' });

export const AgentMetricsSchema = z
  .object({
    since: Timestamp,
    until: Timestamp,
    series: z.array(
      z.object({
        name: z.string(),
        labels: StringMap,
        points: z.array(z.tuple([z.number(), z.number()])).describe('[unix ms, value]'),
      }),
    ),
  })
  .meta({ id: 'AgentMetrics' });

export const PreviewSchema = z.object({
  total: z.number().int(),
  agents: z.array(z.object({ id: z.string(), name: z.string(), attributes: StringMap })),
});

export const FleetSummarySchema = z
  .object({
    agents: z.object({
      total: z.number().int(),
      healthy: z.number().int(),
      degraded: z.number().int(),
      unhealthy: z.number().int(),
      offline: z.number().int(),
    }),
    drift: z.number().int().describe('agents with drift'),
    pipelines: z.number().int(),
    activeRollouts: z.number().int().describe('latest rollouts of pipelines that are running or paused'),
  })
  .meta({ id: 'FleetSummary' });
