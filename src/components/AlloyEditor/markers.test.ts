import type { Monaco } from '@grafana/ui';
import { toMarkers } from './markers';

const monaco = { MarkerSeverity: { Error: 8, Warning: 4 } } as unknown as Monaco;

describe('toMarkers', () => {
  it('puts markers at the reported line:col', () => {
    const [m] = toMarkers(
      monaco,
      [
        {
          severity: 'error',
          message: 'unrecognized attribute name "bogus"',
          line: 5,
          column: 2,
          endLine: 5,
          endColumn: 11,
        },
      ],
      10,
    );
    expect(m).toMatchObject({
      severity: 8,
      startLineNumber: 5,
      startColumn: 2,
      endLineNumber: 5,
      endColumn: 11,
      source: 'Foundry',
    });
  });

  it('widens empty ranges and clamps lines; positionless diagnostics mark line 1', () => {
    const [a, b] = toMarkers(
      monaco,
      [
        { severity: 'warning', message: 'w', line: 20, column: 4, endLine: 20, endColumn: 4 },
        { severity: 'error', message: 'no position', line: 0, column: 0, endLine: 0, endColumn: 0 },
      ],
      3,
    );
    expect(a).toMatchObject({
      severity: 4,
      startLineNumber: 3,
      startColumn: 4,
      endLineNumber: 3,
      endColumn: 5,
    });
    expect(b).toMatchObject({ startLineNumber: 1, startColumn: 1, endLineNumber: 1 });
  });
});
