import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule, formatFloatF, fromJS, Num, Secret, typeOf, valuesEqual } from '../../src/syntax/value.js';

test('numbers keep their kind and print as Go', () => {
  assert.equal(Num.int(7n).toString(), '7');
  assert.equal(Num.uint(-1n).toString(), '18446744073709551615');
  assert.equal(Num.float(3).toString(), '3');
  assert.equal(formatFloatF(1e21), '1000000000000000000000');
  assert.equal(formatFloatF(1.5e-7), '0.00000015');
  assert.equal(formatFloatF(-0), '-0');
});

test('equality is structural across arrays and objects, never across types', () => {
  assert.ok(valuesEqual(fromJS([1, { a: 'x' }]), fromJS([1, { a: 'x' }])));
  assert.ok(!valuesEqual(fromJS(1), '1'));
  assert.ok(valuesEqual(Num.int(1n), Num.float(1)));
  assert.ok(valuesEqual(new Secret('a'), new Secret('a')), 'capsules compare by deep equality, as Alloy');
  assert.ok(!valuesEqual(new Capsule('x', {}), new Capsule('x', {})), 'host payloads compare by identity');
});

test('secrets never print their content', () => {
  const s = new Secret('hunter2');
  assert.equal(String(s), '(secret)');
  assert.equal(JSON.stringify({ s }), '{"s":"(secret)"}');
  assert.equal(s.display(), '(secret)');
  assert.equal(typeOf(s), 'capsule');
  assert.equal(new Capsule('storage.Appendable', {}).display(), 'capsule("storage.Appendable")');
});
