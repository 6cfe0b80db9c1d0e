/**
 * Test support for the OTLP transport tests: a recording consumer component (`otlptest.recorder`), fake
 * downstream OTLP servers (gRPC and HTTP) whose answers a test scripts, metric helpers.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Component, ComponentOptions, ComponentRegistration } from '../../src/runtime/component.js';
import { t } from '../../src/runtime/schema.js';
import {
  consumerCapsule,
  ConsumerError,
  type ConsumeContext,
  type OtelConsumer,
  type OtelSignal,
} from '../../src/components/otelcol/consumer.js';
import { exportService } from '../../src/components/otelcol/grpc.js';
import {
  decodeExportLogsServiceRequest,
  decodeExportMetricsServiceRequest,
  decodeExportTraceServiceRequest,
  encodeRpcStatus,
  retryInfoDetail,
  type AnyValue,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
} from '../../src/protocols/otlp/index.js';

export interface Recorded {
  traces: ExportTraceServiceRequest[];
  metrics: ExportMetricsServiceRequest[];
  logs: ExportLogsServiceRequest[];
  ctx: (ConsumeContext | undefined)[];
}

/** What each recorder (by `name`) received, as plain decoded copies. */
export const recorded = new Map<string, Recorded>();

/** Scripted failures per recorder name: each call shifts one entry ('ok' | 'retryable' | 'permanent' | ms delay). */
export const recorderScript = new Map<string, ('ok' | 'retryable' | 'permanent' | number)[]>();

export function rec(name: string): Recorded {
  let r = recorded.get(name);
  if (!r) recorded.set(name, (r = { traces: [], metrics: [], logs: [], ctx: [] }));
  return r;
}

class Recorder implements Component<{ name: string }> {
  constructor(opts: ComponentOptions, args: { name: string }) {
    const name = args.name;
    const take = async (signal: OtelSignal, req: object, ctx: ConsumeContext | undefined) => {
      const step = recorderScript.get(name)?.shift() ?? 'ok';
      if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
      if (step === 'retryable') throw new ConsumerError('scripted retryable failure', true, 2);
      if (step === 'permanent') throw new ConsumerError('scripted permanent failure', false);
      const r = rec(name);
      (r[signal] as object[]).push(structuredClone(req));
      r.ctx.push(ctx && structuredClone(ctx));
    };
    const c: OtelConsumer = {
      signals: new Set(['traces', 'metrics', 'logs']),
      consumeTraces: (req, ctx) => take('traces', req, ctx),
      consumeMetrics: (req, ctx) => take('metrics', req, ctx),
      consumeLogs: (req, ctx) => take('logs', req, ctx),
    };
    opts.onStateChange({ input: consumerCapsule(c) });
  }
  run(signal: AbortSignal): Promise<void> {
    return new Promise((res) => signal.addEventListener('abort', () => res(), { once: true }));
  }
  update(): void {}
}

export const recorderComponent: ComponentRegistration<{ name: string }> = {
  name: 'otlptest.recorder',
  stability: 'generally-available',
  args: { attrs: { name: { type: t.string(), required: true } } },
  exports: { input: t.capsule('otelcol.Consumer') },
  build: (opts, args) => new Recorder(opts, args),
};

// ------------------------------------------------------------------------------------------ fake servers

export type FakeAnswer =
  | { ok: true; body?: Buffer }
  | { code: number; message?: string; retryAfterSeconds?: number }
  | { http: number; retryAfter?: string; body?: string };

export interface FakeCall {
  signal: OtelSignal;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

const decoders = {
  traces: decodeExportTraceServiceRequest,
  metrics: decodeExportMetricsServiceRequest,
  logs: decodeExportLogsServiceRequest,
};

/** A downstream OTLP server recording calls; `script` answers calls in order (then OK). */
export class FakeDownstream {
  calls: FakeCall[] = [];
  script: FakeAnswer[] = [];
  /** Successful calls' items. */
  spans = 0;
  private grpcServer: grpc.Server | undefined;
  private httpServer: http.Server | undefined;
  port = 0;

