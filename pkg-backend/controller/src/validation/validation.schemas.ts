import { z } from 'zod';
import { DiagnosticSchema, MatcherList } from '../common/schemas.js';

/** Largest pipeline text accepted (the REST body limit applies too). */
export const MAX_CONTENT = 512 * 1024;

export const PipelineContent = z.string().max(MAX_CONTENT).describe('Alloy configuration text');

export const ValidateBody = z
  .object({
    content: PipelineContent,
    matchers: MatcherList.optional().describe('check the agents these select (default: every agent)'),
  })
  .strict();
export type ValidateBody = z.infer<typeof ValidateBody>;

export const ConfigGraphSchema = z.object({
  nodes: z.array(z.object({ id: z.string(), component: z.string() })),
  edges: z
    .array(z.object({ from: z.string(), to: z.string() }))
    .describe('`from` refers to the exports of `to`'),
});

export const ValidationSchema = z
  .object({
    valid: z.boolean(),
    diagnostics: z.array(DiagnosticSchema),
    components: z.array(z.string()).describe('component names the config uses'),
    graph: ConfigGraphSchema,
    agents: z.object({
      matched: z.number().int(),
      cannotRun: z
        .array(z.object({ id: z.string(), name: z.string(), missing: z.array(z.string()) }))
        .describe('matched agents lacking a component the config uses (first 100)'),
      cannotRunTotal: z.number().int(),
    }),
  })
  .meta({ id: 'ValidationResult' });
