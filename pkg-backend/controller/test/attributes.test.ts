/** Attribute maps as matchers see them: reserved `agent.*` keys only from the system, remote over local. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributesOf, effectiveAttributes } from '../src/fleet/desired-state.js';

test('attributesOf keeps string entries, split by the reserved agent.* prefix', () => {
  const source = { env: 'prod', 'agent.os': 'linux', n: 3, team: 'shop', 'agent.kind': 'foundry' };
  assert.deepEqual(attributesOf(source, false), { env: 'prod', team: 'shop' });
  assert.deepEqual(attributesOf(source, true), { 'agent.os': 'linux', 'agent.kind': 'foundry' });
  for (const notAMap of [null, undefined, 'env=prod', ['env'], 7])
    assert.deepEqual(attributesOf(notAMap, false), {});
});

test('effectiveAttributes: remote wins over local, agent.* only from the system, id and name last', () => {
  const effective = effectiveAttributes({
    id: 'a-1',
    name: 'edge',
    localAttributes: { env: 'dev', region: 'eu', 'agent.name': 'spoofed' },
    remoteAttributes: { env: 'prod', 'agent.os': 'spoofed' },
    systemAttributes: { 'agent.os': 'linux', team: 'not-system' },
  });
  assert.deepEqual(effective, {
    env: 'prod',
    region: 'eu',
    'agent.os': 'linux',
    'agent.id': 'a-1',
    'agent.name': 'edge',
  });
});
