/**
 * Exposition parsers against the shared corpus (`corpus/exposition`, classification from its README) and
 * unit cases for escapes, special values, timestamps, metadata and OpenMetrics exemplars.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import {
  decodeUtf8,
  Entry,
  ExpositionError,
  ExpositionParser,
  type ExpositionFormat,
  type ParserOptions,
} from '../../src/protocols/exposition/parser.js';
import { formatGoFloat, formatOpenMetricsFloat } from '../../src/protocols/exposition/float.js';
import { CORPUS, walk } from '../support/corpus.js';

interface Sample {
  labels: Record<string, string>;
  value: number;
  ts: number;
  exemplar?: { labels: Record<string, string>; value: number; ts: number };
}

function parseAll(text: string, format: ExpositionFormat, opts: ParserOptions = {}) {
  const p = new ExpositionParser(text, format, opts);
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  const units = new Map<string, string>();
  for (;;) {
    const e = p.next();
    if (e === Entry.EOF) break;
    if (e === Entry.HELP) help.set(p.metaName, p.metaText);
    else if (e === Entry.TYPE) types.set(p.metaName, p.mtype);
    else if (e === Entry.UNIT) units.set(p.metaName, p.metaText);
    else if (e === Entry.SERIES) {
      const l = p.labels();
      const rec: Record<string, string> = {};
      for (let i = 0; i < l.length; i += 2) rec[l[i]!] = l[i + 1]!;
      const s: Sample = { labels: rec, value: p.value, ts: p.timestamp };
      if (p.hasExemplar) {
        const el = p.exemplarLabels();
        const er: Record<string, string> = {};
        for (let i = 0; i < el.length; i += 2) er[el[i]!] = el[i + 1]!;
        s.exemplar = { labels: er, value: p.exemplarValue, ts: p.exemplarTimestamp };
      }
      samples.push(s);
    }
  }
  return { samples, help, types, units };
}

function rejects(text: string, format: ExpositionFormat, opts: ParserOptions = {}): string | undefined {
  try {
    parseAll(text, format, opts);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ExpositionError, `not an ExpositionError: ${String(err)}`);
    return err.message;
  }
}

const DIR = join(CORPUS, 'exposition');
const README = readFileSync(join(DIR, 'README.md'), 'utf8');
/** file → kind, from the README table. */
const KINDS = new Map<string, string>();
for (const m of README.matchAll(/^\| ([^|]+?) \| ([^|]+?) \| \d+ \|$/gm)) KINDS.set(m[1]!, m[2]!);

/** Rough sample count: lines that are neither blank nor comments. */
function sampleLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).length;
}

