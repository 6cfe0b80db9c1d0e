/**
 * The "extra" loki.process stages (stages/extra.ts), each built with a small StageContext stub and fed
 * StageEntries. Cases are transcribed from Alloy's stage tests (stages/*_test.go) where they exist.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type {
  Stage,
  StageConfig,
  StageContext,
  StageEntry,
  StageFactory,
} from '../../src/components/loki/process/stage.js';
import { extraStages } from '../../src/components/loki/process/stages/extra.js';
import {
  formatFloatF,
  getFloat,
  getString,
  parseRFC3339Nano,
} from '../../src/components/loki/process/stages/extra-util.js';
import { parseLogSelector } from '../../src/components/loki/process/stages/logql.js';
import { parseCRI } from '../../src/components/loki/process/stages/cri.js';
import { replaceLuhn } from '../../src/components/loki/process/stages/luhn.js';
import { compilePattern } from '../../src/components/loki/process/stages/pattern.js';
import { Logger, LogSink } from '../../src/runtime/logger.js';
import { renderRegistries } from '../../src/runtime/metrics.js';
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { t } from '../../src/runtime/schema.js';
import { logsReceiverCapsule, type LogEntry, type LogsReceiver } from '../../src/components/loki/entry.js';
import { labelsFromRecord } from '../../src/components/prometheus/labels.js';
import { eventually, startEngine } from '../runtime/helpers.js';

interface Stub extends StageContext {
  drops: Map<string, number>;
  flushRequests: { stage: Stage; afterMs: number }[];
  logs: string[];
}

/** A test-only nested stage: sets the label `test_label` to "ran". */
const markStage: StageFactory = () => ({
  process(entries) {
    for (const e of entries) e.labels.set('test_label', 'ran');
    return entries;
  },
});

function stub(): Stub {
  const logs: string[] = [];
  const factories: Record<string, StageFactory> = { ...extraStages, mark: markStage };
  const ctx: Stub = {
    logger: new Logger(new LogSink({ level: 'debug', write: (l) => logs.push(l) })),
    registry: new Registry(),
    drops: new Map(),
    flushRequests: [],
    logs,
    dropped(reason, count = 1) {
      ctx.drops.set(reason, (ctx.drops.get(reason) ?? 0) + count);
    },
    buildStages(configs) {
      return configs.map((c) => {
        const f = factories[c.type];
        if (!f) throw new Error(`unknown stage type ${c.type}`);
        return f(c, ctx);
      });
    },
    requestFlush(stage, afterMs) {
      ctx.flushRequests.push({ stage, afterMs });
    },
  };
  return ctx;
}

function build(type: string, args: Record<string, unknown>, ctx: Stub = stub()): Stage {
  return extraStages[type]!({ type, ...args } as StageConfig, ctx);
}

function entry(
  line: string,
  labels: Record<string, string> = {},
  opts: { extracted?: Record<string, unknown>; ts?: bigint; sm?: Record<string, string> } = {},
): StageEntry {
  const extracted = new Map<string, unknown>(Object.entries(labels));
  for (const [k, v] of Object.entries(opts.extracted ?? {})) extracted.set(k, v);
  return {
    labels: new Map(Object.entries(labels)),
    extracted,
    timestamp: opts.ts ?? 1_000_000_000n,
    line,
    structuredMetadata: new Map(Object.entries(opts.sm ?? {})),
  };
}

