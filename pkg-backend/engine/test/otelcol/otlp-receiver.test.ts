/**
 * otelcol.receiver.otlp on the wire: HTTP routing, media types, compression, limits, CORS for browser
 * SDKs, status codes and bodies for malformed requests and for retryable / permanent pipeline errors
 * (gRPC and HTTP), include_metadata, server-side basic auth, and its metrics.
 */
import assert from 'node:assert/strict';
import { gzipSync, deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { newExportClient } from '../../src/components/otelcol/grpc.js';
import {
  decodeRpcStatus,
  encodeExportLogsServiceRequest,
  encodeExportTraceServiceRequest,
  encodeExportTraceServiceRequestJson,
  retryDelayMs,
  type ExportTraceServiceRequest,
} from '../../src/protocols/otlp/index.js';
import { snappyCompress } from '../../src/protocols/remote-write.js';
import type { OtelSignal } from '../../src/components/otelcol/consumer.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { freePort } from '../support/net.js';
import { metricValue, rec, recorderComponent, recorderScript, str } from './otlp-support.js';
import { span, traces } from './support.js';

let e: Running;
const port: Record<string, number> = {};

function request(spans: number, name = 'r'): ExportTraceServiceRequest {
  return traces(
    { 'service.name': name },
    Array.from({ length: spans }, (_, i) =>
      span({
        traceId: Buffer.alloc(16, i + 1),
        spanId: Buffer.alloc(8, i + 1),
        name: `s${i}`,
        kind: 1,
        startTimeUnixNano: 1n,
        endTimeUnixNano: 2n,
      }),
    ),
  );
}

const pb = (spans: number, name?: string) =>
  Buffer.from(encodeExportTraceServiceRequest(request(spans, name)));
const spanCount = (name: string) =>
  rec(name).traces.reduce(
    (n, r) => n + r.resourceSpans.reduce((m, rs) => m + rs.scopeSpans[0]!.spans.length, 0),
    0,
  );

before(async () => {
  for (const k of ['g', 'h', 'ag', 'ah']) port[k] = await freePort();
  e = startEngine(
    `
    otelcol.receiver.otlp "main" {
      grpc {
        endpoint = "127.0.0.1:${port.g}"
        max_recv_msg_size = "64KiB"
        include_metadata = true
      }
      http {
        endpoint = "127.0.0.1:${port.h}"
        max_request_body_size = "64KiB"
        include_metadata = true
        cors {
          allowed_origins = ["https://*.example.com", "http://localhost:3000"]
          max_age = 600
        }
      }
      output {
        traces  = [otlptest.recorder.main.input]
        metrics = [otlptest.recorder.main.input]
      }
    }
    otlptest.recorder "main" { name = "recv" }

    otelcol.auth.basic "creds" {
      htpasswd { inline = "alice:s3cret\\nbob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=" }
    }
    otelcol.receiver.otlp "authed" {
      grpc {
        endpoint = "127.0.0.1:${port.ag}"
        auth = otelcol.auth.basic.creds.handler
      }
      http {
        endpoint = "127.0.0.1:${port.ah}"
        auth = otelcol.auth.basic.creds.handler
      }
      output { traces = [otlptest.recorder.authed.input] }
    }
    otlptest.recorder "authed" { name = "recv-auth" }
    `,
    { components: [recorderComponent] },
  );
  await eventually(() => e.logs.filter((l) => l.includes('Starting')).length >= 4, 5000, 'servers');
});

after(async () => {
  await e?.stop();
});

const url = (p = '/v1/traces', which = 'h') => `http://127.0.0.1:${port[which]}${p}`;

async function post(body: Buffer | string, headers: Record<string, string>, p = '/v1/traces', which = 'h') {
  const r = await fetch(url(p, which), { method: 'POST', body, headers });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

function grpcClient(signal: OtelSignal, which = 'g', creds?: string) {
  const c = newExportClient(signal, `127.0.0.1:${port[which]}`, grpc.credentials.createInsecure());
  return (body: Buffer, md = new grpc.Metadata()) =>
    new Promise<{ err: grpc.ServiceError | null; res?: Buffer }>((res) => {
      if (creds) md.set('authorization', creds);
      c.Export(body, md, {}, (err, out) => {
        res({ err, res: out });
      });
    }).finally(() => c.close());
}

test('HTTP: protobuf, JSON and compressed bodies are accepted with the response in the request encoding', async () => {
  const before = spanCount('recv');
  const r1 = await post(pb(3), { 'Content-Type': 'application/x-protobuf' });
  assert.equal(r1.status, 200);
  assert.equal(r1.headers.get('content-type'), 'application/x-protobuf');
  assert.equal(r1.body.length, 0);
  const r2 = await post(encodeExportTraceServiceRequestJson(request(2)), {
    'Content-Type': 'application/json; charset=utf-8',
  });
  assert.equal(r2.status, 200);
  assert.equal(r2.headers.get('content-type'), 'application/json');
  assert.equal(r2.body.toString(), '{}');
  for (const [enc, body] of [
    ['gzip', gzipSync(pb(4))],
    ['deflate', deflateSync(pb(4))],
    ['snappy', Buffer.from(snappyCompress(pb(4)))],
  ] as const) {
    const r = await post(body, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': enc });
    assert.equal(r.status, 200, enc);
  }
  assert.equal(spanCount('recv'), before + 3 + 2 + 12);
  // An empty request succeeds without reaching the pipeline.
  const calls = rec('recv').traces.length;
  assert.equal((await post(Buffer.alloc(0), { 'Content-Type': 'application/x-protobuf' })).status, 200);
  assert.equal(rec('recv').traces.length, calls);
});

test('HTTP: wrong method, path, media type, encoding, size and malformed bodies', async () => {
  const get = await fetch(url());
  assert.equal(get.status, 405);
  assert.equal(await get.text(), '405 method not allowed, supported: [POST]');
  assert.equal((await post(pb(1), { 'Content-Type': 'application/x-protobuf' }, '/v1/nope')).status, 404);
  // No consumer for logs in `output`: no route.
  const logs = Buffer.from(encodeExportLogsServiceRequest({ resourceLogs: [] }));
  assert.equal((await post(logs, { 'Content-Type': 'application/x-protobuf' }, '/v1/logs')).status, 404);
  const ct = await post(pb(1), { 'Content-Type': 'text/plain' });
  assert.equal(ct.status, 415);
  assert.match(ct.body.toString(), /415 unsupported media type/);
  const zstd = await post(pb(1), { 'Content-Type': 'application/json', 'Content-Encoding': 'zstd' });
  assert.equal(zstd.status, 400);
  assert.deepEqual(JSON.parse(zstd.body.toString()), {
    code: 3,
    message: 'unsupported Content-Encoding: zstd',
  });
  const bad = await post(Buffer.from([0x0a, 0x05, 0x01]), { 'Content-Type': 'application/x-protobuf' });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('content-type'), 'application/x-protobuf');
  assert.equal(decodeRpcStatus(bad.body).code, 3);
  const badJson = await post('{"resourceSpans": [', { 'Content-Type': 'application/json' });
  assert.equal(badJson.status, 400);
  assert.equal(JSON.parse(badJson.body.toString()).code, 3);
  const big = await post(pb(2000), { 'Content-Type': 'application/x-protobuf' });
  assert.equal(big.status, 400);
  assert.match(decodeRpcStatus(big.body).message, /request body too large/);
  const bomb = await post(gzipSync(Buffer.alloc(1 << 20)), {
    'Content-Type': 'application/x-protobuf',
    'Content-Encoding': 'gzip',
  });
  assert.equal(bomb.status, 400, 'the decompressed size is limited too');
});

test('pipeline errors: retryable → 503 / UNAVAILABLE with the delay, permanent → 500 / INTERNAL', async () => {
  recorderScript.set('recv', ['retryable', 'permanent', 'retryable', 'permanent']);
  const r1 = await post(pb(2), { 'Content-Type': 'application/x-protobuf' });
  assert.equal(r1.status, 503);
  assert.equal(r1.headers.get('retry-after'), '2');
  assert.equal(decodeRpcStatus(r1.body).code, 14);
  const r2 = await post(encodeExportTraceServiceRequestJson(request(2)), {
    'Content-Type': 'application/json',
  });
  assert.equal(r2.status, 500);
  assert.deepEqual(JSON.parse(r2.body.toString()), { code: 13, message: 'scripted permanent failure' });
  const g1 = await grpcClient('traces')(pb(2));
  assert.equal(g1.err?.code, grpc.status.UNAVAILABLE);
  const details = g1.err!.metadata.get('grpc-status-details-bin')[0] as Buffer;
  assert.equal(retryDelayMs(decodeRpcStatus(details)), 2000);
  const g2 = await grpcClient('traces')(pb(2));
  assert.equal(g2.err?.code, grpc.status.INTERNAL);
  const m = await e.engine.metricsText();
  assert.equal(metricValue(m, 'otelcol_receiver_refused_spans_total', 'transport="http"'), 4);
  assert.equal(metricValue(m, 'otelcol_receiver_refused_spans_total', 'transport="grpc"'), 4);
  assert.ok(metricValue(m, 'otelcol_receiver_accepted_spans_total', 'transport="http"') >= 17);
});

test('gRPC: accepted with metadata, unknown signal UNIMPLEMENTED, malformed INVALID_ARGUMENT, too large RESOURCE_EXHAUSTED', async () => {
  const md = new grpc.Metadata();
  md.set('x-tenant', 'acme');
  const ok = await grpcClient('traces')(pb(5, 'grpc-md'), md);
  assert.equal(ok.err, null);
  assert.equal(ok.res?.length, 0);
  const i = rec('recv').traces.findIndex(
    (r) => str(r.resourceSpans[0]!.resource!.attributes[0]!.value) === 'grpc-md',
  );
  // Only traces reach this recorder, so its contexts line up with its trace requests.
  assert.deepEqual(rec('recv').ctx[i]?.metadata?.['x-tenant'], ['acme']);
  const logs = await grpcClient('logs')(Buffer.alloc(0));
  assert.equal(logs.err?.code, grpc.status.UNIMPLEMENTED);
  assert.match(logs.err!.details, /unknown service opentelemetry.proto.collector.logs.v1.LogsService/);
  const bad = await grpcClient('traces')(Buffer.from([0x0a, 0x09, 0x12]));
  assert.equal(bad.err?.code, grpc.status.INVALID_ARGUMENT);
  const big = await grpcClient('traces')(pb(2000));
  assert.equal(big.err?.code, grpc.status.RESOURCE_EXHAUSTED);
});

test('HTTP include_metadata passes request headers on', async () => {
  const r = await post(pb(1, 'http-md'), {
    'Content-Type': 'application/x-protobuf',
    'X-Scope-OrgID': 'team-a',
  });
  assert.equal(r.status, 200);
  const recd = rec('recv');
  const i = recd.traces.findIndex(
    (t) => str(t.resourceSpans[0]!.resource!.attributes[0]!.value) === 'http-md',
  );
  assert.deepEqual(recd.ctx[i]?.metadata?.['x-scope-orgid'], ['team-a']);
  assert.deepEqual(recd.ctx[i]?.metadata?.['content-type'], ['application/x-protobuf']);
});

test('CORS: preflight and actual requests from browser origins', async () => {
  const pre = await fetch(url(), {
    method: 'OPTIONS',
    headers: {
      Origin: 'https://app.example.com',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type, x-requested-with',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example.com');
  assert.equal(pre.headers.get('access-control-allow-methods'), 'POST');
  assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type, x-requested-with');
  assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(pre.headers.get('access-control-max-age'), '600');
  const denied = await fetch(url(), {
    method: 'OPTIONS',
    headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(denied.status, 204);
  assert.equal(denied.headers.get('access-control-allow-origin'), null);
  const badHeader = await fetch(url(), {
    method: 'OPTIONS',
    headers: {
      Origin: 'http://localhost:3000',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'x-custom',
    },
  });
  assert.equal(badHeader.headers.get('access-control-allow-origin'), null);
  const actual = await post(encodeExportTraceServiceRequestJson(request(1)), {
    'Content-Type': 'application/json',
    Origin: 'http://localhost:3000',
  });
  assert.equal(actual.status, 200);
  assert.equal(actual.headers.get('access-control-allow-origin'), 'http://localhost:3000');
});

test('server-side basic auth: 401 / UNAUTHENTICATED without valid credentials', async () => {
  const none = await post(pb(1), { 'Content-Type': 'application/x-protobuf' }, '/v1/traces', 'ah');
  assert.equal(none.status, 401);
  assert.equal(decodeRpcStatus(none.body).code, 16);
  assert.equal(decodeRpcStatus(none.body).message, 'no basic auth provided');
  const wrong = await post(
    pb(1),
    {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}`,
    },
    '/v1/traces',
    'ah',
  );
  assert.equal(wrong.status, 401);
  assert.equal(JSON.parse(wrong.body.toString()).message, 'invalid credentials');
  const ok = await post(
    pb(2),
    {
      'Content-Type': 'application/x-protobuf',
      Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
    },
    '/v1/traces',
    'ah',
  );
  assert.equal(ok.status, 200);
  assert.equal(rec('recv-auth').ctx.at(-1)?.auth?.username, 'alice');
  const g = await grpcClient('traces', 'ag')(pb(1));
  assert.equal(g.err?.code, grpc.status.UNAUTHENTICATED);
  assert.equal(g.err?.details, 'no basic auth provided');
  const g2 = await grpcClient(
    'traces',
    'ag',
    `Basic ${Buffer.from('bob:password').toString('base64')}`,
  )(pb(3));
  assert.equal(g2.err, null, 'the {SHA} entry matches');
  assert.equal(spanCount('recv-auth'), 5);
});
