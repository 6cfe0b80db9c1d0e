import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanKind as ApiSpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import {
  decodeExportLogsServiceRequest,
  decodeExportLogsServiceRequestJson,
  decodeExportLogsServiceResponse,
  decodeExportMetricsServiceRequest,
  decodeExportMetricsServiceRequestJson,
  decodeExportMetricsServiceResponse,
  decodeExportTraceServiceRequest,
  decodeExportTraceServiceRequestJson,
  decodeExportTraceServiceResponse,
  decodeExportTraceServiceResponseJson,
  encodeExportLogsServiceRequest,
  encodeExportLogsServiceRequestJson,
  encodeExportLogsServiceResponse,
  encodeExportMetricsServiceRequest,
  encodeExportMetricsServiceRequestJson,
  encodeExportMetricsServiceResponse,
  encodeExportTraceServiceRequest,
  encodeExportTraceServiceRequestJson,
  encodeExportTraceServiceResponse,
  encodeExportTraceServiceResponseJson,
  OtlpDecodeError,
  type AnyValue,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
  type KeyValue,
} from '../../src/protocols/otlp/index.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const TID = hex('5b8efff798038103d269b633813fc60c');
const SID = hex('eee19b7ec3c1b174');
const PID = hex('eee19b7ec3c1b173');
const NEAR_MAX = 2n ** 63n - 1n; // largest int64 ns
const BIG_NS = 2n ** 63n + 12345n; // fixed64 above int64 range
const EMPTY = new Uint8Array(0);
const EMPTY_RESOURCE = { attributes: [], droppedAttributesCount: 0, entityRefs: [] };

const ALL_VALUES: AnyValue[] = [
  { stringValue: 'héllo' },
  { boolValue: true },
  { boolValue: false },
  { intValue: -(2n ** 63n) },
  { intValue: NEAR_MAX },
  { intValue: -1n },
  { intValue: 0n },
  { doubleValue: 1.5 },
  { doubleValue: 0 },
  { bytesValue: new Uint8Array([0, 1, 255]) },
  { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2n }, {}] } },
  { kvlistValue: { values: [{ key: 'k', value: { doubleValue: -2.25 } }] } },
  {},
];
const ATTRS: KeyValue[] = ALL_VALUES.map((value, i) => ({ key: `k${i}`, value }));

function traces(): ExportTraceServiceRequest {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }],
          droppedAttributesCount: 1,
          entityRefs: [{ schemaUrl: 'u', type: 'service', idKeys: ['service.name'], descriptionKeys: [] }],
        },
        scopeSpans: [
          {
            scope: { name: 'lib', version: '1.0', attributes: ATTRS, droppedAttributesCount: 2 },
            spans: [
              {
                traceId: TID,
                spanId: SID,
                traceState: 'a=b',
                parentSpanId: PID,
                flags: 0x301,
                name: 'op',
                kind: 2,
                startTimeUnixNano: NEAR_MAX - 1000n,
                endTimeUnixNano: BIG_NS,
                attributes: ATTRS,
                droppedAttributesCount: 3,
                events: [
                  {
                    timeUnixNano: 1544712660300000001n,
                    name: 'ev',
                    attributes: ATTRS,
                    droppedAttributesCount: 4,
                  },
                ],
                droppedEventsCount: 5,
                links: [
                  {
                    traceId: TID,
                    spanId: PID,
                    traceState: 'x=y',
                    attributes: [{ key: 'l', value: { boolValue: true } }],
                    droppedAttributesCount: 6,
                    flags: 1,
                  },
                ],
                droppedLinksCount: 7,
                status: { message: 'boom', code: 2 },
              },
              {
                traceId: TID,
                spanId: PID,
                traceState: '',
                parentSpanId: EMPTY,
                flags: 0,
                name: 'x'.repeat(300), // forces multi-byte length prefixes
                kind: 0,
                startTimeUnixNano: 0n,
                endTimeUnixNano: 1n,
                attributes: [],
                droppedAttributesCount: 0,
                events: [],
                droppedEventsCount: 0,
                links: [],
                droppedLinksCount: 0,
              },
            ],
            schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
          },
          { spans: [], schemaUrl: '' },
        ],
        schemaUrl: 'rs',
      },
    ],
  };
}

