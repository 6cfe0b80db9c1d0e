import { z } from 'zod';

export const waveSchema = z
  .object({
    percent: z.number().gt(0).max(100).optional(),
    count: z.number().int().min(1).optional(),
  })
  .refine((w) => w.percent !== undefined || w.count !== undefined, 'a wave needs percent or count');

/** Body of POST /api/v1/pipelines/:id/rollouts. */
export const createRolloutSchema = z.object({
  /** Target version number. */
  version: z.number().int().min(1),
  /** Cumulative waves (default: 1 agent, 10 %, 50 %, 100 %); `immediate` means one wave of 100 %. */
  waves: z.array(waveSchema).min(1).max(20).optional(),
  immediate: z.boolean().optional(),
  /** Seconds every agent of a wave must stay applied and healthy before the next wave (default 30; 0 with immediate). */
  soakSeconds: z.number().int().min(0).max(86_400).optional(),
  /** Fraction (0..1) of failed or unhealthy agents above which the rollout pauses (default 0). */
  failureThreshold: z.number().min(0).max(1).optional(),
});
export type CreateRolloutBody = z.infer<typeof createRolloutSchema>;

export const listRolloutsSchema = z.object({
  pipelineId: z.string().uuid().optional(),
  status: z.enum(['running', 'paused', 'completed', 'aborted', 'rolled_back']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListRolloutsQuery = z.infer<typeof listRolloutsSchema>;
