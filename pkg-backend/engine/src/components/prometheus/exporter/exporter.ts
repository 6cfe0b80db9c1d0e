/**
 * The shared shape of `prometheus.exporter.*` components (as Alloy's `internal/component/prometheus/
 * exporter`): the component serves its metrics at `/api/v0/component/<id>/metrics` on the agent's HTTP
 * server and exports one target pointing there, with `instance` = $HOSTNAME or the host name,
 * `job` = `integrations/<name>`, `__meta_component_name` and `__meta_component_id`.
 */
import { hostname } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { untilAborted, type Component, type ComponentOptions } from '../../../runtime/component.js';

/** Produces the exporter's metrics in the Prometheus text format. */
export type MetricsSource = () => Promise<string> | string;

export function defaultInstance(): string {
  return process.env.HOSTNAME || hostname() || 'unknown';
}

/** The target an exporter publishes (Alloy's baseTarget). */
export function exporterTarget(opts: ComponentOptions, name: string): Record<string, string> {
  const componentName =
    opts.localID === 'prometheus.exporter.unix'
      ? opts.localID
      : opts.localID.slice(0, opts.localID.lastIndexOf('.'));
  return {
    __address__: opts.httpAddress,
    __scheme__: 'http',
    __metrics_path__: `/api/v0/component/${opts.id}/metrics`,
    instance: defaultInstance(),
    job: `integrations/${name}`,
    __meta_component_name: componentName,
    __meta_component_id: opts.id,
  };
}

/** Base class: publishes the target on build and serves `GET …/metrics` from `metrics()`. */
export abstract class Exporter<Args> implements Component<Args> {
  protected args: Args;

  constructor(
    protected readonly opts: ComponentOptions,
    args: Args,
    name: string,
  ) {
    this.args = args;
    opts.onStateChange({ targets: [exporterTarget(opts, name)] });
  }

  protected abstract metrics(): Promise<string> | string;

  async run(signal: AbortSignal): Promise<void> {
    await untilAborted(signal);
  }

  update(args: Args): void {
    this.args = args;
  }

  async handler(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = await this.metrics();
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  }
}

/** Builds exposition text family by family (`# HELP`, `# TYPE`, samples), escaping label values. */
export class ExpositionWriter {
  private out = '';

  family(name: string, type: 'gauge' | 'counter' | 'untyped', help: string): this {
    this.out += `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
    return this;
  }

  sample(name: string, labels: Record<string, string> | undefined, value: number): this {
    let l = '';
    if (labels) {
      const parts: string[] = [];
      for (const [k, v] of Object.entries(labels))
        parts.push(`${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
      if (parts.length) l = `{${parts.join(',')}}`;
    }
    const v = Number.isNaN(value)
      ? 'NaN'
      : value === Infinity
        ? '+Inf'
        : value === -Infinity
          ? '-Inf'
          : String(value);
    this.out += `${name}${l} ${v}\n`;
    return this;
  }

  /** Appends everything another writer produced. */
  append(other: ExpositionWriter): this {
    this.out += other.out;
    return this;
  }

  text(): string {
    return this.out;
  }
}
