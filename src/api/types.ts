/**
 * Shapes of the Foundry controller's REST API (`/api/v1`), as the plugin reads them through Grafana's
 * plugin proxy. They mirror the controller's zod response schemas (pkg-backend/controller/src/**\/*.schemas.ts,
 * committed as pkg-backend/controller/openapi.json); timestamps are ISO 8601 strings.
 */

/** Agent states, worst last. */
export type AgentState = 'healthy' | 'degraded' | 'unhealthy' | 'offline';
export const AGENT_STATES: AgentState[] = ['healthy', 'degraded', 'unhealthy', 'offline'];

/** A page of a list: `{ items, total, limit, offset }`. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Key/value labels of an agent. */
export type Attributes = Record<string, string>;

/** Row of `GET /agents`. */
export interface AgentListItem {
  id: string;
  name: string;
  kind: string;
  state: AgentState;
  drift: boolean;
  connected: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Agent version from its build info. */
  version: string | null;
  /** Effective attributes (remote win over local; `agent.*` are the system's). */
  attributes: Attributes;
  pipelines: { total: number; failed: number; drifting: number };
  components: { total: number; unhealthy: number; unknown: number };
}

/** Query of `GET /agents`: matchers (all must match), state, text, paging. */
export interface AgentQuery {
  matchers?: string[];
  state?: AgentState;
  q?: string;
  limit?: number;
  offset?: number;
}

/** One pipeline on one agent: what the controller wants vs what the agent reports. */
export interface AgentPipeline {
  pipelineId: string;
  name: string;
  desiredVersion: number | null;
  appliedVersion: number | null;
  reportedVersion: number | null;
  appliedHash: string | null;
  /** pending | applying | applied | failed | removed */
  status: string;
  error: string | null;
  diagnostics: unknown[];
  desiredAt: string | null;
  statusAt: string | null;
  appliedAt: string | null;
  failed: boolean;
  drift: boolean;
}

/** Health of one component on an agent (`pipeline` is '' for the agent's local config). */
export interface ComponentHealth {
  pipeline: string;
  componentId: string;
  /** healthy | unhealthy | unknown | exited */
  health: string;
  message: string;
  updatedAt: string;
}

/** `GET /agents/:id`. */
export interface AgentDetail {
  id: string;
  name: string;
  kind: string;
  state: AgentState;
  drift: boolean;
  connected: boolean;
  controllerId: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  disconnectedAt: string | null;
  buildInfo: Record<string, unknown>;
  supportedComponents: string[];
  attributes: { local: Attributes; remote: Attributes; system: Attributes; effective: Attributes };
  pipelines: AgentPipeline[];
  components: ComponentHealth[];
  recentErrors: Array<{
    source: 'pipeline' | 'component';
    pipeline: string;
    componentId: string | null;
    message: string;
    at: string | null;
  }>;
}

/** One stored self-metric series: points are `[unix ms, value]`. */
export interface MetricSeries {
  name: string;
  labels: Record<string, string>;
  points: Array<[number, number]>;
}

/** `GET /agents/:id/metrics?since=&until=`. */
export interface AgentMetrics {
  since: string;
  until: string;
  series: MetricSeries[];
}

/** `POST /agents/preview`: how many agents matchers select, and the first 50. */
export interface MatchPreview {
  total: number;
  agents: Array<{ id: string; name: string; attributes: Attributes }>;
}

/** `GET /fleet/summary`. */
export interface FleetSummary {
  agents: { total: number } & Record<AgentState, number>;
  /** Agents with drift. */
  drift: number;
  pipelines: number;
  activeRollouts: number;
}

/** A diagnostic of the Alloy engine: 1-based lines and columns; 0 when the message has no position. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A reference to a rollout inside a pipeline row. */
export interface RolloutRef {
  id: string;
  status: RolloutStatus;
  fromVersion: number | null;
  toVersion: number;
}

