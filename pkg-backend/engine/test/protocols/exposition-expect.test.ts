import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Entry, ExpositionParser } from '../../src/protocols/exposition/parser.js';

const text = 'a{x="1"} 1\na{x="1",y="2"} 2\nb 3\n';

function series(p: ExpositionParser, expect: string | undefined) {
  p.expect = expect;
  assert.equal(p.next(), Entry.SERIES);
  return { fast: p.fastMatched, series: p.series, value: p.value };
}

test('expect: an exact series match skips the label scan; a prefix or a different series does not', () => {
  const p = new ExpositionParser(text, 'prometheus');
  assert.deepEqual(series(p, 'a{x="1"}'), { fast: true, series: 'a{x="1"}', value: 1 });
  assert.throws(() => p.labels(), /not scanned/);
  // `a{x="1"}` is a prefix of the next line's series but is not followed by a blank: full scan.
  assert.deepEqual(series(p, 'a{x="1"}'), { fast: false, series: 'a{x="1",y="2"}', value: 2 });
  assert.deepEqual(p.labels(), ['__name__', 'a', 'x', '1', 'y', '2']);
  assert.deepEqual(series(p, 'c'), { fast: false, series: 'b', value: 3 });
  assert.equal(p.next(), Entry.EOF);
});
