import { act, renderHook } from '@testing-library/react';
import { fleetApi } from '../api/client';
import { useValidation } from './useValidation';

jest.mock('../api/client', () => ({ fleetApi: { validate: jest.fn(), previewMatchers: jest.fn() } }));

const validate = fleetApi.validate as jest.Mock;

describe('useValidation', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    validate.mockReset();
    validate.mockResolvedValue({
      valid: true,
      diagnostics: [],
      components: [],
      graph: { nodes: [], edges: [] },
      agents: { matched: 0, cannotRun: [], cannotRunTotal: 0 },
    });
  });
  afterEach(() => jest.useRealTimers());

  it('validates once typing stops', async () => {
    const { result, rerender } = renderHook(({ text }) => useValidation(text, ['env="prod"'], 400), {
      initialProps: { text: 'a' },
    });
    await act(async () => {
      jest.advanceTimersByTime(400);
    });
    expect(validate).toHaveBeenCalledTimes(1);
    rerender({ text: 'ab' });
    expect(result.current.pending).toBe(true);
    rerender({ text: 'abc' });
    await act(async () => {
      jest.advanceTimersByTime(399);
    });
    expect(validate).toHaveBeenCalledTimes(1);
    await act(async () => {
      jest.advanceTimersByTime(1);
    });
    expect(validate).toHaveBeenCalledTimes(2);
    expect(validate).toHaveBeenLastCalledWith('abc', ['env="prod"']);
    expect(result.current.pending).toBe(false);
  });

  it('does not validate empty text', async () => {
    renderHook(() => useValidation('   ', [], 10));
    await act(async () => {
      jest.advanceTimersByTime(50);
    });
    expect(validate).not.toHaveBeenCalled();
  });
});
