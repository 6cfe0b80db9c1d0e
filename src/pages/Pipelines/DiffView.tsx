import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { VersionDiff } from '../../api/types';
import { testIds } from '../../components/testIds';
import { toSideBySide } from './diffRows';

/** A side-by-side diff of two versions: old on the left, new on the right, changes highlighted. */
export function DiffView({ diff }: { diff: VersionDiff }) {
  const styles = useStyles2(getStyles);
  const rows = toSideBySide(diff);
  if (rows.length === 0) {
    return (
      <div className={styles.same} data-testid={testIds.history.diff}>
        The two versions have the same text.
      </div>
    );
  }
  return (
    <table className={styles.table} data-testid={testIds.history.diff}>
      <thead>
        <tr>
          <th colSpan={2}>{diff.from === null ? '(empty)' : `v${diff.from}`}</th>
          <th colSpan={2}>v{diff.to}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) =>
          r.kind === 'hunk' ? (
            <tr key={i} className={styles.hunk}>
              <td colSpan={4}>{r.text}</td>
            </tr>
          ) : (
            <tr key={i}>
              <td className={styles.num}>{r.left?.n ?? ''}</td>
              <td
                className={cx(styles.code, r.left?.changed && styles.removed, !r.left && styles.blank)}
                data-side="old"
              >
                {r.left?.text ?? ''}
              </td>
              <td className={styles.num}>{r.right?.n ?? ''}</td>
              <td
                className={cx(styles.code, r.right?.changed && styles.added, !r.right && styles.blank)}
                data-side="new"
              >
                {r.right?.text ?? ''}
              </td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    tableLayout: 'fixed',
    borderCollapse: 'collapse',
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    border: `1px solid ${theme.colors.border.weak}`,
    th: { textAlign: 'left', padding: theme.spacing(0.5, 1), background: theme.colors.background.secondary },
  }),
  num: css({
    width: 44,
    textAlign: 'right',
    paddingRight: theme.spacing(1),
    color: theme.colors.text.disabled,
    userSelect: 'none',
  }),
  code: css({ whiteSpace: 'pre-wrap', wordBreak: 'break-all', padding: theme.spacing(0, 1) }),
  removed: css({ background: theme.visualization.getColorByName('rgba(242, 73, 92, 0.18)') }),
  added: css({ background: theme.visualization.getColorByName('rgba(115, 191, 105, 0.18)') }),
  blank: css({ background: theme.colors.background.secondary }),
  hunk: css({
    color: theme.colors.text.secondary,
    background: theme.colors.background.secondary,
    td: { padding: theme.spacing(0.25, 1) },
  }),
  same: css({ color: theme.colors.text.secondary }),
});
