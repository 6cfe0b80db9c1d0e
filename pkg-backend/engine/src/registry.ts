/**
 * The engine's built-in component registry: implemented components plus the catalogue of argument
 * schemas for components that configs may name and the validator checks.
 */
import { ComponentRegistry } from './runtime/component.js';
import { localFile } from './components/local/file.js';

export function createDefaultRegistry(): ComponentRegistry {
  const r = new ComponentRegistry();
  r.register(localFile);
  return r;
}
