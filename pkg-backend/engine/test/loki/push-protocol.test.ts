import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodePushJSON,
  decodePushRequest,
  encodePushJSON,
  encodePushRequest,
  formatLabelText,
  goQuote,
  LabelTextCache,
  parseLabelText,
  PushParseError,
  snappyCompress,
  snappyUncompress,
  type PushStream,
} from '../../src/protocols/loki-push.js';
import { ProtoWriter } from '../../src/protocols/remote-write-proto.js';

/** A reference encoder written field by field (independent of the production size pre-computation). */
function refEncode(streams: PushStream[]): Buffer {
  const msg = (build: (w: ProtoWriter) => void): Buffer => {
    const w = new ProtoWriter(64);
    build(w);
    return Buffer.from(w.finish());
  };
  const field = (w: ProtoWriter, tag: number, body: Buffer) => {
    w.ensure(body.length + 11);
    w.byte(tag);
    w.varint(body.length);
    w.raw(body);
  };
  return msg((w) => {
    for (const s of streams) {
      field(
        w,
        0x0a,
        msg((sw) => {
          if (s.labels) sw.stringField(0x0a, s.labels);
          for (const e of s.entries) {
            field(
              sw,
              0x12,
              msg((ew) => {
                let sec = e.timestamp / 1_000_000_000n;
                let ns = e.timestamp - sec * 1_000_000_000n;
                if (ns < 0n) {
                  sec -= 1n;
                  ns += 1_000_000_000n;
                }
                field(
                  ew,
                  0x0a,
                  msg((tw) => {
                    tw.ensure(22);
                    if (sec !== 0n) {
                      tw.byte(0x08);
                      tw.int64(Number(sec));
                    }
                    if (ns !== 0n) {
                      tw.byte(0x10);
                      tw.varint(Number(ns));
                    }
                  }),
                );
                if (e.line) ew.stringField(0x12, e.line);
                for (let i = 0; i < e.structuredMetadata.length; i += 2) {
                  field(
                    ew,
                    0x1a,
                    msg((pw) => {
                      if (e.structuredMetadata[i]) pw.stringField(0x0a, e.structuredMetadata[i]!);
                      if (e.structuredMetadata[i + 1]) pw.stringField(0x12, e.structuredMetadata[i + 1]!);
                    }),
                  );
                }
              }),
            );
          }
        }),
      );
    }
  });
}

const sample: PushStream[] = [
  {
    labels: '{job="api", level="info"}',
    entries: [
      { timestamp: 1_570_818_238_000_000_001n, line: 'line 1', structuredMetadata: [] },
      {
        timestamp: 1_570_818_238_123_456_789n,
        line: 'line 2 — ünïcode',
        structuredMetadata: ['trace_id', '0242ac120002', 'user', 'ü'],
      },
    ],
  },
  { labels: '{job="db"}', entries: [{ timestamp: 0n, line: '', structuredMetadata: [] }] },
];

describe('loki push protobuf', () => {
  test('round trip keeps exact ns timestamps, lines and structured metadata', () => {
    const buf = encodePushRequest(sample);
    const back = decodePushRequest(buf);
    assert.deepEqual(back, sample);
    // through snappy, as on the wire
    assert.deepEqual(decodePushRequest(snappyUncompress(snappyCompress(buf))), sample);
  });

  test('bytes equal a field-by-field reference encoding', () => {
    assert.deepEqual(encodePushRequest(sample), refEncode(sample));
  });

  test('negative and large timestamps (floor seconds, non-negative nanos)', () => {
    for (const ts of [-1n, -1_000_000_000n, -1_500_000_001n, 9_223_372_036_854_775_807n, 1n, 999_999_999n]) {
      const s: PushStream[] = [
        { labels: '{a="b"}', entries: [{ timestamp: ts, line: 'x', structuredMetadata: [] }] },
      ];
      const enc = encodePushRequest(s);
      assert.deepEqual(enc, refEncode(s), `bytes for ${ts}`);
      assert.equal(decodePushRequest(enc)[0]!.entries[0]!.timestamp, ts);
    }
  });

  test('property: random requests round trip and match the reference encoder', () => {
    const str = fc.string({ unit: 'grapheme', maxLength: 40 });
    const entry = fc.record({
      timestamp: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
      line: str,
      structuredMetadata: fc.array(fc.tuple(str, str), { maxLength: 3 }).map((p) => p.flat()),
    });
    const stream = fc.record({ labels: str, entries: fc.array(entry, { maxLength: 5 }) });
    fc.assert(
      fc.property(fc.array(stream, { maxLength: 4 }), (raw) => {
        const streams = raw.map((s) => ({ labels: s.labels, entries: s.entries.map((e) => ({ ...e })) }));
        const enc = encodePushRequest(streams);
        assert.deepEqual(enc, refEncode(streams));
        assert.deepEqual(decodePushRequest(enc), streams);
      }),
      { numRuns: 300 },
    );
  });

  test('unknown fields (hash, parsed, format) are skipped; truncated input is an error', () => {
    const w = new ProtoWriter(256);
    const body = encodePushRequest(sample);
    w.raw(body);
    w.ensure(20);
    w.stringField(0x12, 'loki'); // PushRequest.format
    const back = decodePushRequest(w.finish());
    assert.deepEqual(back, sample);
    assert.throws(() => decodePushRequest(body.subarray(0, body.length - 3)));
  });
});

