/**
 * Encoded requests (`protocols/otlp/lazy.ts`): the validating scanner agrees with the decoders (on valid
 * requests of every kind and on thousands of corrupted ones), counts items as the model does, lazy
 * requests behave as plain data, concatenation and splitting keep every item.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  concatTraces,
  decodeExportLogsServiceRequest,
  decodeExportMetricsServiceRequest,
  decodeExportTraceServiceRequest,
  EncodedLogs,
  EncodedTraces,
  encodeExportLogsServiceRequest,
  encodeExportMetricsServiceRequest,
  encodeExportTraceServiceRequest,
  rawCountOf,
  rawOf,
  scanExportLogsServiceRequest,
  scanExportMetricsServiceRequest,
  scanExportTraceServiceRequest,
  splitEncodedLogs,
  splitEncodedTraces,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
  type KeyValue,
} from '../../src/protocols/otlp/index.js';
import {
  countDataPoints,
  countLogRecords,
  countSpans,
  copyTraces,
} from '../../src/components/otelcol/consumer.js';

const id = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i * 7) & 0xff);
const attrs = (seed: number): KeyValue[] => [
  { key: 'str', value: { stringValue: `v${seed}` } },
  { key: 'int', value: { intValue: BigInt(seed) * -3n } },
  { key: 'dbl', value: { doubleValue: seed / 7 } },
  { key: 'bool', value: { boolValue: seed % 2 === 0 } },
  { key: 'bytes', value: { bytesValue: id(5, seed) } },
  { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1n }] } } },
  { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'x' } }] } } },
  { key: 'empty', value: {} },
];

function traces(resources: number, scopes: number, spans: number): ExportTraceServiceRequest {
  let n = 0;
  return {
    resourceSpans: Array.from({ length: resources }, (_, r) => ({
      resource: { attributes: attrs(r), droppedAttributesCount: 1, entityRefs: [] },
      scopeSpans: Array.from({ length: scopes }, (_, s) => ({
        scope: { name: `scope-${s}`, version: '1', attributes: attrs(s), droppedAttributesCount: 0 },
        spans: Array.from({ length: spans }, () => {
          const i = n++;
          return {
            traceId: id(16, i),
            spanId: id(8, i),
            traceState: 'a=b',
            parentSpanId: i % 3 ? id(8, i + 1) : new Uint8Array(0),
            flags: 0x301,
            name: `span-${i}`,
            kind: (i % 5) + 1,
            startTimeUnixNano: 1_700_000_000_123_456_789n + BigInt(i),
            endTimeUnixNano: 1_700_000_001_987_654_321n + BigInt(i),
            attributes: attrs(i),
            droppedAttributesCount: 2,
            events: [{ timeUnixNano: 5n, name: 'ev', attributes: attrs(i + 1), droppedAttributesCount: 0 }],
            droppedEventsCount: 0,
            links: [
              {
                traceId: id(16, 9),
                spanId: id(8, 9),
                traceState: '',
                attributes: [],
                droppedAttributesCount: 0,
                flags: 1,
              },
            ],
            droppedLinksCount: 0,
            status: { code: 2, message: 'err' },
          };
        }),
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      })),
      schemaUrl: '',
    })),
  };
}

function metrics(): ExportMetricsServiceRequest {
  const pt = (i: number) => ({
    attributes: attrs(i),
    startTimeUnixNano: 1n,
    timeUnixNano: 2n + BigInt(i),
    exemplars: [
      { filteredAttributes: [], timeUnixNano: 3n, asDouble: 1.5, spanId: id(8, i), traceId: id(16, i) },
    ],
    flags: 0,
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: attrs(0), droppedAttributesCount: 0, entityRefs: [] },
        scopeMetrics: [
          {
            scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 },
            metrics: [
              {
                name: 'g',
                description: 'd',
                unit: '1',
                metadata: [],
                gauge: { dataPoints: [{ ...pt(1), asInt: 5n }] },
              },
              {
                name: 's',
                description: '',
                unit: '',
                metadata: attrs(3),
                sum: {
                  dataPoints: [
                    { ...pt(2), asDouble: 2.5 },
                    { ...pt(3), asInt: -1n },
                  ],
                  aggregationTemporality: 2,
                  isMonotonic: true,
                },
              },
              {
                name: 'h',
                description: '',
                unit: 'ms',
                metadata: [],
                histogram: {
                  dataPoints: [
                    {
                      ...pt(4),
                      count: 3,
                      sum: 7,
                      bucketCounts: [1, 1, 1],
                      explicitBounds: [1, 10],
                      min: 0.5,
                      max: 9,
                    },
                  ],
                  aggregationTemporality: 1,
                },
              },
              {
                name: 'e',
                description: '',
                unit: '',
                metadata: [],
                exponentialHistogram: {
                  dataPoints: [
                    {
                      ...pt(5),
                      count: 4,
                      sum: 1,
                      scale: -2,
                      zeroCount: 1,
                      positive: { offset: -3, bucketCounts: [1, 2] },
                      negative: { offset: 1, bucketCounts: [1] },
                      zeroThreshold: 0.001,
                    },
                  ],
                  aggregationTemporality: 2,
                },
              },
              {
                name: 'q',
                description: '',
                unit: '',
                metadata: [],
                summary: {
                  dataPoints: [
                    {
                      attributes: [],
                      startTimeUnixNano: 1n,
                      timeUnixNano: 2n,
                      count: 2,
                      sum: 3,
                      quantileValues: [{ quantile: 0.5, value: 1 }],
                      flags: 1,
                    },
                  ],
                },
              },
            ],
            schemaUrl: '',
          },
        ],
        schemaUrl: '',
      },
    ],
  };
}

function logs(n: number): ExportLogsServiceRequest {
  return {
    resourceLogs: [
      {
        resource: { attributes: attrs(1), droppedAttributesCount: 0, entityRefs: [] },
        scopeLogs: [0, 1].map((s) => ({
          scope: { name: `l${s}`, version: '', attributes: [], droppedAttributesCount: 0 },
          logRecords: Array.from({ length: n }, (_, i) => ({
            timeUnixNano: BigInt(i),
            observedTimeUnixNano: 9n,
            severityNumber: 9,
            severityText: 'INFO',
            body: { kvlistValue: { values: attrs(i) } },
            attributes: attrs(i),
            droppedAttributesCount: 0,
            flags: 1,
            traceId: id(16, i),
            spanId: id(8, i),
            eventName: 'e',
          })),
          schemaUrl: '',
        })),
        schemaUrl: '',
      },
    ],
  };
}

test('the scanner accepts valid requests and counts their items', () => {
  const t = traces(2, 2, 5);
  assert.equal(scanExportTraceServiceRequest(encodeExportTraceServiceRequest(t)), 20);
  assert.equal(countSpans(t), 20);
  const m = metrics();
  assert.equal(scanExportMetricsServiceRequest(encodeExportMetricsServiceRequest(m)), 6);
  assert.equal(countDataPoints(m), 6);
  const l = logs(3);
  assert.equal(scanExportLogsServiceRequest(encodeExportLogsServiceRequest(l)), 6);
  assert.equal(countLogRecords(l), 6);
  assert.equal(scanExportTraceServiceRequest(new Uint8Array(0)), 0);
});

/** Deterministic PRNG. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('the scanner rejects exactly what the decoders reject (corrupted requests)', () => {
  const cases: [Uint8Array, (b: Uint8Array) => number, (b: Uint8Array) => unknown, (x: never) => number][] = [
    [
      encodeExportTraceServiceRequest(traces(1, 2, 3)),
      scanExportTraceServiceRequest,
      decodeExportTraceServiceRequest,
      countSpans as never,
    ],
    [
      encodeExportMetricsServiceRequest(metrics()),
      scanExportMetricsServiceRequest,
      decodeExportMetricsServiceRequest,
      countDataPoints as never,
    ],
    [
      encodeExportLogsServiceRequest(logs(2)),
      scanExportLogsServiceRequest,
      decodeExportLogsServiceRequest,
      countLogRecords as never,
    ],
  ];
  const rand = rng(42);
  let rejected = 0;
  for (const [good, scan, decode, count] of cases) {
    for (let i = 0; i < 1500; i++) {
      const b = Uint8Array.from(good);
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * b.length);
        const r = rand();
        b[at] =
          r < 0.3 ? b[at]! ^ (1 << Math.floor(rand() * 8)) : r < 0.6 ? Math.floor(rand() * 256) : b[at]! + 1;
      }
      const cut = rand() < 0.2 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
      let scanned: number | Error;
      let decoded: unknown;
      try {
        scanned = scan(cut);
      } catch (err) {
        scanned = err as Error;
      }
      try {
        decoded = decode(cut);
      } catch (err) {
        decoded = err as Error;
      }
      assert.equal(
        scanned instanceof Error,
        decoded instanceof Error,
        `case ${i}: scan ${String(scanned)} decode ${String(decoded)}`,
      );
      if (scanned instanceof Error) rejected++;
      else assert.equal(scanned, count(decoded as never), `count of case ${i}`);
    }
  }
  assert.ok(rejected > 500, `only ${rejected} corrupted requests were rejected`);
});

test('encoded requests decode on first use, drop their bytes and act as plain data', () => {
  const t = traces(1, 1, 4);
  const bytes = encodeExportTraceServiceRequest(t);
  const e = new EncodedTraces(bytes, 4);
  assert.equal(rawOf(e), bytes);
  assert.equal(rawCountOf(e), 4);
  assert.equal(countSpans(e), 4);
  const copy = copyTraces(e);
  assert.equal(rawOf(copy), bytes, 'copies share the bytes');
  assert.deepEqual({ ...e }, t);
  assert.equal(rawOf(e), undefined, 'looking inside drops the bytes');
  e.resourceSpans[0]!.scopeSpans[0]!.spans.pop();
  assert.equal(countSpans(e), 3);
  assert.deepEqual(structuredClone(copy), t);
  assert.equal(JSON.stringify(Object.keys(new EncodedTraces(bytes, 4))), '["resourceSpans"]');
});

test('concatenation and splitting of encoded requests keep every item in order', () => {
  const a = traces(2, 2, 3);
  const b = traces(1, 1, 5);
  const merged = concatTraces([
    new EncodedTraces(encodeExportTraceServiceRequest(a), 12),
    new EncodedTraces(encodeExportTraceServiceRequest(b), 5),
  ]);
  assert.equal(rawCountOf(merged), 17);
  const spans = (r: ExportTraceServiceRequest) =>
    r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const all = [...spans(a), ...spans(b)];
  const bytes = rawOf(merged)!;
  for (let n = 1; n < 17; n++) {
    const [h, t] = splitEncodedTraces(new EncodedTraces(bytes, 17), n);
    assert.equal(scanExportTraceServiceRequest(rawOf(h)!), n);
    assert.equal(scanExportTraceServiceRequest(rawOf(t)!), 17 - n);
    assert.deepEqual([...spans(h), ...spans(t)], all);
    // Envelopes are repeated on both sides of the cut.
    const hr = h.resourceSpans.at(-1)!;
    const tr = t.resourceSpans[0]!;
    assert.ok(hr.resource && tr.resource && hr.scopeSpans.at(-1)!.scope && tr.scopeSpans[0]!.scope);
    assert.equal(tr.scopeSpans[0]!.schemaUrl, 'https://opentelemetry.io/schemas/1.21.0');
  }
  const l = logs(4);
  const [h, t] = splitEncodedLogs(new EncodedLogs(encodeExportLogsServiceRequest(l), 8), 5);
  assert.equal(countLogRecords(h), 5);
  assert.equal(countLogRecords(t), 3);
  assert.deepEqual(
    t.resourceLogs[0]!.scopeLogs[0]!.logRecords,
    l.resourceLogs[0]!.scopeLogs[1]!.logRecords.slice(1),
  );
});
