/**
 * The agent's own metrics with Alloy's names: `alloy_build_info`, `alloy_config_*`,
 * `alloy_resources_*`, plus Node's process metrics (`process_*`, `nodejs_*`) from prom-client.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { VERSION } from './version.js';
import { goarch, goos } from './platform.js';

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly hash: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly lastSuccessTs: Gauge;
  private readonly failures: Counter;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'alloy_build_info',
      help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which alloy was built, and the goos and goarch for the build.",
      labelNames: ['version', 'revision', 'branch', 'goversion', 'goos', 'goarch', 'tags'],
      registers,
    }).set(
      {
        version: VERSION,
        revision: '',
        branch: '',
        goversion: process.version,
        goos: goos(),
        goarch: goarch(),
        tags: 'builtinassets',
      },
      1,
    );
    this.hash = new Gauge({
      name: 'alloy_config_hash',
      help: 'Hash of the currently active config file.',
      labelNames: ['sha256', 'cluster_name'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'alloy_config_last_load_successful',
      help: 'Config loaded successfully.',
      registers,
    });
    this.lastSuccessTs = new Gauge({
      name: 'alloy_config_last_load_success_timestamp_seconds',
      help: 'Timestamp of the last successful configuration load.',
      registers,
    });
    this.failures = new Counter({
      name: 'alloy_config_load_failures_total',
      help: 'Configuration load failures.',
      registers,
    });
    const start = Date.now() / 1000 - process.uptime();
    new Gauge({
      name: 'alloy_resources_process_start_time_seconds',
      help: 'Start time of the process since Unix epoch in seconds.',
      registers,
    }).set(start);
    let lastCpu = process.cpuUsage();
    let cpuTotal = 0;
    new Gauge({
      name: 'alloy_resources_process_cpu_seconds_total',
      help: 'Total user and system CPU time spent in seconds.',
      registers,
      collect() {
        const now = process.cpuUsage();
        cpuTotal += (now.user - lastCpu.user + now.system - lastCpu.system) / 1e6;
        lastCpu = now;
        this.set(cpuTotal + 0);
      },
    });
    new Gauge({
      name: 'alloy_resources_process_resident_memory_bytes',
      help: 'Current resident memory size in bytes.',
      registers,
      collect() {
        this.set(process.memoryUsage().rss);
      },
    });
  }

  /** Records a config read+parse outcome (Alloy's metrics reflect only reading and parsing). */
  recordLoad(hash: string, ok: boolean): void {
    this.hash.reset();
    this.hash.set({ sha256: hash, cluster_name: '' }, 1);
    this.lastSuccess.set(ok ? 1 : 0);
    if (ok) this.lastSuccessTs.set(Date.now() / 1000);
    else this.failures.inc();
  }
}
