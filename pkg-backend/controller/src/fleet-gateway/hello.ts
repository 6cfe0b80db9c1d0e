import { z } from 'zod';
import type { Hello } from '@foundry/proto';

const attributes = z
  .record(z.string().min(1).max(100), z.string().max(150))
  .refine((a) => Object.keys(a).length <= 64, 'at most 64 attributes');

/** Limits on what an agent may claim about itself; a Hello outside them is refused. */
const helloSchema = z.object({
  agentId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'agent_id: 1-128 characters of letters, digits, . _ : -'),
  name: z.string().max(200),
  localAttributes: attributes,
  systemAttributes: attributes,
  supportedComponents: z.array(z.string().max(200)).max(2000),
  running: z.array(z.object({ pipelineId: z.string(), version: z.number(), hash: z.string() })).max(1000),
});

/**
 * Checks a Hello against the limits. Returns the reason it is refused, or null.
 */
export function helloProblem(hello: Hello | null | undefined): string | null {
  if (!hello) return 'the first message must be hello';
  const r = helloSchema.safeParse(hello);
  if (r.success) return null;
  return r.error.issues.map((i) => `${i.path.join('.') || 'hello'}: ${i.message}`).join('; ');
}
