/**
 * local.file_match and the doublestar-compatible glob it shares with loki.source.file's file_match block.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { matchTarget } from '../../src/components/local/file_match.js';
import { expandBraces, glob, pathMatch } from '../../src/components/loki/source/file/glob.js';
import { toPlain } from '../../src/runtime/schema.js';
import { eventually, startEngine, type Running } from '../runtime/helpers.js';

/** dir/{top.log, .hidden.log, a/x.log, a/b/y.log, a/b/c/z.log, a/b/c/z.txt, d/w.log, a/b/loop → a} */
function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-glob-'));
  mkdirSync(join(dir, 'a', 'b', 'c'), { recursive: true });
  mkdirSync(join(dir, 'd'));
  for (const f of ['top.log', '.hidden.log', 'a/x.log', 'a/b/y.log', 'a/b/c/z.log', 'a/b/c/z.txt', 'd/w.log'])
    writeFileSync(join(dir, f), f + '\n');
  symlinkSync(join(dir, 'a'), join(dir, 'a', 'b', 'loop'));
  return dir;
}

describe('glob (doublestar semantics)', () => {
  test('pathMatch: *, ?, **, classes, alternatives, escapes', () => {
    const yes: [string, string][] = [
      ['/var/log/*.log', '/var/log/app.log'],
      ['/var/log/*.log', '/var/log/.hidden.log'],
      ['/var/log/**/*.log', '/var/log/app.log'],
      ['/var/log/**/*.log', '/var/log/a/b/c/app.log'],
      ['/var/log/**', '/var/log'],
      ['/var/log/**', '/var/log/a/b'],
      ['/var/log/app?.log', '/var/log/app1.log'],
      ['/var/log/[a-c]*.log', '/var/log/b.log'],
      ['/var/log/[!a-c]*.log', '/var/log/d.log'],
      ['/var/log/[^a-c]*.log', '/var/log/d.log'],
      ['/var/log/*.{log,txt}', '/var/log/x.txt'],
      ['/var/log/{nginx,apache/sub}/*.log', '/var/log/apache/sub/e.log'],
      ['/var/log/some{thing{new,},}', '/var/log/some'],
      ['/var/log/some{thing{new,},}', '/var/log/somethingnew'],
      ['/var/log/\\*.log', '/var/log/*.log'],
      ['/var/log/**.log', '/var/log/x.log'],
      ['**/skip.log', 'a/b/skip.log'],
    ];
    const no: [string, string][] = [
      ['/var/log/*.log', '/var/log/a/app.log'],
      ['/var/log/app?.log', '/var/log/app12.log'],
      ['/var/log/[a-c]*.log', '/var/log/d.log'],
      ['/var/log/*.{log,txt}', '/var/log/x.json'],
      ['/var/log/\\*.log', '/var/log/a.log'],
      ['/var/log/**.log', '/var/log/a/x.log'],
      ['/var/log/**/*.log', '/var/other/app.log'],
    ];
    for (const [p, s] of yes) assert.equal(pathMatch(p, s), true, `${p} ~ ${s}`);
    for (const [p, s] of no) assert.equal(pathMatch(p, s), false, `${p} !~ ${s}`);
    assert.deepEqual(expandBraces('a{b,c{d,e},}f'), ['abf', 'acdf', 'acef', 'af']);
    assert.throws(() => pathMatch('/var/{a,b', '/var/a'), /syntax error in pattern/);
    assert.throws(() => pathMatch('/var/[ab', '/var/a'), /syntax error in pattern/);
  });

  test('glob walks the disk: ** recursion (with symlinks, no cycles), dotfiles, relative patterns', async () => {
    const dir = tree();
    assert.deepEqual(await glob(`${dir}/**/*.log`), [
      `${dir}/.hidden.log`,
      `${dir}/top.log`,
      `${dir}/a/x.log`,
      `${dir}/a/b/y.log`,
      `${dir}/a/b/c/z.log`,
      `${dir}/a/b/loop/x.log`,
      `${dir}/d/w.log`,
    ]);
    assert.deepEqual(await glob(`${dir}/{a,d}/*.log`), [`${dir}/a/x.log`, `${dir}/d/w.log`]);
    assert.deepEqual(await glob(`${dir}/a/b/c/z.*`), [`${dir}/a/b/c/z.log`, `${dir}/a/b/c/z.txt`]);
    assert.deepEqual(await glob(`${dir}/top.log`), [`${dir}/top.log`]);
    assert.deepEqual(await glob(`${dir}/missing.log`), []);
    assert.deepEqual(await glob(`${dir}/missing/*.log`), []);
    assert.deepEqual(await glob(`${dir}//a/./x.log`), [`${dir}/a/x.log`]);
    const all = await glob(`${dir}/a/**`);
    assert.ok(
      all.includes(`${dir}/a`) && all.includes(`${dir}/a/b/c/z.txt`),
      'a/** includes a and files below',
    );
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      assert.deepEqual(await glob('*/*.log'), ['a/x.log', 'd/w.log']);
    } finally {
      process.chdir(cwd);
    }
  });

  test('matchTarget: absolute __path__, labels kept, exclude, directories and old files skipped', async () => {
    const dir = tree();
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'd', 'w.log'), old, old);
    const got = await matchTarget(
      { __path__: `${dir}/**/*.log`, __path_exclude__: '**/b/**', job: 'j' },
      60_000,
    );
    assert.deepEqual(got, [
      { __path__: `${dir}/.hidden.log`, __path_exclude__: '**/b/**', job: 'j' },
      { __path__: `${dir}/top.log`, __path_exclude__: '**/b/**', job: 'j' },
      { __path__: `${dir}/a/x.log`, __path_exclude__: '**/b/**', job: 'j' },
    ]);
    assert.deepEqual(await matchTarget({ __path__: `${dir}/*` }, 0), [
      { __path__: `${dir}/.hidden.log` },
      { __path__: `${dir}/top.log` },
    ]);
  });
});

