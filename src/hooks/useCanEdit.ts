import { config } from '@grafana/runtime';

/** Grafana roles that may change fleet state through the plugin's Editor proxy routes. */
const EDITOR_ROLES = new Set(['Editor', 'Admin']);

/**
 * Whether the signed-in user may make changes (the plugin.json routes for POST/PUT/PATCH/DELETE need the
 * Editor role). Viewers still see everything; change buttons are disabled with the reason.
 */
export function canEdit(): boolean {
  const user = config.bootData?.user;
  return Boolean(user && (user.isGrafanaAdmin || EDITOR_ROLES.has(user.orgRole)));
}

/** Tooltip of a change a viewer may not make. */
export const NEEDS_EDITOR = 'Needs the Editor role in Grafana';