  decoded(signal: 'traces'): ExportTraceServiceRequest[];
  decoded(signal: 'metrics'): ExportMetricsServiceRequest[];
  decoded(signal: 'logs'): ExportLogsServiceRequest[];
  decoded(signal: OtelSignal): object[] {
    return this.calls.filter((c) => c.signal === signal).map((c) => decoders[signal](c.body));
  }

  private next(): FakeAnswer {
    return this.script.shift() ?? { ok: true };
  }

  async startGrpc(): Promise<number> {
    const s = new grpc.Server();
    for (const signal of ['traces', 'metrics', 'logs'] as OtelSignal[]) {
      s.addService(exportService(signal), {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          this.calls.push({ signal, body: call.request, headers: call.metadata.getMap() as never });
          const a = this.next();
          if ('ok' in a) return cb(null, a.body ?? Buffer.alloc(0));
          if ('code' in a) {
            const metadata = new grpc.Metadata();
            if (a.retryAfterSeconds !== undefined)
              metadata.set(
                'grpc-status-details-bin',
                Buffer.from(
                  encodeRpcStatus({
                    code: a.code,
                    message: a.message ?? '',
                    details: [retryInfoDetail(a.retryAfterSeconds)],
                  }),
                ),
              );
            return cb({ code: a.code, details: a.message ?? 'scripted', metadata } as grpc.ServiceError);
          }
          cb({ code: grpc.status.INTERNAL, details: 'http answer on grpc' } as grpc.ServiceError);
        },
      });
    }
    this.port = await new Promise<number>((res, rej) =>
      s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
    this.grpcServer = s;
    return this.port;
  }

  async startHttp(): Promise<number> {
    const paths: Record<string, OtelSignal> = {
      '/v1/traces': 'traces',
      '/v1/metrics': 'metrics',
      '/v1/logs': 'logs',
    };
    const s = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const signal = paths[(req.url ?? '').split('?')[0]!] ?? 'traces';
        this.calls.push({ signal, body: Buffer.concat(chunks), headers: req.headers });
        const a = this.next();
        if ('http' in a) {
          const h: Record<string, string> = { 'Content-Type': 'text/plain' };
          if (a.retryAfter) h['Retry-After'] = a.retryAfter;
          res.writeHead(a.http, h);
          res.end(a.body ?? 'scripted');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
        res.end('ok' in a && a.body ? a.body : Buffer.alloc(0));
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    this.httpServer = s;
    this.port = (s.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    if (this.grpcServer) this.grpcServer.forceShutdown();
    if (this.httpServer) {
      this.httpServer.closeAllConnections();
      await new Promise((r) => this.httpServer!.close(r));
    }
  }
}

// --------------------------------------------------------------------------------------------- helpers

/** The string member of an AnyValue (undefined for other kinds). */
export function str(v: AnyValue | undefined): string | undefined {
  return (v as { stringValue?: string } | undefined)?.stringValue;
}

/** Sum of a metric's samples in the Prometheus text, optionally restricted to lines containing `filter`. */
export function metricValue(text: string, name: string, filter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!(line.startsWith(name + '{') || line.startsWith(name + ' '))) continue;
    if (filter && !line.includes(filter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

// ------------------------------------------------------------------------------------------------ TLS

export const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

/** Files of a test CA and of a server (localhost, 127.0.0.1) and a client certificate it signed. */
export function testCertificates(
  dir: string,
): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const openssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-subj',
    '/CN=otlp-test-ca',
    '-days',
    '2',
  );
  const ext = {
    server: 'subjectAltName=DNS:localhost,IP:127.0.0.1\n',
    client: 'extendedKeyUsage=clientAuth\n',
  };
  for (const who of ['server', 'client'] as const) {
    writeFileSync(join(dir, `${who}.ext`), ext[who]);
    openssl('req', ...key, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=otlp-${who}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${who}.ext`,
      '-out',
      `${who}.pem`,
    );
  }
  return {
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
}
