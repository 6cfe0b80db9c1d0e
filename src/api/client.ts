import { lastValueFrom } from 'rxjs';
import { getBackendSrv, type BackendSrv } from '@grafana/runtime';
import { API_BASE_URL } from '../constants';
import { toApiError } from './errors';
import type {
  AgentDetail,
  AgentListItem,
  AgentMetrics,
  AgentQuery,
  Attributes,
  CreatePipeline,
  CreateRollout,
  FleetSummary,
  MatchPreview,
  Page,
  Pipeline,
  PipelineDetail,
  Rollout,
  RolloutAction,
  RolloutStatus,
  UpdatePipeline,
  ValidationResult,
  Version,
  VersionDiff,
  VersionSummary,
} from './types';

const ACTION_VERBS: Record<RolloutAction, string> = {
  pause: 'Pausing',
  resume: 'Resuming',
  abort: 'Aborting',
  rollback: 'Rolling back',
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Params = Record<string, string | number | boolean | string[] | undefined>;

/**
 * The controller's REST API, reached through Grafana's plugin proxy (`/api/plugin-proxy/<id>/api/v1/…`),
 * which adds the controller URL and token from the plugin settings; the browser never sees the token.
 * Every method resolves to the response body or rejects with an ApiError naming what failed.
 */
export class FleetApi {
  constructor(private readonly backendSrv: () => BackendSrv = getBackendSrv) {}

  private async request<T>(
    what: string,
    method: Method,
    path: string,
    params?: Params,
    data?: unknown,
  ): Promise<T> {
    const query = params
      ? Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''))
      : undefined;
    try {
      const response = await lastValueFrom(
        this.backendSrv().fetch<T>({
          url: `${API_BASE_URL}${path}`,
          method,
          params: query,
          data,
          // The pages show errors and confirmations themselves.
          showErrorAlert: false,
          showSuccessAlert: false,
        }),
      );
      return response.data;
    } catch (e) {
      throw toApiError(e, what);
    }
  }

  // ---- fleet and agents ----

  /** Agents per state, drift, pipelines and active rollouts. */
  fleetSummary(): Promise<FleetSummary> {
    return this.request('Loading the fleet summary', 'GET', '/fleet/summary');
  }

  /** A page of agents; `matchers` repeat as `?matcher=…` and must all match. */
  listAgents(query: AgentQuery = {}): Promise<Page<AgentListItem>> {
    return this.request('Loading agents', 'GET', '/agents', {
      matcher: query.matchers && query.matchers.length ? query.matchers : undefined,
      state: query.state,
      q: query.q,
      limit: query.limit,
      offset: query.offset,
    });
  }

  getAgent(id: string): Promise<AgentDetail> {
    return this.request(`Loading agent ${id}`, 'GET', `/agents/${encodeURIComponent(id)}`);
  }

  /** Stored self-metrics between `since` and `until` (unix ms). */
  agentMetrics(id: string, since?: number, until?: number): Promise<AgentMetrics> {
    return this.request(
      `Loading metrics of agent ${id}`,
      'GET',
      `/agents/${encodeURIComponent(id)}/metrics`,
      {
        since: since !== undefined ? String(Math.floor(since)) : undefined,
        until: until !== undefined ? String(Math.floor(until)) : undefined,
      },
    );
  }

  /** Replaces the agent's remote attributes (they win over local ones). */
  setRemoteAttributes(id: string, remoteAttributes: Attributes): Promise<AgentDetail> {
    return this.request(
      'Saving attributes',
      'PUT',
      `/agents/${encodeURIComponent(id)}/attributes`,
      undefined,
      {
        remoteAttributes,
      },
    );
  }

  /** Which agents matchers select (count and the first 50). */
  previewMatchers(matchers: string[]): Promise<MatchPreview> {
    return this.request('Previewing matched agents', 'POST', '/agents/preview', undefined, { matchers });
  }

  // ---- pipelines ----

  listPipelines(): Promise<Pipeline[]> {
    return this.request('Loading pipelines', 'GET', '/pipelines');
  }

  getPipeline(id: string): Promise<PipelineDetail> {
    return this.request('Loading the pipeline', 'GET', `/pipelines/${encodeURIComponent(id)}`);
  }

  createPipeline(body: CreatePipeline): Promise<PipelineDetail> {
    return this.request(`Creating pipeline ${body.name}`, 'POST', '/pipelines', undefined, body);
  }

  updatePipeline(id: string, body: UpdatePipeline): Promise<PipelineDetail> {
    return this.request(
      'Updating the pipeline',
      'PATCH',
      `/pipelines/${encodeURIComponent(id)}`,
      undefined,
      body,
    );
  }

  deletePipeline(id: string): Promise<void> {
    return this.request('Deleting the pipeline', 'DELETE', `/pipelines/${encodeURIComponent(id)}`);
  }

  listVersions(id: string): Promise<VersionSummary[]> {
    return this.request('Loading versions', 'GET', `/pipelines/${encodeURIComponent(id)}/versions`);
  }

  getVersion(id: string, version: number): Promise<Version> {
    return this.request(
      `Loading version ${version}`,
      'GET',
      `/pipelines/${encodeURIComponent(id)}/versions/${version}`,
    );
  }

  /** Adds a version (validated by the controller: 400 with diagnostics, 409 when identical to the latest). */
  createVersion(id: string, content: string, message: string): Promise<Version> {
    return this.request(
      'Saving a new version',
      'POST',
      `/pipelines/${encodeURIComponent(id)}/versions`,
      undefined,
      {
        content,
        message,
      },
    );
  }

  /** Adds a version with the content of an older one. */
  restoreVersion(id: string, version: number, message?: string): Promise<Version> {
    return this.request(
      `Restoring version ${version}`,
      'POST',
      `/pipelines/${encodeURIComponent(id)}/versions/${version}/restore`,
      undefined,
      message ? { message } : {},
    );
  }

  diff(id: string, from: number, to: number): Promise<VersionDiff> {
    return this.request(
      `Comparing v${from} with v${to}`,
      'GET',
      `/pipelines/${encodeURIComponent(id)}/diff`,
      {
        from,
        to,
      },
    );
  }

  /** Diagnostics, components, reference graph and the matched agents that cannot run `content`. */
  validate(content: string, matchers?: string[]): Promise<ValidationResult> {
    return this.request(
      'Validating',
      'POST',
      '/validate',
      undefined,
      matchers ? { content, matchers } : { content },
    );
  }

  // ---- rollouts ----

  listRollouts(
    filter: { pipelineId?: string; status?: RolloutStatus; limit?: number } = {},
  ): Promise<{ items: Rollout[] }> {
    return this.request('Loading rollouts', 'GET', '/rollouts', filter);
  }

  getRollout(id: string): Promise<Rollout> {
    return this.request('Loading the rollout', 'GET', `/rollouts/${encodeURIComponent(id)}`);
  }

  startRollout(pipelineId: string, body: CreateRollout): Promise<Rollout> {
    return this.request(
      `Starting the rollout of v${body.version}`,
      'POST',
      `/pipelines/${encodeURIComponent(pipelineId)}/rollouts`,
      undefined,
      body,
    );
  }

  /** pause | resume | abort | rollback. */
  rolloutAction(id: string, action: RolloutAction): Promise<Rollout> {
    return this.request(
      `${ACTION_VERBS[action]} the rollout`,
      'POST',
      `/rollouts/${encodeURIComponent(id)}/${action}`,
    );
  }
}

/** The client the pages use. */
export const fleetApi = new FleetApi();
