import { act, renderHook, waitFor } from '@testing-library/react';
import { useApiQuery } from './useApiQuery';

describe('useApiQuery', () => {
  it('loads, then keeps data while reloading', async () => {
    let n = 0;
    const fetcher = jest.fn(() => Promise.resolve(++n));
    const { result } = renderHook(() => useApiQuery('k', fetcher));
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.data).toBe(1));
    expect(result.current.loading).toBe(false);
    act(() => result.current.reload());
    expect(result.current.loading).toBe(true);
    expect(result.current.data).toBe(1);
    await waitFor(() => expect(result.current.data).toBe(2));
  });

  it('reports errors and clears them for another query', async () => {
    const { result, rerender } = renderHook(
      ({ k }) =>
        useApiQuery(k, () => (k === 'bad' ? Promise.reject(new Error('boom')) : Promise.resolve('ok'))),
      {
        initialProps: { k: 'bad' },
      },
    );
    await waitFor(() => expect(result.current.error?.message).toBe('Loading: boom'));
    rerender({ k: 'good' });
    expect(result.current.error).toBeUndefined();
    await waitFor(() => expect(result.current.data).toBe('ok'));
  });

  it('drops the answer of a superseded query', async () => {
    let resolveSlow: (v: string) => void = () => undefined;
    const { result, rerender } = renderHook(
      ({ k }) =>
        useApiQuery(k, () =>
          k === 'slow' ? new Promise<string>((r) => (resolveSlow = r)) : Promise.resolve('fast'),
        ),
      { initialProps: { k: 'slow' } },
    );
    rerender({ k: 'fast' });
    await waitFor(() => expect(result.current.data).toBe('fast'));
    await act(async () => resolveSlow('slow'));
    expect(result.current.data).toBe('fast');
  });

  it('polls with an interval that may depend on the data', async () => {
    jest.useFakeTimers();
    try {
      let n = 0;
      const { result } = renderHook(() =>
        useApiQuery('p', () => Promise.resolve(++n), { pollMs: (d) => (d && d >= 2 ? 0 : 1000) }),
      );
      await act(async () => undefined);
      expect(result.current.data).toBe(1);
      await act(async () => {
        jest.advanceTimersByTime(1000);
      });
      expect(result.current.data).toBe(2);
      await act(async () => {
        jest.advanceTimersByTime(5000);
      });
      expect(result.current.data).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does nothing while disabled', () => {
    const fetcher = jest.fn(() => Promise.resolve(1));
    const { result } = renderHook(() => useApiQuery('d', fetcher, { enabled: false }));
    expect(fetcher).not.toHaveBeenCalled();
    expect(result.current).toMatchObject({ data: undefined, loading: false });
  });
});
