import { matcherProblem, normaliseMatcher } from './MatchersInput';

describe('matchers', () => {
  it('accepts the four operators', () => {
    for (const m of ['env="prod"', 'env!="prod"', 'team=~"a.*"', 'team!~"b"', 'agent.os = "linux"']) {
      expect(matcherProblem(m)).toBeUndefined();
    }
  });

  it('explains what is wrong', () => {
    expect(matcherProblem('env')).toMatch(/is not a matcher/);
    expect(matcherProblem('env=prod')).toMatch(/is not a matcher/);
  });

  it('quotes bare values', () => {
    expect(normaliseMatcher('env=prod')).toBe('env="prod"');
    expect(normaliseMatcher(' team =~ a.* ')).toBe('team=~"a.*"');
    expect(normaliseMatcher('env="prod"')).toBe('env="prod"');
  });
});
