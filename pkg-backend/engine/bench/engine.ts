/**
 * `npm run bench:engine`: parse throughput on the 20 largest corpus configs, parse + static validation
 * of the same files, and hot-reload latency of a 100-component config with one component changed.
 * Targets (issue 2): parse ≥ 20 MB/s; reload ≤ 50 ms at p99.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { parseFile } from '../src/syntax/parser.js';
import { validateSources } from '../src/runtime/validate.js';
import { createDefaultRegistry } from '../src/registry.js';
import { Engine } from '../src/runtime/engine.js';
import { LogSink } from '../src/runtime/logger.js';
import { t } from '../src/runtime/schema.js';
import type { ComponentRegistration } from '../src/runtime/component.js';

const CORPUS = resolve(import.meta.dirname, '../../../../shared/corpus/alloy-configs');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.alloy') ? [join(dir, e.name)] : [],
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// 1. Parse throughput.
const files = walk(CORPUS)
  .map((p) => ({ p, size: statSync(p).size }))
  .sort((a, b) => b.size - a.size)
  .slice(0, 20)
  .map(({ p }) => ({ filename: p, text: readFileSync(p, 'utf8') }));
const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
for (let i = 0; i < 20; i++) for (const f of files) parseFile(f.filename, f.text); // warm-up
let iterations = 0;
let start = performance.now();
while (performance.now() - start < 3000) {
  for (const f of files) parseFile(f.filename, f.text);
  iterations++;
}
const parseSeconds = (performance.now() - start) / 1000;
const parseMBs = (bytes * iterations) / parseSeconds / 1e6;

// 2. Parse + static validation (graph, references, argument type checks against the schemas).
const registry = createDefaultRegistry();
iterations = 0;
start = performance.now();
while (performance.now() - start < 3000) {
  for (const f of files) validateSources([f], { registry, minStability: 'experimental' });
  iterations++;
}
const evalMBs = (bytes * iterations) / ((performance.now() - start) / 1000) / 1e6;

// 3. Hot reload of a 100-component config with one component changed.
const relay: ComponentRegistration<{ input: string }> = {
  name: 'bench.relay',
  stability: 'generally-available',
  args: { attrs: { input: { type: t.string(), required: true } } },
  exports: { output: t.string() },
  build: (opts, args) => {
    opts.onStateChange({ output: args.input });
    return {
      run: (signal) => new Promise((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update: (a) => opts.onStateChange({ output: a.input }),
    };
  },
};
const config = (v: number) => {
  let s = `bench.relay "c0" {\n  input = "v${v}"\n}\n`;
  for (let i = 1; i < 100; i++) {
    // Ten chains of ten: references exercise edge wiring and topological evaluation.
    s +=
      i % 10 === 0
        ? `\nbench.relay "c${i}" {\n  input = "start-${i}"\n}\n`
        : `\nbench.relay "c${i}" {\n  input = bench.relay.c${i - 1}.output + "-${i}"\n}\n`;
  }
  return s;
};
const engine = new Engine({
  registry: registry.extend([relay]),
  logSink: new LogSink({ write: () => undefined }),
});
const abort = new AbortController();
engine.load([{ filename: 'bench.alloy', text: config(0) }]);
const running = engine.run(abort.signal);
const samples: number[] = [];
for (let i = 1; i <= 400; i++) {
  const src = config(i % 2);
  const t0 = performance.now();
  const res = engine.load([{ filename: 'bench.alloy', text: src }]);
  samples.push(performance.now() - t0);
  if (!res.committed) throw new Error('reload rejected');
  await new Promise((r) => setImmediate(r));
}
abort.abort();
await running;
const reloadSorted = samples.slice(50).sort((a, b) => a - b);

const ok = (v: boolean) => (v ? 'ok' : 'MISSED');
console.log(
  `engine benchmark (node ${process.version}; ${files.length} largest corpus configs, ${(bytes / 1024).toFixed(0)} KiB)`,
);
console.log(
  `  parse                    ${parseMBs.toFixed(1)} MB/s   (target >= 20 MB/s: ${ok(parseMBs >= 20)})`,
);
console.log(`  parse + validate         ${evalMBs.toFixed(1)} MB/s`);
console.log(
  `  reload, 100 components, one changed: p50 ${percentile(reloadSorted, 50).toFixed(2)} ms, p99 ${percentile(reloadSorted, 99).toFixed(2)} ms, max ${reloadSorted[reloadSorted.length - 1]!.toFixed(2)} ms   (target p99 <= 50 ms: ${ok(percentile(reloadSorted, 99) <= 50)})`,
);
