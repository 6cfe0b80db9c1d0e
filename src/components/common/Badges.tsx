import React from 'react';
import { Badge, type BadgeColor, type IconName } from '@grafana/ui';
import type { AgentState, RolloutStatus } from '../../api/types';

const AGENT_STATE: Record<AgentState, { color: BadgeColor; icon: IconName }> = {
  healthy: { color: 'green', icon: 'check-circle' },
  degraded: { color: 'orange', icon: 'exclamation-triangle' },
  unhealthy: { color: 'red', icon: 'times-circle' },
  offline: { color: 'darkgrey', icon: 'circle' },
};

/** An agent's state: healthy, degraded, unhealthy or offline. */
export function AgentStateBadge({ state }: { state: AgentState }) {
  const s = AGENT_STATE[state] ?? AGENT_STATE.offline;
  return <Badge text={state} color={s.color} icon={s.icon} />;
}

const APPLY: Record<string, BadgeColor> = {
  applied: 'green',
  applying: 'blue',
  pending: 'darkgrey',
  failed: 'red',
  removed: 'purple',
};

/** A pipeline's apply status on an agent: pending, applying, applied, failed or removed. */
export function ApplyStatusBadge({ status }: { status: string }) {
  return <Badge text={status} color={APPLY[status] ?? 'darkgrey'} />;
}

const HEALTH: Record<string, BadgeColor> = {
  healthy: 'green',
  unhealthy: 'red',
  unknown: 'darkgrey',
  exited: 'orange',
};

/** A component's health. */
export function HealthBadge({ health }: { health: string }) {
  return <Badge text={health} color={HEALTH[health] ?? 'darkgrey'} />;
}

const ROLLOUT: Record<RolloutStatus, { color: BadgeColor; icon: IconName }> = {
  running: { color: 'blue', icon: 'play' },
  paused: { color: 'orange', icon: 'pause' },
  completed: { color: 'green', icon: 'check' },
  aborted: { color: 'darkgrey', icon: 'times' },
  rolled_back: { color: 'purple', icon: 'history' },
};

/** A rollout's status. */
export function RolloutStatusBadge({ status }: { status: RolloutStatus }) {
  const s = ROLLOUT[status] ?? { color: 'darkgrey', icon: 'question-circle' };
  return <Badge text={status.replace('_', ' ')} color={s.color} icon={s.icon} />;
}
