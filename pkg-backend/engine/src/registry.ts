/**
 * The engine's built-in component registry: implemented components plus the catalogue of argument
 * schemas for components that configs may name and the validator checks.
 */
import { ComponentRegistry } from './runtime/component.js';
import { catalogue } from './components/catalogue.js';
import { localFile } from './components/local/file.js';

/** Implemented components; a catalogue entry of the same name is superseded by its implementation. */
const implemented = [localFile];

export function createDefaultRegistry(): ComponentRegistry {
  const r = new ComponentRegistry();
  for (const reg of implemented) r.register(reg);
  for (const reg of catalogue) if (!r.has(reg.name)) r.register(reg);
  return r;
}
