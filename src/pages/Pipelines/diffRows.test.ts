import { toSideBySide } from './diffRows';

describe('toSideBySide', () => {
  it('pairs removals with the additions after them and keeps context on both sides', () => {
    const rows = toSideBySide({
      from: 1,
      to: 2,
      unified: '',
      hunks: [
        {
          oldStart: 3,
          oldLines: 3,
          newStart: 3,
          newLines: 4,
          lines: [' a', '-b', '+B', '+B2', ' c', '\\ No newline at end of file'],
        },
      ],
    });
    expect(rows).toEqual([
      { kind: 'hunk', text: '@@ -3,3 +3,4 @@' },
      { kind: 'line', left: { n: 3, text: 'a', changed: false }, right: { n: 3, text: 'a', changed: false } },
      { kind: 'line', left: { n: 4, text: 'b', changed: true }, right: { n: 4, text: 'B', changed: true } },
      { kind: 'line', left: undefined, right: { n: 5, text: 'B2', changed: true } },
      { kind: 'line', left: { n: 5, text: 'c', changed: false }, right: { n: 6, text: 'c', changed: false } },
    ]);
  });

  it('is empty for identical versions', () => {
    expect(toSideBySide({ from: 1, to: 2, unified: '', hunks: [] })).toEqual([]);
  });
});
