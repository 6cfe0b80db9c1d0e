/**
 * @foundry/engine — the Alloy-language engine as a library: syntax (parse, format, evaluate,
 * diagnostics), the component runtime with hot reload, and the components.
 */
export * from './syntax/index.js';
export { collectTraversals, evaluate, Scope } from './syntax/eval.js';
export { setBuildVersion, stdlib, stdlibInfo } from './syntax/stdlib/index.js';
export { encodeValue } from './syntax/alloyjson.js';
export { printDiagnostics } from './syntax/diag-printer.js';

export {
  ComponentRegistry,
  isStability,
  RECEIVER_CAPSULES,
  stabilityAllowed,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
  type Stability,
} from './runtime/component.js';
export { Controller, type ControllerOptions, type LoadResult } from './runtime/controller.js';
export { Engine, type ComponentInfo, type EngineOptions, type SourceText } from './runtime/engine.js';
export { health, leastHealthy, type Health, type HealthState } from './runtime/health.js';
export { Logger, LogSink, type LogFormat, type LogLevel, type LogRecord } from './runtime/logger.js';
export { formatDuration, parseDuration } from './runtime/duration.js';
export { argsEqual, convert, decodeBody, t, type BlockSchema, type TypeSpec } from './runtime/schema.js';
export { renderRegistries } from './runtime/metrics.js';
export { validateSources, type ValidateOptions } from './runtime/validate.js';
export { createDefaultRegistry } from './registry.js';
export { compileRelabelRegexp, RegexpSyntaxError, type RelabelRegexp } from './relabel/index.js';
