/** The parts of the plugin's `plugin.json` the host uses: id, name, pages, proxy routes. */
import { readFileSync } from 'node:fs';

export type Role = 'Viewer' | 'Editor' | 'Admin';

/** A `routes[]` entry: Grafana's plugin proxy route. */
export interface PluginRoute {
  path: string;
  method?: string;
  url?: string;
  reqRole?: Role;
  reqSignedIn?: boolean;
  headers?: Array<{ name: string; content: string }>;
}

export interface PluginInclude {
  type: string;
  name: string;
  path?: string;
  role?: Role;
  addToNav?: boolean;
  defaultNav?: boolean;
  icon?: string;
}

export interface PluginJson {
  id: string;
  name: string;
  type: string;
  info: Record<string, unknown> & { version?: string; logos?: { small?: string; large?: string } };
  includes?: PluginInclude[];
  routes?: PluginRoute[];
}

/** Reads and checks a plugin.json. @throws Error naming the file when it is not an app plugin's. */
export function readPluginJson(file: string): PluginJson {
  const json = JSON.parse(readFileSync(file, 'utf8')) as PluginJson;
  if (!json.id || json.type !== 'app') throw new Error(`${file}: not an app plugin's plugin.json`);
  return json;
}
