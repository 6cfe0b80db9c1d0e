import React from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, useStyles2 } from '@grafana/ui';
import type { ApiError } from '../../api/errors';
import type { MatchPreview, ValidationResult } from '../../api/types';
import { AttributeList } from '../../components/common/AttributeList';
import { testIds } from '../../components/testIds';
import { agentUrl } from '../../utils/utils.routing';

interface Props {
  preview: MatchPreview | undefined;
  previewError: ApiError | undefined;
  /** Agents the draft cannot run on (from validation). */
  cannotRun: ValidationResult['agents'] | undefined;
}

/** The agents the matchers select, and which of them lack a component the draft uses. */
export function MatchPreviewPanel({ preview, previewError, cannotRun }: Props) {
  const styles = useStyles2(getStyles);
  const missing = new Map((cannotRun?.cannotRun ?? []).map((a) => [a.id, a.missing]));
  return (
    <div data-testid={testIds.editor.preview}>
      {previewError && (
        <Alert severity="warning" title="Cannot preview the matchers">
          {previewError.message}
        </Alert>
      )}
      {preview && (
        <>
          <div className={styles.summary}>
            {preview.total === 0
              ? 'No agent matches: the pipeline would run nowhere.'
              : `${preview.total} agent${preview.total === 1 ? '' : 's'} match${preview.total === 1 ? 'es' : ''}${
                  preview.total > preview.agents.length ? ` (first ${preview.agents.length} shown)` : ''
                }.`}
          </div>
          {cannotRun && cannotRun.cannotRunTotal > 0 && (
            <Alert
              severity="warning"
              title={`${cannotRun.cannotRunTotal} matched agent${cannotRun.cannotRunTotal === 1 ? '' : 's'} cannot run this draft`}
              data-testid={testIds.editor.cannotRun}
            >
              {cannotRun.cannotRun.map((a) => `${a.name} (missing ${a.missing.join(', ')})`).join('; ')}
            </Alert>
          )}
          <ul className={styles.list}>
            {preview.agents.map((a) => (
              <li key={a.id}>
                <Link to={agentUrl(a.id)} className={styles.link}>
                  {a.name}
                </Link>{' '}
                {missing.has(a.id) ? (
                  <Badge color="red" text={`cannot run: ${missing.get(a.id)!.join(', ')}`} />
                ) : (
                  cannotRun && <Badge color="green" text="can run" />
                )}
                <div>
                  <AttributeList attributes={a.attributes} max={4} hideSystem />
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  summary: css({ marginBottom: theme.spacing(1) }),
  list: css({ listStyle: 'none', padding: 0, 'li + li': { marginTop: theme.spacing(1) } }),
  link: css({ color: theme.colors.text.link }),
});
