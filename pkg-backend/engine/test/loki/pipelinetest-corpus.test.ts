/**
 * The loki-stages `pipelinetest/` corpus: end-to-end YAML scenarios (Alloy config, entries pushed into
 * named receivers, assertions on what a fake Loki receives through loki.write). The harness substitutes
 * `pipelinetest.loki.url` with a local push endpoint that decodes what it gets, and resolves `./tests/…`
 * paths against the corpus folder.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse as parseYAML } from 'yaml';
import type { LogEntry, LogsReceiver } from '../../src/components/loki/entry.js';
import { labelsFromRecord, labelsToRecord } from '../../src/components/prometheus/labels.js';
import { decodePushRequest, parseLabelText, snappyUncompress } from '../../src/protocols/loki-push.js';
import { createDefaultRegistry } from '../../src/registry.js';
import { Engine } from '../../src/runtime/engine.js';
import { LogSink } from '../../src/runtime/logger.js';
import { CORPUS, walk } from '../support/corpus.js';
import { freePort } from '../support/net.js';
import { eventually } from '../runtime/helpers.js';

const DIR = join(CORPUS, 'loki-stages/pipelinetest');

interface Received {
  labels: Record<string, string>;
  line: string;
  timestamp: bigint;
  metadata: Record<string, string>;
}

interface Match {
  labels?: { values: Record<string, string>; mode?: 'partial' };
  line?: string;
  timestamp?: string;
  structured_metadata?: { values: Record<string, string> };
}

function matches(r: Received, m: Match | undefined): boolean {
  if (!m) return true;
  if (m.labels) {
    const want = Object.entries(m.labels.values).map(([k, v]) => [k, String(v)]);
    if (want.some(([k, v]) => r.labels[k!] !== v)) return false;
    if (m.labels.mode !== 'partial' && Object.keys(r.labels).length !== want.length) return false;
  }
  if (m.line !== undefined && r.line !== m.line) return false;
  if (m.timestamp !== undefined && r.timestamp !== BigInt(Date.parse(m.timestamp)) * 1_000_000n) return false;
  if (m.structured_metadata) {
    for (const [k, v] of Object.entries(m.structured_metadata.values))
      if (r.metadata[k] !== String(v)) return false;
  }
  return true;
}

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

describe('loki-stages pipelinetest corpus', () => {
  const registry = createDefaultRegistry();
  for (const path of walk(join(DIR, 'tests'), 'test.yaml')) {
    const name = path.slice(DIR.length + 1);
    const spec = parseYAML(readFileSync(path, 'utf8')) as {
      config: string;
      inputs?: {
        loki?: {
          components: string[];
          entries: {
            labels: Record<string, string>;
            line: string;
            timestamp?: string;
            structured_metadata?: Record<string, string>;
          }[];
        }[];
      };
      assert: {
        loki: ({ type: 'count'; count: number; match?: Match } | { type: 'contains'; match: Match })[];
      };
    };
    // Scenarios built on components outside this engine (e.g. loki.enrich, loki.secretfilter) say so.
    const usedComponents = [
      ...readFileSync(path, 'utf8').matchAll(/^\s*([a-z_]+(?:\.[a-z_]+)+)\s+"[^"]*"\s*\{/gm),
    ].map((m) => m[1]!);
    const moduleText = spec.config.includes('loki_pipeline.alloy')
      ? readFileSync(join(DIR, 'tests/modules/loki_pipeline.alloy'), 'utf8')
      : '';
    usedComponents.push(
      ...[...moduleText.matchAll(/^\s*([a-z_]+(?:\.[a-z_]+)+)\s+"[^"]*"\s*\{/gm)].map((m) => m[1]!),
    );
    const missing = [...new Set(usedComponents)].filter(
      (c) =>
        !c.startsWith('import.') &&
        !c.startsWith('module.') &&
        !c.startsWith('stage.') &&
        !registry.get(c)?.build,
    );
    test(
      name,
      {
        skip: missing.length
          ? `needs components this engine does not implement: ${missing.join(', ')}`
          : false,
        timeout: 30_000,
      },
      async () => {
        const received: Received[] = [];
        const port = await freePort();
        const server = createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            for (const s of decodePushRequest(snappyUncompress(Buffer.concat(chunks)))) {
              const labels = labelsToRecord(s.parsed ?? parseLabelText(s.labels));
              for (const e of s.entries) {
                const md: Record<string, string> = {};
                for (let i = 0; i < e.structuredMetadata.length; i += 2)
                  md[e.structuredMetadata[i]!] = e.structuredMetadata[i + 1]!;
                received.push({ labels: { ...labels }, line: e.line, timestamp: e.timestamp, metadata: md });
              }
            }
            res.writeHead(204).end();
          });
        });
        servers.push(server);
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
        const config = spec.config
          .replaceAll('pipelinetest.loki.url', JSON.stringify(`http://127.0.0.1:${port}/loki/api/v1/push`))
          .replaceAll('"./tests/', JSON.stringify(`${DIR}/tests/`).slice(0, -1));
        const engine = new Engine({
          registry,
          minStability: 'experimental',
          logSink: new LogSink({ write: () => undefined }),
          modulePath: DIR,
          storagePath: mkdtempSync(join(tmpdir(), 'foundry-pipelinetest-')),
        });
        const res = engine.load([{ filename: join(DIR, name), text: config }]);
        assert.deepEqual(
          res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
          [],
        );
        const abort = new AbortController();
        const running = engine.run(abort.signal);
        try {
          for (const input of spec.inputs?.loki ?? []) {
            const entries: LogEntry[] = input.entries.map((e) => ({
              labels: labelsFromRecord(
                Object.fromEntries(Object.entries(e.labels).map(([k, v]) => [k, String(v)])),
              ),
              line: e.line,
              timestamp: e.timestamp
                ? BigInt(Date.parse(e.timestamp)) * 1_000_000n
                : BigInt(Date.now()) * 1_000_000n,
              structuredMetadata: labelsFromRecord(
                Object.fromEntries(
                  Object.entries(e.structured_metadata ?? {}).map(([k, v]) => [k, String(v)]),
                ),
              ),
            }));
            for (const ref of input.components) {
              const i = ref.lastIndexOf('.');
              const exports = engine.component(ref.slice(0, i))?.node.cell.exports;
              const receiver = (exports instanceof Map ? exports.get(ref.slice(i + 1)) : undefined) as
                { value?: LogsReceiver } | undefined;
              assert.ok(receiver?.value, `receiver ${ref} exists`);
              receiver.value.push(entries);
            }
          }
          const counts = spec.assert.loki.filter((a) => a.type === 'count');
          await eventually(
            () => counts.every((c) => received.filter((r) => matches(r, c.match)).length >= c.count),
            15_000,
            'the expected entries',
          );
          await new Promise((r) => setTimeout(r, 300)); // nothing extra arrives late
          for (const a of spec.assert.loki) {
            if (a.type === 'count')
              assert.equal(
                received.filter((r) => matches(r, a.match)).length,
                a.count,
                `count ${JSON.stringify(a.match ?? {})}`,
              );
            else
              assert.ok(
                received.some((r) => matches(r, a.match)),
                `contains ${JSON.stringify(a.match)} in ${JSON.stringify(received, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
              );
          }
        } finally {
          abort.abort();
          await running;
        }
      },
    );
  }
});
