import { fleetApi } from '../api/client';
import { useApiQuery } from './useApiQuery';
import { useDebounce } from './useDebounce';

/**
 * Validates a draft against the controller `delayMs` after the last keystroke: diagnostics, components,
 * graph, and which of the agents `matchers` select cannot run it. Matchers that don't parse come back
 * as an error, not as diagnostics.
 */
export function useValidation(content: string, matchers: string[], delayMs = 400) {
  const draft = useDebounce({ content, matchers }, delayMs);
  const key = `validate:${JSON.stringify(draft)}`;
  const state = useApiQuery(key, () => fleetApi.validate(draft.content, draft.matchers), {
    enabled: draft.content.trim().length > 0,
  });
  const pending = draft.content !== content || JSON.stringify(draft.matchers) !== JSON.stringify(matchers);
  return { ...state, pending };
}

/** Which agents `matchers` select (debounced). */
export function useMatchPreview(matchers: string[], delayMs = 400) {
  const debounced = useDebounce(matchers, delayMs);
  return useApiQuery(`preview:${JSON.stringify(debounced)}`, () => fleetApi.previewMatchers(debounced));
}
