import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, truncateSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { labelsFromRecord } from '../../src/components/prometheus/labels.js';
import {
  position,
  REC_EXEMPLARS,
  REC_SAMPLES,
  segmentOf,
  Wal,
  WalReader,
  type WalRecord,
} from '../../src/components/prometheus/remote_write/wal.js';
import { makeBatch, seriesSet } from './prom-test-components.js';

function readAll(wal: Wal, from = position(wal.firstSeg, 0)): WalRecord[] {
  const r = new WalReader(wal, from);
  const out: WalRecord[] = [];
  for (let rec = r.next(); rec; rec = r.next()) out.push(rec);
  r.close();
  return out;
}

describe('remote_write WAL', () => {
  test('appends read back identically, also after reopening (stale bits, exemplars, refs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-wal-'));
    let wal = new Wal({ dir, segmentSize: 1 << 20, fsyncIntervalMs: 0 });
    const series = seriesSet(5);
    const b = makeBatch(
      series,
      1000,
      (i) => i + 0.5,
      (i) => i === 2,
    );
    b.exemplars = [{ sample: 1, labels: labelsFromRecord({ trace_id: 'x' }), value: 7, timestamp: 999 }];
    const recs = wal.append(b, true);
    assert.deepEqual(
      recs.map((r) => r.type),
      [REC_SAMPLES, REC_EXEMPLARS],
    );
    assert.equal(recs[1]!.pos, recs[0]!.end);
    wal.append(
      makeBatch(series, 2000, (i) => i),
      false,
    );
    const back = readAll(wal);
    assert.equal(back.length, 3);
    assert.deepEqual(back[0], recs[0]);
    assert.deepEqual([...back[0]!.stale], [0, 0, 1, 0, 0]);
    assert.deepEqual(back[1]!.exemplarLabels, [labelsFromRecord({ trace_id: 'x' })]);
    assert.equal(back[1]!.refs[0], back[0]!.refs[1]);
    wal.close();
    // Reopen: series table restored, same refs, a new head segment.
    wal = new Wal({ dir, segmentSize: 1 << 20, fsyncIntervalMs: 0 });
    assert.equal(wal.activeSeries, 5);
    assert.equal(wal.headSeg, 2);
    const again = readAll(wal, position(1, 0));
    assert.equal(again.length, 3);
    const refs = wal.append(
      makeBatch(series, 3000, (i) => i),
      false,
    )[0]!.refs;
    assert.deepEqual([...refs], [...back[0]!.refs]);
    wal.close();
  });

  test('a torn tail ends its segment; a torn series file is cut', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-wal-'));
    let wal = new Wal({ dir, segmentSize: 1 << 20, fsyncIntervalMs: 0 });
    const series = seriesSet(3);
    wal.append(
      makeBatch(series, 1000, (i) => i),
      false,
    );
    wal.append(
      makeBatch(series, 2000, (i) => i),
      false,
    );
    wal.close();
    const seg = join(dir, 'segments', '00000001');
    truncateSync(seg, statSync(seg).size - 5);
    appendFileSync(join(dir, 'series'), Buffer.from([1, 200, 0, 0]));
    const corrupt: string[] = [];
    wal = new Wal({ dir, segmentSize: 1 << 20, fsyncIntervalMs: 0, onCorruption: (w) => corrupt.push(w) });
    assert.equal(wal.activeSeries, 3);
    assert.equal(corrupt.length, 1, 'series file tail cut');
    wal.append(
      makeBatch(series, 3000, (i) => i),
      false,
    );
    const back = readAll(wal, position(1, 0));
    assert.deepEqual(
      back.map((r) => r.timestamps[0]),
      [1000, 3000],
    );
    assert.equal(corrupt.length, 2, 'torn record counted');
    wal.close();
  });

  test('segments are cut by size and truncation deletes segments and dead series', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-wal-'));
    const wal = new Wal({ dir, segmentSize: 1024, fsyncIntervalMs: 0 });
    const a = seriesSet(20, { set: 'a' });
    const b = seriesSet(20, { set: 'b' });
    for (let k = 0; k < 10; k++)
      wal.append(
        makeBatch(a, k, (i) => i),
        false,
      );
    assert.ok(wal.headSeg > 3, `cut into segments (${wal.headSeg})`);
    wal.cut();
    const mid = wal.headSeg;
    for (let k = 0; k < 10; k++)
      wal.append(
        makeBatch(b, k, (i) => i),
        false,
      );
    assert.equal(wal.activeSeries, 40);
    const removed = wal.truncate(mid, 0);
    assert.equal(removed.length, 20, 'series only in deleted segments are forgotten');
    assert.equal(wal.activeSeries, 20);
    assert.equal(wal.firstSeg, mid);
    const files = readdirSync(join(dir, 'segments')).map(Number);
    assert.ok(Math.min(...files) >= mid);
    // Reading from a deleted position jumps to the first segment.
    const recs = readAll(wal, position(1, 0));
    assert.ok(recs.length > 0 && segmentOf(recs[0]!.pos) >= mid);
    assert.ok(wal.countSamples(mid, position(mid, 0)) > 0);
    wal.close();
    // The rewritten series file holds only live series.
    const again = new Wal({ dir, segmentSize: 1024, fsyncIntervalMs: 0 });
    assert.equal(again.activeSeries, 20);
    again.close();
  });
});
