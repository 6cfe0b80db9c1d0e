import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Num, formatFloatF } from '../../src/syntax/value.js';
test('num', () => { assert.equal(Num.int(7n).toString(), '7'); assert.equal(formatFloatF(1e21), '1000000000000000000000'); assert.equal(formatFloatF(1.5e-7), '0.00000015'); });
test.skip('skipme', () => {});
