import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Engine } from '../../src/runtime/engine.js';
import { eventually, settle, startEngine, type Running } from './helpers.js';
import { events, instances, resetEvents } from './testcomponents.js';

function exportOf(engine: Engine, id: string, field = 'output'): unknown {
  const info = engine.component(id);
  const ex = info?.node.cell.exports;
  return ex instanceof Map ? ex.get(field) : undefined;
}

const chain = (a: string) => `
testcomponents.passthrough "a" {
  input = "${a}"
}

testcomponents.passthrough "b" {
  input = testcomponents.passthrough.a.output + "-b"
}

testcomponents.passthrough "c" {
  input = testcomponents.passthrough.b.output + "-c"
}
`;

describe('hot reload (Loader.apply)', () => {
  let r: Running;
  beforeEach(() => resetEvents());
  afterEach(async () => r?.stop());

  test('exports propagate through a chain of 3 on load', async () => {
    r = startEngine(chain('x'));
    assert.equal(exportOf(r.engine, 'testcomponents.passthrough.c'), 'x-b-c');
    await eventually(() => events.filter((e) => e.startsWith('start:')).length === 3, 2000, 'three starts');
    // Dependencies start before dependants.
    assert.deepEqual(
      events.filter((e) => e.startsWith('start:')),
      [
        'start:testcomponents.passthrough.a',
        'start:testcomponents.passthrough.b',
        'start:testcomponents.passthrough.c',
      ],
    );
  });

  test('exports changed at run time re-evaluate dependants, each once', async () => {
    r = startEngine(chain('x'));
    await settle();
    const a = instances.get('testcomponents.passthrough.a')![0]!;
    const updatesBefore = events.filter((e) => e.startsWith('update:')).length;
    a.publish('y');
    await eventually(
      () => exportOf(r.engine, 'testcomponents.passthrough.c') === 'y-b-c',
      2000,
      'propagation',
    );
    const updates = events.filter((e) => e.startsWith('update:')).slice(updatesBefore);
    assert.deepEqual(updates, ['update:testcomponents.passthrough.b', 'update:testcomponents.passthrough.c']);
  });

  test('unchanged components keep the same instance and are never restarted', async () => {
    r = startEngine(chain('x'));
    await settle();
    const before = ['a', 'b', 'c'].map((l) => instances.get(`testcomponents.passthrough.${l}`)![0]);
    const res = r.load(chain('x'));
    assert.equal(res.committed, true);
    assert.deepEqual(res.diagnostics, []);
    await settle();
    for (const [i, l] of ['a', 'b', 'c'].entries()) {
      const list = instances.get(`testcomponents.passthrough.${l}`)!;
      assert.equal(list.length, 1, `${l} built once`);
      assert.equal(list[0], before[i]);
      assert.equal(list[0]!.runs, 1, `${l} started once`);
      assert.equal(list[0]!.updates.length, 0, `${l} not updated`);
    }
  });

  test('changed components are updated in place; dependants follow', async () => {
    r = startEngine(chain('x'));
    await settle();
    const res = r.load(chain('z'));
    assert.equal(res.committed, true);
    assert.equal(exportOf(r.engine, 'testcomponents.passthrough.c'), 'z-b-c');
    const a = instances.get('testcomponents.passthrough.a')!;
    assert.equal(a.length, 1);
    assert.deepEqual(
      a[0]!.updates.map((u) => u.input),
      ['z'],
    );
    assert.equal(a[0]!.runs, 1);
  });

  test('added components start after their dependencies; removed ones stop dependants first', async () => {
    r = startEngine(chain('x'));
    await settle();
    events.length = 0;
    const res = r.load(`
testcomponents.passthrough "a" {
  input = "x"
}

testcomponents.passthrough "d" {
  input = testcomponents.passthrough.a.output + "-d"
}
`);
    assert.equal(res.committed, true);
    await eventually(
      () =>
        events.includes('start:testcomponents.passthrough.d') &&
        events.includes('stop:testcomponents.passthrough.b'),
      2000,
      'sync',
    );
    const stops = events.filter((e) => e.startsWith('stop:'));
    assert.deepEqual(stops, ['stop:testcomponents.passthrough.c', 'stop:testcomponents.passthrough.b']);
    assert.equal(exportOf(r.engine, 'testcomponents.passthrough.d'), 'x-d');
    assert.equal(r.engine.component('testcomponents.passthrough.b'), undefined);
    assert.equal(instances.get('testcomponents.passthrough.a')!.length, 1);
  });

  for (const [what, text, message] of [
    [
      'an unknown component',
      chain('q') + '\nnope.component "x" {}\n',
      /cannot find the definition of component name "nope.component"/,
    ],
    [
      'a reference to a missing component',
      chain('q').replace('testcomponents.passthrough.a.output', 'testcomponents.passthrough.zz.output'),
      /component "testcomponents.passthrough.zz.output" does not exist or is out of scope/,
    ],
    [
      'a cycle',
      chain('q').replace('"q"', 'testcomponents.passthrough.c.output'),
      /^cycle: testcomponents.passthrough.a, testcomponents.passthrough.b, testcomponents.passthrough.c$/,
    ],
    [
      'a duplicate ID',
      chain('q') + '\ntestcomponents.passthrough "a" {\n  input = "dup"\n}\n',
      /^block testcomponents.passthrough.a already declared at main.alloy:2:1$/,
    ],
    [
      'a syntax error',
      chain('q') + '\ntestcomponents.passthrough "e" {\n  input = \n}\n',
      /expected expression/,
    ],
    [
      'a self reference',
      chain('q').replace('"q"', 'testcomponents.passthrough.a.output'),
      /^self reference: testcomponents.passthrough.a$/,
    ],
  ] as const) {
    test(`a reload with ${what} is rejected and the running graph stays untouched`, async () => {
      r = startEngine(chain('x'));
      await settle();
      const before = events.length;
      const res = r.load(text);
      assert.equal(res.committed, false);
      assert.ok(
        res.diagnostics.some((d) => message.test(d.message)),
        res.diagnostics.map((d) => d.message).join('\n'),
      );
      await settle();
      assert.equal(events.length, before, 'no component was built, updated, started or stopped');
      assert.equal(exportOf(r.engine, 'testcomponents.passthrough.c'), 'x-b-c');
      for (const l of ['a', 'b', 'c'])
        assert.equal(instances.get(`testcomponents.passthrough.${l}`)![0]!.runs, 1);
      // The old graph is still live: a run-time change still propagates.
      instances.get('testcomponents.passthrough.a')![0]!.publish('after');
      await eventually(
        () => exportOf(r.engine, 'testcomponents.passthrough.c') === 'after-b-c',
        2000,
        'old graph live',
      );
    });
  }

  test('an evaluation error keeps the last good arguments and marks the component unhealthy', async () => {
    r = startEngine(chain('x'));
    await settle();
    const res = r.load(
      chain('x').replace(
        'testcomponents.passthrough.a.output + "-b"',
        'testcomponents.passthrough.a.output + 1',
      ),
    );
    assert.equal(res.committed, true);
    assert.ok(res.diagnostics.some((d) => /should be string, got number/.test(d.message)));
    const b = r.engine.component('testcomponents.passthrough.b')!;
    assert.equal(b.health.state, 'unhealthy');
    assert.match(b.health.message, /^component evaluation failed: /);
    assert.equal(exportOf(r.engine, 'testcomponents.passthrough.b'), 'x-b');
    assert.deepEqual(r.engine.unhealthyComponents(), ['testcomponents.passthrough.b']);
  });

  test('a failing update keeps the previous arguments', async () => {
    r = startEngine(chain('x'));
    await settle();
    const res = r.load(chain('x').replace('input = "x"', 'input = "y"\n  fail_update = true'));
    assert.ok(
      res.diagnostics.some(
        (d) => d.message === 'Failed to build component: updating component: update refused',
      ),
    );
    assert.equal(exportOf(r.engine, 'testcomponents.passthrough.a'), 'x');
    assert.equal(r.engine.component('testcomponents.passthrough.a')!.health.state, 'unhealthy');
  });
});
