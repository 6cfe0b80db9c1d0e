import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shard } from '../../src/components/prometheus/remote_write/queue.js';

test('a wake-up that arrives before the shard loop waits is not lost', async () => {
  const s = new Shard();
  s.wake();
  const woke = await Promise.race([
    s.wait(Infinity).then(() => true),
    new Promise((r) => setTimeout(() => r(false), 200)),
  ]);
  assert.equal(woke, true);
  // The pending wake-up is consumed once.
  const again = await Promise.race([
    s.wait(Infinity).then(() => true),
    new Promise((r) => setTimeout(() => r(false), 50)),
  ]);
  assert.equal(again, false);
  s.wake();
});
