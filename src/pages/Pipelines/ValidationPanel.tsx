import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, Icon, Spinner, useStyles2 } from '@grafana/ui';
import type { ApiError } from '../../api/errors';
import type { ValidationResult } from '../../api/types';
import { testIds } from '../../components/testIds';

interface Props {
  result: ValidationResult | undefined;
  error: ApiError | undefined;
  /** A validation is running or waiting for typing to stop. */
  busy: boolean;
}

/** Whether the draft is valid, and its diagnostics as `line:col: message`. */
export function ValidationPanel({ result, error, busy }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.panel}>
      <div className={styles.status} data-testid={testIds.editor.validity}>
        {busy ? (
          <>
            <Spinner inline /> Validating…
          </>
        ) : result ? (
          result.valid ? (
            <Badge color="green" icon="check" text="valid" />
          ) : (
            <Badge
              color="red"
              icon="times-circle"
              text={`${result.diagnostics.length} problem${result.diagnostics.length === 1 ? '' : 's'}`}
            />
          )
        ) : (
          <span className={styles.muted}>Not validated yet</span>
        )}
      </div>
      {error && (
        <Alert severity="error" title="Validation failed">
          {error.message}
        </Alert>
      )}
      {result && result.diagnostics.length > 0 && (
        <ul className={styles.list} data-testid={testIds.editor.diagnostics}>
          {result.diagnostics.map((d, i) => (
            <li key={i} className={d.severity === 'error' ? styles.error : styles.warning}>
              <Icon name={d.severity === 'error' ? 'times-circle' : 'exclamation-triangle'} />{' '}
              <span className={styles.pos}>{d.line ? `${d.line}:${d.column}` : '—'}</span> {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({ marginBottom: theme.spacing(1) }),
  status: css({ marginBottom: theme.spacing(1) }),
  muted: css({ color: theme.colors.text.secondary }),
  list: css({
    listStyle: 'none',
    padding: 0,
    margin: 0,
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  pos: css({ color: theme.colors.text.secondary }),
  error: css({ color: theme.colors.error.text }),
  warning: css({ color: theme.colors.warning.text }),
});
