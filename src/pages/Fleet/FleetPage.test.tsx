import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { fleetApi } from '../../api/client';
import { testIds } from '../../components/testIds';
import { agentRow, summary, withRouter } from '../../test/mocks';
import FleetPage from './FleetPage';

jest.mock('../../api/client', () => ({ fleetApi: { fleetSummary: jest.fn(), listAgents: jest.fn() } }));
const api = fleetApi as jest.Mocked<typeof fleetApi>;

describe('FleetPage', () => {
  beforeEach(() => {
    api.fleetSummary.mockResolvedValue(summary);
    api.listAgents.mockResolvedValue({
      items: [
        agentRow('edge-1'),
        agentRow('edge-2', {
          state: 'offline',
          drift: true,
          pipelines: { total: 2, failed: 1, drifting: 0 },
        }),
      ],
      total: 120,
      limit: 50,
      offset: 0,
    });
  });

  it('shows the summary and a page of agents', async () => {
    render(withRouter(<FleetPage />, '/a/foundry-fleet-app/fleet'));
    expect(await screen.findByTestId(testIds.fleet.row('edge-1'))).toBeInTheDocument();
    expect(screen.getByTestId(testIds.fleet.stat('offline'))).toHaveTextContent('1');
    expect(screen.getByTestId(testIds.fleet.stat('drift'))).toHaveTextContent('1drifting');
    expect(screen.getByTestId(testIds.fleet.total)).toHaveTextContent('1–2 of 120 agents');
    const row2 = screen.getByTestId(testIds.fleet.row('edge-2'));
    expect(row2).toHaveTextContent('offline');
    expect(row2).toHaveTextContent('1/2');
    expect(row2).toHaveTextContent('1 failed');
    // System attributes are not listed in the table.
    expect(row2).not.toHaveTextContent('agent.os');
    expect(screen.getByTestId(testIds.fleet.pagination)).toBeInTheDocument();
    expect(api.listAgents).toHaveBeenLastCalledWith({
      matchers: [],
      q: undefined,
      state: undefined,
      limit: 50,
      offset: 0,
    });
  });

  it('filters by state (a summary tile) and pages on the server', async () => {
    render(withRouter(<FleetPage />, '/a/foundry-fleet-app/fleet?page=2&matcher=env%3D%22prod%22'));
    await screen.findByTestId(testIds.fleet.row('edge-1'));
    expect(api.listAgents).toHaveBeenLastCalledWith({
      matchers: ['env="prod"'],
      q: undefined,
      state: undefined,
      limit: 50,
      offset: 50,
    });
    fireEvent.click(screen.getByTestId(testIds.fleet.stat('offline')));
    await waitFor(() =>
      expect(api.listAgents).toHaveBeenLastCalledWith({
        matchers: ['env="prod"'],
        q: undefined,
        state: 'offline',
        limit: 50,
        offset: 0,
      }),
    );
  });

  it('says when nothing matches', async () => {
    api.listAgents.mockResolvedValue({ items: [], total: 0, limit: 50, offset: 0 });
    render(withRouter(<FleetPage />, '/a/foundry-fleet-app/fleet?q=nothing'));
    expect(await screen.findByText('No agent matches these filters')).toBeInTheDocument();
  });

  it('shows errors with a retry', async () => {
    api.listAgents.mockRejectedValueOnce(new Error('Loading agents: the controller could not be reached'));
    render(withRouter(<FleetPage />, '/a/foundry-fleet-app/fleet'));
    expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    fireEvent.click(screen.getAllByRole('button', { name: /retry/i })[0]);
    expect(await screen.findByTestId(testIds.fleet.row('edge-1'))).toBeInTheDocument();
  });
});