const base = { attributes: ATTRS.slice(0, 2), startTimeUnixNano: 1n, timeUnixNano: NEAR_MAX };
const EX = {
  filteredAttributes: ATTRS.slice(0, 1),
  timeUnixNano: BIG_NS,
  asInt: -7n,
  spanId: SID,
  traceId: TID,
};

function metrics(): ExportMetricsServiceRequest {
  return {
    resourceMetrics: [
      {
        resource: EMPTY_RESOURCE,
        scopeMetrics: [
          {
            scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 },
            metrics: [
              {
                name: 'g',
                description: 'gauge',
                unit: '1',
                gauge: {
                  dataPoints: [
                    { ...base, asDouble: 0, exemplars: [{ ...EX }], flags: 1 },
                    { ...base, asInt: -(2n ** 63n), exemplars: [], flags: 0 },
                    {
                      ...base,
                      exemplars: [
                        {
                          filteredAttributes: [],
                          timeUnixNano: 0n,
                          asDouble: 2.5,
                          spanId: EMPTY,
                          traceId: EMPTY,
                        },
                      ],
                      flags: 1,
                    },
                  ],
                },
                metadata: [{ key: 'm', value: { stringValue: 'v' } }],
              },
              {
                name: 's',
                description: '',
                unit: 'By',
                sum: {
                  dataPoints: [{ ...base, asInt: NEAR_MAX, exemplars: [], flags: 0 }],
                  aggregationTemporality: 2,
                  isMonotonic: true,
                },
                metadata: [],
              },
              {
                name: 'h',
                description: '',
                unit: 's',
                histogram: {
                  dataPoints: [
                    {
                      ...base,
                      count: 2 ** 40 + 3,
                      sum: 0,
                      bucketCounts: [1, 0, 2 ** 40 + 2],
                      explicitBounds: [0.5, -Infinity],
                      exemplars: [EX],
                      flags: 0,
                      min: -1,
                      max: NaN,
                    },
                    { ...base, count: 0, bucketCounts: [], explicitBounds: [], exemplars: [], flags: 0 },
                  ],
                  aggregationTemporality: 1,
                },
                metadata: [],
              },
              {
                name: 'eh',
                description: '',
                unit: '',
                exponentialHistogram: {
                  dataPoints: [
                    {
                      ...base,
                      count: 10,
                      sum: 3.5,
                      scale: -3,
                      zeroCount: 1,
                      positive: { offset: -5, bucketCounts: [1, 300, 2 ** 35] },
                      negative: { offset: 7, bucketCounts: [] },
                      flags: 0,
                      exemplars: [],
                      min: 0,
                      max: 9,
                      zeroThreshold: 1e-9,
                    },
                  ],
                  aggregationTemporality: 2,
                },
                metadata: [],
              },
              {
                name: 'sm',
                description: '',
                unit: '',
                summary: {
                  dataPoints: [
                    {
                      ...base,
                      count: 4,
                      sum: 10.25,
                      quantileValues: [
                        { quantile: 0, value: 1 },
                        { quantile: 0.99, value: 9.5 },
                      ],
                      flags: 0,
                    },
                  ],
                },
                metadata: [],
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

function logs(): ExportLogsServiceRequest {
  return {
    resourceLogs: [
      {
        resource: EMPTY_RESOURCE,
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: NEAR_MAX,
                observedTimeUnixNano: BIG_NS,
                severityNumber: 17,
                severityText: 'ERROR',
                body: { kvlistValue: { values: ATTRS } },
                attributes: ATTRS,
                droppedAttributesCount: 1,
                flags: 1,
                traceId: TID,
                spanId: SID,
                eventName: 'evt',
              },
              {
                timeUnixNano: 0n,
                observedTimeUnixNano: 1n,
                severityNumber: 0,
                severityText: '',
                attributes: [],
                droppedAttributesCount: 0,
                flags: 0,
                traceId: EMPTY,
                spanId: EMPTY,
                eventName: '',
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

describe('OTLP protobuf codec', () => {
  test('traces round trip (all AnyValue kinds, ids, ns near 2^63, status, links, events)', () => {
    const req = traces();
    const bytes = encodeExportTraceServiceRequest(req);
    assert.deepEqual(decodeExportTraceServiceRequest(bytes), req);
  });

  test('metrics round trip (gauge, sum, histogram, exponential histogram, summary, exemplars)', () => {
    const req = metrics();
    assert.deepEqual(decodeExportMetricsServiceRequest(encodeExportMetricsServiceRequest(req)), req);
  });

  test('logs round trip', () => {
    const req = logs();
    assert.deepEqual(decodeExportLogsServiceRequest(encodeExportLogsServiceRequest(req)), req);
  });

  test('golden bytes of a minimal span', () => {
    const bytes = encodeExportTraceServiceRequest({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  ...traces().resourceSpans[0]!.scopeSpans[0]!.spans[1]!,
                  name: 'a',
                  traceId: EMPTY,
                  spanId: EMPTY,
                  endTimeUnixNano: 2n,
                  flags: 0x100,
                },
              ],
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    });
    // 0a(rs) 12(ss) 12(span): 2a01 61 name; 41 fixed64 end=2; 8501 fixed32 flags (field 16 → 2-byte tag)
    assert.equal(
      Buffer.from(bytes).toString('hex'),
      '0a16' + '1214' + '1212' + '2a0161' + '410200000000000000' + '850100010000',
    );
  });

  test('responses incl. partial success', () => {
    assert.equal(encodeExportTraceServiceResponse({}).length, 0);
    assert.deepEqual(decodeExportTraceServiceResponse(new Uint8Array(0)), {});
    const t = { partialSuccess: { rejectedSpans: 3, errorMessage: 'bad span' } };
    assert.deepEqual(decodeExportTraceServiceResponse(encodeExportTraceServiceResponse(t)), t);
    const m = { partialSuccess: { rejectedDataPoints: 0, errorMessage: 'warning' } };
    assert.deepEqual(decodeExportMetricsServiceResponse(encodeExportMetricsServiceResponse(m)), m);
    const l = { partialSuccess: { rejectedLogRecords: 2 ** 40, errorMessage: '' } };
    assert.deepEqual(decodeExportLogsServiceResponse(encodeExportLogsServiceResponse(l)), l);
  });

  test('unknown fields are skipped (all wire types), unpacked repeated accepted', () => {
    // A ResourceSpans holding: unknown varint field 99, unknown fixed32 field 98, unknown fixed64 97,
    // old instrumentation_library_spans (1000, bytes), then schema_url "s".
    const inner = Buffer.from(
      '98067b' + '95060a000000' + '89060100000000000000' + 'c23e0100' + '1a0173',
      'hex',
    );
    const buf = Buffer.concat([Buffer.from([0x0a, inner.length]), inner, Buffer.from('f80101', 'hex')]);
    assert.deepEqual(decodeExportTraceServiceRequest(buf), {
      resourceSpans: [{ scopeSpans: [], schemaUrl: 's' }],
    });
    // Histogram point with unpacked bucket_counts (field 6, wt 1) twice.
    const dp = Buffer.from('31' + '0100000000000000' + '31' + '0200000000000000', 'hex');
    const hist = Buffer.concat([Buffer.from([0x0a, dp.length]), dp]);
    const met = Buffer.concat([Buffer.from([0x4a, hist.length]), hist]);
    const sm = Buffer.concat([Buffer.from([0x12, met.length]), met]);
    const rm = Buffer.concat([Buffer.from([0x12, sm.length]), sm]);
    const req = decodeExportMetricsServiceRequest(Buffer.concat([Buffer.from([0x0a, rm.length]), rm]));
    assert.deepEqual(
      req.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.histogram!.dataPoints[0]!.bucketCounts,
      [1, 2],
    );
  });

  test('malformed input throws OtlpDecodeError', () => {
    const good = encodeExportTraceServiceRequest(traces());
    for (const cut of [1, 5, 40, good.length - 1]) {
      assert.throws(
        () => decodeExportTraceServiceRequest(good.subarray(0, cut)),
        OtlpDecodeError,
        `cut ${cut}`,
      );
    }
    // resource_spans with wire type 0
    assert.throws(
      () => decodeExportTraceServiceRequest(Buffer.from('0801', 'hex')),
      /wire type 0, expected 2/,
    );
    // group wire type
    assert.throws(() => decodeExportTraceServiceRequest(Buffer.from('0b', 'hex')), OtlpDecodeError);
    // trace_id of 3 bytes
    assert.throws(
      () => decodeExportTraceServiceRequest(Buffer.from('0a07120512030a0101', 'hex')),
      /field 1 is 1 bytes, expected 16/,
    );
    assert.throws(() => decodeExportLogsServiceRequest(Buffer.from('0aff', 'hex')), OtlpDecodeError);
  });
});

describe('OTLP/JSON codec', () => {
  test('round trips for all three signals', () => {
    for (const [enc, dec, req] of [
      [encodeExportTraceServiceRequestJson, decodeExportTraceServiceRequestJson, traces()],
      [encodeExportMetricsServiceRequestJson, decodeExportMetricsServiceRequestJson, metrics()],
      [encodeExportLogsServiceRequestJson, decodeExportLogsServiceRequestJson, logs()],
    ] as const) {
      assert.deepEqual((dec as (s: string) => unknown)((enc as (r: unknown) => string)(req)), req);
    }
  });

  test('OTLP/JSON specifics: hex ids, int64 as strings, enums as integers, non-finite doubles', () => {
    const json = JSON.parse(encodeExportTraceServiceRequestJson(traces()));
    const span = json.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(span.spanId, 'eee19b7ec3c1b174');
    assert.equal(span.startTimeUnixNano, String(NEAR_MAX - 1000n));
    assert.equal(span.endTimeUnixNano, '9223372036854788153');
    assert.equal(span.kind, 2);
    assert.equal(span.status.code, 2);
    assert.deepEqual(span.attributes[3].value, { intValue: '-9223372036854775808' });
    assert.deepEqual(span.attributes[9].value, { bytesValue: 'AAH/' });
    const m = JSON.parse(encodeExportMetricsServiceRequestJson(metrics()));
    const h = m.resourceMetrics[0].scopeMetrics[0].metrics[2].histogram.dataPoints[0];
    assert.equal(h.count, '1099511627779');
    assert.deepEqual(h.bucketCounts, ['1', '0', '1099511627778']);
    assert.deepEqual(h.explicitBounds, [0.5, '-Infinity']);
    assert.equal(h.max, 'NaN');
    assert.equal(h.sum, 0); // optional member written even when 0
    assert.equal(encodeExportTraceServiceResponseJson({}), '{}');
    assert.equal(
      encodeExportTraceServiceResponseJson({ partialSuccess: { rejectedSpans: 3, errorMessage: 'x' } }),
      '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"x"}}',
    );
  });

  test('lenient decode: numbers for int64, upper-case hex, enum names, unknown keys, missing defaults', () => {
    const req = decodeExportTraceServiceRequestJson(
      JSON.stringify({
        resourceSpans: [
          {
            unknownKey: 1,
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '5B8EFFF798038103D269B633813FC60C',
                    spanId: '',
                    kind: 'SPAN_KIND_CLIENT',
                    startTimeUnixNano: 1544712660300000000,
                    endTimeUnixNano: '1544712660300000001',
                    status: { code: 'STATUS_CODE_OK' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const span = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.deepEqual(span.traceId, TID);
    assert.deepEqual(span.spanId, EMPTY);
    assert.equal(span.kind, 3);
    assert.equal(span.startTimeUnixNano, 1544712660300000000n);
    assert.equal(span.endTimeUnixNano, 1544712660300000001n);
    assert.deepEqual(span.status, { message: '', code: 1 });
    assert.equal(span.name, '');
    assert.deepEqual(decodeExportTraceServiceResponseJson('{"partialSuccess":{"rejectedSpans":"3"}}'), {
      partialSuccess: { rejectedSpans: 3, errorMessage: '' },
    });
    const logsReq = decodeExportLogsServiceRequestJson(
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"SEVERITY_NUMBER_WARN2"}]}]}]}',
    );
    assert.equal(logsReq.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.severityNumber, 14);
  });

  test('malformed JSON throws OtlpDecodeError', () => {
    assert.throws(() => decodeExportTraceServiceRequestJson('{'), OtlpDecodeError);
    assert.throws(() => decodeExportTraceServiceRequestJson('{"resourceSpans":{}}'), /expected an array/);
    assert.throws(
      () =>
        decodeExportTraceServiceRequestJson(
          '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}',
        ),
      /hex id/,
    );
    assert.throws(
      () =>
        decodeExportTraceServiceRequestJson(
          '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"1.5"}]}]}]}',
        ),
      /64-bit integer/,
    );
  });
});

describe('OTLP interop with @opentelemetry/otlp-transformer', () => {
  function sdkSpans() {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'interop', n: 42 }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('scope-a', '2.0.0');
    const start = 1544712660300; // ms
    const root = tracer.startSpan('root', {
      kind: ApiSpanKind.SERVER,
      startTime: start,
      attributes: { str: 's', int: 7, dbl: 1.5, bool: true, arr: ['a', 'b'] },
    });
    root.addEvent('ev', { e: 'x' }, start + 1);
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    root.end(start + 2);
    return { spans: exporter.getFinishedSpans(), start };
  }

  test('protobuf: SDK spans serialized by ProtobufTraceSerializer decode with ours', () => {
    const { spans, start } = sdkSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
    const req = decodeExportTraceServiceRequest(bytes);
    const rs = req.resourceSpans[0]!;
    const attrs = Object.fromEntries(rs.resource!.attributes.map((kv) => [kv.key, kv.value]));
    assert.deepEqual(attrs['service.name'], { stringValue: 'interop' });
    assert.deepEqual(attrs.n, { intValue: 42n });
    const ss = rs.scopeSpans[0]!;
    assert.equal(ss.scope!.name, 'scope-a');
    assert.equal(ss.scope!.version, '2.0.0');
    const s = ss.spans[0]!;
    const ctx = spans[0]!.spanContext();
    assert.equal(Buffer.from(s.traceId).toString('hex'), ctx.traceId);
    assert.equal(Buffer.from(s.spanId).toString('hex'), ctx.spanId);
    assert.equal(s.name, 'root');
    assert.equal(s.kind, 2); // SERVER
    assert.equal(s.startTimeUnixNano, BigInt(start) * 1_000_000n);
    assert.equal(s.endTimeUnixNano, BigInt(start + 2) * 1_000_000n);
    assert.deepEqual(s.status, { message: 'boom', code: 2 });
    assert.equal(s.events[0]!.name, 'ev');
    assert.equal(s.events[0]!.timeUnixNano, BigInt(start + 1) * 1_000_000n);
    const a = Object.fromEntries(s.attributes.map((kv) => [kv.key, kv.value]));
    assert.deepEqual(a, {
      str: { stringValue: 's' },
      int: { intValue: 7n },
      dbl: { doubleValue: 1.5 },
      bool: { boolValue: true },
      arr: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
    });
    // Re-encoding with ours and decoding again is stable.
    assert.deepEqual(decodeExportTraceServiceRequest(encodeExportTraceServiceRequest(req)), req);
  });

  test('JSON: JsonTraceSerializer output decodes with ours to the same request as protobuf', () => {
    const { spans } = sdkSpans();
    const fromProto = decodeExportTraceServiceRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    const fromJson = decodeExportTraceServiceRequestJson(JsonTraceSerializer.serializeRequest(spans)!);
    assert.deepEqual(fromJson, fromProto);
  });

  test('responses encoded by ours decode with the transformer deserializers', () => {
    assert.deepEqual(ProtobufTraceSerializer.deserializeResponse(encodeExportTraceServiceResponse({})), {});
    assert.deepEqual(
      ProtobufTraceSerializer.deserializeResponse(
        encodeExportTraceServiceResponse({ partialSuccess: { rejectedSpans: 3, errorMessage: 'bad' } }),
      ),
      { partialSuccess: { rejectedSpans: 3, errorMessage: 'bad' } },
    );
    assert.deepEqual(
      ProtobufMetricsSerializer.deserializeResponse(
        encodeExportMetricsServiceResponse({ partialSuccess: { rejectedDataPoints: 1, errorMessage: 'm' } }),
      ),
      { partialSuccess: { rejectedDataPoints: 1, errorMessage: 'm' } },
    );
    assert.deepEqual(
      ProtobufLogsSerializer.deserializeResponse(
        encodeExportLogsServiceResponse({ partialSuccess: { rejectedLogRecords: 2, errorMessage: 'l' } }),
      ),
      { partialSuccess: { rejectedLogRecords: 2, errorMessage: 'l' } },
    );
  });
});
