/** zod pieces shared by several feature modules' request and response schemas. */
import { z } from 'zod';

/** A query parameter that may repeat (`?matcher=a&matcher=b`), as a list. */
export const repeatedParam = (item: z.ZodString) =>
  z
    .union([item, z.array(item)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** A timestamp in responses (ISO 8601). */
export const Timestamp = z.string().describe('ISO 8601 timestamp');

/** Matcher texts, validated by the services (400 with the reason). */
export const MatcherList = z
  .array(z.string().max(200))
  .max(50)
  .describe('attribute matchers, all must match: key="v", key!="v", key=~"re", key!~"re"');

/** A diagnostic of the Alloy engine (lines and columns 1-based; 0 when the message has no position). */
export const DiagnosticSchema = z
  .object({
    severity: z.enum(['error', 'warning']),
    message: z.string(),
    line: z.number().int(),
    column: z.number().int(),
    endLine: z.number().int(),
    endColumn: z.number().int(),
  })
  .meta({ id: 'Diagnostic' });
export type DiagnosticView = z.infer<typeof DiagnosticSchema>;

/** Body of every error response. */
export const ErrorSchema = z
  .object({
    statusCode: z.number().int(),
    message: z.union([z.string(), z.array(z.string())]).describe('why the request failed'),
    error: z.string().optional(),
    diagnostics: z
      .array(DiagnosticSchema)
      .optional()
      .describe('Alloy diagnostics of invalid pipeline content'),
  })
  .meta({ id: 'Error' });

/** Page of a list. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
