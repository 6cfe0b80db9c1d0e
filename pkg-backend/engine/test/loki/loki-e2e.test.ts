/**
 * End to end with a real Loki client: winston-loki (protobuf + snappy, and JSON) pushes to engine A's
 * loki.source.api → loki.process (stage.json + stage.labels + stage.timestamp) → loki.write → engine B's
 * loki.source.api → a recording receiver. Every line arrives once, in order per stream, with its labels,
 * structured metadata and the exact ns timestamp carried in the line.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { labelsToRecord } from '../../src/components/prometheus/labels.js';
import { formatLabelText } from '../../src/protocols/loki-push.js';
import { metricValue } from '../components/rw-helpers.js';
import {
  eventually,
  freePort,
  recordedBy,
  startEngine,
  testLokiComponents,
  waitReady,
} from './loki-helpers.js';

const BASE_NS = 1_700_000_000_000_000_000n;

function isoNs(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

for (const mode of ['protobuf', 'json'] as const) {
  describe(`winston-loki (${mode}) → source.api → process → write → source.api`, () => {
    test('every line once, in order per stream, with processed labels and timestamps', async () => {
      const portA = await freePort();
      const portB = await freePort();
      const label = `e2e_${mode}`;
      const got = recordedBy(label);
      got.length = 0;
      const b = startEngine(
        `
        loki.source.api "in" {
          http {
            listen_address = "127.0.0.1"
            listen_port = ${portB}
          }
          use_incoming_timestamp = true
          forward_to = [testloki.recorder.${label}.receiver]
        }
        testloki.recorder "${label}" {}`,
        { components: testLokiComponents },
      );
      const a = startEngine(
        `
        loki.source.api "in" {
          http {
            listen_address = "127.0.0.1"
            listen_port = ${portA}
          }
          use_incoming_timestamp = true
          forward_to = [loki.process.parse.receiver]
        }
        loki.process "parse" {
          forward_to = [loki.write.out.receiver]
          stage.json {
            expressions = { ts = "", severity = "", user = "" }
          }
          stage.labels {
            values = { severity = "", user = "" }
          }
          stage.timestamp {
            source = "ts"
            format = "RFC3339Nano"
          }
        }
        loki.write "out" {
          external_labels = { agent = "a" }
          endpoint {
            url = "http://127.0.0.1:${portB}/loki/api/v1/push"
            tenant_id = "t1"
            batch_wait = "50ms"
            batch_size = "8KiB"
          }
        }`,
        { components: testLokiComponents },
      );
      const transport = new LokiTransport({
        host: `http://127.0.0.1:${portA}`,
        json: mode === 'json',
        labels: { app: 'e2e' },
        interval: 0.05,
        replaceTimestamp: false,
        gracefulShutdown: false,
        format: winston.format.printf((i) => String(i.message)),
        onConnectionError: () => undefined,
      });
      const logger = winston.createLogger({ level: 'debug', transports: [transport] });
      const N = 600;
      const streams = 3;
      try {
        await waitReady(portA);
        await waitReady(portB);
        for (let i = 0; i < N; i++) {
          const ns = BASE_NS + BigInt(i) * 1_000_123n; // distinct sub-ms parts
          const severity = ['info', 'warn', 'error'][i % 3]!;
          logger.log({
            level: 'info',
            message: JSON.stringify({ ts: isoNs(ns), severity, user: `u${i % 2}`, msg: `line ${i}` }),
            labels: { stream: `s${i % streams}` },
            timestamp: Number(ns / 1_000_000n),
          });
          if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
        }
        await transport.flush();
        await eventually(() => got.length >= N, 15_000, `all ${N} lines (got ${got.length})`);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(got.length, N, 'no duplicates');
        const seen = new Set<number>();
        const lastByStream = new Map<string, number>();
        for (const e of got) {
          const body = JSON.parse(e.line) as { ts: string; severity: string; user: string; msg: string };
          const i = Number(body.msg.slice(5));
          assert.ok(!seen.has(i), `line ${i} once`);
          seen.add(i);
          const labels = labelsToRecord(e.labels);
          assert.deepEqual(
            { ...labels },
            {
              __tenant_id__: 't1',
              agent: 'a',
              app: 'e2e',
              level: 'info',
              severity: ['info', 'warn', 'error'][i % 3],
              stream: `s${i % streams}`,
              user: `u${i % 2}`,
            },
            formatLabelText(e.labels, false),
          );
          assert.equal(e.timestamp, BASE_NS + BigInt(i) * 1_000_123n, `exact ns of line ${i}`);
          const key = `s${i % streams}/${labels.severity}/${labels.user}`;
          const prev = lastByStream.get(key) ?? -1;
          assert.ok(i > prev, `stream ${key}: line ${i} after ${prev}`);
          lastByStream.set(key, i);
          if (mode === 'json') assert.deepEqual(e.structuredMetadata, ['level', 'info']);
        }
        const text = await a.engine.metricsText();
        assert.equal(metricValue(text, 'loki_write_sent_entries_total', ['tenant="t1"']), N);
        assert.equal(metricValue(text, 'loki_source_api_entries_written'), N);
      } finally {
        await transport.close?.();
        await a.stop();
        await b.stop();
      }
    });
  });
}
