import { Inject, Injectable } from '@nestjs/common';
import { matchesAll, type Matcher } from '../common/matchers.js';
import { PrismaService } from '../database/prisma.service.js';
import { effectiveAttributes } from '../fleet/desired-state.js';

/** An agent as matchers see it. */
export interface DirectoryAgent {
  id: string;
  name: string;
  /** Effective attributes (local, remote, system; see effectiveAttributes). */
  attributes: Record<string, string>;
  supportedComponents: string[];
}

/**
 * Which agents a set of matchers selects, over every known agent (one query, only the columns
 * matching needs). Used by pipeline lists (matched counts), the matcher preview and validation.
 */
@Injectable()
export class AgentDirectory {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Every agent, ordered by name then id. */
  async all(): Promise<DirectoryAgent[]> {
    const rows = await this.prisma.agent.findMany({
      select: {
        id: true,
        name: true,
        localAttributes: true,
        remoteAttributes: true,
        systemAttributes: true,
        supportedComponents: true,
      },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
    });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      attributes: effectiveAttributes(r),
      supportedComponents: r.supportedComponents,
    }));
  }

  /** The agents every matcher matches (all agents for an empty list). */
  async matching(matchers: readonly Matcher[]): Promise<DirectoryAgent[]> {
    return (await this.all()).filter((a) => matchesAll(matchers, a.attributes));
  }
}
