/** @grafana/runtime's internal PluginPage setter (Grafana calls it at start; the host does too). */
declare module '@foundry-host/runtime-plugin-page' {
  import type { ComponentType } from 'react';
  import type { PluginPageProps } from '@grafana/runtime';
  export function setPluginPage(component: ComponentType<PluginPageProps>): void;
}
