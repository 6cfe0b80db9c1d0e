/** otelcol.processor.probabilistic_sampler: hash_seed and proportional modes, priorities, logs. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  otelcolProcessorProbabilisticSampler as reg,
  probabilityToThreshold,
  tvalue,
} from '../../src/components/otelcol/processor/probabilistic_sampler.js';
import {
  allLogs,
  allSpans,
  buildFromBody,
  decodeErrors,
  hexId,
  logRecord,
  logs,
  span,
  traces,
} from './support.js';

const ids = Array.from({ length: 4000 }, () => Uint8Array.from(randomBytes(16)));

async function sampleIds(body: string): Promise<Set<string>> {
  const { input, out } = buildFromBody(reg, body + '\noutput { traces = [OUT] }');
  await input.consumeTraces!(
    traces(
      {},
      ids.map((traceId) => span({ traceId })),
    ),
  );
  return new Set(allSpans(out.traces).map((s) => Buffer.from(s.traceId).toString('hex')));
}

test('thresholds and t-values as the sampling package', () => {
  assert.equal(tvalue(probabilityToThreshold(0.25, 4)!), 'c');
  assert.equal(tvalue(probabilityToThreshold(1 / 3, 4)!), 'aaab');
  assert.equal(tvalue(probabilityToThreshold(0.01, 4)!), 'fd70a');
  assert.equal(tvalue(probabilityToThreshold(1, 4)!), '0');
});

test('hash_seed mode: deterministic per seed, about the configured share', async () => {
  const a = await sampleIds('sampling_percentage = 25\nhash_seed = 123');
  const b = await sampleIds('sampling_percentage = 25\nhash_seed = 123');
  const c = await sampleIds('sampling_percentage = 25\nhash_seed = 7');
  assert.deepEqual([...a].sort(), [...b].sort(), 'same seed, same decisions');
  assert.notDeepEqual([...a].sort(), [...c].sort());
  assert.ok(a.size > 850 && a.size < 1150, `kept ${a.size} of 4000`);
  const all = await sampleIds('sampling_percentage = 100\nhash_seed = 1');
  assert.equal(all.size, 4000);
});

test('proportional mode: trace-id randomness, tracestate th, arriving thresholds, priority', async () => {
  const { input, out } = buildFromBody(reg, 'sampling_percentage = 50\noutput { traces = [OUT] }');
  await input.consumeTraces!(
    traces({}, [
      span({ traceId: hexId('000000000000000000ffffffffffffff'), name: 'high' }),
      span({ traceId: hexId('00000000000000000000000000000001'), name: 'low' }),
      span({
        traceId: hexId('00000000000000000000000000000001'),
        name: 'prio',
        attrs: { 'sampling.priority': 1 },
      }),
      span({
        traceId: hexId('000000000000000000ffffffffffffff'),
        name: 'deny',
        attrs: { 'sampling.priority': 0 },
      }),
      span({
        traceId: hexId('000000000000000000c0000000000000'),
        name: 'halved',
        traceState: 'ot=th:8,vendor=x',
      }),
      span({ traceId: new Uint8Array(16), name: 'no-randomness' }),
    ]),
  );
  const kept = allSpans(out.traces);
  assert.deepEqual(
    kept.map((s) => s.name),
    ['high', 'prio', 'halved'],
  );
  assert.equal(kept[0]!.traceState, 'ot=th:8');
  assert.equal(kept[2]!.traceState, 'ot=th:c,vendor=x', '50% of an arriving 50% is 25%');
});

test('logs: trace id or record attribute, sampling_priority', async () => {
  const { input, out } = buildFromBody(
    reg,
    `sampling_percentage = 50\nattribute_source = "record"\nfrom_attribute = "user"\nsampling_priority = "prio"\noutput { logs = [OUT] }`,
  );
  const recs = Array.from({ length: 400 }, (_, i) => logRecord({ attrs: { user: `u${i}` } }));
  recs.push(
    logRecord({ attrs: { user: 'x', prio: 0 }, text: 'denied' }),
    logRecord({ attrs: { prio: 100 }, text: 'forced' }),
  );
  await input.consumeLogs!(logs({}, recs));
  const kept = allLogs(out.logs);
  assert.ok(kept.length > 150 && kept.length < 250, `kept ${kept.length}`);
  assert.ok(kept.some((l) => l.body && 'stringValue' in l.body && l.body.stringValue === 'forced'));
  assert.ok(!kept.some((l) => l.body && 'stringValue' in l.body && l.body.stringValue === 'denied'));
  assert.ok(kept.every((l) => l.attributes.some((kv) => kv.key === 'sampling.threshold')));
});

test('configuration checks', () => {
  assert.deepEqual(decodeErrors(reg, 'mode = "random"\noutput {}'), ['unsupported sampler mode "random"']);
  assert.deepEqual(decodeErrors(reg, 'attribute_source = "record"\noutput {}'), [
    'missing required field "from_attribute" when attribute_source is record',
  ]);
  assert.deepEqual(decodeErrors(reg, 'sampling_percentage = -1\noutput {}'), [
    'sampling rate is negative: -1%',
  ]);
});
