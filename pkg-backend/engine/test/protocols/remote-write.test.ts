import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeWriteRequest,
  encodeLabels,
  encodeWriteRequest,
  InvalidWriteRequest,
  LabelInterner,
  ProtoError,
  snappyCompress,
  snappyUncompress,
  WriteRequestEncoder,
} from '../../src/protocols/remote-write.js';
import { ProtoReader, ProtoWriter } from '../../src/protocols/remote-write-proto.js';
import { labelsFromRecord } from '../../src/components/prometheus/labels.js';

const UP = labelsFromRecord({ __name__: 'up', job: 'a' });

describe('remote write codec', () => {
  test('golden bytes of a one-sample request', () => {
    const bytes = encodeWriteRequest({
      timeseries: [
        { labels: labelsFromRecord({ __name__: 'up' }), samples: [{ value: 1, timestamp: 1000 }] },
      ],
    });
    assert.equal(
      Buffer.from(bytes).toString('hex'),
      '0a1e' + '0a0e' + '0a085f5f6e616d655f5f' + '12027570' + '120c' + '09000000000000f03f' + '10e807',
    );
  });

  test('round trip of samples, stale markers, exemplars and metadata', () => {
    const bytes = encodeWriteRequest({
      timeseries: [
        {
          labels: UP,
          samples: [
            { value: 1.5, timestamp: 1_700_000_000_123 },
            { value: 0, timestamp: 1_700_000_015_123, stale: true },
          ],
          exemplars: [
            { labels: labelsFromRecord({ trace_id: 'abc' }), value: 1.5, timestamp: 1_700_000_000_100 },
          ],
        },
        {
          labels: labelsFromRecord({ __name__: 'neg', ütf: 'välue ✓' }),
          samples: [
            { value: -Infinity, timestamp: -5 },
            { value: NaN, timestamp: 0 },
          ],
        },
      ],
      metadata: [{ family: 'up', type: 'gauge', help: 'Up.', unit: '' }],
    });
    const d = decodeWriteRequest(bytes);
    assert.equal(d.series, 2);
    assert.equal(d.batch.count, 4);
    assert.deepEqual([...d.batch.series[0]!], ['__name__', 'up', 'job', 'a']);
    assert.equal(d.batch.series[0], d.batch.series[1], 'same series → same Labels array');
    assert.deepEqual([...d.batch.timestamps.subarray(0, 4)], [1_700_000_000_123, 1_700_000_015_123, -5, 0]);
    assert.deepEqual([...d.batch.stale.subarray(0, 4)], [0, 1, 0, 0]);
    assert.equal(d.batch.values[0], 1.5);
    assert.ok(Number.isNaN(d.batch.values[1]));
    assert.equal(d.batch.values[2], -Infinity);
    assert.ok(Number.isNaN(d.batch.values[3]));
    assert.deepEqual([...d.batch.series[2]!], ['__name__', 'neg', 'ütf', 'välue ✓']);
    assert.equal(d.batch.exemplars?.length, 1);
    assert.equal(d.batch.exemplars![0]!.sample, 1);
    assert.deepEqual([...d.batch.exemplars![0]!.labels], ['trace_id', 'abc']);
    assert.deepEqual(d.metadata, [{ family: 'up', type: 'gauge', help: 'Up.', unit: '' }]);
  });

  test('stale markers are written as StaleNaN bits and a plain NaN is not stale', () => {
    const enc = new WriteRequestEncoder(16);
    const lb = encodeLabels(UP);
    enc.sample(lb, 123, 1000, true);
    enc.sample(lb, NaN, 2000, false);
    const bytes = Buffer.from(enc.finish());
    const staleBits = Buffer.from('09020000000000f07f', 'hex');
    assert.ok(bytes.includes(staleBits));
    const d = decodeWriteRequest(bytes);
    assert.deepEqual([...d.batch.stale.subarray(0, 2)], [1, 0]);
    // The NaN written for a normal NaN is not StaleNaN.
    assert.equal(bytes.indexOf(staleBits), bytes.lastIndexOf(staleBits));
  });

  test('the encoder grows its buffer and is reusable', () => {
    const enc = new WriteRequestEncoder(8);
    const lb = encodeLabels(UP);
    for (let round = 0; round < 2; round++) {
      enc.reset();
      for (let i = 0; i < 5000; i++) enc.sample(lb, i, 1000 + i, false);
      const d = decodeWriteRequest(enc.finish());
      assert.equal(d.batch.count, 5000);
      assert.equal(d.batch.values[4999], 4999);
    }
  });

  test('interning keeps one Labels array per series across requests', () => {
    const interner = new LabelInterner(2);
    const a = decodeWriteRequest(
      encodeWriteRequest({ timeseries: [{ labels: UP, samples: [{ value: 1, timestamp: 1 }] }] }),
      interner,
    );
    const b = decodeWriteRequest(
      encodeWriteRequest({ timeseries: [{ labels: UP, samples: [{ value: 2, timestamp: 2 }] }] }),
      interner,
    );
    assert.equal(a.batch.series[0], b.batch.series[0]);
    assert.ok(Object.isFrozen(a.batch.series[0]));
  });

  test('unsorted labels are sorted, duplicates and empty names rejected', () => {
    const w = new ProtoWriter(64);
    const raw = (pairs: string[]) => {
      w.reset();
      const lw = new ProtoWriter(64);
      for (let i = 0; i < pairs.length; i += 2) {
        const one = new ProtoWriter(64);
        one.stringField(0x0a, pairs[i]!);
        one.stringField(0x12, pairs[i + 1]!);
        lw.ensure(16);
        lw.byte(0x0a);
        lw.varint(one.pos);
        lw.raw(one.finish());
      }
      w.ensure(16);
      w.byte(0x0a);
      w.varint(lw.pos);
      w.raw(lw.finish());
      return new Uint8Array(w.finish());
    };
    const d = decodeWriteRequest(raw(['b', '2', 'a', '1']));
    assert.equal(d.series, 1);
    assert.equal(d.batch.count, 0);
    assert.throws(() => decodeWriteRequest(raw(['a', '1', 'a', '2'])), InvalidWriteRequest);
    assert.throws(() => decodeWriteRequest(raw(['', '1'])), InvalidWriteRequest);
  });

  test('malformed protobuf throws ProtoError', () => {
    assert.throws(() => decodeWriteRequest(Uint8Array.from([0x0a, 0x10, 0x01])), ProtoError);
    assert.throws(() => decodeWriteRequest(Uint8Array.from([0x0a, 0xff])), ProtoError);
  });

  test('snappy block round trip and size limit', () => {
    const bytes = encodeWriteRequest({ timeseries: [{ labels: UP, samples: [{ value: 1, timestamp: 1 }] }] });
    const c = snappyCompress(bytes);
    assert.notEqual(c[0], 0xff, 'block format, not framed');
    assert.deepEqual(new Uint8Array(snappyUncompress(c)), bytes);
    assert.throws(() => snappyUncompress(c, 4), /exceeds limit/);
    assert.throws(() => snappyUncompress(Uint8Array.from([0x05, 0xff, 0xff])), ProtoError);
  });

  test('varints and int64 round trip (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (n) => {
        const w = new ProtoWriter(4);
        w.ensure(10);
        w.int64(n);
        const r = new ProtoReader(w.finish());
        assert.equal(r.int64(), n);
        assert.ok(r.done());
      }),
    );
  });

  test('random requests round trip (property)', () => {
    const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
    const seriesArb = fc.record({
      labels: fc.dictionary(name, fc.string({ minLength: 1, maxLength: 20 }), { minKeys: 1, maxKeys: 6 }),
      samples: fc.array(
        fc.record({
          value: fc.double({ noNaN: true }),
          timestamp: fc.integer({ min: -1e12, max: 4e12 }),
          stale: fc.boolean(),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    });
    fc.assert(
      fc.property(fc.array(seriesArb, { maxLength: 8 }), (ts) => {
        const req = {
          timeseries: ts.map((s) => ({ labels: labelsFromRecord(s.labels), samples: s.samples })),
        };
        const d = decodeWriteRequest(encodeWriteRequest(req));
        let i = 0;
        for (const s of req.timeseries) {
          for (const smp of s.samples) {
            assert.deepEqual([...d.batch.series[i]!], [...s.labels]);
            assert.equal(d.batch.timestamps[i], smp.timestamp);
            assert.equal(d.batch.stale[i], smp.stale ? 1 : 0);
            if (!smp.stale) assert.ok(Object.is(d.batch.values[i], smp.value));
            i++;
          }
        }
        assert.equal(d.batch.count, i);
      }),
    );
  });
});
