import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, Button, IconButton, Input, Stack, useStyles2 } from '@grafana/ui';
import { fleetApi } from '../../api/client';
import type { AgentDetail, Attributes } from '../../api/types';
import { testIds } from '../../components/testIds';
import { useMutation } from '../../hooks/useMutation';
import { useNotify } from '../../hooks/useNotify';
import { getTableStyles } from '../Fleet/AgentsTable';
import { canEdit, NEEDS_EDITOR } from '../../hooks/useCanEdit';

type Source = 'remote' | 'local' | 'system';

/** Effective attributes with where each comes from: remote (set here, wins), local (agent flags), system. */
export function attributeRows(
  a: AgentDetail['attributes'],
): Array<{ key: string; value: string; source: Source; overridden?: string }> {
  return Object.keys(a.effective)
    .sort()
    .map((key) => {
      // `agent.*` keys are the system's (reserved), wherever the agent reported them.
      const source: Source =
        key in a.system || key.startsWith('agent.') ? 'system' : key in a.remote ? 'remote' : 'local';
      const overridden = source === 'remote' && key in a.local ? a.local[key] : undefined;
      return { key, value: a.effective[key], source, overridden };
    });
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;

/** Why the edited rows cannot be saved, or undefined. */
export function attributesProblem(rows: Array<{ key: string; value: string }>): string | undefined {
  const seen = new Set<string>();
  for (const { key } of rows) {
    if (!key) {
      return 'every attribute needs a key';
    }
    if (key.startsWith('agent.')) {
      return `"${key}": keys starting with "agent." are reserved for the system`;
    }
    if (!KEY_RE.test(key)) {
      return `"${key}": a key starts with a letter or _ and holds letters, digits, _ . - /`;
    }
    if (seen.has(key)) {
      return `"${key}" appears twice`;
    }
    seen.add(key);
  }
  return undefined;
}

/** The agent's attributes, and an editor of its remote attributes (which win over local ones). */
export function AttributesSection({
  agent,
  onSaved,
}: {
  agent: AgentDetail;
  onSaved: (a: AgentDetail) => void;
}) {
  const styles = useStyles2(getStyles);
  const notify = useNotify();
  const [editing, setEditing] = useState<Array<{ key: string; value: string }> | undefined>();
  const save = useMutation((attrs: Attributes) => fleetApi.setRemoteAttributes(agent.id, attrs));
  const problem = editing ? attributesProblem(editing) : undefined;

  const onSave = async () => {
    if (!editing || problem) {
      return;
    }
    const attrs = Object.fromEntries(editing.map((r) => [r.key, r.value]));
    const updated = await save.run(attrs);
    if (updated) {
      const n = editing.length;
      notify.success(`Saved ${n} remote attribute${n === 1 ? '' : 's'} on ${agent.name}`);
      setEditing(undefined);
      onSaved(updated);
    }
  };

  const rows = attributeRows(agent.attributes);
  return (
    <div data-testid={testIds.agent.attributes}>
      {!editing ? (
        <>
          <table className={styles.table}>
            <thead>
              <tr>
                <th>Key</th>
                <th>Value</th>
                <th>Source</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <td className={styles.mono}>{r.key}</td>
                  <td className={styles.mono}>
                    {r.value}
                    {r.overridden !== undefined && (
                      <span className={styles.muted}> (local: {r.overridden})</span>
                    )}
                  </td>
                  <td>
                    <Badge
                      text={r.source}
                      color={r.source === 'remote' ? 'blue' : r.source === 'local' ? 'darkgrey' : 'purple'}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Button
            className={styles.top}
            size="sm"
            variant="secondary"
            icon="pen"
            data-testid={testIds.agent.editAttributes}
            disabled={!canEdit()}
            tooltip={canEdit() ? undefined : NEEDS_EDITOR}
            onClick={() =>
              setEditing(Object.entries(agent.attributes.remote).map(([key, value]) => ({ key, value })))
            }
          >
            Edit remote attributes
          </Button>
        </>
      ) : (
        <div>
          <p className={styles.muted}>
            Remote attributes are kept by the controller and win over the agent&apos;s local ones. Pipelines
            select agents by their attributes, so a change here can add or remove pipelines on this agent.
          </p>
          {editing.length === 0 && <p className={styles.muted}>No remote attributes.</p>}
          {editing.map((r, i) => (
            <Stack key={i} gap={1} alignItems="center">
              <Input
                width={25}
                placeholder="key"
                value={r.key}
                data-testid={testIds.agent.attributeKey(i)}
                aria-label={`Attribute ${i + 1} key`}
                onChange={(e) =>
                  setEditing(
                    editing.map((x, j) => (j === i ? { ...x, key: e.currentTarget.value.trim() } : x)),
                  )
                }
              />
              <Input
                width={35}
                placeholder="value"
                value={r.value}
                data-testid={testIds.agent.attributeValue(i)}
                aria-label={`Attribute ${i + 1} value`}
                onChange={(e) =>
                  setEditing(editing.map((x, j) => (j === i ? { ...x, value: e.currentTarget.value } : x)))
                }
              />
              <IconButton
                name="trash-alt"
                tooltip="Remove"
                onClick={() => setEditing(editing.filter((_, j) => j !== i))}
              />
            </Stack>
          ))}
          {problem && (
            <Alert severity="warning" title="Cannot save">
              {problem}
            </Alert>
          )}
          {save.error && (
            <Alert severity="error" title="Saving failed">
              {save.error.message}
            </Alert>
          )}
          <Stack gap={1}>
            <Button
              size="sm"
              variant="secondary"
              icon="plus"
              data-testid={testIds.agent.addAttribute}
              onClick={() => setEditing([...editing, { key: '', value: '' }])}
            >
              Add
            </Button>
            <Button
              size="sm"
              icon={save.running ? 'spinner' : 'save'}
              disabled={Boolean(problem) || save.running}
              onClick={onSave}
              data-testid={testIds.agent.saveAttributes}
            >
              Save
            </Button>
            <Button size="sm" variant="secondary" fill="text" onClick={() => setEditing(undefined)}>
              Cancel
            </Button>
          </Stack>
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: getTableStyles(theme),
  mono: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  muted: css({ color: theme.colors.text.secondary }),
  top: css({ marginTop: theme.spacing(1) }),
});
