import { fleetApi } from '../api/client';
import { useApiQuery } from './useApiQuery';

export function usePipelines(pollMs = 10_000) {
  return useApiQuery('pipelines', () => fleetApi.listPipelines(), { pollMs });
}

/** A pipeline with its latest version; `id` undefined: nothing to load (a new pipeline). */
export function usePipeline(id: string | undefined) {
  return useApiQuery(`pipeline:${id}`, () => fleetApi.getPipeline(id!), { enabled: Boolean(id) });
}

export function useVersions(pipelineId: string | undefined) {
  return useApiQuery(`versions:${pipelineId}`, () => fleetApi.listVersions(pipelineId!), {
    enabled: Boolean(pipelineId),
  });
}

/** One version's text. */
export function useVersion(pipelineId: string, version: number | undefined) {
  return useApiQuery(`version:${pipelineId}:${version}`, () => fleetApi.getVersion(pipelineId, version!), {
    enabled: Boolean(version),
  });
}

/** The diff between two versions (none while one is missing). */
export function useDiff(pipelineId: string, from: number | undefined, to: number | undefined) {
  return useApiQuery(`diff:${pipelineId}:${from}:${to}`, () => fleetApi.diff(pipelineId, from!, to!), {
    enabled: Boolean(from && to),
  });
}
