import React from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppPluginMeta, AppRootProps } from '@grafana/data';
import { ROUTES, type AppSettings } from '../../constants';
import { AppMetaProvider } from './AppContext';

const FleetPage = React.lazy(() => import('../../pages/Fleet/FleetPage'));
const AgentPage = React.lazy(() => import('../../pages/Agent/AgentPage'));
const PipelinesPage = React.lazy(() => import('../../pages/Pipelines/PipelinesPage'));
const PipelineEditorPage = React.lazy(() => import('../../pages/Pipelines/PipelineEditorPage'));
const PipelineHistoryPage = React.lazy(() => import('../../pages/Pipelines/PipelineHistoryPage'));
const RolloutsPage = React.lazy(() => import('../../pages/Rollouts/RolloutsPage'));
const NewRolloutPage = React.lazy(() => import('../../pages/Rollouts/NewRolloutPage'));
const RolloutPage = React.lazy(() => import('../../pages/Rollouts/RolloutPage'));

/** The app's pages under `/a/foundry-fleet-app/…` (routes relative to Grafana's `/a/<id>/*`). */
function App(props: AppRootProps) {
  return (
    <AppMetaProvider meta={props.meta as AppPluginMeta<AppSettings>}>
      <Routes>
        <Route path={ROUTES.Fleet} element={<FleetPage />} />
        <Route path={`${ROUTES.Agents}/:id`} element={<AgentPage />} />
        <Route path={ROUTES.Pipelines} element={<PipelinesPage />} />
        <Route path={`${ROUTES.Pipelines}/new`} element={<PipelineEditorPage />} />
        <Route path={`${ROUTES.Pipelines}/:id`} element={<PipelineEditorPage />} />
        <Route path={`${ROUTES.Pipelines}/:id/history`} element={<PipelineHistoryPage />} />
        <Route path={ROUTES.Rollouts} element={<RolloutsPage />} />
        <Route path={`${ROUTES.Rollouts}/new`} element={<NewRolloutPage />} />
        <Route path={`${ROUTES.Rollouts}/:id`} element={<RolloutPage />} />
        {/* Default page */}
        <Route path="*" element={<FleetPage />} />
      </Routes>
    </AppMetaProvider>
  );
}

export default App;
