import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { Attributes } from '../../api/types';

interface Props {
  attributes: Attributes;
  /** Show at most this many (the rest as "+N"). */
  max?: number;
  /** Hide system attributes (`agent.*`). */
  hideSystem?: boolean;
}

/** Attributes as `key=value` chips, sorted by key. */
export function AttributeList({ attributes, max, hideSystem }: Props) {
  const styles = useStyles2(getStyles);
  const entries = Object.entries(attributes)
    .filter(([k]) => !(hideSystem && k.startsWith('agent.')))
    .sort(([a], [b]) => a.localeCompare(b));
  const shown = max !== undefined ? entries.slice(0, max) : entries;
  return (
    <span className={styles.list}>
      {shown.map(([k, v]) => (
        <span key={k} className={styles.chip} title={`${k}=${v}`}>
          <span className={styles.key}>{k}</span>=<span>{v}</span>
        </span>
      ))}
      {shown.length < entries.length && (
        <span className={styles.more} title={entries.map(([k, v]) => `${k}=${v}`).join('\n')}>
          +{entries.length - shown.length}
        </span>
      )}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ display: 'inline-flex', flexWrap: 'wrap', gap: theme.spacing(0.5) }),
  chip: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 0.5),
    whiteSpace: 'nowrap',
  }),
  key: css({ color: theme.colors.text.secondary }),
  more: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
