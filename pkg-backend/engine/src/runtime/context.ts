/**
 * What every controller of one engine shares: the component registry, logging, metrics, storage and
 * feature gates.
 */
import type { Registry } from 'prom-client';
import { DiagnosticError, type Diagnostic } from '../syntax/diag.js';
import type { ComponentRegistry, Stability } from './component.js';
import type { Logger } from './logger.js';
import type { ControllerMetrics } from './metrics.js';

export interface EngineContext {
  registry: ComponentRegistry;
  logger: Logger;
  metrics: ControllerMetrics;
  minStability: Stability;
  communityComponents: boolean;
  /** How long a stopping component may take before the controller moves on (ms). */
  shutdownDeadlineMs: number;
  /** Directory for a component's data (`<storage.path>/<global ID>`). */
  dataPath(globalID: string): string;
  /** A metrics registry whose series carry `component_path` and `component_id`. */
  componentRegistry(componentPath: string, componentID: string): Registry;
  releaseComponentRegistry(reg: Registry): void;
  /** Applies a root `logging` block (level, format, write_to). */
  applyLogging?(args: Record<string, unknown>): void;
  fail(diags: Diagnostic[]): DiagnosticError;
  /** See ComponentOptions.httpAddress. */
  httpAddress: string;
  /** See ComponentOptions.selfMetrics. */
  selfMetrics(): Promise<string>;
}
