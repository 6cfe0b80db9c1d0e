import React from 'react';
import { TagsInput } from '@grafana/ui';

/** Syntax of one matcher, as the controller parses it: key="v", key!="v", key=~"re", key!~"re". */
const MATCHER_RE = /^\s*[A-Za-z_][A-Za-z0-9_.\-/]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*$/;

/** Why `text` is not a matcher, or undefined when it is one. */
export function matcherProblem(text: string): string | undefined {
  return MATCHER_RE.test(text)
    ? undefined
    : `"${text}" is not a matcher: write key="value", key!="value", key=~"re" or key!~"re"`;
}

/**
 * Normalises what a person typed: `env=prod` becomes `env="prod"` (quotes added when the value has none).
 */
export function normaliseMatcher(text: string): string {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_.\-/]*)\s*(=~|!~|!=|=)\s*([^"\s].*?)\s*$/.exec(text);
  return m && !m[3].startsWith('"') ? `${m[1]}${m[2]}"${m[3].replace(/"/g, '\\"')}"` : text.trim();
}

interface Props {
  matchers: string[];
  onChange: (matchers: string[]) => void;
  width?: number;
  disabled?: boolean;
  id?: string;
  'data-testid'?: string;
}

/** Attribute matchers as tags: type `env="prod"` and press Enter; all must match. */
export function MatchersInput({ matchers, onChange, width, disabled, id, ...rest }: Props) {
  return (
    <div data-testid={rest['data-testid']}>
      <TagsInput
        id={id}
        tags={matchers}
        width={width}
        disabled={disabled}
        placeholder='Matcher, e.g. env="prod", then Enter'
        onChange={(tags) => onChange(tags.map(normaliseMatcher))}
      />
    </div>
  );
}
