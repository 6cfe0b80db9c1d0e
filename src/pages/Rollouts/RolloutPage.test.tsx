import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';
import { fleetApi } from '../../api/client';
import { testIds } from '../../components/testIds';
import { rollout, withRouter } from '../../test/mocks';
import RolloutPage from './RolloutPage';

jest.mock('../../api/client', () => ({ fleetApi: { getRollout: jest.fn(), rolloutAction: jest.fn() } }));
const publish = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getAppEvents: () => ({ publish }),
}));
const api = fleetApi as jest.Mocked<typeof fleetApi>;

describe('RolloutPage', () => {
  beforeEach(() => api.rolloutAction.mockReset());

  it('shows waves with their agents and pauses', async () => {
    api.getRollout.mockResolvedValue(rollout());
    api.rolloutAction.mockResolvedValue(rollout({ status: 'paused', pausedReason: 'paused by admin' }));
    render(
      withRouter(<RolloutPage />, '/a/foundry-fleet-app/rollouts/r1', '/a/foundry-fleet-app/rollouts/:id'),
    );
    const wave = await screen.findByTestId(testIds.rollout.wave(0));
    expect(wave).toHaveTextContent('1/1 on v2');
    expect(screen.getByTestId(testIds.rollout.agent('edge-1'))).toHaveAttribute('data-status', 'applied');
    expect(screen.queryByTestId(testIds.rollout.action('resume'))).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId(testIds.rollout.action('pause')));
    await waitFor(() => expect(api.rolloutAction).toHaveBeenCalledWith('r1', 'pause'));
    await waitFor(() =>
      expect(publish).toHaveBeenCalledWith({
        type: 'alert-success',
        payload: ['Paused the rollout of metrics v2'],
      }),
    );
  });

  it('asks before rolling back', async () => {
    api.getRollout.mockResolvedValue(rollout({ status: 'paused', pausedReason: '1 of 1 agents failed' }));
    api.rolloutAction.mockResolvedValue(rollout({ status: 'rolled_back' }));
    render(
      withRouter(<RolloutPage />, '/a/foundry-fleet-app/rollouts/r1', '/a/foundry-fleet-app/rollouts/:id'),
    );
    expect(await screen.findByText('1 of 1 agents failed')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId(testIds.rollout.action('rollback')));
    expect(api.rolloutAction).not.toHaveBeenCalled();
    expect(screen.getByText('Every agent of this pipeline goes back to v1.')).toBeInTheDocument();
    const buttons = screen.getAllByRole('button', { name: 'Roll back' });
    fireEvent.click(buttons[buttons.length - 1]); // the modal's
    await waitFor(() => expect(api.rolloutAction).toHaveBeenCalledWith('r1', 'rollback'));
  });

  it('lets viewers watch but not act', async () => {
    const role = config.bootData.user.orgRole;
    config.bootData.user.orgRole = OrgRole.Viewer;
    try {
      api.getRollout.mockResolvedValue(rollout());
      render(
        withRouter(<RolloutPage />, '/a/foundry-fleet-app/rollouts/r1', '/a/foundry-fleet-app/rollouts/:id'),
      );
      expect(await screen.findByTestId(testIds.rollout.action('pause'))).toHaveAttribute(
        'aria-disabled',
        'true',
      );
      expect(screen.getByTestId(testIds.rollout.wave(0))).toHaveTextContent('1/1 on v2');
    } finally {
      config.bootData.user.orgRole = role;
    }
  });
});
