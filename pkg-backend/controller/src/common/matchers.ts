/**
 * Attribute matchers as Alertmanager writes them (`key="v"`, `key!="v"`, `key=~"re"`, `key!~"re"`); a
 * pipeline selects an agent when all of its matchers match. Regular expressions are anchored and use
 * RE2 syntax (as Alertmanager's), through the engine's relabel regex implementation.
 */
import { compileRelabelRegexp } from '@foundry/engine';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Source text, normalised. */
  text: string;
  matches(attributes: Readonly<Record<string, string>>): boolean;
}

/** Limits as Grafana Fleet Management: key 100, value 150, matcher 200 characters. */
const MAX_KEY = 100;
const MAX_VALUE = 150;
const MAX_MATCHER = 200;

const MATCHER_RE = /^\s*([A-Za-z_][A-Za-z0-9_.\-/]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/s;

/**
 * Parses one matcher. @throws Error with a reason (syntax, length limit, invalid regular expression).
 */
export function parseMatcher(text: string): Matcher {
  if (text.length > MAX_MATCHER) throw new Error(`matcher longer than ${MAX_MATCHER} characters`);
  const m = MATCHER_RE.exec(text);
  if (!m)
    throw new Error(
      `invalid matcher ${JSON.stringify(text)}: want key="value", key!="value", key=~"re" or key!~"re"`,
    );
  const [, name, op, raw] = m as unknown as [string, string, MatchOp, string];
  const value = raw.replace(/\\(.)/gs, (_, c: string) => (c === 'n' ? '\n' : c));
  if (name.length > MAX_KEY) throw new Error(`matcher key longer than ${MAX_KEY} characters`);
  if (value.length > MAX_VALUE) throw new Error(`matcher value longer than ${MAX_VALUE} characters`);
  const normal = `${name}${op}${JSON.stringify(value)}`;
  if (op === '=' || op === '!=') {
    const want = op === '=';
    return { name, op, value, text: normal, matches: (a) => ((a[name] ?? '') === value) === want };
  }
  let re: { test(s: string): boolean };
  try {
    re = compileRelabelRegexp(value);
  } catch (err) {
    throw new Error(
      `invalid regular expression in matcher ${JSON.stringify(text)}: ${(err as Error).message}`,
    );
  }
  const want = op === '=~';
  return { name, op, value, text: normal, matches: (a) => re.test(a[name] ?? '') === want };
}

/** Parses a list; @throws Error naming the first invalid matcher. */
export function parseMatchers(texts: readonly string[]): Matcher[] {
  return texts.map(parseMatcher);
}

/** True when every matcher matches (an empty list selects every agent). */
export function matchesAll(
  matchers: readonly Matcher[],
  attributes: Readonly<Record<string, string>>,
): boolean {
  for (const m of matchers) if (!m.matches(attributes)) return false;
  return true;
}