const rec = (m: Map<string, string>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('value helpers', () => {
  it('formats and converts as Go', () => {
    assert.equal(formatFloatF(50), '50');
    assert.equal(formatFloatF(1e21), '1000000000000000000000');
    assert.equal(formatFloatF(1e-7), '0.0000001');
    assert.equal(formatFloatF(-1.5e-7), '-0.00000015');
    assert.equal(getString(true), 'true');
    assert.throws(() => getString(null), /can't convert <nil> to string/);
    assert.equal(getFloat('0.5ms'), 0.0005);
    assert.equal(getFloat('1e3'), 1000);
    assert.equal(getFloat(false), 0);
    assert.throws(() => getFloat('abc'));
  });

  it('parses RFC 3339 timestamps to nanoseconds', () => {
    assert.equal(parseRFC3339Nano('2019-01-01T01:00:00.000000001Z'), 1546304400000000001n);
    assert.equal(parseRFC3339Nano('2019-04-30T02:12:41.8443515Z'), 1556590361844351500n);
    assert.equal(parseRFC3339Nano('2019-05-07T18:57:50.904275087+00:00'), 1557255470904275087n);
    assert.equal(parseRFC3339Nano('2019-05-07T20:57:50+02:00'), 1557255470000000000n);
    assert.equal(parseRFC3339Nano('3242'), undefined);
    assert.equal(parseRFC3339Nano('2019-02-30T00:00:00Z'), undefined);
  });
});

describe('logql selector', () => {
  it('parses matchers and filters', () => {
    const s = parseLogSelector('{foo="bar"} |= "baz" |~ "blip" != "flip" !~ "flap"');
    assert.deepEqual(
      s.matchers.map((m) => [m.name, m.type, m.value]),
      [['foo', '=', 'bar']],
    );
    assert.deepEqual(s.filters, [
      { type: '|=', match: 'baz' },
      { type: '|~', match: 'blip' },
      { type: '!=', match: 'flip' },
      { type: '!~', match: 'flap' },
    ]);
    const t = parseLogSelector('{ foo = "bar", bar != "baz", a=~"x.*", b !~ "y" , q = "ba\\"r" }');
    assert.deepEqual(
      t.matchers.map((m) => [m.name, m.type, m.value]),
      [
        ['foo', '=', 'bar'],
        ['bar', '!=', 'baz'],
        ['a', '=~', 'x.*'],
        ['b', '!~', 'y'],
        ['q', '=', 'ba"r'],
      ],
    );
  });

  it('reports errors as Alloy', () => {
    const cases: [string, string][] = [
      ['{foo="bar}', 'parse error at line 1, col 6: literal not terminated'],
      ['{foo="bar"', 'parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,'],
      ['{foo="bar"} |~', 'parse error at line 1, col 15: syntax error: unexpected $end, expecting STRING'],
      [
        '{foo="bar"} "foo"',
        'parse error at line 1, col 13: syntax error: unexpected STRING, expecting != or !~ or |~ or |=',
      ],
      [
        '{foo="bar"} foo',
        'parse error at line 1, col 13: syntax error: unexpected IDENTIFIER, expecting != or !~ or |~ or |=',
      ],
      ['{}', 'parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER'],
      ['foo', 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER, expecting {'],
    ];
    for (const [input, msg] of cases) assert.throws(() => parseLogSelector(input), { message: msg }, input);
  });
});

describe('stage.match', () => {
  // Alloy's TestMatcher table: selector, labels, action, shouldDrop, shouldRun, wantErr.
  const table: [string, Record<string, string>, 'keep' | 'drop', boolean, boolean, boolean][] = [
    ['{foo="bar"} |= "foo"', { foo: 'bar' }, 'keep', false, true, false],
    ['{foo="bar"} |~ "foo"', { foo: 'bar' }, 'keep', false, true, false],
    ['{foo="bar"} |= "bar"', { foo: 'bar' }, 'keep', false, false, false],
    ['{foo="bar"} |~ "bar"', { foo: 'bar' }, 'keep', false, false, false],
    ['{foo="bar"} != "bar"', { foo: 'bar' }, 'keep', false, true, false],
    ['{foo="bar"} !~ "bar"', { foo: 'bar' }, 'keep', false, true, false],
    ['{foo="bar"} != "foo"', { foo: 'bar' }, 'keep', false, false, false],
    ['{foo="bar"} |= "foo"', { foo: 'bar' }, 'drop', true, false, false],
    ['{foo="bar"} |~ "foo"', { foo: 'bar' }, 'drop', true, false, false],
    ['{foo="bar"} |= "bar"', { foo: 'bar' }, 'drop', false, false, false],
    ['{foo="bar"} |~ "bar"', { foo: 'bar' }, 'drop', false, false, false],
    ['{foo="bar"} != "bar"', { foo: 'bar' }, 'drop', true, false, false],
    ['{foo="bar"} !~ "bar"', { foo: 'bar' }, 'drop', true, false, false],
    ['{foo="bar"} != "foo"', { foo: 'bar' }, 'drop', false, false, false],
    ['{foo="bar"} !~ "[]"', { foo: 'bar' }, 'drop', false, false, true],
    ['foo', { foo: 'bar' }, 'keep', false, false, true],
    ['{}', { foo: 'bar' }, 'keep', false, false, true],
    ['{', { foo: 'bar' }, 'keep', false, false, true],
    ['', { foo: 'bar' }, 'keep', false, true, true],
    ['{foo="bar"}', { foo: 'bar' }, 'keep', false, true, false],
    ['{foo=""}', { foo: 'bar' }, 'keep', false, false, false],
    ['{foo=""}', {}, 'keep', false, true, false],
    ['{foo!="bar"}', { foo: 'bar' }, 'keep', false, false, false],
    ['{foo!="bar"}', { foo: 'bar' }, 'drop', false, false, false],
    ['{foo="bar",bar!="test"}', { foo: 'bar' }, 'keep', false, true, false],
    ['{foo="bar",bar!="test"}', { foo: 'bar' }, 'drop', true, false, false],
    ['{foo="bar",bar!="test"}', { foo: 'bar', bar: 'test' }, 'keep', false, false, false],
    ['{foo="bar",bar=~"te.*"}', { foo: 'bar', bar: 'test' }, 'drop', true, false, false],
    ['{foo="bar",bar=~"te.*"}', { foo: 'bar', bar: 'test' }, 'keep', false, true, false],
    ['{foo="bar",bar!~"te.*"}', { foo: 'bar', bar: 'test' }, 'keep', false, false, false],
    ['{foo="bar",bar!~"te.*"}', { foo: 'bar', bar: 'test' }, 'drop', false, false, false],
    ['{foo="bar"} |= "foo" | status >= 200', { foo: 'bar' }, 'keep', false, false, true],
  ];
  for (const [selector, labels, action, shouldDrop, shouldRun, wantErr] of table) {
    it(`${selector} ${JSON.stringify(labels)} ${action}`, () => {
      const ctx = stub();
      const stages = action === 'drop' ? [] : [{ type: 'mark' }];
      let s: Stage;
      try {
        s = build('match', { selector, action, stage: stages, drop_counter_reason: 'match_stage' }, ctx);
      } catch (err) {
        assert.ok(wantErr, `unexpected error ${(err as Error).message}`);
        return;
      }
      assert.ok(!wantErr, 'expected an error');
      const out = s.process([entry('foo', labels)]);
      if (shouldDrop) {
        assert.equal(out.length, 0);
        assert.equal(ctx.drops.get('match_stage'), 1);
        return;
      }
      assert.equal(out.length, 1);
      assert.equal(out[0]!.labels.get('test_label') === 'ran', shouldRun);
    });
  }

  it('validates the config with Alloy texts', () => {
    const err = (args: Record<string, unknown>) => {
      try {
        build('match', args);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    assert.equal(err({ selector: '', stage: [] }), 'selector statement required for match stage');
    assert.equal(
      err({ selector: '{app="foo"}', action: 'keep', stage: [] }),
      "match stage requires at least one additional stage to be defined in '- stages'",
    );
    assert.equal(
      err({ selector: '{app="foo"}', action: 'drop', stage: [{ type: 'mark' }] }),
      'match stage configured to drop entries cannot contains stages',
    );
    assert.equal(
      err({ selector: '{app="foo"}', action: 'nope', stage: [] }),
      "match stage action should be 'keep' or 'drop'",
    );
    assert.equal(
      err({ selector: '{app="foo}', action: 'keep', stage: [{ type: 'mark' }] }),
      'invalid selector syntax for match stage: parse error at line 1, col 6: literal not terminated',
    );
    assert.equal(
      err({ selector: '{app="foo"} |~ "[]"', action: 'drop', stage: [] }),
      'error parsing pipeline: error parsing regexp: missing closing ]: `[]`',
    );
    assert.match(
      err({ selector: '{app="loki"}', stage: [{ type: 'drop' }] }),
      /^match stage failed to create pipeline from config: drop stage config must contain/,
    );
    assert.equal(err({ selector: '{app="foo"}', stage: [{ type: 'mark' }] }), 'no error');
    assert.equal(err({ selector: '{app="foo"}', action: 'drop', stage: [] }), 'no error');
  });

  it('keeps batch order around matching runs and flushes nested holding stages', () => {
    const ctx = stub();
    const s = build(
      'match',
      {
        selector: '{app="x"}',
        stage: [
          {
            type: 'multiline',
            firstline: '^START',
            max_lines: 128,
            max_wait_time: 3000,
            trim_newlines: true,
          },
        ],
      },
      ctx,
    );
    const out = s.process([
      entry('START a', { app: 'x' }),
      entry('other 1', { app: 'y' }),
      entry('cont a', { app: 'x' }),
      entry('START b', { app: 'x' }),
      entry('other 2', { app: 'y' }),
    ]);
    assert.deepEqual(
      out.map((e) => e.line),
      ['other 1', 'START a\ncont a', 'other 2'],
    );
    assert.deepEqual(
      s.flush!().map((e) => e.line),
      ['START b'],
    );
  });

  it('uses a custom drop_counter_reason', () => {
    const ctx = stub();
    const s = build(
      'match',
      { selector: '{app="x"} |= "debug"', action: 'drop', drop_counter_reason: 'noisy' },
      ctx,
    );
    const out = s.process([entry('a debug line', { app: 'x' }), entry('info', { app: 'x' })]);
    assert.deepEqual(
      out.map((e) => e.line),
      ['info'],
    );
    assert.equal(ctx.drops.get('noisy'), 1);
  });
});

describe('stage.drop', () => {
  const now = BigInt(Date.now()) * 1_000_000n;
  const hour = 3_600_000_000_000n;
  // Alloy's Test_dropStage_Process table (name, config, extracted, line, timestamp, shouldDrop).
  const table: [string, Record<string, unknown>, Record<string, unknown>, string, bigint, boolean][] = [
    ['Longer Than Should Drop', { longer_than: '10B' }, {}, '12345678901', now, true],
    ['Longer Than Should Not Drop When Equal', { longer_than: '10B' }, {}, '1234567890', now, false],
    ['Longer Than Should Not Drop When Less', { longer_than: '10B' }, {}, '123456789', now, false],
    ['Older than Should Drop', { older_than: 3_600_000 }, {}, '', now - 2n * hour, true],
    ['Older than Should Not Drop', { older_than: 3_600_000 }, {}, '', now - hour / 12n, false],
    ['Matched Source', { source: 'key' }, { key: '' }, '', now, true],
    ['Did not match Source', { source: 'key1' }, { key: 'val1' }, '', now, false],
    ['Matched Source and Value', { source: 'key', value: 'val1' }, { key: 'val1' }, '', now, true],
    ['Did not match Source and Value', { source: 'key', value: 'val1' }, { key: 'VALRUE1' }, '', now, false],
    ['Matched Source(int) and Value(string)', { source: 'level', value: '50' }, { level: 50 }, '', now, true],
    [
      'Matched Source(string) and Value(string)',
      { source: 'level', value: '50' },
      { level: '50' },
      '',
      now,
      true,
    ],
    [
      'Did not match Source(int) and Value(string)',
      { source: 'level', value: '50' },
      { level: 100 },
      '',
      now,
      false,
    ],
    [
      'Matched Source and Value with multiple sources',
      { source: 'key1,key2', value: 'val1;val200.*' },
      { key1: 'val1', key2: 'val200.*' },
      '',
      now,
      true,
    ],
    [
      'Matched Source and Value with multiple sources and custom separator',
      { source: 'key1,key2', separator: '|', value: 'val1|val200[a]' },
      { key1: 'val1', key2: 'val200[a]' },
      '',
      now,
      true,
    ],
    [
      'Regex Matched Source(int) and Expression',
      { source: 'key', expression: '50' },
      { key: 50 },
      '',
      now,
      true,
    ],
    [
      'Regex Matched Source and Expression with multiple sources',
      { source: 'key1,key2', expression: 'val\\d{1};val\\d{3}$' },
      { key1: 'val1', key2: 'val200' },
      '',
      now,
      true,
    ],
    [
      'Regex Did not match Source and Expression with multiple sources and custom separator',
      { source: 'key1,key2', separator: '#', expression: 'match\\d;match\\d' },
      { key1: 'match1', key2: 'match2' },
      '',
      now,
      false,
    ],
    ['Regex No Matching Source', { source: 'key', expression: '.*val.*' }, { pokey: 'pal1' }, '', now, false],
    [
      'Regex Did Not Match Line',
      { expression: '.*val.*' },
      {},
      'this is a line which does not match the regex',
      now,
      false,
    ],
    [
      'Regex Matched Line',
      { expression: '.*val.*' },
      {},
      'this is a line with the word value in it',
      now,
      true,
    ],
    [
      'Match Source and Length Both Match',
      { source: 'key', longer_than: '10B' },
      { key: 'pal1' },
      '12345678901',
      now,
      true,
    ],
    [
      'Match Source and Length Only First Matches',
      { source: 'key', longer_than: '10B' },
      { key: 'pal1' },
      '123456789',
      now,
      false,
    ],
    ['Value with null source value is kept', { source: 'key', value: 'x' }, { key: null }, '', now, false],
  ];
  for (const [name, cfg, extracted, line, ts, shouldDrop] of table) {
    it(name, () => {
      const ctx = stub();
      const s = build('drop', { separator: ';', drop_counter_reason: 'drop_stage', ...cfg }, ctx);
      const out = s.process([entry(line, {}, { extracted, ts })]);
      assert.equal(out.length === 0, shouldDrop);
      assert.equal(ctx.drops.get('drop_stage') ?? 0, shouldDrop ? 1 : 0);
    });
  }

  it('validates as Alloy', () => {
    assert.throws(() => build('drop', {}), {
      message:
        'drop stage config must contain at least one of `source`, `expression`, `older_than` or `longer_than`',
    });
    assert.throws(() => build('drop', { source: 'a', value: 'x', expression: 'y' }), {
      message: 'drop stage config error, `value` and `expression` cannot both be defined at the same time',
    });
    assert.throws(() => build('drop', { expression: '(' }), {
      message: 'drop stage regex compilation error: error parsing regexp: missing closing ): `(`',
    });
  });
});

describe('stage.multiline', () => {
  const cfg = { firstline: '^START', max_lines: 128, max_wait_time: 3000, trim_newlines: true };

  it('joins blocks (TestMultilineStageProcess)', () => {
    const s = build('multiline', cfg);
    const lines = [
      'not a start line before 1',
      'not a start line before 2',
      'START line 1',
      'not a start line',
      'START line 2',
      'START line 3',
    ];
    const out = s.process(lines.map((l) => entry(l, { value: 'label' })));
    const flushed = s.flush!();
    assert.deepEqual(
      [...out, ...flushed].map((e) => e.line),
      [
        'not a start line before 1',
        'not a start line before 2',
        'START line 1\nnot a start line',
        'START line 2',
        'START line 3',
      ],
    );
  });

  it('keeps streams apart and trims newlines (TestMultilineStageMultiStreams)', () => {
    const s = build('multiline', cfg);
    const input: [string, string][] = [
      ['START line 1\r\n', 'one'],
      ['not a start line 1\r\n', 'one'],
      ['START line 1\n', 'two'],
      ['not a start line 2\n', 'one'],
      ['START line 2\n', 'two'],
      ['START line 2', 'one'],
      ['not a start line 1', 'one'],
    ];
    const out = s.process(input.map(([l, v]) => entry(l, { value: v })));
    const all = [...out, ...s.flush!()].map((e) => `${e.labels.get('value')}:${e.line}`);
    assert.deepEqual(all.sort(), [
      'one:START line 1\nnot a start line 1\nnot a start line 2',
      'one:START line 2\nnot a start line 1',
      'two:START line 1',
      'two:START line 2',
    ]);
  });

  it('leaves newlines when trim_newlines is false', () => {
    const s = build('multiline', { ...cfg, trim_newlines: false });
    const out = s.process(
      ['before', 'START line 1\n', 'not a start line', 'START line 2\r\n', 'START line 3'].map((l) =>
        entry(l),
      ),
    );
    assert.deepEqual(
      [...out, ...s.flush!()].map((e) => e.line),
      ['before', 'START line 1\n\nnot a start line', 'START line 2\r\n', 'START line 3'],
    );
  });

  it('flushes at max_lines and keeps the start line metadata (TestMultilineStageStartLineFlushedBeforeNew)', () => {
    const s = build('multiline', { ...cfg, max_lines: 2 });
    const out = s.process([
      entry('START line 1', { value: 'label' }, { ts: 100n }),
      entry('continuation line 1', { value: 'label' }, { ts: 200n }),
      entry('continuation line 2', { value: 'label' }, { ts: 300n }),
    ]);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.line, 'START line 1\ncontinuation line 1');
    assert.equal(out[0]!.timestamp, 100n);
    const rest = s.flush!();
    assert.equal(rest.length, 1);
    assert.equal(rest[0]!.line, 'continuation line 2');
    assert.equal(rest[0]!.timestamp, 100n);
    assert.deepEqual(rec(rest[0]!.labels), { value: 'label' });
  });

  it('releases a block after max_wait_time and forgets the stream (TestMultilineStageMaxWaitTime)', async () => {
    const ctx = stub();
    const s = build('multiline', { ...cfg, max_wait_time: 40 }, ctx);
    assert.deepEqual(s.process([entry('START line', { value: 'label' })]), []);
    assert.equal(ctx.flushRequests.length, 1);
    assert.ok(ctx.flushRequests[0]!.afterMs <= 40);
    await sleep(60);
    assert.deepEqual(
      s.flush!().map((e) => e.line),
      ['START line'],
    );
    assert.deepEqual(
      s.process([entry('not a start line hitting timeout', { value: 'label' })]).map((e) => e.line),
      ['not a start line hitting timeout'],
    );
  });

  it('a timed flush releases only the expired streams', async () => {
    const ctx = stub();
    const s = build('multiline', { ...cfg, max_wait_time: 50 }, ctx);
    s.process([entry('START a', { s: 'a' })]);
    await sleep(30);
    s.process([entry('START b', { s: 'b' })]);
    await sleep(30);
    assert.deepEqual(
      s.flush!().map((e) => e.line),
      ['START a'],
    );
    assert.ok(ctx.flushRequests.length >= 2);
    assert.deepEqual(
      s.flush!().map((e) => e.line),
      ['START b'],
    );
  });

  it('validates as Alloy', () => {
    assert.throws(() => build('multiline', { ...cfg, firstline: '' }), {
      message: 'multiline stage config must define `firstline` regular expression',
    });
    assert.throws(() => build('multiline', { ...cfg, firstline: '(' }), {
      message:
        'multiline stage first line regex compilation error: error parsing regexp: missing closing ): `(`',
    });
  });
});

describe('stage.pack', () => {
  // Alloy's TestPackStage cases (labels are pre-seeded into the extracted map).
  const cases: [
    string,
    string[],
    Record<string, string>,
    Record<string, unknown>,
    string,
    Record<string, string>,
  ][] = [
    [
      'no supplied labels list',
      [],
      { foo: 'bar', bar: 'baz' },
      {},
      '{"_entry":"test line 1"}',
      { foo: 'bar', bar: 'baz' },
    ],
    [
      'match one supplied label',
      ['foo'],
      { foo: 'bar', bar: 'baz' },
      {},
      '{"foo":"bar","_entry":"test line 1"}',
      { bar: 'baz' },
    ],
    [
      'match all supplied labels',
      ['foo', 'bar'],
      { foo: 'bar', bar: 'baz' },
      {},
      '{"bar":"baz","foo":"bar","_entry":"test line 1"}',
      {},
    ],
    [
      'match extracted map and labels',
      ['foo', 'extr1'],
      { foo: 'bar', bar: 'baz' },
      { extr1: 'etr1val', extr2: 'etr2val' },
      '{"extr1":"etr1val","foo":"bar","_entry":"test line 1"}',
      { bar: 'baz' },
    ],
    [
      'escape quotes',
      ['foo', 'ex"tr2'],
      { foo: 'bar', bar: 'baz' },
      { extr1: 'etr1val', 'ex"tr2': '"fd"' },
      '{"ex\\"tr2":"\\"fd\\"","foo":"bar","_entry":"test line 1"}',
      { bar: 'baz' },
    ],
  ];
  for (const [name, labelsToPack, labels, extracted, line, wantLabels] of cases) {
    it(name, () => {
      const s = build('pack', { labels: labelsToPack, ingest_timestamp: false });
      const [out] = s.process([entry('test line 1', labels, { extracted, ts: 5n })]);
      assert.equal(out!.line, line);
      assert.deepEqual(rec(out!.labels), wantLabels);
      assert.equal(out!.timestamp, 5n);
    });
  }

  it('escapes HTML characters as Go and sets the ingest timestamp', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const s = build('pack', { labels: ['a'], ingest_timestamp: true });
    const [out] = s.process([entry('<b>&</b>', { a: 'x' }, { ts: 5n })]);
    assert.equal(out!.line, '{"a":"x","_entry":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"}');
    assert.ok(out!.timestamp >= before);
  });
});

describe('stage.limit', () => {
  it('drops over the rate', () => {
    const ctx = stub();
    const s = build('limit', { rate: 1, burst: 2, drop: true, max_distinct_labels: 10000 }, ctx);
    const out = s.process([entry('1'), entry('2'), entry('3'), entry('4')]);
    assert.deepEqual(
      out.map((e) => e.line),
      ['1', '2'],
    );
    assert.equal(ctx.drops.get('ratelimit_drop_stage'), 2);
  });

  it('limits per label value and counts drops by label', async () => {
    const ctx = stub();
    const s = build(
      'limit',
      { rate: 1, burst: 1, drop: true, by_label_name: 'app', max_distinct_labels: 5 },
      ctx,
    );
    const out = s.process([
      entry('a1', { app: 'a' }),
      entry('a2', { app: 'a' }),
      entry('b1', { app: 'b' }),
      entry('n1'),
      entry('n2'),
    ]);
    assert.deepEqual(
      out.map((e) => e.line),
      ['a1', 'b1', 'n1', 'n2'],
    );
    assert.equal(ctx.drops.get('ratelimit_drop_stage'), 1);
    const text = await renderRegistries([ctx.registry]);
    assert.match(text, /loki_process_dropped_lines_by_label_total\{label_name="app",label_value="a"\} 1/);
    assert.ok(ctx.logs.some((l) => l.includes('max_distinct_labels was adjusted up')));
  });

  it('holds entries over the rate and releases them as tokens accrue', async () => {
    const ctx = stub();
    const s = build('limit', { rate: 50, burst: 1, drop: false, max_distinct_labels: 10000 }, ctx);
    const out = s.process([entry('1'), entry('2'), entry('3')]);
    assert.deepEqual(
      out.map((e) => e.line),
      ['1'],
    );
    assert.equal(ctx.flushRequests.length, 1);
    assert.ok(ctx.flushRequests[0]!.afterMs <= 20);
    await sleep(25);
    const released = s.flush!();
    assert.deepEqual(
      released.map((e) => e.line),
      ['2'],
    );
    assert.equal(ctx.flushRequests.length, 2);
    s.close!();
    assert.deepEqual(s.flush!(), []);
  });

  it('validates as Alloy', () => {
    assert.throws(() => build('limit', { rate: 0, burst: 1 }), {
      message: 'limit stage failed to parse rate or burst',
    });
    assert.throws(() => build('limit', { rate: 1, burst: 1, by_label_name: 'a' }), {
      message: 'when ratelimiting by label, drop must be true',
    });
  });
});

describe('stage.decolorize', () => {
  it('strips ANSI colours (TestPipeline_Decolorize)', () => {
    const s = build('decolorize', {});
    const out = s.process([entry('sample text'), entry('\x1b[0;32mgreen\x1b[0m \x1b[0;31mred\x1b[0m')]);
    assert.deepEqual(
      out.map((e) => e.line),
      ['sample text', 'green red'],
    );
  });
});

describe('stage.cri', () => {
  const ts = 1_700_000_000_000_000_000n;
  // Alloy's TestCRI table.
  const cases: [string, string, string, bigint, Record<string, string>][] = [
    [
      'happy path',
      '2019-01-01T01:00:00.000000001Z stderr F message',
      'message',
      1546304400000000001n,
      { stream: 'stderr' },
    ],
    [
      'multi line pass',
      '2019-01-01T01:00:00.000000001Z stderr F message\nmessage2',
      'message\nmessage2',
      1546304400000000001n,
      { stream: 'stderr' },
    ],
    ['invalid timestamp', '3242 stderr F message', 'message', ts, { stream: 'stderr' }],
    ['invalid line', "i'm invalid!!!", "i'm invalid!!!", ts, {}],
    [
      'gracefully handle without flag',
      'something stderr looks like it could be cri',
      'looks like it could be cri',
      ts,
      { stream: 'stderr' },
    ],
  ];
  for (const [name, line, wantLine, wantTs, wantLabels] of cases) {
    it(name, () => {
      const s = build('cri', {
        max_partial_lines: 100,
        max_partial_line_size: 0,
        max_partial_line_size_truncate: false,
      });
      const [out] = s.process([entry(line, {}, { ts })]);
      assert.equal(out!.line, wantLine);
      assert.equal(out!.timestamp, wantTs);
      assert.deepEqual(rec(out!.labels), wantLabels);
    });
  }

  it('sets the extracted fields', () => {
    assert.deepEqual(parseCRI('2019-01-01T01:00:00Z stdout P part'), {
      timestamp: '2019-01-01T01:00:00Z',
      stream: 'stdout',
      flag: 'P',
      content: 'part',
    });
    const s = build('cri', { max_partial_lines: 100 });
    const [out] = s.process([entry('2019-01-01T01:00:00Z stdout F hi')]);
    assert.deepEqual(Object.fromEntries(out!.extracted), {
      flags: 'F',
      stream: 'stdout',
      content: 'hi',
      time: '2019-01-01T01:00:00Z',
    });
  });

  // Alloy's TestCRI_tags table.
  const T1 = '2019-05-07T18:57:50.904275087+00:00';
  const T2 = '2019-05-07T18:57:55.904275087+00:00';
  const tagCases: {
    name: string;
    max: number;
    size?: number;
    truncate?: boolean;
    entries: [string, Record<string, string>][];
    expected: string[];
    flushed: number;
    truncated: number;
  }[] = [
    {
      name: 'tag F',
      max: 100,
      entries: [
        [`${T1} stdout F some full line`, { foo: 'bar' }],
        [`${T2} stdout F log`, { foo: 'bar' }],
      ],
      expected: ['some full line', 'log'],
      flushed: 0,
      truncated: 0,
    },
    {
      name: 'tag P multi-stream',
      max: 100,
      entries: [
        [`${T1} stdout P partial line 1 `, { foo: 'bar' }],
        [`${T1} stdout P partial line 2 `, { foo: 'bar2' }],
        [`${T2} stdout F log finished`, { foo: 'bar' }],
        [`${T2} stdout F another full log`, { foo: 'bar2' }],
      ],
      expected: ['partial line 1 log finished', 'partial line 2 another full log'],
      flushed: 0,
      truncated: 0,
    },
    {
      name: 'tag P multi-stream with maxPartialLines exceeded',
      max: 3,
      entries: [
        [`${T1} stdout P partial line 1 `, { label1: 'val1', label2: 'val2' }],
        [`${T1} stdout P partial line 2 `, { label1: 'val1' }],
        [`${T1} stdout P partial line 3 `, { label1: 'val1', label2: 'val2' }],
        [`${T1} stdout P partial line 4 `, { label1: 'val3' }],
        [`${T1} stdout P partial line 5 `, { label1: 'val4' }],
        [`${T2} stdout F log finished`, { label1: 'val1', label2: 'val2' }],
        [`${T2} stdout F another full log`, { label1: 'val3' }],
        [`${T2} stdout F yet an another full log`, { label1: 'val4' }],
      ],
      expected: [
        'partial line 1 partial line 3 ',
        'partial line 2 ',
        'partial line 4 ',
        'log finished',
        'another full log',
        'partial line 5 yet an another full log',
      ],
      flushed: 3,
      truncated: 0,
    },
    {
      name: 'tag P single stream',
      max: 3,
      entries: [
        [`${T1} stdout P partial line 1 `, { foo: 'bar' }],
        [`${T1} stdout P partial line 2 `, { foo: 'bar' }],
        [`${T1} stdout P partial line 3 `, { foo: 'bar' }],
        [`${T1} stdout P partial line 4 `, { foo: 'bar' }],
        [`${T2} stdout F log finished`, { foo: 'bar' }],
        [`${T2} stdout F another full log`, { foo: 'bar' }],
      ],
      expected: [
        'partial line 1 partial line 2 partial line 3 partial line 4 log finished',
        'another full log',
      ],
      flushed: 0,
      truncated: 0,
    },
    {
      name: 'tag P multi-stream with truncation',
      max: 100,
      size: 11,
      truncate: true,
      entries: [
        [`${T1} stdout P partial line 1 `, { foo: 'bar' }],
        [`${T1} stdout P partial`, { foo: 'bar2' }],
        [`${T2} stdout F log finished`, { foo: 'bar' }],
        [`${T2} stdout F full`, { foo: 'bar2' }],
      ],
      expected: ['partial lin', 'partialfull'],
      flushed: 0,
      truncated: 2,
    },
  ];
  for (const tc of tagCases) {
    it(tc.name, async () => {
      const ctx = stub();
      const s = build(
        'cri',
        {
          max_partial_lines: tc.max,
          max_partial_line_size: tc.size ?? 0,
          max_partial_line_size_truncate: tc.truncate ?? false,
        },
        ctx,
      );
      const got: string[] = [];
      for (const [line, labels] of tc.entries)
        for (const e of s.process([entry(line, labels)])) got.push(e.line);
      assert.deepEqual([...got].sort(), [...tc.expected].sort());
      const text = await renderRegistries([ctx.registry]);
      assert.match(text, new RegExp(`loki_process_cri_partial_lines_flushed_total ${tc.flushed}\\n`));
      assert.match(text, new RegExp(`loki_process_cri_lines_truncated_total ${tc.truncated}\\n`));
    });
  }
});

describe('stage.docker', () => {
  const dockerRaw =
    '{"log":"level=info ts=2019-04-30T02:12:41.844179Z caller=filetargetmanager.go:180 msg=\\"Adding target\\"\\n","stream":"stderr","time":"2019-04-30T02:12:41.8443515Z"}';
  const cases: [string, string, string, bigint, Record<string, string>][] = [
    [
      'happy path',
      dockerRaw,
      'level=info ts=2019-04-30T02:12:41.844179Z caller=filetargetmanager.go:180 msg="Adding target"\n',
      1556590361844351500n,
      { stream: 'stderr' },
    ],
    [
      'invalid timestamp',
      '{"log":"log message\\n","stream":"stderr","time":"hi!"}',
      'log message\n',
      7n,
      { stream: 'stderr' },
    ],
    ['not json', "i'm not json!", "i'm not json!", 7n, {}],
    ['json but not docker format', '{"msg": "test"}', '{"msg": "test"}', 7n, {}],
    ['case-insensitive keys', '{"LOG":"x","Stream":"stdout"}', 'x', 7n, { stream: 'stdout' }],
    ['wrong field type', '{"log":"x","stream":1}', '{"log":"x","stream":1}', 7n, {}],
  ];
  for (const [name, line, wantLine, wantTs, wantLabels] of cases) {
    it(name, () => {
      const s = build('docker', {});
      const [out] = s.process([entry(line, {}, { ts: 7n })]);
      assert.equal(out!.line, wantLine);
      assert.equal(out!.timestamp, wantTs);
      assert.deepEqual(rec(out!.labels), wantLabels);
    });
  }
});

describe('stage.metrics', () => {
  // Alloy's TestMetricsPipeline, with the json stage's output given as extracted values.
  const metrics = [
    {
      type: 'counter',
      name: 'loki_count',
      description: 'uhhhhhhh',
      prefix: 'my_agent_custom_',
      source: 'app',
      value: 'loki',
      action: 'inc',
      max_idle_duration: 300_000,
    },
    {
      type: 'gauge',
      name: 'bloki_count',
      description: 'blerrrgh',
      source: 'app',
      value: 'bloki',
      action: 'dec',
    },
    {
      type: 'counter',
      name: 'total_lines_count',
      description: 'nothing to see here...',
      match_all: true,
      action: 'inc',
    },
    {
      type: 'counter',
      name: 'total_bytes_count',
      description: 'nothing to see here...',
      match_all: true,
      count_entry_bytes: true,
      action: 'add',
    },
    {
      type: 'histogram',
      name: 'payload_size_bytes',
      description: 'grrrragh',
      source: 'payload',
      buckets: [10, 20],
    },
  ];

  it('records counters, gauges and histograms (TestMetricsPipeline)', async () => {
    const ctx = stub();
    const s = build('metrics', { metric: metrics }, ctx);
    s.process([entry('x'.repeat(120), { test: 'app' }, { extracted: { app: 'loki', payload: 10 } })]);
    s.process([entry('y'.repeat(135), { test: 'app' }, { extracted: { app: 'bloki', payload: 20 } })]);
    const text = await renderRegistries([ctx.registry]);
    const want = [
      '# HELP my_agent_custom_loki_count uhhhhhhh',
      '# TYPE my_agent_custom_loki_count counter',
      'my_agent_custom_loki_count{test="app"} 1',
      '# HELP loki_process_custom_bloki_count blerrrgh',
      '# TYPE loki_process_custom_bloki_count gauge',
      'loki_process_custom_bloki_count{test="app"} -1',
      '# HELP loki_process_custom_total_lines_count nothing to see here...',
      '# TYPE loki_process_custom_total_lines_count counter',
      'loki_process_custom_total_lines_count{test="app"} 2',
      '# HELP loki_process_custom_total_bytes_count nothing to see here...',
      '# TYPE loki_process_custom_total_bytes_count counter',
      'loki_process_custom_total_bytes_count{test="app"} 255',
      '# HELP loki_process_custom_payload_size_bytes grrrragh',
      '# TYPE loki_process_custom_payload_size_bytes histogram',
      'loki_process_custom_payload_size_bytes_bucket{test="app",le="10"} 1',
      'loki_process_custom_payload_size_bytes_bucket{test="app",le="20"} 2',
      'loki_process_custom_payload_size_bytes_bucket{test="app",le="+Inf"} 2',
      'loki_process_custom_payload_size_bytes_sum{test="app"} 30',
      'loki_process_custom_payload_size_bytes_count{test="app"} 2',
    ];
    assert.deepEqual(text.trim().split('\n'), want);
    s.close!();
    assert.equal((await renderRegistries([ctx.registry])).trim(), '');
  });

  it('sets a negative gauge from a string and drops __ labels (TestNegativeGauge)', async () => {
    const ctx = stub();
    const s = build(
      'metrics',
      { metric: [{ type: 'gauge', name: 'longitude', description: 'longitude GPS vehicle', action: 'set' }] },
      ctx,
    );
    s.process([
      entry('l', { test: 'app', vehicle: '1', __path__: '/x' }, { extracted: { longitude: '-10.1234' } }),
    ]);
    const text = await renderRegistries([ctx.registry]);
    assert.match(text, /loki_process_custom_longitude\{test="app",vehicle="1"\} -10.1234\n/);
  });

  it('logs values without a string form (TestPipelineWithMissingKey_Metrics)', () => {
    const ctx = stub();
    const s = build('metrics', { metric: metrics }, ctx);
    s.process([entry('l', {}, { extracted: { app: null, payload: 20 } })]);
    assert.ok(
      ctx.logs.some(
        (l) =>
          l.includes(`msg="failed to convert extracted value to string, can't perform value comparison"`) &&
          l.includes('metric=bloki_count') &&
          l.includes(`err="can't convert <nil> to string"`),
      ),
      ctx.logs.join('\n'),
    );
  });

  it('gauge actions, durations as seconds and idle expiry', async () => {
    const ctx = stub();
    const s = build(
      'metrics',
      {
        metric: [
          { type: 'gauge', name: 'g', action: 'add', max_idle_duration: 1000 },
          { type: 'counter', name: 'c', action: 'add', source: 'g', max_idle_duration: 1000 },
        ],
      },
      ctx,
    );
    s.process([
      entry('l', { a: 'b' }, { extracted: { g: '1.5s' } }),
      entry('l', { a: 'b' }, { extracted: { g: -1 } }),
    ]);
    const text = await renderRegistries([ctx.registry]);
    assert.match(text, /loki_process_custom_g\{a="b"\} 0.5\n/);
    assert.match(text, /loki_process_custom_c\{a="b"\} 1.5\n/);
    await sleep(1100);
    assert.doesNotMatch(await renderRegistries([ctx.registry]), /loki_process_custom_g\{/);
  });

  it('shares a family between a stage and its replacement', async () => {
    const ctx = stub();
    const cfg = { metric: [{ type: 'counter', name: 'c', action: 'inc' }] };
    const a = build('metrics', cfg, ctx);
    a.process([entry('l', {}, { extracted: { c: 1 } })]);
    const b = build('metrics', cfg, ctx);
    a.close!();
    b.process([entry('l', {}, { extracted: { c: 1 } })]);
    assert.match(await renderRegistries([ctx.registry]), /^loki_process_custom_c 1$/m);
    b.close!();
  });

  it('validates as Alloy', () => {
    assert.throws(() => build('metrics', { metric: [{ type: 'counter', name: 'c', action: 'set' }] }), {
      message: "the 'action' counter field must be either 'inc' or 'add'",
    });
    assert.throws(() => build('metrics', { metric: [{ type: 'histogram', name: 'h', buckets: [2, 1] }] }), {
      message: 'histogram buckets must be in increasing order: 2 >= 1',
    });
  });
});

describe('stage.tenant', () => {
  // Alloy's TestTenantStage_Process cases.
  const cases: [
    string,
    Record<string, string>,
    Record<string, string>,
    Record<string, unknown>,
    string | undefined,
  ][] = [
    [
      'should not set the tenant if the source field is not defined',
      { source: 'tenant_id' },
      {},
      {},
      undefined,
    ],
    [
      'should not override the tenant if the source field is not defined',
      { source: 'tenant_id' },
      { __tenant_id__: 'foo' },
      {},
      'foo',
    ],
    [
      'should set the tenant if the source field is defined',
      { source: 'tenant_id' },
      {},
      { tenant_id: 'bar' },
      'bar',
    ],
    [
      'should override the tenant if the source field is defined',
      { source: 'tenant_id' },
      { __tenant_id__: 'foo' },
      { tenant_id: 'bar' },
      'bar',
    ],
    ['should set the tenant if the value is defined', { value: 'bar' }, {}, {}, 'bar'],
    [
      'should override the tenant if the value is defined',
      { value: 'bar' },
      { __tenant_id__: 'foo' },
      {},
      'bar',
    ],
    ['should set the tenant from a label', { label: 'team' }, { team: 't1' }, {}, 't1'],
    [
      'should skip a value without a string form',
      { source: 'tenant_id' },
      {},
      { tenant_id: null },
      undefined,
    ],
  ];
  for (const [name, cfg, labels, extracted, want] of cases) {
    it(name, () => {
      const [out] = build('tenant', cfg).process([entry('l', labels, { extracted })]);
      assert.equal(out!.labels.get('__tenant_id__'), want);
    });
  }

  it('validates as Alloy', () => {
    assert.throws(() => build('tenant', {}), { message: 'label, source or value config are required' });
    assert.throws(() => build('tenant', { source: 'a', value: 'b' }), {
      message:
        'label, source and value are mutually exclusive: you should set source, value or label but not all',
    });
  });
});

describe('stage.truncate', () => {
  it('truncates lines, labels, metadata and extracted values', async () => {
    const ctx = stub();
    const s = build(
      'truncate',
      {
        rule: [
          { limit: '10', suffix: '...', source_type: 'line' },
          { limit: '4', source_type: 'label', sources: ['a'] },
          { limit: '4', source_type: 'structured_metadata' },
          { limit: '3', suffix: '!', source_type: 'extracted', sources: ['x', 'n'] },
        ],
      },
      ctx,
    );
    const [out] = s.process([
      entry(
        '0123456789abc',
        { a: 'abcdef', b: 'abcdef' },
        { sm: { m: 'xyzxyz' }, extracted: { x: 'hello', n: 12345 } },
      ),
    ]);
    assert.equal(out!.line, '0123456...');
    assert.equal(out!.labels.get('a'), 'abcd');
    assert.equal(out!.labels.get('b'), 'abcdef');
    assert.equal(out!.structuredMetadata.get('m'), 'xyzx');
    assert.equal(out!.extracted.get('x'), 'he!');
    assert.equal(out!.extracted.get('n'), 12345);
    assert.equal(out!.extracted.get('truncated'), 'extracted,label,line,structured_metadata');
    const text = await renderRegistries([ctx.registry]);
    assert.match(text, /loki_process_truncated_fields_total\{field="line"\} 1/);
  });

  it('validates as Alloy', () => {
    assert.throws(() => build('truncate', { rule: [{ limit: '3', suffix: '...', source_type: 'line' }] }), {
      message: 'suffix length cannot be greater than or equal to limit',
    });
  });
});

describe('stage.sampling', () => {
  it('keeps all at rate 1 and none at rate 0', () => {
    const ctx = stub();
    assert.equal(build('sampling', { rate: 1 }, ctx).process([entry('a'), entry('b')]).length, 2);
    assert.equal(
      build('sampling', { rate: 0, drop_counter_reason: 'sampling_stage' }, ctx).process([
        entry('a'),
        entry('b'),
      ]).length,
      0,
    );
    assert.equal(ctx.drops.get('sampling_stage'), 2);
  });

  it('keeps about rate of the entries', () => {
    const s = build('sampling', { rate: 0.5 });
    const n = s.process(Array.from({ length: 2000 }, () => entry('x'))).length;
    assert.ok(n > 800 && n < 1200, String(n));
  });
});

describe('stage.structured_metadata_drop', () => {
  it('removes the named entries', () => {
    const [out] = build('structured_metadata_drop', { values: ['a', 'c'] }).process([
      entry('l', {}, { sm: { a: '1', b: '2', c: '3' } }),
    ]);
    assert.deepEqual(rec(out!.structuredMetadata), { b: '2' });
    assert.throws(() => build('structured_metadata_drop', { values: [] }), {
      message: 'structured_metadata_drop stage config cannot be empty',
    });
  });
});

describe('stage.luhn', () => {
  it('replaces Luhn-valid numbers', () => {
    assert.equal(replaceLuhn('cc 4111111111111111 ok', '**REDACTED**', 13, ''), 'cc **REDACTED** ok');
    assert.equal(replaceLuhn('cc 4111111111111112 ok', '**REDACTED**', 13, ''), 'cc 4111111111111112 ok');
    assert.equal(replaceLuhn('id 79927398713', 'X', 11, ''), 'id X');
    assert.equal(replaceLuhn('id 79927398713', 'X', 13, ''), 'id 79927398713');
    assert.equal(replaceLuhn('cc 4111-1111-1111-1111 ok', 'X', 13, '-'), 'cc X ok');
    assert.equal(replaceLuhn('cc 4111 1111 1111 1111 ok', 'X', 13, ' '), 'cc X ok');
    assert.equal(replaceLuhn('cc 4111-1111-1111-1112- ok', 'X', 13, '-'), 'cc 4111-1111-1111-1112- ok');
  });

  it('writes the replaced source value to the line', () => {
    const s = build('luhn', { source: 'card', replacement: '**', min_length: 13 });
    const [out] = s.process([entry('line', {}, { extracted: { card: '4111111111111111' } })]);
    assert.equal(out!.line, '**');
    const [kept] = s.process([entry('line 4111111111111111')]);
    assert.equal(kept!.line, 'line 4111111111111111');
  });

  it('skips numbers inside skip_regex matches', () => {
    const s = build('luhn', { replacement: 'X', min_length: 13, skip_regex: 'order=\\d+' });
    const [out] = s.process([entry('order=4111111111111111 card=4111111111111111')]);
    assert.equal(out!.line, 'order=4111111111111111 card=X');
  });
});

describe('stage.pattern', () => {
  // Loki's pattern_test fixtures: pattern, input, expected captures.
  const fixtures: [string, string, string[]][] = [
    ['foo <foo> bar', 'foo buzz bar', ['buzz']],
    ['foo <foo> bar<fuzz>', 'foo buzz bar', ['buzz', '']],
    ['<foo>foo <bar> bar', 'foo buzz bar', ['', 'buzz']],
    ['<foo> bar<fuzz>', ' bar', ['', '']],
    ['<foo>bar<baz>', ' bar ', [' ', ' ']],
    ['<foo>', ' bar ', [' bar ']],
    [
      '<path>?<_>',
      '/api/plugins/versioncheck?slugIn=x&grafanaVersion=7.0.0-beta1',
      ['/api/plugins/versioncheck'],
    ],
    ['<path>?<_>', '/api/plugins/status', ['/api/plugins/status']],
    [
      '<ip> <userid> <user> [<_>] "<method> <path> <_>" <status> <size>',
      '127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
      ['127.0.0.1', 'user-identifier', 'frank', 'GET', '/apache_pb.gif', '200', '2326'],
    ],
    [
      '<_> msg="<method> <path> (<status>) <duration>"',
      'level=debug ts=2021-05-19T07:54:26.864644382Z caller=logging.go:66 traceID=7fbb92fd0eb9c65d msg="POST /loki/api/v1/push (204) 1.238734ms"',
      ['POST', '/loki/api/v1/push', '204', '1.238734ms'],
    ],
    ['unicode <emoji> character', 'unicode 🤷 character', ['🤷']],
    ['unicode ▶ <what>', 'unicode ▶ character', ['character']],
  ];
  for (const [pattern, input, want] of fixtures) {
    it(`matches ${pattern}`, () => {
      assert.deepEqual(compilePattern(pattern).matches(input), want);
    });
  }

  it('rejects invalid patterns with Loki texts', () => {
    const cases: [string, string][] = [
      ['<_>', 'at least one capture is required'],
      ['foo bar buzz', 'at least one capture is required'],
      ['<f><f>', "found consecutive capture '<f><f>': invalid expression"],
      ['<f> f<d><b>', "found consecutive capture '<d><b>': invalid expression"],
      ['<f> f<f>', 'duplicate capture name (f): invalid expression'],
      ['<f>f<f><_>', "found consecutive capture '<f><_>': invalid expression"],
    ];
    for (const [p, msg] of cases)
      assert.throws(
        () => build('pattern', { pattern: p }),
        { message: `failed to parse pattern: ${msg}` },
        p,
      );
    assert.throws(() => build('pattern', { pattern: '' }), { message: 'pattern is required' });
    assert.throws(() => build('pattern', { pattern: '<a>', source: '' }), { message: 'empty source' });
  });

  it('extracts from the line and a source, with labels_from_groups (Alloy TestPipeline_Pattern)', () => {
    const line =
      '11.11.11.11 - frank [25/Jan/2000:14:00:01 -0500] "GET /1986.js HTTP/1.1" 200 932 "-" "Mozilla/5.0 (Windows; U; Windows NT 5.1; de; rv:1.9.1.7) Gecko/20091221 Firefox/3.5.7 GTB6"';
    const p1 = build('pattern', {
      pattern:
        '<ip> <identd> <user> [<timestamp>] "<action> <path> <protocol>" <status> <size> "<referer>" "<useragent>"',
    });
    const p2 = build('pattern', {
      pattern: 'HTTP/<protocol_version>',
      source: 'protocol',
      labels_from_groups: true,
    });
    const [out] = p2.process(p1.process([entry(line)]));
    assert.deepEqual(Object.fromEntries(out!.extracted), {
      ip: '11.11.11.11',
      identd: '-',
      user: 'frank',
      timestamp: '25/Jan/2000:14:00:01 -0500',
      action: 'GET',
      path: '/1986.js',
      protocol: 'HTTP/1.1',
      protocol_version: '1.1',
      status: '200',
      size: '932',
      referer: '-',
      useragent: 'Mozilla/5.0 (Windows; U; Windows NT 5.1; de; rv:1.9.1.7) Gecko/20091221 Firefox/3.5.7 GTB6',
    });
    assert.deepEqual(rec(out!.labels), { protocol_version: '1.1' });
  });
});

// ------------------------------------------------------------------------------------------ engine

/** `testloki.source`: pushes what a test gives it to `forward_to`. */
const sources = new Map<string, { forwardTo: LogsReceiver[] }>();
const testSource: ComponentRegistration<{ forward_to: LogsReceiver[] }> = {
  name: 'testloki.source',
  stability: 'experimental',
  args: { attrs: { forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true } } },
  build: (opts, args) => {
    const state = { forwardTo: args.forward_to };
    sources.set(opts.id, state);
    return {
      run: (signal: AbortSignal) =>
        new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update: (a: { forward_to: LogsReceiver[] }) => {
        state.forwardTo = a.forward_to;
      },
    };
  },
};

/** `testloki.recorder`: exports a `loki.LogsReceiver` that records every entry it receives. */
const recorded = new Map<string, LogEntry[]>();
const testRecorder: ComponentRegistration<Record<string, never>> = {
  name: 'testloki.recorder',
  stability: 'experimental',
  args: {},
  exports: { receiver: t.capsule('loki.LogsReceiver') },
  build: (opts) => {
    const list: LogEntry[] = [];
    recorded.set(opts.id, list);
    opts.onStateChange({ receiver: logsReceiverCapsule({ push: (entries) => list.push(...entries) }) });
    return {
      run: (signal: AbortSignal) =>
        new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update: () => {},
    };
  },
};

const logEntry = (line: string, labels: Record<string, string>): LogEntry => ({
  labels: labelsFromRecord(labels),
  timestamp: 1_000_000_000n,
  line,
  structuredMetadata: [],
});

describe('loki.process with the extra stages', () => {
  it('runs match + drop + multiline + metrics and flushes held blocks on time', async () => {
    const config = `
      testloki.source "in" { forward_to = [loki.process.p.receiver] }
      loki.process "p" {
        forward_to = [testloki.recorder.out.receiver]
        stage.match {
          selector            = "{app=\\"noisy\\"}"
          action              = "drop"
          drop_counter_reason = "noisy"
        }
        stage.drop { expression = "DEBUG" }
        stage.match {
          selector = "{app=\\"java\\"} |~ \\"^(START| )\\""
          stage.multiline {
            firstline     = "^START"
            max_wait_time = "100ms"
          }
        }
        stage.metrics {
          metric.counter {
            name      = "lines_total"
            match_all = true
            action    = "inc"
          }
        }
      }
      testloki.recorder "out" {}
    `;
    const running = startEngine(config, { components: [testSource, testRecorder] });
    try {
      const src = sources.get('testloki.source.in')!;
      const out = recorded.get('testloki.recorder.out')!;
      assert.ok(src && out);
      await eventually(() => src.forwardTo.length === 1, 3000, 'wiring');
      src.forwardTo[0]!.push([
        logEntry('noise', { app: 'noisy' }),
        logEntry('DEBUG details', { app: 'web' }),
        logEntry('START exception', { app: 'java' }),
        logEntry('  at Foo.bar', { app: 'java' }),
        logEntry('hello', { app: 'web' }),
      ]);
      assert.deepEqual(
        out.map((e) => e.line),
        ['hello'],
      );
      await eventually(() => out.length === 2, 3000, 'multiline flush');
      assert.equal(out[1]!.line, 'START exception\n  at Foo.bar');
      assert.deepEqual(out[1]!.labels, ['app', 'java']);
      const text = await running.engine.metricsText();
      assert.match(text, /loki_process_dropped_lines_total\{[^}]*reason="noisy"[^}]*\} 1/);
      assert.match(text, /loki_process_dropped_lines_total\{[^}]*reason="drop_stage"[^}]*\} 1/);
      assert.match(text, /loki_process_custom_lines_total\{app="web"[^}]*\} 1/);
      assert.match(text, /loki_process_custom_lines_total\{app="java"[^}]*\} 1/);
    } finally {
      await running.stop();
    }
  });
});
