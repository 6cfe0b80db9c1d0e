import React, { type ReactNode } from 'react';
import type { NavModelItem } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { EmptyState, LinkButton } from '@grafana/ui';
import { PLUGIN_ID } from '../../constants';
import { useAppMeta } from '../App/AppContext';

interface Props {
  /** Page title (and breadcrumb). */
  title: string;
  subTitle?: ReactNode;
  actions?: ReactNode;
  /** The parent page for the breadcrumb, e.g. `{ text: 'Fleet', url: … }`. */
  parent?: NavModelItem;
  'data-testid'?: string;
  children: ReactNode;
}

/**
 * A page of the app in Grafana's chrome (PluginPage: title, breadcrumbs, actions), or, while the
 * controller is not configured, a call to configure it.
 */
export function FleetPluginPage({ title, subTitle, actions, parent, children, ...rest }: Props) {
  const meta = useAppMeta();
  const configured = meta === undefined || Boolean(meta.jsonData?.controllerUrl);
  const pageNav: NavModelItem = { text: title, ...(parent ? { parentItem: parent } : {}) };
  return (
    <PluginPage pageNav={pageNav} subTitle={subTitle} actions={configured ? actions : undefined}>
      <div data-testid={rest['data-testid']}>
        {configured ? (
          children
        ) : (
          <EmptyState
            variant="call-to-action"
            message="Connect the app to a Foundry controller"
            button={
              <LinkButton icon="cog" href={`/plugins/${PLUGIN_ID}`}>
                Configure the controller
              </LinkButton>
            }
          >
            The Fleet app reads agents, pipelines and rollouts from a Foundry controller. An administrator
            sets its URL and token on the Configuration page.
          </EmptyState>
        )}
      </div>
    </PluginPage>
  );
}
