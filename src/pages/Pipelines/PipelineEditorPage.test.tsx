import React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { fleetApi } from '../../api/client';
import { testIds } from '../../components/testIds';
import { withRouter } from '../../test/mocks';
import PipelineEditorPage from './PipelineEditorPage';

jest.mock('../../api/client', () => ({
  fleetApi: {
    getPipeline: jest.fn(),
    validate: jest.fn(),
    previewMatchers: jest.fn(),
    createVersion: jest.fn(),
    createPipeline: jest.fn(),
  },
}));
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getAppEvents: () => ({ publish: jest.fn() }),
}));
// Monaco does not run in jsdom: the editor is a textarea here (the browser tests use the real one).
jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  CodeEditor: (p: { value: string; onChange: (v: string) => void }) => (
    <textarea aria-label="code" value={p.value} onChange={(e) => p.onChange(e.target.value)} />
  ),
}));
const api = fleetApi as jest.Mocked<typeof fleetApi>;

const pipeline = {
  id: 'p1',
  name: 'metrics',
  matchers: ['env="prod"'],
  enabled: true,
  createdAt: '',
  updatedAt: '',
  latestVersion: 1,
  deployedVersions: [1],
  activeRollout: null,
  matchedAgents: 2,
  latest: { version: 1, content: 'ok {}' },
};

describe('PipelineEditorPage', () => {
  beforeEach(() => {
    api.getPipeline.mockResolvedValue(pipeline as never);
    api.previewMatchers.mockResolvedValue({
      total: 2,
      agents: [
        { id: 'a1', name: 'edge-1', attributes: {} },
        { id: 'a2', name: 'edge-2', attributes: {} },
      ],
    });
    api.validate.mockImplementation(async (content: string) => ({
      valid: !content.includes('bogus'),
      diagnostics: content.includes('bogus')
        ? [
            {
              severity: 'error' as const,
              message: 'unrecognized attribute name "bogus"',
              line: 1,
              column: 5,
              endLine: 1,
              endColumn: 10,
            },
          ]
        : [],
      components: [],
      graph: { nodes: [], edges: [] },
      agents: {
        matched: 2,
        cannotRun: [{ id: 'a2', name: 'edge-2', missing: ['loki.write'] }],
        cannotRunTotal: 1,
      },
    }));
  });

  it('validates the draft, lists diagnostics and saves a new version', async () => {
    api.createVersion.mockResolvedValue({ version: 2 } as never);
    render(
      withRouter(
        <PipelineEditorPage />,
        '/a/foundry-fleet-app/pipelines/p1',
        '/a/foundry-fleet-app/pipelines/:id',
      ),
    );
    const code = await screen.findByLabelText('code');
    const save = screen.getByTestId(testIds.editor.save);
    expect(save).toHaveTextContent('Save as version 2');
    expect(save).toBeDisabled(); // same text as v1
    fireEvent.change(code, { target: { value: 'ok { bogus = 1 }' } });
    expect(
      await screen.findByText(/unrecognized attribute name "bogus"/, {}, { timeout: 3000 }),
    ).toBeInTheDocument();
    expect(screen.getByTestId(testIds.editor.diagnostics)).toHaveTextContent('1:5');
    expect(save).toBeDisabled();
    fireEvent.change(code, { target: { value: 'ok { scrape = 1 }' } });
    await waitFor(() => expect(screen.getByTestId(testIds.editor.validity)).toHaveTextContent('valid'), {
      timeout: 3000,
    });
    fireEvent.change(screen.getByTestId(testIds.editor.message), { target: { value: 'scrape more' } });
    await waitFor(() => expect(save).toBeEnabled());
    await act(async () => fireEvent.click(save));
    expect(api.createVersion).toHaveBeenCalledWith('p1', 'ok { scrape = 1 }', 'scrape more');
  });

  it('previews the matched agents and which cannot run the draft', async () => {
    render(
      withRouter(
        <PipelineEditorPage />,
        '/a/foundry-fleet-app/pipelines/p1',
        '/a/foundry-fleet-app/pipelines/:id',
      ),
    );
    fireEvent.click(await screen.findByText('Matched agents'));
    expect(await screen.findByText('2 agents match.')).toBeInTheDocument();
    expect(await screen.findByText('cannot run: loki.write')).toBeInTheDocument();
    expect(api.previewMatchers).toHaveBeenCalledWith(['env="prod"']);
  });
});
