import React, { useState, type ChangeEvent, type FormEvent } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import {
  Alert,
  Button,
  Field,
  FieldSet,
  Input,
  LinkButton,
  SecretInput,
  Stack,
  useStyles2,
} from '@grafana/ui';
import { FleetApi } from '../../api/client';
import { toApiError } from '../../api/errors';
import { PLUGIN_BASE_URL, type AppSettings } from '../../constants';
import { notify } from '../../hooks/useNotify';
import { testIds } from '../testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

interface State {
  controllerUrl: string;
  /** The token typed now ('' = unchanged when isTokenSet). */
  token: string;
  /** Grafana holds a token (secureJsonFields.controllerToken). */
  isTokenSet: boolean;
}

type Result = { ok: true; text: string } | { ok: false; text: string };

/** `http://host:8420/` → `http://host:8420`; undefined when it is not an http(s) URL. */
export function normaliseControllerUrl(text: string): string | undefined {
  try {
    const u = new URL(text.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return undefined;
    }
    return u.toString().replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/**
 * Connection test through the plugin proxy with the saved settings: the fleet summary answers when the
 * URL and token are right.
 */
export async function testConnection(api = new FleetApi()): Promise<Result> {
  try {
    const s = await api.fleetSummary();
    return {
      ok: true,
      text: `Connected to the controller: ${s.agents.total} agent${s.agents.total === 1 ? '' : 's'}, ${s.pipelines} pipeline${s.pipelines === 1 ? '' : 's'}, ${s.activeRollouts} active rollout${s.activeRollouts === 1 ? '' : 's'}.`,
    };
  } catch (e) {
    return { ok: false, text: toApiError(e, 'Connection test').message };
  }
}

/** Configuration: the controller URL (jsonData) and token (secureJsonData, never sent back), with a test. */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { pinned, jsonData, secureJsonFields } = plugin.meta;
  const [state, setState] = useState<State>({
    controllerUrl: jsonData?.controllerUrl ?? '',
    token: '',
    isTokenSet: Boolean(secureJsonFields?.controllerToken),
  });
  const [busy, setBusy] = useState<'save' | 'test' | undefined>();
  const [result, setResult] = useState<Result>();
  const [saved, setSaved] = useState(Boolean(jsonData?.controllerUrl));

  const url = normaliseControllerUrl(state.controllerUrl);
  const urlInvalid = state.controllerUrl.trim() !== '' && url === undefined;
  const canSave = Boolean(url) && (state.isTokenSet || state.token.trim() !== '') && !busy;

  const onChange = (event: ChangeEvent<HTMLInputElement>) =>
    setState({ ...state, [event.target.name]: event.target.value });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSave || !url) {
      return;
    }
    setBusy('save');
    setResult(undefined);
    try {
      await updatePlugin(plugin.meta.id, {
        enabled: true,
        pinned: pinned ?? true,
        jsonData: { ...jsonData, controllerUrl: url },
        // Sent only when typed: anything sent (even '') replaces the stored token.
        secureJsonData: state.token.trim() ? { controllerToken: state.token.trim() } : undefined,
      });
      setState({ controllerUrl: url, token: '', isTokenSet: true });
      setSaved(true);
      notify().success('Controller settings saved');
    } catch (e) {
      const message = toApiError(e, 'Saving the settings').message;
      setResult({ ok: false, text: message });
      notify().error(message);
      setBusy(undefined);
      return;
    }
    setResult(await testConnection());
    setBusy(undefined);
  };

  const onTest = async () => {
    setBusy('test');
    setResult(undefined);
    setResult(await testConnection());
    setBusy(undefined);
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container}>
      <FieldSet label="Foundry controller">
        <Field
          label="Controller URL"
          description="Base URL of the controller's REST API as Grafana's server reaches it, e.g. http://foundry-controller:8420"
          invalid={urlInvalid}
          error={urlInvalid ? 'Enter an http:// or https:// URL' : undefined}
        >
          <Input
            width={60}
            name="controllerUrl"
            id="config-controller-url"
            data-testid={testIds.appConfig.controllerUrl}
            value={state.controllerUrl}
            placeholder="http://127.0.0.1:8420"
            onChange={onChange}
          />
        </Field>
        <Field
          label="Controller token"
          description="An editor or admin API token of the controller. Grafana stores it encrypted and adds it to proxied requests; the browser never receives it."
          className={s.marginTop}
        >
          <SecretInput
            width={60}
            id="config-controller-token"
            data-testid={testIds.appConfig.controllerToken}
            name="token"
            value={state.token}
            isConfigured={state.isTokenSet}
            placeholder="fdy_admin_…"
            onChange={onChange}
            onReset={() => setState({ ...state, token: '', isTokenSet: false })}
          />
        </Field>
        <Stack gap={1}>
          <Button
            type="submit"
            data-testid={testIds.appConfig.submit}
            disabled={!canSave}
            icon={busy === 'save' ? 'spinner' : undefined}
          >
            Save &amp; test
          </Button>
          <Button
            type="button"
            variant="secondary"
            data-testid={testIds.appConfig.test}
            disabled={!saved || Boolean(busy)}
            icon={busy === 'test' ? 'spinner' : 'plug'}
            onClick={onTest}
          >
            Test connection
          </Button>
        </Stack>
        {result && (
          <div className={s.marginTop} data-testid={testIds.appConfig.result}>
            <Alert
              severity={result.ok ? 'success' : 'error'}
              title={result.ok ? 'Connection OK' : 'Connection failed'}
            >
              <div>{result.text}</div>
              {result.ok && (
                <LinkButton
                  className={s.marginTop}
                  size="sm"
                  icon="arrow-right"
                  href={`${PLUGIN_BASE_URL}/fleet`}
                  // A full page load, so that Grafana reads the new settings.
                  onClick={(e) => {
                    e.preventDefault();
                    window.location.assign(`${PLUGIN_BASE_URL}/fleet`);
                  }}
                >
                  Open the fleet
                </LinkButton>
              )}
            </Alert>
          </div>
        )}
      </FieldSet>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css({ marginTop: theme.spacing(2) }),
});

async function updatePlugin(pluginId: string, data: Partial<PluginMeta<AppSettings>>) {
  const response = getBackendSrv().fetch({
    url: `/api/plugins/${pluginId}/settings`,
    method: 'POST',
    data,
    showSuccessAlert: false,
    showErrorAlert: false,
  });
  return lastValueFrom(response);
}
