import { allowedActions } from './RolloutPage';
import { parseWaves, waveLabel } from './waves';

describe('waves', () => {
  it('parses counts and shares', () => {
    expect(parseWaves('1, 10%, 50%,100%')).toEqual({
      waves: [{ count: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
    });
    expect(parseWaves('2 100%')).toEqual({ waves: [{ count: 2 }, { percent: 100 }] });
  });

  it('explains bad waves', () => {
    expect(parseWaves('')).toEqual({ error: 'give at least one wave' });
    expect(parseWaves('0')).toHaveProperty('error', expect.stringMatching(/count of agents/));
    expect(parseWaves('150%')).toHaveProperty('error', expect.stringMatching(/at most 100%/));
    expect(parseWaves('half')).toHaveProperty('error');
  });

  it('labels waves', () => {
    expect(waveLabel({ count: 1 })).toBe('1 agent');
    expect(waveLabel({ percent: 50, count: null })).toBe('50 %');
  });

  it('offers the actions the controller allows', () => {
    expect(allowedActions({ status: 'running' })).toEqual(['pause', 'abort', 'rollback']);
    expect(allowedActions({ status: 'paused' })).toEqual(['resume', 'abort', 'rollback']);
    expect(allowedActions({ status: 'completed' })).toEqual(['rollback']);
    expect(allowedActions({ status: 'rolled_back' })).toEqual([]);
  });
});
