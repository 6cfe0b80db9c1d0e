/**
 * Exposition parse micro-benchmark (not a test):
 *   node --conditions=foundry-source --import tsx pkg-backend/engine/bench/exposition.ts [series=100000]
 *
 * Payload as /work/shared/bench/target.js builds it (counter families of 100 series, 4 labels each).
 * Variants:
 * - `scan`: next() over every entry, nothing kept (upper bound);
 * - `full`: labels() built for every sample (no cache);
 * - `cached`: a scrape cache keyed by the raw series text (labels built once, then Map hits), as
 *   prometheus.scrape does — measured after a warm-up pass that fills the cache;
 * - `ordered`: the cache plus prometheus.scrape's fast path (the series at the same position as in the
 *   last scrape is compared in place, no hashing);
 * - `decode+ordered`: the same with UTF-8 decoding of the Buffer included.
 * Prints MB/s and samples/s (best of 5 runs).
 */
import { decodeUtf8, Entry, ExpositionParser } from '../src/protocols/exposition/parser.js';
import type { Labels } from '../src/components/prometheus/labels.js';

const SERIES = Number(process.argv[2] ?? 100_000);

function build(variant: number): Buffer {
  const out: string[] = [];
  const PER = 100;
  let n = 0;
  for (let f = 0; n < SERIES; f++) {
    const name = `synth_http_requests_total_${f}`;
    out.push(`# HELP ${name} Synthetic counter family ${f}.`, `# TYPE ${name} counter`);
    for (let s = 0; s < PER && n < SERIES; s++, n++) {
      const v = ((n * 7 + variant * 13) % 100000) + variant * 0.5;
      out.push(
        `${name}{method="${['GET', 'POST', 'PUT', 'DELETE'][s & 3]}",path="/api/v1/resource/${s}",status="${200 + (s % 5)}",pod="pod-0-${s % 10}"} ${v}`,
      );
    }
  }
  return Buffer.from(out.join('\n') + '\n');
}

const buf = build(0);
const text = buf.toString('utf8');
const cache = new Map<string, Labels>();

type Kind = 'scan' | 'full' | 'cached' | 'ordered' | 'decode+ordered';
const order: { key: string; labels: Labels }[] = [];

function run(kind: Kind): number {
  const src = kind === 'decode+ordered' ? decodeUtf8(buf).text : text;
  const p = new ExpositionParser(src, 'prometheus');
  let n = 0;
  let sink = 0;
  for (;;) {
    if (kind === 'ordered' || kind === 'decode+ordered') p.expect = order[n]?.key;
    const e = p.next();
    if (e === Entry.EOF) break;
    if (e !== Entry.SERIES) continue;
    n++;
    if (kind === 'scan') sink += p.value;
    else if (kind === 'full') sink += p.labels().length;
    else if (kind === 'ordered' || kind === 'decode+ordered') {
      // prometheus.scrape's fast path: compare in place with the series at the same position last time.
      let e = order[n - 1];
      if (!p.fastMatched && (e === undefined || !p.seriesIs(e.key))) {
        const key = p.series;
        let l = cache.get(key);
        if (l === undefined) {
          l = p.labels();
          cache.set(key, l);
        }
        e = { key, labels: l };
        order[n - 1] = e;
      }
      sink += e.labels.length;
    } else {
      let l = cache.get(p.series);
      if (l === undefined) {
        l = p.labels();
        cache.set(p.series, l);
      }
      sink += l.length;
    }
  }
  if (sink === -1) console.log('');
  return n;
}

console.log(`payload: ${SERIES} series, ${(buf.length / 1e6).toFixed(2)} MB`);
for (const kind of ['scan', 'full', 'cached', 'ordered', 'decode+ordered'] as const) {
  run(kind); // warm-up (fills the cache for the cached variants)
  let best = Infinity;
  let n = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    n = run(kind);
    best = Math.min(best, performance.now() - t0);
  }
  const secs = best / 1000;
  console.log(
    `${kind.padEnd(14)} ${(buf.length / 1e6 / secs).toFixed(0).padStart(5)} MB/s  ${(n / secs / 1e6).toFixed(2)}M samples/s  ${best.toFixed(1)} ms/payload`,
  );
}
