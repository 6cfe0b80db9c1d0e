/**
 * otelcol.exporter.debug output formats, against the collector's debugexporter texts (`otlptext` testdata
 * "two_spans.out" / "one_record.out", the normal marshalers' one-line forms) and the basic summary.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  detailedLogs,
  detailedTraces,
  goTime,
  normalLogs,
  normalMetrics,
  normalTraces,
} from '../../src/components/otelcol/exporter/debug/format.js';
import type { ExportTraceServiceRequest } from '../../src/protocols/otlp/index.js';
import { encodeExportTraceServiceRequest } from '../../src/protocols/otlp/index.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { freePort } from '../support/net.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const ts = (iso: string, ns: number) => BigInt(Date.parse(iso) / 1000) * 1_000_000_000n + BigInt(ns);

const traces: ExportTraceServiceRequest = {
  resourceSpans: [
    {
      resource: {
        attributes: [{ key: 'resource-attr', value: { stringValue: 'resource-attr-val-1' } }],
        droppedAttributesCount: 0,
        entityRefs: [],
      },
      scopeSpans: [
        {
          spans: [
            {
              traceId: hex('0102030405060708090a0b0c0d0e0f10'),
              spanId: hex('1112131415161718'),
              traceState: 'ot=th:0',
              parentSpanId: new Uint8Array(0),
              flags: 0,
              name: 'operationA',
              kind: 0,
              startTimeUnixNano: ts('2020-02-11T20:26:12Z', 321),
              endTimeUnixNano: ts('2020-02-11T20:26:13Z', 789),
              attributes: [],
              droppedAttributesCount: 1,
              events: [
                {
                  timeUnixNano: ts('2020-02-11T20:26:13Z', 123),
                  name: 'event-with-attr',
                  attributes: [{ key: 'span-event-attr', value: { stringValue: 'span-event-attr-val' } }],
                  droppedAttributesCount: 2,
                },
              ],
              droppedEventsCount: 1,
              links: [],
              droppedLinksCount: 0,
              status: { code: 2, message: 'status-cancelled' },
            },
          ],
          schemaUrl: '',
        },
      ],
      schemaUrl: '',
    },
  ],
};

test('detailed traces follow the collector text format', () => {
  assert.equal(
    detailedTraces(traces),
    `ResourceSpans #0
Resource SchemaURL: 
Resource attributes:
     -> resource-attr: Str(resource-attr-val-1)
ScopeSpans #0
ScopeSpans SchemaURL: 
InstrumentationScope  
Span #0
    Trace ID       : 0102030405060708090a0b0c0d0e0f10
    Parent ID      : 
    ID             : 1112131415161718
    Name           : operationA
    Kind           : Unspecified
    TraceState     : ot=th:0
    Start time     : 2020-02-11 20:26:12.000000321 +0000 UTC
    End time       : 2020-02-11 20:26:13.000000789 +0000 UTC
    Status code    : Error
    Status message : status-cancelled
    DroppedAttributesCount: 1
    DroppedEventsCount: 1
    DroppedLinksCount: 0
Events:
SpanEvent #0
     -> Name: event-with-attr
     -> Timestamp: 2020-02-11 20:26:13.000000123 +0000 UTC
     -> DroppedAttributesCount: 2
     -> Attributes::
          -> span-event-attr: Str(span-event-attr-val)
`,
  );
  assert.equal(goTime(0n), '1970-01-01 00:00:00 +0000 UTC');
});

test('detailed logs and the normal one-line forms', () => {
  const logs = {
    resourceLogs: [
      {
        resource: {
          attributes: [{ key: 'r', value: { stringValue: 'v' } }],
          droppedAttributesCount: 0,
          entityRefs: [],
        },
        scopeLogs: [
          {
            scope: { name: 'lib', version: '1.0', attributes: [], droppedAttributesCount: 0 },
            logRecords: [
              {
                timeUnixNano: ts('2020-02-11T20:26:13Z', 789),
                observedTimeUnixNano: 0n,
                severityNumber: 9,
                severityText: 'Info',
                body: { stringValue: 'This is a log message' },
                attributes: [
                  { key: 'app', value: { stringValue: 'server' } },
                  { key: 'instance_num', value: { intValue: 1n } },
                ],
                droppedAttributesCount: 0,
                flags: 0,
                traceId: hex('08040201000000000000000000000000'),
                spanId: hex('0102040800000000'),
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
  assert.match(
    detailedLogs(logs),
    /LogRecord #0\nObservedTimestamp: 1970-01-01 00:00:00 \+0000 UTC\nTimestamp: 2020-02-11 20:26:13.000000789 \+0000 UTC\nSeverityText: Info\nSeverityNumber: Info\(9\)\nBody: Str\(This is a log message\)\nAttributes:\n     -> app: Str\(server\)\n     -> instance_num: Int\(1\)\nTrace ID: 08040201000000000000000000000000\nSpan ID: 0102040800000000\nFlags: 0\n/,
  );
  assert.equal(
    normalLogs(logs),
    'ResourceLog #0 r=v\nScopeLog #0 lib@1.0\nThis is a log message app=server instance_num=1\n',
  );
  assert.equal(
    normalTraces(traces),
    'ResourceTraces #0 resource-attr=resource-attr-val-1\nScopeTraces #0\noperationA 0102030405060708090a0b0c0d0e0f10 1112131415161718\n',
  );
  assert.equal(
    normalMetrics({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'requests',
                  description: '',
                  unit: '',
                  metadata: [],
                  sum: {
                    dataPoints: [
                      {
                        attributes: [{ key: 'code', value: { stringValue: '200' } }],
                        startTimeUnixNano: 0n,
                        timeUnixNano: 1n,
                        asInt: 12n,
                        exemplars: [],
                        flags: 0,
                      },
                    ],
                    aggregationTemporality: 2,
                    isMonotonic: true,
                  },
                },
              ],
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    }),
    'ResourceMetrics #0\nScopeMetrics #0\nrequests{code=200} 12\n',
  );
});

let e: Running | undefined;
after(async () => {
  await e?.stop();
});

test('basic verbosity logs one summary line per request', async () => {
  const port = await freePort();
  e = startEngine(`
    otelcol.receiver.otlp "in" {
      http { endpoint = "127.0.0.1:${port}" }
      output { traces = [otelcol.exporter.debug.basic.input] }
    }
    otelcol.exporter.debug "basic" { }
  `);
  await eventually(() => e!.logs.some((l) => l.includes('Starting HTTP')), 5000, 'receiver');
  const r = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
    method: 'POST',
    body: Buffer.from(encodeExportTraceServiceRequest(traces)),
    headers: { 'Content-Type': 'application/x-protobuf' },
  });
  assert.equal(r.status, 200);
  const line = e.logs.find((l) => l.includes('msg=Traces'));
  assert.ok(line);
  assert.match(line, /resource spans=1 spans=1/);
  assert.ok(!e.logs.some((l) => l.includes('Span #0')), 'basic prints no details');
});