/** Row of `GET /pipelines`. */
export interface Pipeline {
  id: string;
  name: string;
  matchers: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  latestVersion: number | null;
  /** Versions agents should run, from the latest rollout. */
  deployedVersions: number[];
  /** The latest rollout while running or paused. */
  activeRollout: RolloutRef | null;
  matchedAgents: number;
}

/** A pipeline version without its text (`GET /pipelines/:id/versions`, newest first). */
export interface VersionSummary {
  id: string;
  pipelineId: string;
  version: number;
  sha256: string;
  author: string;
  message: string;
  createdAt: string;
  valid: boolean;
  diagnostics: Diagnostic[];
  components: string[];
}

/** A pipeline version with its Alloy text. */
export interface Version extends VersionSummary {
  content: string;
}

/** `GET /pipelines/:id`: the pipeline with its latest version. */
export interface PipelineDetail extends Pipeline {
  latest: Version | null;
}

/** Body of `POST /pipelines`. */
export interface CreatePipeline {
  name: string;
  matchers: string[];
  enabled?: boolean;
  content?: string;
  message?: string;
}

/** Body of `PATCH /pipelines/:id`. */
export interface UpdatePipeline {
  name?: string;
  matchers?: string[];
  enabled?: boolean;
}

/** `GET /pipelines/:id/diff?from=&to=`: a unified diff, also as hunks of prefixed lines. */
export interface VersionDiff {
  /** null: diffed against empty text. */
  from: number | null;
  to: number;
  unified: string;
  hunks: Array<{ oldStart: number; oldLines: number; newStart: number; newLines: number; lines: string[] }>;
}

/** The reference graph of a config: `from` refers to the exports of `to`. */
export interface ConfigGraph {
  nodes: Array<{ id: string; component: string }>;
  edges: Array<{ from: string; to: string }>;
}

/** `POST /validate {content, matchers?}`. */
export interface ValidationResult {
  valid: boolean;
  diagnostics: Diagnostic[];
  /** Component names the config uses. */
  components: string[];
  graph: ConfigGraph;
  agents: {
    matched: number;
    /** Matched agents lacking a component the config uses (first 100). */
    cannotRun: Array<{ id: string; name: string; missing: string[] }>;
    cannotRunTotal: number;
  };
}

export type RolloutStatus = 'running' | 'paused' | 'completed' | 'aborted' | 'rolled_back';
export const ROLLOUT_STATUSES: RolloutStatus[] = ['running', 'paused', 'completed', 'aborted', 'rolled_back'];

/** A wave: cumulative share (`percent`) or count of the selected agents reached when it starts. */
export interface WaveSpec {
  percent?: number;
  count?: number;
}

/** Body of `POST /pipelines/:id/rollouts`. */
export interface CreateRollout {
  version: number;
  waves?: WaveSpec[];
  immediate?: boolean;
  soakSeconds?: number;
  /** Fraction (0..1) of failed or unhealthy agents above which the rollout pauses. */
  failureThreshold?: number;
}

/** An agent of a rollout wave with its apply status and health. */
export interface RolloutAgent {
  id: string;
  name: string;
  online: boolean;
  /** pending | applying | applied | failed | removed */
  status: string;
  appliedVersion: number | null;
  reportedVersion: number | null;
  error: string | null;
  healthy: boolean;
}

/** A wave of a rollout; `status` is pending | in_progress | soaking | done. */
export interface RolloutWave {
  rolloutId: string;
  index: number;
  percent: number | null;
  count: number | null;
  status: string;
  startedAt: string | null;
  soakStartedAt: string | null;
  completedAt: string | null;
  agents?: RolloutAgent[];
}

/** A rollout (`GET /rollouts` items have `agentCount`; `GET /rollouts/:id` waves have `agents`). */
export interface Rollout {
  id: string;
  pipelineId: string;
  pipelineName: string;
  fromVersion: number | null;
  toVersion: number;
  status: RolloutStatus;
  currentWave: number;
  soakSeconds: number;
  failureThreshold: number;
  pausedReason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  waves: RolloutWave[];
  agentCount?: number;
}

export type RolloutAction = 'pause' | 'resume' | 'abort' | 'rollback';
