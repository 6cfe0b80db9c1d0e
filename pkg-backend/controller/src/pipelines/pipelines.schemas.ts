import { z } from 'zod';
import { DiagnosticSchema, MatcherList, Timestamp } from '../common/schemas.js';
import { PipelineContent } from '../validation/validation.schemas.js';

/**
 * Pipeline names: agents run each pipeline as an isolated module named after it (component IDs become
 * `<name>/<local ID>`, storage goes under `<storage>/<name>/…`), so no `/`, `.` or upper case.
 */
export const PIPELINE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const PipelineName = z
  .string()
  .regex(
    PIPELINE_NAME_RE,
    'a pipeline name is 1 to 63 lower-case letters, digits, "_" or "-", starting with a letter or digit',
  );

const Message = z.string().max(1000).describe('what changed and why');

export const CreatePipelineBody = z
  .object({
    name: PipelineName,
    matchers: MatcherList.default([]),
    enabled: z.boolean().default(true),
    content: PipelineContent.optional().describe('when given, becomes version 1'),
    message: Message.optional(),
  })
  .strict();
export type CreatePipelineBody = z.infer<typeof CreatePipelineBody>;

export const UpdatePipelineBody = z
  .object({
    name: PipelineName.optional(),
    matchers: MatcherList.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.matchers !== undefined || b.enabled !== undefined, {
    message: 'nothing to change: give name, matchers or enabled',
  });
export type UpdatePipelineBody = z.infer<typeof UpdatePipelineBody>;

export const CreateVersionBody = z
  .object({ content: PipelineContent, message: Message.default('') })
  .strict();
export type CreateVersionBody = z.infer<typeof CreateVersionBody>;

export const RestoreVersionBody = z.object({ message: Message.optional() }).strict();
export type RestoreVersionBody = z.infer<typeof RestoreVersionBody>;

export const VersionNumber = z.coerce.number().int().min(1).max(2_147_483_647);

export const DiffQuery = z.object({
  from: VersionNumber.optional().describe('old version (default: the one before `to`)'),
  to: VersionNumber.optional().describe('new version (default: the latest)'),
});
export type DiffQuery = z.infer<typeof DiffQuery>;

// ---- responses (documentation) ----

const RolloutRef = z.object({
  id: z.string(),
  status: z.string(),
  fromVersion: z.number().int().nullable(),
  toVersion: z.number().int(),
});

const PipelineFields = z.object({
  id: z.string(),
  name: z.string(),
  matchers: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  latestVersion: z.number().int().nullable(),
  deployedVersions: z.array(z.number().int()).describe('versions agents should run, from the latest rollout'),
  activeRollout: RolloutRef.nullable().describe('the latest rollout while running or paused'),
  matchedAgents: z.number().int(),
});

const VersionFields = z.object({
  id: z.string(),
  pipelineId: z.string(),
  version: z.number().int(),
  sha256: z.string(),
  author: z.string(),
  message: z.string(),
  createdAt: Timestamp,
  valid: z.boolean(),
  diagnostics: z.array(DiagnosticSchema),
  components: z.array(z.string()),
});

export const PipelineSchema = PipelineFields.meta({ id: 'Pipeline' });
export const VersionSummarySchema = VersionFields.meta({ id: 'PipelineVersionSummary' });
export const VersionSchema = VersionFields.extend({ content: z.string() }).meta({ id: 'PipelineVersion' });
export const PipelineDetailSchema = PipelineFields.extend({ latest: VersionSchema.nullable() }).meta({
  id: 'PipelineDetail',
});

export const DiffSchema = z
  .object({
    from: z.number().int().nullable().describe('null: diffed against empty text'),
    to: z.number().int(),
    unified: z.string(),
    hunks: z.array(
      z.object({
        oldStart: z.number().int(),
        oldLines: z.number().int(),
        newStart: z.number().int(),
        newLines: z.number().int(),
        lines: z.array(z.string()).describe('lines prefixed with " ", "-" or "+"'),
      }),
    ),
  })
  .meta({ id: 'PipelineDiff' });
