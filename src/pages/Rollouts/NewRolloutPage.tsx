import React, { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import {
  Alert,
  Button,
  Combobox,
  type ComboboxOption,
  Field,
  FieldSet,
  Input,
  RadioButtonGroup,
  Stack,
} from '@grafana/ui';
import { fleetApi } from '../../api/client';
import type { CreateRollout } from '../../api/types';
import { QueryStatus } from '../../components/common/QueryStatus';
import { FleetPluginPage } from '../../components/Page/FleetPluginPage';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useMutation } from '../../hooks/useMutation';
import { useNotify } from '../../hooks/useNotify';
import { usePipelines, useVersions } from '../../hooks/usePipelines';
import { prefixRoute, rolloutUrl } from '../../utils/utils.routing';
import { parseWaves } from './waves';
import { canEdit, NEEDS_EDITOR } from '../../hooks/useCanEdit';

type Mode = 'waves' | 'immediate';

/** Rollouts › start: pipeline, version, waves (or all at once), soak time, failure threshold. */
export default function NewRolloutPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const notify = useNotify();
  const pipelines = usePipelines(0);
  const [pipelineId, setPipelineId] = useState(params.get('pipelineId') ?? '');
  const [chosenVersion, setVersion] = useState<number | undefined>(
    Number(params.get('version')) || undefined,
  );
  const [mode, setMode] = useState<Mode>('waves');
  const [wavesText, setWavesText] = useState('1, 10%, 50%, 100%');
  const [soak, setSoak] = useState('30');
  const [threshold, setThreshold] = useState('0');
  const versions = useVersions(pipelineId || undefined);

  // The chosen version when the pipeline has it, else its newest valid version.
  const version = versions.data?.some((v) => v.version === chosenVersion)
    ? chosenVersion
    : versions.data?.find((v) => v.valid)?.version;

  const waves = parseWaves(wavesText);
  const soakSeconds = Number(soak);
  const soakProblem = !/^\d+$/.test(soak) || soakSeconds > 86400 ? 'whole seconds, 0 to 86400' : undefined;
  const thresholdPct = Number(threshold);
  const thresholdProblem = !(threshold !== '' && thresholdPct >= 0 && thresholdPct <= 100)
    ? '0 to 100 %'
    : undefined;
  const pipeline = pipelines.data?.find((p) => p.id === pipelineId);

  const start = useMutation((body: CreateRollout) => fleetApi.startRollout(pipelineId, body));
  const canStart =
    canEdit() &&
    Boolean(pipelineId && version) &&
    !start.running &&
    (mode === 'immediate' || ('waves' in waves && !soakProblem)) &&
    !thresholdProblem;

  const onStart = async () => {
    const body: CreateRollout =
      mode === 'immediate'
        ? { version: version!, immediate: true, failureThreshold: thresholdPct / 100 }
        : {
            version: version!,
            waves: 'waves' in waves ? waves.waves : undefined,
            soakSeconds,
            failureThreshold: thresholdPct / 100,
          };
    const r = await start.run(body);
    if (r) {
      const count = r.waves.reduce((n, w) => n + (w.agents?.length ?? 0), 0);
      notify.success(
        `Started rolling out ${r.pipelineName} v${r.toVersion} to ${count} agent${count === 1 ? '' : 's'} in ${r.waves.length} wave${r.waves.length === 1 ? '' : 's'}`,
      );
      navigate(rolloutUrl(r.id));
    }
  };

  const pipelineOptions: Array<ComboboxOption<string>> = (pipelines.data ?? []).map((p) => ({
    label: p.name,
    value: p.id,
    description: `${p.matchedAgents} matched agent${p.matchedAgents === 1 ? '' : 's'}${p.latestVersion ? `, latest v${p.latestVersion}` : ''}`,
  }));
  const versionOptions: Array<ComboboxOption<number>> = (versions.data ?? [])
    .filter((v) => v.valid)
    .map((v) => ({ label: `v${v.version}`, value: v.version, description: v.message || 'no message' }));

  return (
    <FleetPluginPage
      title="Start a rollout"
      parent={{ text: 'Rollouts', url: prefixRoute(ROUTES.Rollouts) }}
      data-testid={testIds.newRollout.container}
    >
      <QueryStatus state={pipelines} what="pipelines">
        {() => (
          <FieldSet label="What to roll out">
            <Field label="Pipeline">
              <div data-testid={testIds.newRollout.pipeline}>
                <Combobox
                  id="rollout-pipeline"
                  width={50}
                  options={pipelineOptions}
                  value={pipelineId || null}
                  placeholder="Choose a pipeline"
                  onChange={(o) => {
                    setPipelineId(o.value);
                    setVersion(undefined);
                  }}
                />
              </div>
            </Field>
            <Field
              label="Version"
              description={
                pipeline?.deployedVersions.length
                  ? `Deployed now: ${pipeline.deployedVersions.map((v) => `v${v}`).join(', ')}`
                  : 'Not deployed yet'
              }
            >
              <div data-testid={testIds.newRollout.version}>
                <Combobox
                  id="rollout-version"
                  width={50}
                  options={versionOptions}
                  value={version ?? null}
                  loading={versions.loading}
                  disabled={!pipelineId}
                  onChange={(o) => setVersion(o.value)}
                />
              </div>
            </Field>
            <Field label="Pace">
              <div data-testid={testIds.newRollout.mode}>
                <RadioButtonGroup<Mode>
                  options={[
                    {
                      label: 'In waves',
                      value: 'waves',
                      description: 'Wave by wave, each soaking healthy before the next',
                    },
                    {
                      label: 'All at once',
                      value: 'immediate',
                      description: 'One wave of every agent, no soak',
                    },
                  ]}
                  value={mode}
                  onChange={setMode}
                />
              </div>
            </Field>
            {mode === 'waves' && (
              <>
                <Field
                  label="Waves"
                  description="Cumulative: a count of agents (1) or a share of the selected agents (25%), comma-separated"
                  invalid={'error' in waves}
                  error={'error' in waves ? waves.error : undefined}
                >
                  <Input
                    id="rollout-waves"
                    width={50}
                    value={wavesText}
                    data-testid={testIds.newRollout.waves}
                    onChange={(e) => setWavesText(e.currentTarget.value)}
                  />
                </Field>
                <Field
                  label="Soak (seconds)"
                  description="How long every agent of a wave must stay applied and healthy before the next wave"
                  invalid={Boolean(soakProblem)}
                  error={soakProblem}
                >
                  <Input
                    id="rollout-soak"
                    width={20}
                    value={soak}
                    data-testid={testIds.newRollout.soak}
                    onChange={(e) => setSoak(e.currentTarget.value.trim())}
                  />
                </Field>
              </>
            )}
            <Field
              label="Failure threshold (%)"
              description="The rollout pauses when more than this share of a started wave's agents fail or turn unhealthy"
              invalid={Boolean(thresholdProblem)}
              error={thresholdProblem}
            >
              <Input
                id="rollout-threshold"
                width={20}
                value={threshold}
                data-testid={testIds.newRollout.threshold}
                onChange={(e) => setThreshold(e.currentTarget.value.trim())}
              />
            </Field>
            {!canEdit() && (
              <Alert severity="info" title={NEEDS_EDITOR}>
                Viewers can see rollouts; starting one is a change.
              </Alert>
            )}
            {start.error && (
              <Alert severity="error" title="Could not start the rollout">
                {start.error.message}
              </Alert>
            )}
            <Stack gap={1}>
              <Button
                icon={start.running ? 'spinner' : 'rocket'}
                disabled={!canStart}
                onClick={onStart}
                data-testid={testIds.newRollout.submit}
              >
                Start rollout{version ? ` of v${version}` : ''}
              </Button>
            </Stack>
          </FieldSet>
        )}
      </QueryStatus>
    </FleetPluginPage>
  );
}
