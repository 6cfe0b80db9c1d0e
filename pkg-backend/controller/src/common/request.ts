/** Small helpers shared by the REST controllers' services. */
import { BadRequestException } from '@nestjs/common';
import { parseMatchers, type Matcher } from './matchers.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` is a UUID (ids of pipelines, versions, rollouts and tokens). */
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** Parses matchers. @throws BadRequestException naming the first invalid matcher and why. */
export function parseMatchersOrThrow(texts: readonly string[]): Matcher[] {
  try {
    return parseMatchers(texts);
  } catch (err) {
    throw new BadRequestException((err as Error).message);
  }
}
