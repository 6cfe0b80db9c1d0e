/** Shared jest helpers: a fake BackendSrv, canned API objects and a router wrapper. */
import React, { type ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { of, throwError } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import type { AgentDetail, AgentListItem, FleetSummary, Rollout } from '../api/types';

/** A BackendSrv whose fetch answers from `handler(request)`: a value, or `{ status, data }` thrown as error. */
export function fakeBackendSrv(
  handler: (req: BackendSrvRequest) => unknown | { error: { status: number; data?: unknown } },
): { srv: () => BackendSrv; calls: BackendSrvRequest[] } {
  const calls: BackendSrvRequest[] = [];
  const srv = {
    fetch: (req: BackendSrvRequest) => {
      calls.push(req);
      const out = handler(req) as { error?: { status: number; data?: unknown } };
      if (out && typeof out === 'object' && 'error' in out && out.error) {
        return throwError(() => ({ status: out.error!.status, data: out.error!.data ?? {}, config: req }));
      }
      return of({ data: out, status: 200, ok: true } as unknown as FetchResponse);
    },
  } as unknown as BackendSrv;
  return { srv: () => srv, calls };
}

export const summary: FleetSummary = {
  agents: { total: 3, healthy: 2, degraded: 0, unhealthy: 0, offline: 1 },
  drift: 1,
  pipelines: 2,
  activeRollouts: 1,
};

export function agentRow(name: string, extra: Partial<AgentListItem> = {}): AgentListItem {
  return {
    id: `id-${name}`,
    name,
    kind: 'foundry',
    state: 'healthy',
    drift: false,
    connected: true,
    firstSeenAt: '2026-01-01T00:00:00Z',
    lastSeenAt: new Date().toISOString(),
    version: 'v0.1.0',
    attributes: { env: 'prod', 'agent.os': 'linux' },
    pipelines: { total: 2, failed: 0, drifting: 0 },
    components: { total: 3, unhealthy: 0, unknown: 0 },
    ...extra,
  };
}

export function agentDetail(extra: Partial<AgentDetail> = {}): AgentDetail {
  return {
    id: 'a1',
    name: 'edge-1',
    kind: 'foundry',
    state: 'healthy',
    drift: false,
    connected: true,
    controllerId: 'c1',
    firstSeenAt: '2026-01-01T00:00:00Z',
    lastSeenAt: new Date().toISOString(),
    disconnectedAt: null,
    buildInfo: { version: 'v0.1.0' },
    supportedComponents: ['prometheus.scrape'],
    attributes: {
      local: { env: 'dev', team: 'a' },
      remote: { env: 'prod' },
      system: { 'agent.os': 'linux' },
      effective: { env: 'prod', team: 'a', 'agent.os': 'linux' },
    },
    pipelines: [
      {
        pipelineId: 'p1',
        name: 'metrics',
        desiredVersion: 2,
        appliedVersion: 1,
        reportedVersion: 2,
        appliedHash: 'x',
        status: 'failed',
        error: 'component failed',
        diagnostics: [],
        desiredAt: null,
        statusAt: null,
        appliedAt: null,
        failed: true,
        drift: true,
      },
    ],
    components: [
      {
        pipeline: 'metrics',
        componentId: 'prometheus.scrape.self',
        health: 'healthy',
        message: '',
        updatedAt: '',
      },
      { pipeline: '', componentId: 'logging', health: 'healthy', message: '', updatedAt: '' },
    ],
    recentErrors: [
      { source: 'pipeline', pipeline: 'metrics', componentId: null, message: 'component failed', at: null },
    ],
    ...extra,
  };
}

export function rollout(extra: Partial<Rollout> = {}): Rollout {
  return {
    id: 'r1',
    pipelineId: 'p1',
    pipelineName: 'metrics',
    fromVersion: 1,
    toVersion: 2,
    status: 'running',
    currentWave: 0,
    soakSeconds: 30,
    failureThreshold: 0,
    pausedReason: null,
    createdBy: 'admin',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    waves: [
      {
        rolloutId: 'r1',
        index: 0,
        percent: null,
        count: 1,
        status: 'soaking',
        startedAt: null,
        soakStartedAt: new Date().toISOString(),
        completedAt: null,
        agents: [
          {
            id: 'a1',
            name: 'edge-1',
            online: true,
            status: 'applied',
            appliedVersion: 2,
            reportedVersion: 2,
            error: null,
            healthy: true,
          },
        ],
      },
      {
        rolloutId: 'r1',
        index: 1,
        percent: 100,
        count: null,
        status: 'pending',
        startedAt: null,
        soakStartedAt: null,
        completedAt: null,
        agents: [],
      },
    ],
    ...extra,
  };
}

/** Renders `element` at `path` under a route pattern, like Grafana's `/a/<id>/*` router. */
export function withRouter(element: ReactNode, path: string, pattern = '*'): ReactNode {
  return (
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path={pattern} element={element} />
      </Routes>
    </MemoryRouter>
  );
}
