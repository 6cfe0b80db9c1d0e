/**
 * The controller's self-metrics with Alloy's names (`alloy_component_*`), labelled by
 * `controller_path` and `controller_id`, and the merge of per-component registries into one exposition.
 */
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';

export interface ControllerMetrics {
  /** Sets alloy_component_controller_evaluating to 1 and returns a function that resets it. */
  evaluating(controllerID: string, v: 1): () => void;
  observeEvaluation(controllerID: string, seconds: number): void;
  queueSize(controllerID: string, n: number): void;
  graphConnections(controllerID: string, edges: { from: string; to: string }[]): void;
}

const EVAL_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600];

function labels(controllerID: string): { controller_path: string; controller_id: string } {
  const i = controllerID.lastIndexOf('/');
  return {
    controller_path: i < 0 ? '/' : `/${controllerID.slice(0, i)}`,
    controller_id: i < 0 ? controllerID : controllerID.slice(i + 1),
  };
}

export class PromControllerMetrics implements ControllerMetrics {
  private readonly evaluatingGauge: Gauge;
  private readonly evalSeconds: Histogram;
  private readonly queue: Gauge;
  private readonly connections: Gauge;
  readonly runningComponents: Gauge;
  readonly dependenciesWait: Histogram;
  readonly slowEvaluations: Counter;

  constructor(
    registry: Registry,
    collectRunning: (set: (l: Record<string, string>, v: number) => void) => void,
  ) {
    const ln = ['controller_path', 'controller_id'];
    this.evaluatingGauge = new Gauge({
      name: 'alloy_component_controller_evaluating',
      help: 'Tracks if the controller is currently in the middle of a graph evaluation',
      labelNames: ln,
      registers: [registry],
    });
    this.evalSeconds = new Histogram({
      name: 'alloy_component_evaluation_seconds',
      help: 'Time spent performing component evaluation',
      labelNames: ln,
      buckets: EVAL_BUCKETS,
      registers: [registry],
    });
    this.dependenciesWait = new Histogram({
      name: 'alloy_component_dependencies_wait_seconds',
      help: 'Time spent by components waiting to be evaluated after their dependency is updated.',
      labelNames: ln,
      buckets: EVAL_BUCKETS,
      registers: [registry],
    });
    this.queue = new Gauge({
      name: 'alloy_component_evaluation_queue_size',
      help: 'Tracks the number of components waiting to be evaluated in the worker pool',
      labelNames: ln,
      registers: [registry],
    });
    this.slowEvaluations = new Counter({
      name: 'alloy_component_evaluation_slow_seconds',
      help: 'Number of seconds spent evaluating components that take longer than 1 minute',
      labelNames: [...ln, 'component_id'],
      registers: [registry],
    });
    this.connections = new Gauge({
      name: 'alloy_component_graph_connection',
      help: 'Connections between components in the graph',
      labelNames: [...ln, 'from', 'to'],
      registers: [registry],
    });
    const running = new Gauge({
      name: 'alloy_component_controller_running_components',
      help: 'Total number of running components.',
      labelNames: [...ln, 'health_type'],
      registers: [registry],
      collect() {
        running.reset();
        collectRunning((l, v) => running.set(l, v));
      },
    });
    this.runningComponents = running;
  }

  evaluating(controllerID: string): () => void {
    const l = labels(controllerID);
    this.evaluatingGauge.set(l, 1);
    return () => this.evaluatingGauge.set(l, 0);
  }

  observeEvaluation(controllerID: string, seconds: number): void {
    const l = labels(controllerID);
    this.evalSeconds.observe(l, seconds);
    if (seconds >= 60) this.slowEvaluations.inc({ ...l, component_id: l.controller_id }, seconds);
  }

  queueSize(controllerID: string, n: number): void {
    this.queue.set(labels(controllerID), n);
  }

  graphConnections(controllerID: string, edges: { from: string; to: string }[]): void {
    const l = labels(controllerID);
    for (const e of this.edges.get(controllerID) ?? [])
      this.connections.remove({ ...l, from: e.from, to: e.to });
    for (const e of edges) this.connections.set({ ...l, from: e.from, to: e.to }, 1);
    this.edges.set(controllerID, edges);
  }

  private readonly edges = new Map<string, { from: string; to: string }[]>();
}

/**
 * Renders several registries as one Prometheus text exposition (0.0.4), merging families with the
 * same name (every component registry defines its own copy of a metric, told apart by labels).
 */
export async function renderRegistries(registries: Iterable<Registry>): Promise<string> {
  const families = new Map<string, { help: string; type: string; values: MetricValue<string>[] }>();
  for (const reg of registries) {
    const metrics = (await reg.getMetricsAsJSON()) as MetricObjectWithValues<MetricValue<string>>[];
    for (const m of metrics) {
      let f = families.get(m.name);
      if (!f) {
        f = { help: m.help, type: String(m.type), values: [] };
        families.set(m.name, f);
      }
      f.values.push(...m.values);
    }
  }
  let out = '';
  for (const [name, f] of families) {
    out += `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n`;
    for (const v of f.values) {
      const metricName = (v as { metricName?: string }).metricName ?? name;
      out += `${metricName}${formatLabels(v.labels as Record<string, string | number>)} ${formatValue(v.value)}\n`;
    }
  }
  return out;
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatLabels(l: Record<string, string | number> | undefined): string {
  if (!l) return '';
  const parts = Object.entries(l)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
