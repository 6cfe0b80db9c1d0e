import React, { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Button,
  Field,
  Input,
  LinkButton,
  Stack,
  Tab,
  TabContent,
  TabsBar,
  useStyles2,
} from '@grafana/ui';
import { fleetApi } from '../../api/client';
import type { PipelineDetail } from '../../api/types';
import { AlloyEditor } from '../../components/AlloyEditor/AlloyEditor';
import { ComponentGraph } from '../../components/ComponentGraph/ComponentGraph';
import { MatchersInput, matcherProblem } from '../../components/common/MatchersInput';
import { QueryStatus } from '../../components/common/QueryStatus';
import { FleetPluginPage } from '../../components/Page/FleetPluginPage';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useMutation } from '../../hooks/useMutation';
import { useNotify } from '../../hooks/useNotify';
import { usePipeline } from '../../hooks/usePipelines';
import { useMatchPreview, useValidation } from '../../hooks/useValidation';
import { newRolloutUrl, pipelineUrl, prefixRoute } from '../../utils/utils.routing';
import { MatchPreviewPanel } from './MatchPreviewPanel';
import { ValidationPanel } from './ValidationPanel';
import { canEdit, NEEDS_EDITOR } from '../../hooks/useCanEdit';

const PIPELINE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Starting text of a new pipeline. */
export const NEW_PIPELINE_TEMPLATE = `// A pipeline runs on every agent its matchers select, as a module named after it.
prometheus.exporter.self "agent" { }

prometheus.scrape "self" {
  targets         = prometheus.exporter.self.agent.targets
  scrape_interval = "15s"
  forward_to      = [prometheus.remote_write.default.receiver]
}

prometheus.remote_write "default" {
  endpoint {
    url = "http://prometheus:9090/api/v1/write"
  }
}
`;

interface EditorProps {
  /** The pipeline being edited; undefined: a new one. */
  pipeline?: PipelineDetail;
  onSaved: (p: { id: string; version: number }) => void;
}

/** The editor: name (new), matchers, Alloy text with live validation, graph, matched agents, save. */
function Editor({ pipeline, onSaved }: EditorProps) {
  const styles = useStyles2(getStyles);
  const notify = useNotify();
  const [name, setName] = useState('');
  const [matchers, setMatchers] = useState<string[]>(pipeline?.matchers ?? []);
  const [content, setContent] = useState(pipeline?.latest?.content ?? NEW_PIPELINE_TEMPLATE);
  const [message, setMessage] = useState('');
  const [tab, setTab] = useState<'graph' | 'agents'>('graph');

  const matcherErrors = matchers.map(matcherProblem).filter((p): p is string => Boolean(p));
  const validMatchers = useMemo(() => matchers.filter((m) => !matcherProblem(m)), [matchers]);
  const validation = useValidation(content, validMatchers);
  const preview = useMatchPreview(validMatchers);
  const result = validation.data;

  const latest = pipeline?.latest;
  const contentChanged = !latest || latest.content !== content;
  const matchersChanged =
    pipeline !== undefined && JSON.stringify(pipeline.matchers) !== JSON.stringify(matchers);
  const nameProblem =
    !pipeline && name && !PIPELINE_NAME_RE.test(name)
      ? 'lower-case letters, digits, "_" or "-", up to 63'
      : undefined;
  const knownInvalid = result !== undefined && !validation.pending && !result.valid;

  const save = useMutation(async () => {
    if (!pipeline) {
      const created = await fleetApi.createPipeline({
        name,
        matchers,
        content,
        message: message || 'first version',
      });
      return { id: created.id, version: created.latestVersion ?? 1, created: true };
    }
    const v = await fleetApi.createVersion(pipeline.id, content, message);
    return { id: pipeline.id, version: v.version, created: false };
  });
  const saveMatchers = useMutation(() => fleetApi.updatePipeline(pipeline!.id, { matchers }));

  const onSave = async () => {
    const r = await save.run();
    if (r) {
      notify.success(
        r.created
          ? `Created pipeline ${name} with version 1`
          : `Saved ${pipeline!.name} as version ${r.version}`,
      );
      setMessage('');
      onSaved(r);
    }
  };
  const onSaveMatchers = async () => {
    const r = await saveMatchers.run();
    if (r) {
      notify.success(
        `Matchers of ${r.name} saved: ${r.matchedAgents} agent${r.matchedAgents === 1 ? '' : 's'} match`,
      );
      onSaved({ id: r.id, version: r.latestVersion ?? 0 });
    }
  };

  const editor = canEdit();
  const saveDisabled =
    !editor ||
    save.running ||
    !contentChanged ||
    knownInvalid ||
    matcherErrors.length > 0 ||
    (!pipeline && (!name || Boolean(nameProblem)));

  return (
    <div className={styles.layout} data-testid={testIds.editor.container}>
      <div className={styles.main}>
        {!pipeline && (
          <Field
            label="Name"
            description="Agents run the pipeline as a module of this name"
            invalid={Boolean(nameProblem)}
            error={nameProblem}
          >
            <Input
              id="pipeline-name"
              data-testid={testIds.editor.name}
              value={name}
              placeholder="self_metrics"
              width={40}
              onChange={(e) => setName(e.currentTarget.value.trim())}
            />
          </Field>
        )}
        <Field
          label="Matchers"
          description="The pipeline runs on every agent whose attributes match all of them (none: every agent)"
          invalid={matcherErrors.length > 0}
          error={matcherErrors[0]}
        >
          <Stack gap={1} alignItems="center">
            <MatchersInput
              id="pipeline-matchers"
              data-testid={testIds.editor.matchers}
              matchers={matchers}
              onChange={setMatchers}
              width={60}
            />
            {matchersChanged && (
              <Button
                size="sm"
                variant="secondary"
                icon="save"
                data-testid={testIds.editor.saveMatchers}
                disabled={saveMatchers.running || matcherErrors.length > 0}
                onClick={onSaveMatchers}
              >
                Save matchers
              </Button>
            )}
          </Stack>
        </Field>
        {saveMatchers.error && (
          <Alert severity="error" title="Saving the matchers failed">
            {saveMatchers.error.message}
          </Alert>
        )}
        <AlloyEditor
          data-testid={testIds.editor.code}
          value={content}
          onChange={setContent}
          diagnostics={validation.pending ? [] : (result?.diagnostics ?? [])}
        />
        <Stack gap={1} alignItems="flex-end">
          <Field label="Message" description="What changed and why" className={styles.grow}>
            <Input
              id="pipeline-message"
              data-testid={testIds.editor.message}
              value={message}
              placeholder={pipeline ? 'e.g. scrape every 30s' : 'first version'}
              onChange={(e) => setMessage(e.currentTarget.value)}
            />
          </Field>
          <Field label="">
            <Button
              icon={save.running ? 'spinner' : 'save'}
              data-testid={testIds.editor.save}
              disabled={saveDisabled}
              onClick={onSave}
            >
              {pipeline ? `Save as version ${(pipeline.latestVersion ?? 0) + 1}` : 'Create pipeline'}
            </Button>
          </Field>
        </Stack>
        {pipeline && !contentChanged && (
          <div className={styles.muted}>The text is the same as version {latest?.version}.</div>
        )}
        {knownInvalid && <div className={styles.muted}>Fix the problems to save.</div>}
        {!editor && <div className={styles.muted}>{NEEDS_EDITOR} to save.</div>}
        {save.error && (
          <Alert severity="error" title="Saving failed">
            {save.error.message}
            {save.error.diagnostics.map((d, i) => (
              <div key={i}>
                {d.line}:{d.column}: {d.message}
              </div>
            ))}
          </Alert>
        )}
      </div>
      <div className={styles.side}>
        <h4>Validation</h4>
        <ValidationPanel
          result={result}
          error={validation.error}
          busy={validation.pending || validation.loading}
        />
        <TabsBar>
          <Tab label="Graph" active={tab === 'graph'} onChangeTab={() => setTab('graph')} />
          <Tab
            label="Matched agents"
            active={tab === 'agents'}
            counter={preview.data?.total}
            onChangeTab={() => setTab('agents')}
          />
        </TabsBar>
        <TabContent className={styles.tabContent}>
          {tab === 'graph' ? (
            <div data-testid={testIds.editor.graph}>
              {result ? (
                <ComponentGraph graph={result.graph} />
              ) : (
                <span className={styles.muted}>No graph yet.</span>
              )}
            </div>
          ) : (
            <MatchPreviewPanel
              preview={preview.data}
              previewError={preview.error}
              cannotRun={result?.agents}
            />
          )}
        </TabContent>
      </div>
    </div>
  );
}

