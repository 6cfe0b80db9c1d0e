import React, { createContext, useContext, type ReactNode } from 'react';
import type { AppPluginMeta } from '@grafana/data';
import type { AppSettings } from '../../constants';

const MetaContext = createContext<AppPluginMeta<AppSettings> | undefined>(undefined);

/** Makes the plugin's meta (settings, enabled) available to the pages. */
export function AppMetaProvider({
  meta,
  children,
}: {
  meta: AppPluginMeta<AppSettings>;
  children: ReactNode;
}) {
  return <MetaContext.Provider value={meta}>{children}</MetaContext.Provider>;
}

/** The plugin's meta, or undefined outside the app root (e.g. in a unit test of one page). */
export function useAppMeta(): AppPluginMeta<AppSettings> | undefined {
  return useContext(MetaContext);
}