describe('local.file_match', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  test('exports matching files, follows new and removed files every sync_period and on update', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-filematch-'));
    writeFileSync(join(dir, 'a.log'), '');
    writeFileSync(join(dir, 'a.txt'), '');
    mkdirSync(join(dir, 'dir.log'));
    const cfg = (pattern: string) => `
local.file_match "m" {
  path_targets = [{__path__ = ${JSON.stringify(join(dir, pattern))}, job = "fm"}]
  sync_period  = "30ms"
}
`;
    r = startEngine(cfg('*.log'));
    const targets = () =>
      (toPlain(
        (r!.engine.component('local.file_match.m')!.node.cell.exports as Map<string, any>).get('targets'),
      ) ?? []) as Record<string, string>[];
    await eventually(() => targets().length === 1, 3000, 'first target');
    assert.deepEqual({ ...targets()[0] }, { __path__: join(dir, 'a.log'), job: 'fm' });
    writeFileSync(join(dir, 'b.log'), '');
    await eventually(() => targets().length === 2, 3000, 'new file');
    rmSync(join(dir, 'a.log'));
    await eventually(
      () => targets().length === 1 && targets()[0]!.__path__ === join(dir, 'b.log'),
      3000,
      'removed',
    );
    const res = r.load(cfg('*.txt'));
    assert.ok(res.committed);
    await eventually(
      () => targets().length === 1 && targets()[0]!.__path__ === join(dir, 'a.txt'),
      3000,
      'update',
    );
  });

  test('ignore_older_than leaves out files not modified recently', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-filematch-'));
    writeFileSync(join(dir, 'new.log'), '');
    writeFileSync(join(dir, 'old.log'), '');
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'old.log'), old, old);
    r = startEngine(`
local.file_match "m" {
  path_targets      = [{__path__ = ${JSON.stringify(join(dir, '*.log'))}}]
  ignore_older_than = "10m"
}
`);
    const targets = () =>
      (toPlain(
        (r!.engine.component('local.file_match.m')!.node.cell.exports as Map<string, any>).get('targets'),
      ) ?? []) as Record<string, string>[];
    await eventually(() => targets().length === 1, 3000, 'targets');
    assert.equal(targets()[0]!.__path__, join(dir, 'new.log'));
  });
});
