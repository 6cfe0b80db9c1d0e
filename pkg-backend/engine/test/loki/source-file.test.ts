/**
 * loki.source.file: tailing, rotation (rename and truncate), globs, compressed files, encodings,
 * tail_from_end, positions across Engine restarts, and SIGKILL of the real agent.
 *
 * Delivery guarantee under test: a line's position is saved only after the push that forwarded it
 * returned, so nothing is lost across a restart or a SIGKILL; the only lines that can repeat are those of
 * the single chunk (≤ 256 KiB) whose push had returned when the process died before its position write.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import { parseDocument } from 'yaml';
import { labelsToRecord } from '../../src/components/prometheus/labels.js';
import { goQuote, labelSetString } from '../../src/components/loki/source/file.js';
import { serializePositions } from '../../src/components/loki/source/file/positions.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';
import { lokiRecorders, lokiTestComponents } from './support.js';
import { killAgents, startAgent } from '../support/agent.js';

const REC = 'testcomponents.loki_recorder.r';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'foundry-srcfile-'));
}

function lines(from: number, to: number, prefix = 'line'): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${prefix}-${String(i).padStart(6, '0')}\n`;
  return s;
}

function expected(from: number, to: number, prefix = 'line'): string[] {
  return lines(from, to, prefix).split('\n').slice(0, -1);
}

function received(): string[] {
  return lokiRecorders.get(REC)?.entries.map((e) => e.line) ?? [];
}

async function waitLines(n: number, ms = 10_000): Promise<void> {
  await eventually(() => received().length >= n, ms, `${n} lines (have ${received().length})`);
}

interface Opts {
  targets: string;
  extra?: string;
}

function config({ targets, extra = '' }: Opts): string {
  return `
loki.source.file "f" {
  targets    = ${targets}
  forward_to = [${REC}.receiver]
  ${extra}
  file_watch {
    min_poll_frequency = "5ms"
    max_poll_frequency = "20ms"
  }
}

testcomponents.loki_recorder "r" {}
`;
}

function fileTarget(path: string, labels = 'job = "app"'): string {
  return `[{__path__ = ${JSON.stringify(path)}, ${labels}}]`;
}

function start(cfg: string, storagePath: string): Running {
  return startEngine(cfg, { components: lokiTestComponents, storagePath });
}

function positionsOf(storage: string): Record<string, string> {
  const text = readFileSync(join(storage, 'loki.source.file.f', 'positions.yml'), 'utf8').split(
    'inodes:',
  )[0]!;
  const out: Record<string, string> = {};
  const m = /\? path: (.*)\n\s+labels: (.*)\n\s*: "?(\d+)"?/g;
  for (const x of text.matchAll(m)) out[`${x[1]} ${x[2]}`] = x[3]!;
  return out;
}

describe('loki.source.file (Engine)', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  test('tails appended lines: labels, partial last line, CRLF, metrics and debug info', async () => {
    const dir = tmp();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'first\nsecond\r\nthi');
    r = start(config({ targets: fileTarget(file, 'job = "app", __meta_x = "dropped"') }), join(dir, 'data'));
    await waitLines(2);
    assert.deepEqual(received(), ['first', 'second']);
    const e = lokiRecorders.get(REC)!.entries[0]!;
    assert.deepEqual({ ...labelsToRecord(e.labels) }, { filename: file, job: 'app' });
    const now = BigInt(Date.now()) * 1_000_000n;
    assert.ok(e.timestamp <= now && e.timestamp > now - 60_000_000_000n, 'timestamp is the read time (ns)');
    const [a, b] = lokiRecorders.get(REC)!.entries;
    assert.ok(b!.timestamp > a!.timestamp, 'timestamps increase within a file');
    appendFileSync(file, 'rd\n');
    await waitLines(3);
    appendFileSync(file, lines(0, 1000));
    await waitLines(1003);
    assert.deepEqual(received(), ['first', 'second', 'third', ...expected(0, 1000)]);
    const size = readFileSync(file).length;
    await eventually(() => positionsOf(join(dir, 'data'))[`${file} '{job="app"}'`] === String(size), 2000);

    const text = await r.engine.metricsText();
    assert.match(text, new RegExp(`loki_source_file_read_lines_total\\{path="${file}"[^}]*\\} 1003`));
    assert.match(text, new RegExp(`loki_source_file_read_bytes_total\\{path="${file}"[^}]*\\} ${size}`));
    assert.match(text, new RegExp(`loki_source_file_file_bytes_total\\{path="${file}"[^}]*\\} ${size}`));
    assert.match(text, /loki_source_file_files_active_total\{[^}]*\} 1/);
    const info = r.engine.component('loki.source.file.f')!.node.cell.instance!.debugInfo!() as {
      targets_info: unknown[];
    };
    assert.deepEqual(info.targets_info, [
      { path: file, labels: '{job="app"}', is_running: true, read_offset: size },
    ]);
  });

  test('rename rotation: the rest of the old file, then the new file from 0 — nothing lost or repeated', async () => {
    const dir = tmp();
    const file = join(dir, 'app.log');
    writeFileSync(file, lines(0, 100));
    r = start(config({ targets: fileTarget(file) }), join(dir, 'data'));
    await waitLines(100);
    let n = 100;
    for (let round = 0; round < 5; round++) {
      // Lines appended right before the rename are only readable through the old handle.
      appendFileSync(file, lines(n, n + 50));
      appendFileSync(file, `partial-${round}`); // an unterminated last line is flushed on rotation
      renameSync(file, `${file}.${round}`);
      writeFileSync(file, lines(n + 50, n + 100));
      n += 100;
      await waitLines(n + round + 1);
    }
    const want: string[] = expected(0, 100);
    for (let round = 0, k = 100; round < 5; round++, k += 100)
      want.push(...expected(k, k + 50), `partial-${round}`, ...expected(k + 50, k + 100));
    assert.deepEqual(received(), want);
  });

  test('truncation (copytruncate): restarts from 0, also when the file refills past the old offset', async () => {
    const dir = tmp();
    const file = join(dir, 'app.log');
    writeFileSync(file, lines(0, 100));
    r = start(config({ targets: fileTarget(file) }), join(dir, 'data'));
    await waitLines(100);
    // Shorter than before: detected by size.
    truncateSync(file, 0);
    appendFileSync(file, lines(0, 10, 'short'));
    await waitLines(110);
    // Refilled beyond the old offset before the next poll: detected by the first bytes changing.
    writeFileSync(file, lines(0, 300, 'long'));
    await waitLines(410);
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(received(), [
      ...expected(0, 100),
      ...expected(0, 10, 'short'),
      ...expected(0, 300, 'long'),
    ]);
  });

  test('file_match block: new files matching the glob are picked up, excluded ones are not', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'one.log'), 'one\n');
    writeFileSync(join(dir, 'a', 'skip.log'), 'skip\n');
    r = start(
      config({
        targets: `[{__path__ = ${JSON.stringify(dir + '/**/*.log')}, __path_exclude__ = "**/skip.log", job = "g"}]`,
        extra: 'file_match {\n    enabled     = true\n    sync_period = "30ms"\n  }',
      }),
      join(dir, 'data'),
    );
    await waitLines(1);
    writeFileSync(join(dir, 'a', 'b', 'two.log'), 'two\n');
    writeFileSync(join(dir, 'a', 'b', 'skip.log'), 'skip\n');
    await waitLines(2);
    await new Promise((res) => setTimeout(res, 150));
    assert.deepEqual(received().sort(), ['one', 'two']);
    const names = lokiRecorders
      .get(REC)!
      .entries.map((e) => labelsToRecord(e.labels).filename)
      .sort();
    assert.deepEqual(names, [join(dir, 'a', 'b', 'two.log'), join(dir, 'a', 'one.log')]);
  });

  test('local.file_match → loki.source.file: files created later are tailed', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'x.log'), 'x1\n');
    r = startEngine(
      `
local.file_match "m" {
  path_targets = [{__path__ = ${JSON.stringify(dir + '/*.log')}, job = "fm"}]
  sync_period  = "30ms"
}

loki.source.file "f" {
  targets    = local.file_match.m.targets
  forward_to = [${REC}.receiver]
  file_watch {
    min_poll_frequency = "5ms"
    max_poll_frequency = "20ms"
  }
}

testcomponents.loki_recorder "r" {}
`,
      { components: lokiTestComponents, storagePath: join(dir, 'data') },
    );
    await waitLines(1);
    writeFileSync(join(dir, 'y.log'), 'y1\n');
    writeFileSync(join(dir, 'y.txt'), 'not matched\n');
    await waitLines(2);
    appendFileSync(join(dir, 'x.log'), 'x2\n');
    await waitLines(3);
    assert.deepEqual(received().sort(), ['x1', 'x2', 'y1']);
    // A vanished file's tailer stops and its position is forgotten.
    rmSync(join(dir, 'y.log'));
    await eventually(
      () => !Object.keys(positionsOf(join(dir, 'data'))).some((k) => k.includes('y.log')),
      3000,
      'position of y.log removed',
    );
  });

  test('gzip and zlib files are read once; the position keeps them from being read again', async () => {
    const dir = tmp();
    const gz = join(dir, 'a.log.gz');
    writeFileSync(gz, gzipSync(lines(0, 5000) + 'no-newline-at-end'));
    const storage = join(dir, 'data');
    const cfg = config({
      targets: fileTarget(gz),
      extra: 'decompression {\n    enabled = true\n    format  = "gz"\n  }',
    });
    r = start(cfg, storage);
    await waitLines(5001);
    assert.deepEqual(received(), [...expected(0, 5000), 'no-newline-at-end']);
    await r.stop();
    r = start(cfg, storage);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(received().length, 0, 'not read again after a restart');
    await r.stop();

    const z = join(dir, 'b.log.z');
    writeFileSync(z, deflateSync('z1\nz2\n'));
    r = start(
      config({
        targets: fileTarget(z),
        extra: 'decompression {\n    enabled = true\n    format  = "z"\n  }',
      }),
      join(dir, 'data2'),
    );
    await waitLines(2);
    assert.deepEqual(received(), ['z1', 'z2']);
  });

  test('UTF-16: BOM detection (LE), configured UTF-16BE, CRLF, and lines appended later', async () => {
    const dir = tmp();
    const le = join(dir, 'le.log');
    const be = join(dir, 'be.log');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo\r\nwörld\n', 'utf16le')]));
    const beBytes = Buffer.from('ünï\nçødé\n', 'utf16le').swap16();
    writeFileSync(be, beBytes);
    r = start(
      config({
        targets: `[{__path__ = ${JSON.stringify(le)}}, {__path__ = ${JSON.stringify(be)}}]`,
        extra: '',
      }),
      join(dir, 'data'),
    );
    await waitLines(4);
    // Without a BOM or a configured encoding, UTF-16BE is read as UTF-8 (as Alloy) — and counted.
    assert.deepEqual(
      received().filter((l) => !l.includes('\u0000')),
      ['héllo', 'wörld'],
    );
    const text = await r.engine.metricsText();
    assert.match(text, new RegExp(`loki_source_file_encoding_failures_total\\{path="${be}"[^}]*\\} 2`));
    await r.stop();
    // The same BE file with the encoding configured.
    r = start(
      config({ targets: `[{__path__ = ${JSON.stringify(be)}}]`, extra: 'encoding = "UTF-16BE"' }),
      join(dir, 'data2'),
    );
    await waitLines(2);
    appendFileSync(be, Buffer.from('later\n', 'utf16le').swap16());
    await waitLines(3);
    assert.deepEqual(received(), ['ünï', 'çødé', 'later']);
  });

  test('tail_from_end: existing lines are skipped, a pending partial line and new lines are read', async () => {
    const dir = tmp();
    const file = join(dir, 'app.log');
    writeFileSync(file, lines(0, 100) + 'part');
    r = start(config({ targets: fileTarget(file), extra: 'tail_from_end = true' }), join(dir, 'data'));
    await eventually(() => existsPositions(join(dir, 'data')), 3000, 'positions written');
    appendFileSync(file, 'ial\nnew-1\n');
    await waitLines(2);
    assert.deepEqual(received(), ['partial', 'new-1']);
  });

  test('positions survive an Engine restart (Alloy format); a file replaced meanwhile is read from 0', async () => {
    const dir = tmp();
    const file = join(dir, 'app.log');
    const storage = join(dir, 'data');
    const cfg = config({ targets: fileTarget(file, 'job = "app", env = "a\\"b"') });
    writeFileSync(file, lines(0, 50));
    r = start(cfg, storage);
    await waitLines(50);
    await r.stop();

    const text = readFileSync(join(storage, 'loki.source.file.f', 'positions.yml'), 'utf8');
    const size = readFileSync(file).length;
    assert.equal(
      text.split('inodes:')[0],
      `positions:\n  ? path: ${file}\n    labels: '{env="a\\"b", job="app"}'\n  : "${size}"\n`,
    );
    const doc = parseDocument(text);
    assert.deepEqual(doc.errors, []);
    assert.match(text, /\ninodes:\n {2}\? path: .*\n {4}labels: .*\n {2}: "\d+"\n$/);

    appendFileSync(file, lines(50, 80));
    r = start(cfg, storage);
    await waitLines(30);
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(received(), expected(50, 80));
    await r.stop();

    // Rotated while the engine was down: a new file (new inode) bigger than the old offset.
    renameSync(file, file + '.1');
    writeFileSync(file, lines(0, 200, 'rotated'));
    r = start(cfg, storage);
    await waitLines(200);
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(received(), expected(0, 200, 'rotated'));
    await r.stop();

    // Truncated while the engine was down (same inode, now smaller than the offset): read from 0.
    writeFileSync(file, lines(0, 3, 'truncated'));
    r = start(cfg, storage);
    await waitLines(3);
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(received(), expected(0, 3, 'truncated'));
  });

  test('on_positions_file_error and legacy_positions_file', async () => {
    const dir = tmp();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'a\nb\nc\n');
    const corrupt = (storage: string) => {
      mkdirSync(join(storage, 'loki.source.file.f'), { recursive: true });
      writeFileSync(
        join(storage, 'loki.source.file.f', 'positions.yml'),
        serializePositions(new Map([[`${file}\u0000{}`, 'garbage']])),
      );
    };
    corrupt(join(dir, 'd1'));
    r = start(config({ targets: `[{__path__ = ${JSON.stringify(file)}}]` }), join(dir, 'd1'));
    await waitLines(3);
    assert.deepEqual(received(), ['a', 'b', 'c']);
    await r.stop();

    corrupt(join(dir, 'd2'));
    r = start(
      config({
        targets: `[{__path__ = ${JSON.stringify(file)}}]`,
        extra: 'on_positions_file_error = "skip"',
      }),
      join(dir, 'd2'),
    );
    await new Promise((res) => setTimeout(res, 300));
    assert.deepEqual(received(), []);
    await r.stop();

    const legacy = join(dir, 'legacy.yml');
    writeFileSync(legacy, `positions:\n  ${file}: "2"\n`);
    r = start(
      config({
        targets: fileTarget(file, 'foo = "bar"'),
        extra: `legacy_positions_file = ${JSON.stringify(legacy)}`,
      }),
      join(dir, 'd3'),
    );
    await waitLines(2);
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(received(), ['b', 'c']);
  });

  test('label set strings follow Go (model.LabelSet.String)', () => {
    assert.equal(labelSetString({}), '{}');
    assert.equal(labelSetString({ b: '2', a: 'x"y\\z\n' }), '{a="x\\"y\\\\z\\n", b="2"}');
    assert.equal(goQuote('é\u0001'), '"é\\x01"');
  });
});

