/**
 * Who this agent is, as the fleet protocol's Hello tells it: a stable agent ID (generated once and kept
 * under the storage path), its attributes, build information and the components it can run.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stabilityAllowed, type ComponentRegistry, type Stability } from '@foundry/engine';
import type { BuildInfo } from '@foundry/proto';
import { VERSION } from '../version.js';
import { writeFileAtomic } from './atomic-file.js';
import { goarch, goos } from '../platform.js';

/** Attribute keys reserved for system attributes; local attributes may not use them. */
export const RESERVED_ATTRIBUTE_PREFIX = 'agent.';

/**
 * Returns the agent ID stored in `<storagePath>/agent-id`, creating the directory and a new random
 * UUID there when the file is missing or empty.
 * @throws Error when the storage path cannot be read or written.
 */
export async function loadOrCreateAgentId(storagePath: string): Promise<string> {
  const file = join(storagePath, 'agent-id');
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (id) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  await mkdir(storagePath, { recursive: true });
  await writeFileAtomic(file, `${id}\n`);
  return id;
}

/**
 * Parses repeated `--attribute k=v` values into a map (the first `=` separates key and value; later
 * values of a key win).
 * @throws Error for a value without `=`, an empty key, or a key with the reserved `agent.` prefix.
 */
export function parseAttributes(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`invalid --attribute ${JSON.stringify(kv)}: expected key=value`);
    const key = kv.slice(0, i).trim();
    if (!key) throw new Error(`invalid --attribute ${JSON.stringify(kv)}: empty key`);
    if (key.startsWith(RESERVED_ATTRIBUTE_PREFIX))
      throw new Error(
        `invalid --attribute ${JSON.stringify(kv)}: keys starting with "${RESERVED_ATTRIBUTE_PREFIX}" are reserved for system attributes`,
      );
    out[key] = kv.slice(i + 1);
  }
  return out;
}

/** Read-only system attributes: agent.os, agent.arch, agent.version, agent.hostname, agent.runtime. */
export function systemAttributes(): Record<string, string> {
  return {
    'agent.os': goos(),
    'agent.arch': goarch(),
    'agent.version': VERSION,
    'agent.hostname': hostname(),
    'agent.runtime': process.version,
  };
}

/** Build information of this agent (version, source revision when known, runtime = Node.js version). */
export function buildInfo(): BuildInfo {
  return { version: VERSION, revision: process.env.FOUNDRY_REVISION ?? '', runtime: process.version };
}

/**
 * Names of the components this agent can actually run, sorted: registrations with a `build` (catalogue-only
 * entries have none) that the stability and community-component settings allow.
 */
export function supportedComponents(
  registry: ComponentRegistry,
  minStability: Stability,
  communityComponents: boolean,
): string[] {
  return registry
    .all()
    .filter((r) => r.build !== undefined)
    .filter((r) => stabilityAllowed(r.stability, minStability))
    .filter((r) => !r.community || communityComponents)
    .map((r) => r.name)
    .sort();
}
