/**
 * TLS on both sides: otelcol.exporter.otlp with a client certificate to an OTLP/gRPC receiver that requires
 * one (mutual TLS), otelcol.exporter.otlphttp over HTTPS with a private CA; an exporter without the client
 * certificate is refused and its data counted as failed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeExportTraceServiceRequest } from '../../src/protocols/otlp/index.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { freePort } from '../support/net.js';
import { HAS_OPENSSL, metricValue, rec, recorderComponent, testCertificates } from './otlp-support.js';
import { span, traces } from './support.js';

const engines: Running[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const body = (name: string) =>
  Buffer.from(
    encodeExportTraceServiceRequest(
      traces({}, [
        span({
          traceId: Buffer.alloc(16, 3),
          spanId: Buffer.alloc(8, 3),
          name,
          kind: 1,
          startTimeUnixNano: 1n,
          endTimeUnixNano: 2n,
        }),
      ]),
    ),
  );

test('mutual TLS over gRPC and HTTPS with a private CA', { skip: !HAS_OPENSSL && 'no openssl' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-otlp-tls-'));
  dirs.push(dir);
  const c = testCertificates(dir);
  const [gb, hb, ha] = [await freePort(), await freePort(), await freePort()];
  const b = startEngine(
    `
    otelcol.receiver.otlp "tls" {
      grpc {
        endpoint = "127.0.0.1:${gb}"
        tls {
          cert_file = "${c.serverCert}"
          key_file = "${c.serverKey}"
          client_ca_file = "${c.ca}"
        }
      }
      http {
        endpoint = "127.0.0.1:${hb}"
        tls {
          cert_file = "${c.serverCert}"
          key_file = "${c.serverKey}"
        }
      }
      output { traces = [otlptest.recorder.tls.input] }
    }
    otlptest.recorder "tls" { name = "tls" }
    `,
    { components: [recorderComponent] },
  );
  engines.push(b);
  const a = startEngine(`
    otelcol.receiver.otlp "in" {
      http { endpoint = "127.0.0.1:${ha}" }
      output { traces = [otelcol.exporter.otlp.mtls.input, otelcol.exporter.otlphttp.https.input, otelcol.exporter.otlp.nocert.input] }
    }
    otelcol.exporter.otlp "mtls" {
      client {
        endpoint = "localhost:${gb}"
        tls {
          ca_file = "${c.ca}"
          cert_file = "${c.clientCert}"
          key_file = "${c.clientKey}"
        }
      }
    }
    otelcol.exporter.otlphttp "https" {
      client {
        endpoint = "https://127.0.0.1:${hb}"
        tls { ca_file = "${c.ca}" }
      }
    }
    otelcol.exporter.otlp "nocert" {
      client {
        endpoint = "localhost:${gb}"
        tls { ca_file = "${c.ca}" }
      }
      retry_on_failure { enabled = false }
    }
  `);
  engines.push(a);
  await eventually(() => a.logs.some((l) => l.includes('Starting HTTP')), 5000, 'receiver A');
  await eventually(() => b.logs.filter((l) => l.includes('Starting')).length === 2, 5000, 'receivers B');
  const r = await fetch(`http://127.0.0.1:${ha}/v1/traces`, {
    method: 'POST',
    body: body('secure'),
    headers: { 'Content-Type': 'application/x-protobuf' },
  });
  assert.equal(r.status, 200);
  await eventually(() => rec('tls').traces.length === 2, 10_000, 'both secure paths delivered');
  for (const t of rec('tls').traces)
    assert.equal(t.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name, 'secure');
  const m = async () => a.engine.metricsText();
  await eventually(
    async () =>
      metricValue(await m(), 'otelcol_exporter_send_failed_spans_total', 'exporter.otlp.nocert') === 1,
    10_000,
    'the exporter without a client certificate fails',
  );
  for (const e of ['exporter.otlp.mtls', 'exporter.otlphttp.https'])
    await eventually(
      async () => metricValue(await m(), 'otelcol_exporter_sent_spans_total', e) === 1,
      5000,
      `${e} counted the span as sent`,
    );
  assert.ok(a.logs.some((l) => l.includes('Exporting failed. Dropping data.') && l.includes('nocert')));
  assert.equal(rec('tls').traces.length, 2);
});