function existsPositions(storage: string): boolean {
  try {
    readFileSync(join(storage, 'loki.source.file.f', 'positions.yml'));
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// The real agent, SIGKILLed while a file is being written and read.

/** Lines the agent's loki.echo logged, in order (`entry=line-000123`). */
function echoed(stderr: string): number[] {
  const out: number[] = [];
  for (const m of stderr.matchAll(/receiver=loki\.echo\.out entry=line-(\d+)/g)) out.push(Number(m[1]));
  return out;
}

describe('loki.source.file through the agent (SIGKILL)', () => {
  after(() => {
    killAgents();
  });

  test('local.file_match → loki.source.file → loki.echo: SIGKILL mid-stream, restart — every line, at most the in-flight chunk twice', async (t) => {
    const dir = tmp();
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const file = join(logs, 'app.log');
    writeFileSync(file, '');
    const storage = join(dir, 'data');
    const cfg = join(dir, 'config.alloy');
    writeFileSync(
      cfg,
      `local.file_match "m" {
  path_targets = [{__path__ = ${JSON.stringify(logs + '/*.log')}, job = "agent"}]
  sync_period  = "100ms"
}

loki.source.file "f" {
  targets    = local.file_match.m.targets
  forward_to = [loki.echo.out.receiver]

  file_watch {
    min_poll_frequency = "5ms"
    max_poll_frequency = "20ms"
  }
}

loki.echo "out" { }
`,
    );
    let written = 0;
    const write = (n: number) => {
      appendFileSync(file, lines(written, written + n));
      written += n;
    };
    let writer: NodeJS.Timeout | undefined;
    try {
      const a1 = await startAgent(cfg, storage);
      writer = setInterval(() => write(25), 2);
      const end = Date.now() + 30_000;
      while (echoed(a1.stderr()).length < 3000 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 2));
      a1.child.kill('SIGKILL'); // while lines keep being written and read
      await a1.exited;
      write(25);
      clearInterval(writer);
      writer = undefined;
      const first = echoed(a1.stderr());
      assert.ok(
        first.length >= 3000 && first.length < written,
        `killed mid-stream (${first.length}/${written})`,
      );
      write(500); // written while the agent is down

      const a2 = await startAgent(cfg, storage);
      write(500);
      const end2 = Date.now() + 30_000;
      while (Date.now() < end2) {
        const got = new Set(echoed(a2.stderr()));
        if (got.has(written - 1)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 200));
      a2.child.kill('SIGTERM');
      assert.equal(await a2.exited, 0, a2.stderr());
      const second = echoed(a2.stderr());

      // No loss: every line written arrived; each run delivers in file order.
      const all = [...first, ...second];
      assert.deepEqual(
        [...new Set(all)].sort((x, y) => x - y),
        [...Array(written).keys()],
      );
      assert.deepEqual(
        first,
        [...first].sort((x, y) => x - y),
      );
      assert.deepEqual(
        second,
        [...second].sort((x, y) => x - y),
      );
      // Duplicates: only a suffix of what was delivered before the kill (the chunk whose position had not
      // been written yet), bounded by one 256 KiB chunk (lines here are 12 bytes).
      const dup = second.filter((x) => first.includes(x));
      assert.deepEqual(
        dup,
        first.slice(first.length - dup.length),
        'duplicates are the last lines before the kill',
      );
      assert.ok(dup.length <= Math.ceil(262144 / 12), `at most one chunk repeated (${dup.length})`);
      assert.equal(new Set(second).size, second.length, 'no duplicates within a run');
      t.diagnostic(`${written} lines; ${first.length} before the kill; ${dup.length} repeated`);
      t.diagnostic(`${written} lines; ${first.length} before the kill; ${dup.length} repeated`);
    } finally {
      if (writer) clearInterval(writer);
    }
  });
});
