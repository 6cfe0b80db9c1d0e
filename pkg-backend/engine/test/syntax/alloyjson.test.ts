import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeAttr, encodeBlock, encodeValue } from '../../src/syntax/alloyjson.js';
import { stdlib } from '../../src/syntax/stdlib/index.js';
import { Capsule, Num, Secret, objectOf, type Value } from '../../src/syntax/value.js';

test('scalars', () => {
  assert.deepEqual(encodeValue(null), { type: 'null', value: null });
  assert.deepEqual(encodeValue(true), { type: 'bool', value: true });
  assert.deepEqual(encodeValue('s'), { type: 'string', value: 's' });
  assert.deepEqual(encodeValue(Num.int(3)), { type: 'number', value: 3 });
  assert.deepEqual(encodeValue(Num.float(1.5)), { type: 'number', value: 1.5 });
  assert.deepEqual(encodeValue(Num.uint(18446744073709551615n)), {
    type: 'number',
    value: 18446744073709551615,
  });
});

test('arrays and objects (sorted keys)', () => {
  assert.deepEqual(encodeValue([Num.int(1), 'a']), {
    type: 'array',
    value: [
      { type: 'number', value: 1 },
      { type: 'string', value: 'a' },
    ],
  });
  assert.deepEqual(encodeValue([]), { type: 'array', value: [] });
  assert.deepEqual(encodeValue(objectOf({ b: Num.int(1), a: objectOf({}), B: null })), {
    type: 'object',
    value: [
      { key: 'B', value: { type: 'null', value: null } },
      { key: 'a', value: { type: 'object', value: [] } },
      { key: 'b', value: { type: 'number', value: 1 } },
    ],
  });
});

test('functions and capsules', () => {
  assert.deepEqual(encodeValue(stdlib.get('coalesce')!), { type: 'function', value: 'function' });
  assert.deepEqual(encodeValue(new Secret('pw')), { type: 'capsule', value: '(secret)' });
  assert.deepEqual(encodeValue(new Capsule('storage.Appendable', {})), {
    type: 'capsule',
    value: 'capsule("storage.Appendable")',
  });
  class Target extends Capsule {
    override toObject() {
      return new Map<string, Value>([['__address__', 'h:1']]);
    }
  }
  assert.deepEqual(encodeValue(new Target('discovery.Target', null)), {
    type: 'object',
    value: [{ key: '__address__', value: { type: 'string', value: 'h:1' } }],
  });
  assert.equal(
    JSON.stringify(encodeValue(objectOf({ pw: new Secret('x') }))),
    '{"type":"object","value":[{"key":"pw","value":{"type":"capsule","value":"(secret)"}}]}',
  );
});

test('bodies', () => {
  assert.deepEqual(encodeBlock('rule', undefined, [encodeAttr('action', 'keep')]), {
    name: 'rule',
    type: 'block',
    body: [{ name: 'action', type: 'attr', value: { type: 'string', value: 'keep' } }],
  });
  assert.deepEqual(encodeBlock('b', 'lbl', []), { name: 'b', type: 'block', label: 'lbl', body: [] });
});