describe('exposition corpus', () => {
  const files = walk(DIR, '').filter((f) => !f.endsWith('README.md'));
  it('the README classifies every file', () => {
    assert.equal(files.length, KINDS.size);
    for (const f of files) assert.ok(KINDS.has(relative(DIR, f)), relative(DIR, f));
  });
  const rejectedByTextparse: string[] = [];
  const validRejectedByTextparse: string[] = [];
  for (const f of files) {
    const rel = relative(DIR, f);
    const kind = KINDS.get(rel) ?? '';
    const format: ExpositionFormat = kind.startsWith('OpenMetrics') ? 'openmetrics' : 'prometheus';
    const { text } = decodeUtf8(readFileSync(f));
    const valid = !/invalid/.test(kind);
    it(`${rel}: ${valid ? 'parses' : 'is rejected'}`, () => {
      if (valid) {
        const { samples } = parseAll(text, format, { strict: format === 'prometheus' });
        // Every non-comment line is one sample (the corpus has no multi-line label values in valid files).
        assert.equal(samples.length, sampleLines(text.replace(/^# EOF\n?$/m, '')));
        for (const s of samples) assert.ok(s.labels.__name__, 'every sample has a name');
        if (format === 'prometheus' && rejects(text, format))
          validRejectedByTextparse.push(rel.replace(/.*\//, ''));
      } else {
        const reason = rejects(text, format, { strict: true });
        assert.ok(reason, 'expected a rejection (expfmt rules)');
        assert.match(reason, /^line \d+: \S/);
        if (rejects(text, format)) rejectedByTextparse.push(rel.replace(/.*\//, ''));
      }
    });
  }
  it('without strict, rejects exactly what Prometheus textparse rejects', () => {
    // textparse accepts what expfmt refuses in: 0 (no final newline: textparse appends one), 1 (any `\x`
    // escape is lexed), 2 (line breaks inside quoted values), 4 (`__name__` label), 7/19 (non-float
    // quantile/le kept as-is), 12/13/14 (HELP/TYPE are not de-duplicated or ordered).
    const expected = [3, 5, 6, 8, 9, 10, 11, 15, 16, 17, 18].map((n) => `from_test_parse_error_${n}`);
    assert.deepEqual(rejectedByTextparse.sort(), expected.sort());
    // And the one valid expfmt seed textparse refuses: `# HELP ` without a name, and negative timestamps.
    assert.deepEqual(validRejectedByTextparse, ['from_test_parse_3']);
  });
  it('alltypes.237mfs with and without metadata yield the same samples', () => {
    const base = join(DIR, 'prometheus/model/textparse/testdata');
    const a = parseAll(readFileSync(join(base, 'alltypes.237mfs.prom.txt'), 'utf8'), 'prometheus');
    const b = parseAll(readFileSync(join(base, 'alltypes.237mfs.nometa.prom.txt'), 'utf8'), 'prometheus');
    assert.ok(a.samples.length > 1000);
    assert.equal(a.types.size, 237);
    assert.equal(b.types.size, 0);
    // `le`/`quantile` are normalised only under a histogram/summary TYPE, so compare names and values.
    assert.deepEqual(
      a.samples.map((s) => [s.labels.__name__, s.value]),
      b.samples.map((s) => [s.labels.__name__, s.value]),
    );
  });
  it('expfmt seed cases carry the expected values', () => {
    const corpus = join(DIR, 'common/expfmt/fuzz/corpus');
    const p1 = parseAll(readFileSync(join(corpus, 'from_test_parse_1'), 'utf8'), 'prometheus');
    assert.deepEqual(
      p1.samples.map((s) => [s.labels.__name__, s.value, s.ts]),
      [
        ['minimal_metric', 1.234, NaN],
        ['another_metric', -3000, 103948],
        ['no_labels', 3, NaN],
      ],
    );
    const p2 = parseAll(readFileSync(join(corpus, 'from_test_parse_2'), 'utf8'), 'prometheus');
    assert.deepEqual(p2.samples[1]!.labels, {
      __name__: 'name',
      labelname: 'val2',
      basename: 'base"v\\al\nue',
    });
    assert.equal(p2.samples[1]!.ts, 1234567890);
    assert.ok(Number.isNaN(p2.samples[0]!.value));
    assert.equal(p2.samples[2]!.value, Infinity);
    assert.equal(p2.samples[3]!.value, -Infinity);
    assert.equal(p2.help.get('name'), 'two-line\n doc  str\\ing');
    const p4 = parseAll(readFileSync(join(corpus, 'from_test_parse_4'), 'utf8'), 'prometheus');
    assert.deepEqual(p4.samples.map((s) => s.labels.le).filter(Boolean), [
      '100.0',
      '120.0',
      '144.0',
      '172.8',
      '+Inf',
    ]);
  });
  it('OpenMetrics histogram file: exemplars, _created, metadata', () => {
    const f = join(DIR, 'prometheus/model/textparse/testdata/alltypes.5mfs.om.txt');
    const r = parseAll(readFileSync(f, 'utf8'), 'openmetrics');
    const ex = r.samples.filter((s) => s.exemplar);
    assert.ok(ex.length > 0);
    assert.deepEqual(ex[0]!.exemplar!.labels, { dummyID: '17783' });
    assert.equal(ex[0]!.exemplar!.ts, Math.trunc(1.7268398142239082e9 * 1000));
    assert.ok(r.samples.some((s) => s.labels.__name__ === 'promhttp_metric_handler_errors_created'));
    assert.equal(r.types.get('rpc_durations_histogram_seconds'), 'histogram');
    const skipped = parseAll(readFileSync(f, 'utf8'), 'openmetrics', { skipCreatedSeries: true });
    assert.ok(!skipped.samples.some((s) => s.labels.__name__.endsWith('_created')));
  });
});

describe('Prometheus text parser', () => {
  it('escapes in label values and quoted UTF-8 names', () => {
    const r = parseAll('a{b="x\\"y\\\\z\\n",c="\\t"} 1\n{"my.metric","la.bel"="v"} 2\n', 'prometheus');
    assert.deepEqual(r.samples[0]!.labels, { __name__: 'a', b: 'x"y\\z\n', c: '\\t' });
    assert.deepEqual(r.samples[1]!.labels, { __name__: 'my.metric', 'la.bel': 'v' });
  });
  it('special values and Go float syntax', () => {
    const r = parseAll('a NaN\nb +Inf\nc -Inf\nd Inf\ne 1e3\nf .5\ng 08\nh -0.0\ni infinity\n', 'prometheus');
    const v = r.samples.map((s) => s.value);
    assert.ok(Number.isNaN(v[0]!));
    assert.deepEqual(v.slice(1), [Infinity, -Infinity, Infinity, 1000, 0.5, 8, -0, Infinity]);
    assert.match(rejects('a 0x1p-3\n', 'prometheus')!, /unsupported character in float/);
    assert.match(rejects('a 1_0\n', 'prometheus')!, /unsupported character in float/);
    assert.match(rejects('a true\n', 'prometheus')!, /strconv.ParseFloat: parsing "true": invalid syntax/);
    assert.match(rejects('a 1e999\n', 'prometheus')!, /value out of range/);
  });
  it('timestamps are int64 milliseconds', () => {
    const r = parseAll('a 1 1700000000000\nb 2\n', 'prometheus');
    assert.deepEqual(
      r.samples.map((s) => s.ts),
      [1700000000000, NaN],
    );
    // Negative timestamps: expfmt takes them, textparse's lexer does not.
    assert.match(rejects('b 2 -5\n', 'prometheus')!, /expected timestamp or new record/);
    assert.equal(parseAll('b 2 -5\n', 'prometheus', { strict: true }).samples[0]!.ts, -5);
    assert.match(rejects('a 1 2.5\n', 'prometheus')!, /expected next entry after timestamp/);
    assert.match(rejects('a 1 99999999999999999999\n', 'prometheus')!, /value out of range/);
  });
  it('HELP/TYPE metadata, duplicates only refused in strict mode', () => {
    const text = '# HELP m one\\ntwo\n# TYPE m counter\n# HELP m again\nm 1\n# TYPE m gauge\n';
    const r = parseAll(text, 'prometheus');
    assert.equal(r.help.get('m'), 'again');
    assert.equal(r.types.get('m'), 'gauge');
    assert.match(rejects(text, 'prometheus', { strict: true })!, /second HELP line for metric name "m"/);
    assert.match(
      rejects('m 1\n# TYPE m counter\n', 'prometheus', { strict: true })!,
      /reported after samples/,
    );
    assert.match(rejects('# TYPE m bla\n', 'prometheus')!, /invalid metric type "bla"/);
  });
  it('series text is the raw name and label block (cache key)', () => {
    const p = new ExpositionParser('  foo{a="1"}   7 123\nfoo 8\n', 'prometheus');
    assert.equal(p.next(), Entry.SERIES);
    assert.equal(p.series, 'foo{a="1"}');
    assert.equal(p.next(), Entry.SERIES);
    assert.equal(p.series, 'foo');
    assert.equal(p.next(), Entry.EOF);
  });
  it('clear rejection reasons with line numbers', () => {
    assert.equal(
      rejects("ok 1\na{b='c'} 1\n", 'prometheus'),
      'line 2: expected label value, got "\'" ("INVALID") while parsing: "a{b=\'"',
    );
    assert.match(rejects('{a="ok"} 1', 'prometheus')!, /metric name not set/);
    assert.match(
      rejects('a{b="\uFFFD"} 1\n', 'prometheus', { lossy: true } as ParserOptions)!,
      /invalid UTF-8/,
    );
  });
});

describe('OpenMetrics parser', () => {
  it('requires # EOF and nothing after it', () => {
    assert.match(rejects('a 1\n', 'openmetrics')!, /data does not end with # EOF/);
    assert.match(rejects('a 1\n# EOF\nb 2\n', 'openmetrics')!, /unexpected data after # EOF/);
    assert.equal(parseAll('a 1\n# EOF', 'openmetrics').samples.length, 1);
  });
  it('rejects blank lines, free comments, and blanks inside label blocks', () => {
    assert.ok(rejects('a 1\n\n# EOF\n', 'openmetrics'));
    assert.ok(rejects('# hello\n# EOF\n', 'openmetrics'));
    assert.ok(rejects('a{b="1", c="2"} 1\n# EOF\n', 'openmetrics'));
  });
  it('units, types, float timestamps in seconds, exemplars', () => {
    const text = [
      '# TYPE req_seconds histogram',
      '# UNIT req_seconds seconds',
      '# HELP req_seconds Req \\"time\\".',
      'req_seconds_bucket{le="1"} 3 1520879607.789 # {trace_id="abc"} 0.5 1520879607.1',
      'req_seconds_bucket{le="+Inf"} 4 # {trace_id="def"} 2',
      'req_seconds_count 4',
      'req_seconds_sum 3.5',
      'req_seconds_created 1520430000.123',
      '# TYPE st stateset',
      'st{st="a"} 1',
      '# TYPE i info',
      'i_info{v="1"} 1',
      '# EOF',
      '',
    ].join('\n');
    const r = parseAll(text, 'openmetrics');
    assert.equal(r.units.get('req_seconds'), 'seconds');
    assert.equal(r.help.get('req_seconds'), 'Req "time".');
    assert.equal(r.samples[0]!.labels.le, '1.0');
    assert.equal(r.samples[0]!.ts, 1520879607789);
    assert.deepEqual(r.samples[0]!.exemplar, { labels: { trace_id: 'abc' }, value: 0.5, ts: 1520879607100 });
    assert.ok(Number.isNaN(r.samples[1]!.exemplar!.ts));
    assert.equal(r.samples.length, 7);
    assert.match(
      rejects('# TYPE a_seconds counter\n# UNIT a_seconds bytes\n# EOF\n', 'openmetrics')!,
      /not a suffix/,
    );
    assert.match(rejects('# TYPE a untyped\n# EOF\n', 'openmetrics')!, /invalid metric type "untyped"/);
  });
});

describe('Go float formatting', () => {
  it('matches strconv %g shortest and FormatOpenMetricsFloat', () => {
    assert.equal(formatGoFloat(1e6), '1e+06');
    assert.equal(formatGoFloat(100000), '100000');
    assert.equal(formatGoFloat(0.0001), '0.0001');
    assert.equal(formatGoFloat(0.00001), '1e-05');
    assert.equal(formatGoFloat(1234567), '1.234567e+06');
    assert.equal(formatGoFloat(-8.999999999999979e-5), '-8.999999999999979e-05');
    assert.equal(formatOpenMetricsFloat(172.8), '172.8');
    assert.equal(formatOpenMetricsFloat(100), '100.0');
    assert.equal(formatOpenMetricsFloat(Infinity), '+Inf');
  });
});
