/**
 * Static validation, as `alloy validate`: syntax, unknown components, duplicate IDs, required and
 * unknown arguments, types, references, cycles, declare/import structure and stability — with nothing
 * built or run. Component exports are stood in for by values of their declared types.
 */
import type { Diagnostic } from '../syntax/diag.js';
import type { ComponentRegistry, Stability } from './component.js';
import { Engine, type SourceText } from './engine.js';
import { LogSink } from './logger.js';

export interface ValidateOptions {
  registry: ComponentRegistry;
  /** Minimum stability (default generally-available). */
  minStability?: Stability;
  communityComponents?: boolean;
  /** `module_path` for the sources (default: the working directory). */
  modulePath?: string;
}

/** Returns every error and warning; an empty list means the config is valid. */
export function validateSources(sources: SourceText[], opts: ValidateOptions): Diagnostic[] {
  const engine = new Engine({
    registry: opts.registry,
    minStability: opts.minStability ?? 'generally-available',
    communityComponents: opts.communityComponents ?? false,
    validateOnly: true,
    validatorMessages: true,
    modulePath: opts.modulePath,
    logSink: new LogSink({ write: () => undefined }),
  });
  return engine.load(sources).diagnostics;
}