describe('loki push JSON', () => {
  test('decodes the documented form with metadata and exact ns', () => {
    const s = decodePushJSON(
      '{"streams":[{"stream":{"job":"api"},"values":[["1570818238000000000","line 1"],["1570818238000000001","line 2",{"trace_id":"0242ac120002"}]]}]}',
    );
    assert.equal(s.length, 1);
    assert.equal(s[0]!.labels, '{job="api"}');
    assert.deepEqual(s[0]!.parsed, ['job', 'api']);
    assert.deepEqual(s[0]!.entries, [
      { timestamp: 1570818238000000000n, line: 'line 1', structuredMetadata: [] },
      { timestamp: 1570818238000000001n, line: 'line 2', structuredMetadata: ['trace_id', '0242ac120002'] },
    ]);
  });

  test('round trip through encodePushJSON', () => {
    const back = decodePushJSON(encodePushJSON(sample));
    assert.deepEqual(
      back.map((s) => s.entries),
      sample.map((s) => s.entries),
    );
    assert.deepEqual(
      back.map((s) => s.parsed),
      sample.map((s) => parseLabelText(s.labels)),
    );
  });

  test('rejects malformed bodies with a reason', () => {
    for (const bad of [
      'nope',
      '{"streams":{}}',
      '{"streams":[{"stream":{"a":1},"values":[]}]}',
      '{"streams":[{"stream":{"a-b":"x"},"values":[]}]}',
      '{"streams":[{"stream":{"a":"x"},"values":[[1570818238000000000,"x"]]}]}',
      '{"streams":[{"stream":{"a":"x"},"values":[["1.5","x"]]}]}',
      '{"streams":[{"stream":{"a":"x"},"values":[["1","x",{"k":1}]]}]}',
    ]) {
      assert.throws(() => decodePushJSON(bad), PushParseError, bad);
    }
    assert.deepEqual(decodePushJSON('{}'), []);
  });
});

describe('LogQL label-set text', () => {
  test('parses spacing, quotes, escapes, trailing comma and metric names', () => {
    assert.deepEqual(parseLabelText('{job="api", level="info"}'), ['job', 'api', 'level', 'info']);
    assert.deepEqual(parseLabelText('{level="info",job="x"}'), ['job', 'x', 'level', 'info']);
    assert.deepEqual(parseLabelText(' { a = "1" , b=\'2\', c=`r\\n`, } '), ['a', '1', 'b', '2', 'c', 'r\\n']);
    assert.deepEqual(parseLabelText('{a="q\\"\\n\\t\\\\\\x41\\u00e9\\101"}'), ['a', 'q"\n\t\\AéA']);
    assert.deepEqual(parseLabelText('up{job="x"}'), ['__name__', 'up', 'job', 'x']);
    assert.deepEqual(parseLabelText('{"service.name"="x"}'), ['service.name', 'x']);
    assert.deepEqual(parseLabelText('{}'), []);
  });

  test('errors are PushParseErrors with a position', () => {
    for (const bad of [
      '',
      '{',
      '{a}',
      '{a=1}',
      '{a="x"',
      '{a="x" b="y"}',
      '{a=~"x"}',
      '{a="\\q"}',
      '{a="x",a="y"}',
    ]) {
      assert.throws(() => parseLabelText(bad), PushParseError, bad);
    }
    assert.throws(() => parseLabelText('{a}'), /^PushParseError: 1:3: parse error/);
  });

  test('formats as Alloy: sorted, ", ", Go quoting, internal labels left out', () => {
    assert.equal(formatLabelText(['__tenant_id__', 't', 'a', '1', 'b', 'x"y']), '{a="1", b="x\\"y"}');
    assert.equal(formatLabelText([]), '{}');
    assert.equal(
      goQuote('tab\there\x01\x7f é \u00a0 \u2028 😀'),
      '"tab\\there\\x01\\x7f é \\u00a0 \\u2028 😀"',
    );
  });

  test('property: format then parse gives the labels back', () => {
    const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/).filter((n) => !n.startsWith('__'));
    fc.assert(
      fc.property(fc.dictionary(name, fc.string({ unit: 'grapheme', maxLength: 20 })), (rec) => {
        const pairs = Object.keys(rec)
          .sort()
          .flatMap((k) => [k, rec[k]!]);
        assert.deepEqual(parseLabelText(formatLabelText(pairs)), pairs);
      }),
      { numRuns: 300 },
    );
  });

  test('the cache returns one array per text and remembers errors', () => {
    const c = new LabelTextCache(2);
    const a = c.get('{a="1"}');
    assert.equal(c.get('{a="1"}'), a);
    c.get('{b="1"}');
    c.get('{c="1"}');
    assert.equal(c.get('{a="1"}'), a, 'promoted from the previous generation');
    assert.throws(() => c.get('{bad'), PushParseError);
    assert.throws(() => c.get('{bad'), PushParseError);
  });
});
