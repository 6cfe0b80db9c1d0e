import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDefaultRegistry } from '@foundry/engine';
import {
  countStates,
  deriveAgentState,
  isOffline,
  pipelineCondition,
  type AgentStateFacts,
  type PipelineStatusFacts,
} from '../src/agents/agent-state.js';
import { parseSeriesKey, toSeries } from '../src/agents/metric-series.js';
import { analyzeConfig } from '../src/validation/config-graph.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const OPTS = { heartbeatIntervalSeconds: 10, driftGraceSeconds: 60, now: NOW };
const ago = (s: number) => new Date(NOW - s * 1000);

const facts = (over: Partial<AgentStateFacts> = {}): AgentStateFacts => ({
  connected: true,
  lastSeenAt: ago(1),
  failedPipelines: 0,
  driftingPipelines: 0,
  unhealthyComponents: 0,
  unknownComponents: 0,
  ...over,
});

const row = (over: Partial<PipelineStatusFacts> = {}): PipelineStatusFacts => ({
  desiredVersion: 2,
  desiredAt: ago(300),
  appliedVersion: 2,
  reportedVersion: 2,
  status: 'applied',
  statusAt: ago(290),
  ...over,
});

describe('agent state', () => {
  test('healthy when connected, recently seen, nothing failed, drifting or unhealthy', () => {
    assert.equal(deriveAgentState(facts(), OPTS), 'healthy');
  });

  test('offline: not connected, or silent for more than 3 heartbeat intervals', () => {
    assert.equal(deriveAgentState(facts({ connected: false }), OPTS), 'offline');
    assert.equal(deriveAgentState(facts({ lastSeenAt: ago(31) }), OPTS), 'offline');
    assert.equal(deriveAgentState(facts({ lastSeenAt: ago(29) }), OPTS), 'healthy');
    assert.equal(
      isOffline({ connected: true, lastSeenAt: ago(31) }, { ...OPTS, heartbeatIntervalSeconds: 20 }),
      false,
    );
    // Offline wins over everything else.
    assert.equal(deriveAgentState(facts({ connected: false, failedPipelines: 1 }), OPTS), 'offline');
  });

  test('unhealthy: a failed pipeline or an unhealthy component; wins over degraded', () => {
    assert.equal(deriveAgentState(facts({ failedPipelines: 1 }), OPTS), 'unhealthy');
    assert.equal(deriveAgentState(facts({ unhealthyComponents: 2 }), OPTS), 'unhealthy');
    assert.equal(
      deriveAgentState(facts({ unhealthyComponents: 1, driftingPipelines: 1 }), OPTS),
      'unhealthy',
    );
  });

  test('degraded: drift or a component of unknown health', () => {
    assert.equal(deriveAgentState(facts({ driftingPipelines: 1 }), OPTS), 'degraded');
    assert.equal(deriveAgentState(facts({ unknownComponents: 1 }), OPTS), 'degraded');
  });

  test('countStates counts every state', () => {
    assert.deepEqual(countStates(['healthy', 'offline', 'healthy', 'degraded']), {
      healthy: 2,
      degraded: 1,
      unhealthy: 0,
      offline: 1,
    });
  });
});

describe('pipeline condition', () => {
  test('in sync: neither failed nor drift', () => {
    assert.deepEqual(pipelineCondition(row(), OPTS), { failed: false, drift: false });
  });

  test('desired ≠ applied is drift only after the grace period', () => {
    assert.equal(pipelineCondition(row({ desiredVersion: 3, desiredAt: ago(30) }), OPTS).drift, false);
    assert.equal(pipelineCondition(row({ desiredVersion: 3, desiredAt: ago(61) }), OPTS).drift, true);
    assert.equal(
      pipelineCondition(row({ desiredVersion: 3, desiredAt: null }), OPTS).drift,
      true,
      'unknown since',
    );
    // Newly desired, never applied.
    assert.equal(pipelineCondition(row({ appliedVersion: null, status: 'pending' }), OPTS).drift, true);
    // No longer desired but still applied; once removed, no drift.
    assert.equal(pipelineCondition(row({ desiredVersion: null }), OPTS).drift, true);
    assert.equal(
      pipelineCondition(row({ desiredVersion: null, appliedVersion: null, status: 'removed' }), OPTS).drift,
      false,
    );
  });

  test('applying longer than the grace period is drift', () => {
    assert.equal(pipelineCondition(row({ status: 'applying', statusAt: ago(10) }), OPTS).drift, false);
    assert.equal(pipelineCondition(row({ status: 'applying', statusAt: ago(120) }), OPTS).drift, true);
  });

  test('failed counts only for the desired version', () => {
    const failed = { status: 'failed', desiredVersion: 3, appliedVersion: 2, desiredAt: ago(5) };
    assert.equal(pipelineCondition(row({ ...failed, reportedVersion: 3 }), OPTS).failed, true);
    assert.equal(pipelineCondition(row({ ...failed, reportedVersion: null }), OPTS).failed, true);
    assert.equal(
      pipelineCondition(row({ ...failed, reportedVersion: 1 }), OPTS).failed,
      false,
      'an old version',
    );
    assert.equal(
      pipelineCondition(row({ ...failed, desiredVersion: null }), OPTS).failed,
      false,
      'not desired',
    );
  });
});

