import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { fleetApi } from '../../api/client';
import { testIds } from '../../components/testIds';
import { agentDetail, withRouter } from '../../test/mocks';
import AgentPage from './AgentPage';

jest.mock('../../api/client', () => ({
  fleetApi: {
    getAgent: jest.fn(),
    agentMetrics: jest.fn(),
    getVersion: jest.fn(),
    validate: jest.fn(),
    setRemoteAttributes: jest.fn(),
  },
}));
const publish = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getAppEvents: () => ({ publish }),
}));
const api = fleetApi as jest.Mocked<typeof fleetApi>;

describe('AgentPage', () => {
  beforeEach(() => {
    publish.mockReset();
    api.getAgent.mockResolvedValue(agentDetail());
    api.agentMetrics.mockResolvedValue({
      since: '',
      until: '',
      series: [
        {
          name: 'process_resident_memory_bytes',
          labels: {},
          points: [
            [1, 1048576],
            [2, 2097152],
          ],
        },
      ],
    });
    api.getVersion.mockResolvedValue({ content: 'x' } as never);
    api.validate.mockResolvedValue({
      valid: true,
      diagnostics: [],
      components: [],
      graph: { nodes: [{ id: 'prometheus.scrape.self', component: 'prometheus.scrape' }], edges: [] },
      agents: { matched: 1, cannotRun: [], cannotRunTotal: 0 },
    });
  });

  it('shows attributes, pipelines, component health, metrics and errors', async () => {
    render(withRouter(<AgentPage />, '/a/foundry-fleet-app/agents/a1', '/a/foundry-fleet-app/agents/:id'));
    expect(await screen.findByTestId(testIds.agent.state)).toHaveTextContent('healthy');
    const attrs = screen.getByTestId(testIds.agent.attributes);
    expect(attrs).toHaveTextContent('(local: dev)');
    const row = screen.getByTestId(testIds.agent.pipelineRow('metrics'));
    expect(row).toHaveTextContent('v2');
    expect(row).toHaveTextContent('v1');
    expect(row).toHaveTextContent('failed');
    await waitFor(() =>
      expect(document.querySelector('[data-component="prometheus.scrape.self"]')).toHaveAttribute(
        'data-health',
        'healthy',
      ),
    );
    expect(api.getVersion).toHaveBeenCalledWith('p1', 1);
    expect(await screen.findByTestId(testIds.agent.chart('Memory'))).toHaveTextContent(
      'resident memory: 2.0 MiB',
    );
    expect(screen.getByTestId(testIds.agent.errors)).toHaveTextContent('component failed');
  });

  it('edits remote attributes and confirms what it saved', async () => {
    api.setRemoteAttributes.mockResolvedValue(agentDetail());
    render(withRouter(<AgentPage />, '/a/foundry-fleet-app/agents/a1', '/a/foundry-fleet-app/agents/:id'));
    fireEvent.click(await screen.findByTestId(testIds.agent.editAttributes));
    fireEvent.click(screen.getByTestId(testIds.agent.addAttribute));
    fireEvent.change(screen.getByTestId(testIds.agent.attributeKey(1)), { target: { value: 'agent.bad' } });
    expect(screen.getByText(/reserved for the system/)).toBeInTheDocument();
    fireEvent.change(screen.getByTestId(testIds.agent.attributeKey(1)), { target: { value: 'tier' } });
    fireEvent.change(screen.getByTestId(testIds.agent.attributeValue(1)), { target: { value: 'gold' } });
    fireEvent.click(screen.getByTestId(testIds.agent.saveAttributes));
    await waitFor(() =>
      expect(api.setRemoteAttributes).toHaveBeenCalledWith('a1', { env: 'prod', tier: 'gold' }),
    );
    await waitFor(() =>
      expect(publish).toHaveBeenCalledWith({
        type: 'alert-success',
        payload: ['Saved 2 remote attributes on edge-1'],
      }),
    );
  });
});
