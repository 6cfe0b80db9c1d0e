/**
 * Remote Write codec micro-benchmark (not a test): the perf-anchors §2b/2c request shape — 2,000 series ×
 * 7 labels × 1 sample — encoded with cached per-series label bytes (what the queues do), snappy-compressed
 * with `copyOutputData`, decoded back; plus WAL append throughput. Prints samples/s and bytes/sample.
 *
 * Run: node --conditions=foundry-source --import tsx pkg-backend/engine/bench/remote-write.ts
 * Anchors: protobufjs-static encode ≈ 1.78M samples/s, decode ≈ 1.24M/s; ~17–18 B/sample on the wire.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFromRecord, type Labels } from '../src/components/prometheus/labels.js';
import { newBatch } from '../src/components/prometheus/appendable.js';
import { Wal } from '../src/components/prometheus/remote_write/wal.js';
import {
  decodeWriteRequest,
  encodeLabels,
  LabelInterner,
  snappyCompress,
  snappyUncompress,
  WriteRequestEncoder,
} from '../src/protocols/remote-write.js';

const N = 2000;
const series: Labels[] = Array.from({ length: N }, (_, i) =>
  labelsFromRecord({
    __name__: `node_cpu_seconds_total`,
    cpu: String(i % 64),
    instance: `host-${Math.floor(i / 64)}.example.com:9100`,
    job: 'node',
    mode: ['idle', 'user', 'system', 'iowait'][i % 4]!,
    cluster: 'prod-eu-west-1',
    series: String(i),
  }),
);
const labelBytes = series.map((l) => encodeLabels(l));
const ts = 1_700_000_000_000;

function time(label: string, ms: number, fn: () => number): number {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  let ops = 0;
  let items = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    items += fn();
    ops++;
  }
  const secs = (performance.now() - start) / 1000;
  const rate = items / secs;
  console.log(
    `${label.padEnd(44)} ${(rate / 1e6).toFixed(2)}M samples/s  (${(ops / secs).toFixed(0)} req/s)`,
  );
  return rate;
}

const enc = new WriteRequestEncoder();
function encode(k: number): Buffer {
  enc.reset();
  for (let i = 0; i < N; i++) enc.sample(labelBytes[i]!, i * 1.5 + k, ts + k, false);
  return enc.finish();
}

let k = 0;
time('encode (cached label bytes)', 3000, () => {
  encode(k++);
  return N;
});
time('encode incl. label encoding', 3000, () => {
  enc.reset();
  for (let i = 0; i < N; i++) enc.sample(encodeLabels(series[i]!), i, ts + k, false);
  k++;
  return N;
});
time('encode + snappy (copyOutputData)', 3000, () => {
  snappyCompress(encode(k++));
  return N;
});
const raw = Buffer.from(encode(1));
const compressed = snappyCompress(raw);
const interner = new LabelInterner();
time(
  'snappy uncompress + decode (interned)',
  3000,
  () => decodeWriteRequest(snappyUncompress(compressed), interner).batch.count,
);
console.log(
  `request: ${raw.length} B raw → ${compressed.length} B snappy; ${(raw.length / N).toFixed(1)} B/sample raw, ${(compressed.length / N).toFixed(1)} B/sample on the wire`,
);

const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-wal-'));
const wal = new Wal({ dir, segmentSize: 64 << 20, fsyncIntervalMs: 1000 });
const batch = newBatch(N);
batch.count = N;
for (let i = 0; i < N; i++) batch.series[i] = series[i]!;
time('WAL append (writeSync per batch)', 3000, () => {
  batch.timestamps.fill(ts + k++);
  wal.append(batch, false);
  if (wal.size() > 512 << 20) wal.truncate(wal.headSeg, 0);
  return N;
});
wal.close();
rmSync(dir, { recursive: true, force: true });
