/**
 * Self-metrics of managed mode, served on the agent's `/metrics`: `foundry_controller_connected`,
 * `foundry_controller_connects_total`, `foundry_remote_pipelines` and
 * `foundry_remote_config_applies_total{result="success|failure"}`.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class ManagedMetrics {
  private readonly connected: Gauge;
  private readonly connects: Counter;
  private readonly pipelines: Gauge;
  private readonly applies: Counter;

  /** Registers the metrics in `registry` (the agent's own registry). */
  constructor(registry: Registry) {
    const registers = [registry];
    this.connected = new Gauge({
      name: 'foundry_controller_connected',
      help: '1 while the agent holds an established stream with the fleet controller, else 0.',
      registers,
    });
    this.connected.set(0);
    this.connects = new Counter({
      name: 'foundry_controller_connects_total',
      help: 'Streams established with the fleet controller (counted when its Welcome arrives).',
      registers,
    });
    this.pipelines = new Gauge({
      name: 'foundry_remote_pipelines',
      help: 'Remote pipelines the agent runs.',
      registers,
    });
    this.pipelines.set(0);
    this.applies = new Counter({
      name: 'foundry_remote_config_applies_total',
      help: 'Attempts to apply a remote pipeline version, by result.',
      labelNames: ['result'],
      registers,
    });
    this.applies.inc({ result: 'success' }, 0);
    this.applies.inc({ result: 'failure' }, 0);
  }

  /** Sets the connected gauge; a transition to connected also counts a connect. */
  setConnected(up: boolean): void {
    this.connected.set(up ? 1 : 0);
    if (up) this.connects.inc();
  }

  /** Sets the number of remote pipelines that run. */
  setPipelines(n: number): void {
    this.pipelines.set(n);
  }

  /** Counts one apply attempt of a pipeline version. */
  recordApply(ok: boolean): void {
    this.applies.inc({ result: ok ? 'success' : 'failure' });
  }
}
