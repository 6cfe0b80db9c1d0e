import { PLUGIN_BASE_URL, ROUTES } from '../constants';

/** Absolute URL of a plugin page: `prefixRoute(ROUTES.Fleet)` → `/a/foundry-fleet-app/fleet`. */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}

export const agentUrl = (id: string) => prefixRoute(`${ROUTES.Agents}/${encodeURIComponent(id)}`);
export const pipelineUrl = (id: string, tab?: 'history') =>
  prefixRoute(`${ROUTES.Pipelines}/${encodeURIComponent(id)}${tab ? `/${tab}` : ''}`);
export const newPipelineUrl = () => prefixRoute(`${ROUTES.Pipelines}/new`);
export const rolloutUrl = (id: string) => prefixRoute(`${ROUTES.Rollouts}/${encodeURIComponent(id)}`);
export const newRolloutUrl = (pipelineId?: string, version?: number) => {
  const params = new URLSearchParams();
  if (pipelineId) {
    params.set('pipelineId', pipelineId);
  }
  if (version) {
    params.set('version', String(version));
  }
  const qs = params.toString();
  return prefixRoute(`${ROUTES.Rollouts}/new${qs ? `?${qs}` : ''}`);
};
