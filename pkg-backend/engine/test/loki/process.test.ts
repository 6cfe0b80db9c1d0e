/**
 * loki.process through a real Engine: a test source pushes entries into the component's receiver and a
 * recording receiver collects what it forwards.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { eventually, settle, startEngine, type Running } from '../runtime/helpers.js';
import { entry, lokiRecorders, lokiSources, lokiTestComponents, plain } from './support.js';

const SRC = 'testcomponents.loki_source.in';
const OUT = 'testcomponents.loki_recorder.out';

function config(stages: string, forward = 'testcomponents.loki_recorder.out.receiver'): string {
  return `
testcomponents.loki_source "in" {
  forward_to = [loki.process.p.receiver]
}

loki.process "p" {
  forward_to = [${forward}]
${stages}
}

testcomponents.loki_recorder "out" { }
testcomponents.loki_recorder "other" { }
`;
}

let running: Running | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  lokiSources.clear();
  lokiRecorders.clear();
});

async function start(stages: string): Promise<Running> {
  running = startEngine(config(stages), { components: lokiTestComponents });
  await settle();
  return running;
}

const STAGES = `
  stage.json {
    expressions = { level = "", msg = "message", ts = "time", user = "" }
  }
  stage.labels {
    values = { level = "" }
  }
  stage.timestamp {
    source = "ts"
    format = "RFC3339Nano"
  }
  stage.static_labels {
    values = { env = "test" }
  }
  stage.label_drop {
    values = ["drop_me"]
  }
  stage.output {
    source = "msg"
  }
`;

describe('loki.process', () => {
  it('runs the stages in order and forwards the entries in order', async () => {
    await start(STAGES);
    const src = lokiSources.get(SRC)!;
    const out = lokiRecorders.get(OUT)!;
    const line = (level: string, msg: string, time: string) =>
      JSON.stringify({ level, message: msg, time, user: 'u' });
    src.push([
      entry(line('info', 'one', '2024-05-01T10:00:00.000000001Z'), { job: 'a', drop_me: 'x' }),
      entry(line('warn', 'two', '2024-05-01T10:00:01Z'), { job: 'a' }),
      entry('not json', { job: 'b', __tenant_id__: 't1' }, 42n),
    ]);
    src.push([entry(line('error', 'four', 'bad time'), { job: 'a' }, 7n)]);
    await eventually(() => out.entries.length === 4);
    const got = out.entries.map(plain);
    assert.deepEqual(got, [
      {
        line: 'one',
        labels: { env: 'test', job: 'a', level: 'info' },
        ts: BigInt(Date.parse('2024-05-01T10:00:00Z')) * 1_000_000n + 1n,
        metadata: {},
      },
      {
        line: 'two',
        labels: { env: 'test', job: 'a', level: 'warn' },
        ts: BigInt(Date.parse('2024-05-01T10:00:01Z')) * 1_000_000n,
        metadata: {},
      },
      // Not JSON: only the static label is added; `__` labels are kept, the timestamp is untouched.
      { line: 'not json', labels: { __tenant_id__: 't1', env: 'test', job: 'b' }, ts: 42n, metadata: {} },
      // Unparseable time in stream {job="a", level="error"}: no earlier timestamp for it, so it is kept.
      { line: 'four', labels: { env: 'test', job: 'a', level: 'error' }, ts: 7n, metadata: {} },
    ]);
    assert.equal(out.pushes, 2);
  });

  it('keeps unchanged label arrays and does not mutate the received entries', async () => {
    await start('  stage.regex {\n    expression = "(?P<n>\\\\d+)"\n  }');
    const src = lokiSources.get(SRC)!;
    const out = lokiRecorders.get(OUT)!;
    const e = entry('id 42', { job: 'a' });
    const frozen = JSON.stringify(plain(e), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    src.push([e]);
    await eventually(() => out.entries.length === 1);
    assert.equal(out.entries[0]!.labels, e.labels);
    assert.equal(
      JSON.stringify(plain(e), (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
      frozen,
    );
  });

  it('counts dropped lines by reason', async () => {
    const r = await start(`
  stage.logfmt {
    mapping = { level = "" }
  }
  stage.drop {
    source = "level"
    value  = "debug"
  }
  stage.drop {
    expression          = "healthz"
    drop_counter_reason = "health"
  }
`);
    const src = lokiSources.get(SRC)!;
    const out = lokiRecorders.get(OUT)!;
    src.push([
      entry('level=debug msg=a'),
      entry('level=info msg=b'),
      entry('level=info path=/healthz'),
      entry('level=debug msg=c'),
      entry('level=warn msg=d'),
    ]);
    await eventually(() => out.entries.length === 2);
    assert.deepEqual(
      out.entries.map((e) => e.line),
      ['level=info msg=b', 'level=warn msg=d'],
    );
    const metrics = await r.engine.metricsText();
    assert.match(metrics, /loki_process_dropped_lines_total\{[^}]*reason="drop_stage"[^}]*\} 2/);
    assert.match(metrics, /loki_process_dropped_lines_total\{[^}]*reason="health"[^}]*\} 1/);
    assert.match(metrics, /loki_process_dropped_lines_total\{[^}]*component_id="loki.process.p"/);
  });

  it('moves values into structured metadata and forwards them name-sorted', async () => {
    await start(`
  stage.logfmt {
    mapping = { trace_id = "", b = "" }
  }
  stage.structured_metadata {
    values = { trace_id = "", b = "", pod = "" }
  }
`);
    const src = lokiSources.get(SRC)!;
    const out = lokiRecorders.get(OUT)!;
    src.push([entry('trace_id=abc b=1 msg=x', { pod: 'p1', job: 'j' })]);
    await eventually(() => out.entries.length === 1);
    assert.deepEqual(plain(out.entries[0]!).metadata, { b: '1', pod: 'p1', trace_id: 'abc' });
    assert.deepEqual(out.entries[0]!.structuredMetadata, ['b', '1', 'pod', 'p1', 'trace_id', 'abc']);
    assert.deepEqual(plain(out.entries[0]!).labels, { job: 'j' });
  });

  it('rebuilds the pipeline when the stages change and follows forward_to', async () => {
    const r = await start('  stage.static_labels {\n    values = { v = "1" }\n  }');
    const out = lokiRecorders.get(OUT)!;
    lokiSources.get(SRC)!.push([entry('a')]);
    await eventually(() => out.entries.length === 1);

    let res = r.load(config('  stage.static_labels {\n    values = { v = "2" }\n  }'));
    assert.ok(res.committed, res.diagnostics.map((d) => d.message).join('; '));
    await settle();
    lokiSources.get(SRC)!.push([entry('b')]);
    await eventually(() => out.entries.length === 2);
    assert.deepEqual(
      out.entries.map((e) => plain(e).labels.v),
      ['1', '2'],
    );

    res = r.load(
      config(
        '  stage.static_labels {\n    values = { v = "2" }\n  }',
        'testcomponents.loki_recorder.other.receiver',
      ),
    );
    assert.ok(res.committed);
    await settle();
    lokiSources.get(SRC)!.push([entry('c')]);
    const other = lokiRecorders.get('testcomponents.loki_recorder.other')!;
    await eventually(() => other.entries.length === 1);
    assert.equal(out.entries.length, 2);
  });

  it('fails to build with an invalid stage (Alloy message)', () => {
    assert.throws(
      () =>
        startEngine(config('  stage.regex {\n    expression = "("\n  }'), { components: lokiTestComponents }),
      /could not compile regular expression: error parsing regexp: missing closing \)/,
    );
  });

  it('flushes held entries on a timer and when stopping', async () => {
    const r = await start(`
  stage.multiline {
    firstline     = "^start"
    max_wait_time = "100ms"
  }
  stage.static_labels {
    values = { after = "yes" }
  }
`);
    const src = lokiSources.get(SRC)!;
    const out = lokiRecorders.get(OUT)!;
    src.push([entry('start 1'), entry('  more'), entry('start 2')]);
    await settle();
    assert.equal(out.entries.length, 1, 'the first block is released by the second start line');
    assert.equal(out.entries[0]!.line, 'start 1\n  more');
    await eventually(() => out.entries.length === 2, 3000, 'timed flush');
    assert.equal(out.entries[1]!.line, 'start 2');
    assert.equal(plain(out.entries[1]!).labels.after, 'yes', 'flushed entries go through the later stages');

    src.push([entry('start 3'), entry('  tail')]);
    await r.stop();
    running = undefined;
    assert.equal(out.entries.length, 3);
    assert.equal(out.entries[2]!.line, 'start 3\n  tail');
  });
});