/** Pipelines › new or › <name>: the editor, with links to the history and to a rollout. */
export default function PipelineEditorPage() {
  const { id } = useParams<{ id: string }>();
  const navigate = useNavigate();
  const pipeline = usePipeline(id);
  const p = pipeline.data;

  const parent = { text: 'Pipelines', url: prefixRoute(ROUTES.Pipelines) };
  if (!id) {
    return (
      <FleetPluginPage title="New pipeline" parent={parent}>
        <Editor onSaved={(r) => navigate(pipelineUrl(r.id), { replace: true })} />
      </FleetPluginPage>
    );
  }
  return (
    <FleetPluginPage
      title={p ? p.name : 'Pipeline'}
      parent={parent}
      subTitle={
        p
          ? `Version ${p.latestVersion ?? '—'}${p.deployedVersions.length ? ` · deployed ${p.deployedVersions.map((v) => `v${v}`).join(', ')}` : ' · not deployed'}`
          : undefined
      }
      actions={
        p && (
          <Stack gap={1}>
            <LinkButton variant="secondary" icon="history" href={pipelineUrl(p.id, 'history')}>
              History
            </LinkButton>
            {p.latestVersion && (
              <LinkButton
                icon="rocket"
                href={newRolloutUrl(p.id, p.latestVersion)}
                data-testid={testIds.editor.rollout}
              >
                Roll out v{p.latestVersion}
              </LinkButton>
            )}
          </Stack>
        )
      }
    >
      <QueryStatus state={pipeline} what="the pipeline">
        {(data) => (
          // A new version or new matchers re-mount the editor with what was saved.
          <Editor
            key={`${data.id}:${data.latestVersion}:${data.matchers.join(',')}`}
            pipeline={data}
            onSaved={() => pipeline.reload()}
          />
        )}
      </QueryStatus>
    </FleetPluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 3fr) minmax(300px, 2fr)',
    gap: theme.spacing(2),
    [theme.breakpoints.down('lg')]: { gridTemplateColumns: '1fr' },
  }),
  main: css({ minWidth: 0 }),
  side: css({ minWidth: 0 }),
  grow: css({ flexGrow: 1, marginBottom: 0 }),
  muted: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(1) }),
  tabContent: css({ paddingTop: theme.spacing(1) }),
});
