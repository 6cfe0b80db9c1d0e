/**
 * Which version of which pipeline each agent should run — pure functions over a snapshot of pipelines
 * and their latest rollouts. The latest rollout of a pipeline decides: `completed` → its target version
 * for everyone; `rolled_back` → the version before; `running`, `paused` and `aborted` → per wave, the
 * target version for agents in started waves and the previous one for the rest. Agents that match
 * the pipeline but were not assigned a wave when the rollout began belong to the last wave. A pipeline
 * with no rollout is not deployed anywhere.
 */
import { createHash } from 'node:crypto';
import type { DesiredPipeline } from '@foundry/proto';
import { matchesAll, type Matcher } from '../common/matchers.js';

export type RolloutStatus = 'running' | 'paused' | 'completed' | 'aborted' | 'rolled_back';

export interface RolloutSnapshot {
  id: string;
  status: RolloutStatus;
  fromVersion: number | null;
  toVersion: number;
  /** Index of the last started wave. */
  currentWave: number;
  waveCount: number;
  /** agent id → wave index. */
  assignments: ReadonlyMap<string, number>;
}

export interface VersionSnapshot {
  version: number;
  /** sha256 hex of content. */
  hash: string;
  content: string;
}

export interface PipelineSnapshot {
  id: string;
  name: string;
  enabled: boolean;
  matchers: readonly Matcher[];
  rollout: RolloutSnapshot | null;
  /** The versions the latest rollout refers to (from and to). */
  versions: ReadonlyMap<number, VersionSnapshot>;
}

export interface AgentAttributesInput {
  id: string;
  name: string;
  localAttributes: unknown;
  remoteAttributes: unknown;
  systemAttributes: unknown;
}

/** Attribute keys reserved for the system (`agent.*`): never set locally or remotely. */
export const RESERVED_PREFIX = 'agent.';

/**
 * The string entries of an attribute map (a JSON column or a message field; anything else counts as
 * empty): only the system's reserved `agent.*` keys when `reserved`, otherwise only the other keys.
 */
export function attributesOf(source: unknown, reserved: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return out;
  for (const [k, v] of Object.entries(source)) {
    if (typeof v === 'string' && k.startsWith(RESERVED_PREFIX) === reserved) out[k] = v;
  }
  return out;
}

/**
 * Attributes matchers see: local, then remote (wins), then the read-only system ones and
 * `agent.id` / `agent.name`. Keys with the reserved `agent.` prefix come only from the system.
 */
export function effectiveAttributes(agent: AgentAttributesInput): Record<string, string> {
  const out: Record<string, string> = {
    ...attributesOf(agent.localAttributes, false),
    ...attributesOf(agent.remoteAttributes, false),
    ...attributesOf(agent.systemAttributes, true),
  };
  out['agent.id'] = agent.id;
  out['agent.name'] = agent.name;
  return out;
}

/** The version of `pipeline` the agent should run, or null for none. */
export function desiredVersion(
  pipeline: PipelineSnapshot,
  agentId: string,
  attributes: Readonly<Record<string, string>>,
): number | null {
  const r = pipeline.rollout;
  if (!pipeline.enabled || !r || !matchesAll(pipeline.matchers, attributes)) return null;
  switch (r.status) {
    case 'completed':
      return r.toVersion;
    case 'rolled_back':
      return r.fromVersion;
    default: {
      const wave = r.assignments.get(agentId) ?? r.waveCount - 1;
      return wave <= r.currentWave ? r.toVersion : r.fromVersion;
    }
  }
}

export interface DesiredSet {
  pipelines: DesiredPipeline[];
  /** sha256 over the sorted (pipeline id, hash) pairs. */
  revision: string;
}

/** The full desired set of an agent, sorted by pipeline name. */
export function desiredSet(
  pipelines: Iterable<PipelineSnapshot>,
  agentId: string,
  attributes: Readonly<Record<string, string>>,
): DesiredSet {
  const out: DesiredPipeline[] = [];
  for (const p of pipelines) {
    const v = desiredVersion(p, agentId, attributes);
    if (v === null) continue;
    const snap = p.versions.get(v);
    if (!snap) continue;
    out.push({ pipelineId: p.id, name: p.name, version: v, hash: snap.hash, content: snap.content });
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const h = createHash('sha256');
  for (const p of out) h.update(`${p.pipelineId}:${p.hash}\n`);
  return { pipelines: out, revision: h.digest('hex') };
}