describe('metric series', () => {
  test('parses names and labels with escapes', () => {
    assert.deepEqual(parseSeriesKey('up'), { name: 'up', labels: {} });
    assert.deepEqual(parseSeriesKey('alloy_build_info{version="v1.0",goos="linux"}'), {
      name: 'alloy_build_info',
      labels: { version: 'v1.0', goos: 'linux' },
    });
    assert.deepEqual(parseSeriesKey('m{a="x\\"y\\\\z\\n",b=""}'), {
      name: 'm',
      labels: { a: 'x"y\\z\n', b: '' },
    });
    assert.deepEqual(parseSeriesKey('m{broken}'), { name: 'm{broken}', labels: {} });
  });

  test('groups samples into series of [ms, value], skipping non-finite values', () => {
    const series = toSeries([
      { at: new Date(1000), values: { 'b{x="1"}': 1, a: 5 } },
      { at: new Date(2000), values: { 'b{x="1"}': 2, a: 'NaN' } },
    ]);
    assert.deepEqual(series, [
      { name: 'a', labels: {}, points: [[1000, 5]] },
      {
        name: 'b',
        labels: { x: '1' },
        points: [
          [1000, 1],
          [2000, 2],
        ],
      },
    ]);
  });
});

describe('config analysis', () => {
  const registry = createDefaultRegistry();

  test('components used (declare bodies included) and reference edges', () => {
    const text = `
discovery.relabel "d" {
  targets = []
}
prometheus.scrape "s" {
  targets    = discovery.relabel.d.output
  forward_to = [prometheus.remote_write.w.receiver, prometheus.relabel.r.receiver]
}
prometheus.relabel "r" {
  forward_to = [prometheus.remote_write.w.receiver]
}
prometheus.remote_write "w" {
  endpoint {
    url = "http://" + sys.env("HOST")
  }
}
declare "inner" {
  loki.echo "e" { }
}
`;
    const a = analyzeConfig('p.alloy', text, registry);
    assert.deepEqual(a.components, [
      'discovery.relabel',
      'loki.echo',
      'prometheus.relabel',
      'prometheus.remote_write',
      'prometheus.scrape',
    ]);
    assert.deepEqual(a.graph.nodes, [
      { id: 'discovery.relabel.d', component: 'discovery.relabel' },
      { id: 'prometheus.scrape.s', component: 'prometheus.scrape' },
      { id: 'prometheus.relabel.r', component: 'prometheus.relabel' },
      { id: 'prometheus.remote_write.w', component: 'prometheus.remote_write' },
      { id: 'declare.inner', component: 'declare' },
    ]);
    assert.deepEqual(a.graph.edges, [
      { from: 'prometheus.scrape.s', to: 'discovery.relabel.d' },
      { from: 'prometheus.scrape.s', to: 'prometheus.remote_write.w' },
      { from: 'prometheus.scrape.s', to: 'prometheus.relabel.r' },
      { from: 'prometheus.relabel.r', to: 'prometheus.remote_write.w' },
    ]);
    assert.deepEqual(a.moduleDiagnostics, []);
  });

  test('process-wide blocks are errors in a pipeline', () => {
    const a = analyzeConfig('p.alloy', 'logging {\n  level = "debug"\n}\n', registry);
    assert.equal(a.moduleDiagnostics.length, 1);
    assert.match(a.moduleDiagnostics[0]!.message, /logging block is not allowed in a pipeline/);
    assert.equal(a.moduleDiagnostics[0]!.start.line, 1);
  });

  test('text that does not parse yields nothing', () => {
    assert.deepEqual(analyzeConfig('p.alloy', 'prometheus.scrape "a" {', registry), {
      components: [],
      graph: { nodes: [], edges: [] },
      moduleDiagnostics: [],
    });
  });
});
