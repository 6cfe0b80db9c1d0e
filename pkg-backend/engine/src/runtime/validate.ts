/**
 * Static validation, as `alloy validate`: syntax, unknown components, duplicate IDs, required and
 * unknown arguments, literal types, references, cycles, declare/foreach/import structure and
 * stability, with nothing evaluated, built or run (see `validator/validator.ts`).
 */
import type { Diagnostic } from '../syntax/diag.js';
import type { ComponentRegistry, Stability } from './component.js';
import type { SourceText } from './engine.js';
import { validateConfig } from './validator/validator.js';

export interface ValidateOptions {
  registry: ComponentRegistry;
  /** Minimum stability (default generally-available). */
  minStability?: Stability;
  communityComponents?: boolean;
  /**
   * `module_path` for the sources (default: the working directory). Unused by the static checks,
   * which never load modules; kept for callers.
   */
  modulePath?: string;
}

/** Returns every error and warning; an empty list means the config is valid. */
export function validateSources(sources: SourceText[], opts: ValidateOptions): Diagnostic[] {
  return validateConfig(sources, {
    registry: opts.registry,
    minStability: opts.minStability ?? 'generally-available',
    communityComponents: opts.communityComponents ?? false,
  });
}
