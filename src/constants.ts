import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Where the plugin reaches the controller: Grafana's proxy for the plugin.json route `api/*`. */
export const API_BASE_URL = `/api/plugin-proxy/${PLUGIN_ID}/api/v1`;

/** Pages, relative to PLUGIN_BASE_URL. */
export enum ROUTES {
  Fleet = 'fleet',
  Agents = 'agents',
  Pipelines = 'pipelines',
  Rollouts = 'rollouts',
}

/** Plugin settings kept by Grafana: `jsonData` (visible) and `secureJsonData` (write-only). */
export interface AppSettings {
  /** Base URL of the controller's REST API, e.g. http://127.0.0.1:8420. */
  controllerUrl?: string;
}

/** Agents per page of the fleet table. */
export const AGENTS_PAGE_SIZE = 50;
