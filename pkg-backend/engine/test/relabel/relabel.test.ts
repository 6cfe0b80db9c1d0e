/**
 * Relabeling beyond the corpus: RE2 (Go) syntax where JavaScript's differs, anchoring, Go template
 * expansion, hashmod values, Go case mapping, label-builder semantics, and the regex shortcuts checked
 * against the RE2 engine.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { validateRelabelRule } from '../../src/components/common/relabel-schema.js';
import { labelsFromRecord, labelsToRecord, type Labels } from '../../src/components/prometheus/labels.js';
import {
  compileRelabelRegexp,
  compileRules,
  compileTemplate,
  expandTemplate,
  goToLower,
  goToUpper,
  hashMod,
  RegexpSyntaxError,
  type RelabelConfig,
} from '../../src/relabel/index.js';

const rule = (r: Partial<RelabelConfig>): RelabelConfig => ({
  separator: ';',
  regex: '(.*)',
  replacement: '$1',
  action: 'replace',
  ...r,
});

function relabel(input: Record<string, string>, rules: Partial<RelabelConfig>[], legacy = false) {
  const out = compileRules(rules.map(rule), { nameValidation: legacy ? 'legacy' : 'utf8' }).apply(
    labelsFromRecord(input),
  );
  return out ? { ...labelsToRecord(out) } : null;
}

/** Replace `a`'s value through `regex`/`replacement` into `out`. */
const replaceA = (value: string, regex: string, replacement: string) =>
  relabel({ a: value }, [{ source_labels: ['a'], regex, replacement, target_label: 'out' }])?.out;

describe('RE2 syntax (not JavaScript RegExp)', () => {
  test('(?i) flag, also scoped', () => {
    assert.equal(replaceA('FOO', '(?i)foo', 'm'), 'm');
    assert.equal(replaceA('FOObar', '(?i:foo)bar', 'm'), 'm');
    assert.equal(replaceA('FOOBAR', '(?i:foo)bar', 'm'), undefined);
  });
  test('Unicode classes \\pL, \\p{Greek}, \\PL and POSIX classes', () => {
    assert.equal(replaceA('héllo', '\\pL+', 'm'), 'm');
    assert.equal(replaceA('h3llo', '\\pL+', 'm'), undefined);
    assert.equal(replaceA('αβγ', '\\p{Greek}+', 'm'), 'm');
    assert.equal(replaceA('123', '\\PL+', 'm'), 'm');
    assert.equal(replaceA('ab12', '[[:alpha:]]+([[:digit:]]+)', '$1'), '12');
  });
  test('named groups (?P<name>…) and (?<name>…) with $name / ${name}', () => {
    assert.equal(replaceA('foo-42', '(?P<word>[a-z]+)-(?P<num>\\d+)', '${num}_${word}'), '42_foo');
    assert.equal(replaceA('foo-42', '(?<word>[a-z]+)-(?<num>\\d+)', '$num'), '42');
  });
  test('full anchoring: the whole value must match, alternations included', () => {
    assert.equal(replaceA('foobar', 'foo', 'm'), undefined);
    assert.equal(replaceA('xfoo', 'foo', 'm'), undefined);
    assert.equal(replaceA('ab', 'a|b', 'm'), undefined); // not ^a|b$
    assert.equal(replaceA('b', 'a|b', 'm'), 'm');
    assert.equal(replaceA('foo_total', '.*_total$', 'm'), 'm');
  });
  test('dot matches newline ((?s)), \\z, \\Q…\\E, \\x{…}', () => {
    assert.equal(replaceA('a\nb', 'a.b', 'm'), 'm');
    assert.equal(replaceA('line1\nline2', '(.*)', '$1'), 'line1\nline2');
    assert.equal(replaceA('a.b', '\\Qa.b\\E', 'm'), 'm');
    assert.equal(replaceA('axb', '\\Qa.b\\E', 'm'), undefined);
    assert.equal(replaceA('A', '\\x{41}', 'm'), 'm');
  });
  test('leftmost-first submatches, non-greedy, optional groups', () => {
    assert.equal(replaceA('abcd', '(a|ab)(c|bcd)(d*)', '$1,$2,$3'), 'a,bcd,');
    assert.equal(replaceA('aaa', '(a*?)(a*)', '$1|$2'), '|aaa');
    assert.equal(replaceA('b', '(a)?b', '[$1]'), '[]');
    assert.equal(replaceA('10.0.0.1:9100', '([^:]+)(?::\\d+)?', '$1'), '10.0.0.1');
  });
  test('Go errors for syntax JavaScript accepts or reads differently', () => {
    for (const [re, msg] of [
      ['(?=x)x', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
      ['(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
      ['(a', 'error parsing regexp: missing closing ): `^(?s:(a)$`'],
      ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
      ['x{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
      ['\\C', 'error parsing regexp: invalid escape sequence: `\\C`'],
    ] as const) {
      assert.throws(
        () => compileRelabelRegexp(re),
        (e: unknown) => e instanceof RegexpSyntaxError && e.message === msg,
        re,
      );
      assert.deepEqual(validateRelabelRule(rule({ regex: re, target_label: 'x' })), {
        message: msg,
        attr: 'regex',
      });
    }
  });
});

describe('Go template expansion (Regexp.Expand)', () => {
  const re = compileRelabelRegexp('(f)(o+)(?P<rest>.*)');
  const expand = (tpl: string, s = 'foobar') => {
    const m = re.exec(s);
    assert.ok(m);
    return expandTemplate(compileTemplate(tpl, re), s, m);
  };
  test('$1x is ${1x} (empty), ${1}x is not', () => {
    assert.equal(expand('$1x'), '');
    assert.equal(expand('${1}x'), 'fx');
    assert.equal(expand('$1-$2'), 'f-oo');
  });
  test('names, unknown groups, out-of-range numbers, leading zeros', () => {
    assert.equal(expand('$rest'), 'bar');
    assert.equal(expand('${rest}!'), 'bar!');
    assert.equal(expand('$nope|${9}|$01|$0'), '|||foobar');
  });
  test('$$ and malformed references stay literal', () => {
    assert.equal(expand('$$1'), '$1');
    assert.equal(expand('a$'), 'a$');
    assert.equal(expand('${1'), '${1');
    assert.equal(expand('$-'), '$-');
    assert.equal(expand('${}'), '${}');
  });
  test('unmatched optional group expands to ""', () => {
    const r = compileRelabelRegexp('(a)?(b)');
    const m = r.exec('b')!;
    assert.equal(expandTemplate(compileTemplate('[$1][$2]', r), 'b', m), '[][b]');
  });
  test('a reference name runs over Unicode letters and digits (as Go reads it)', () => {
    assert.equal(expand('$1é'), '');
    assert.equal(expand('${1}é'), 'fé');
    assert.equal(expand('$1٣'), ''); // Arabic-Indic digit: part of the name, so not group 1
    // Group names themselves are ASCII only in Go.
    assert.throws(() => compileRelabelRegexp('(?P<größe>.*)'), /invalid named capture/);
  });
});

describe('actions', () => {
  test('hashmod matches Prometheus (md5, last 8 bytes big-endian, mod)', () => {
    // Values computed independently (Python hashlib) and against Prometheus in prometheus-compare.test.ts.
    assert.equal(hashMod('baz', 1000n), '976');
    assert.equal(hashMod('10.0.0.1:9100', 8n), '5');
    assert.equal(hashMod('node-7.example.com:9100', 3n), '0');
    assert.equal(hashMod('héllo wörld', 1000n), '832');
    assert.equal(hashMod('', 10n), '8');
    assert.equal(hashMod('😀;x', 7n), '4');
    assert.equal(hashMod('a\nb', 1n << 40n), '378507581184');
    assert.deepEqual(
      relabel({ a: '😀', b: 'x' }, [
        { source_labels: ['a', 'b'], action: 'hashmod', modulus: 7, target_label: 'h' },
      ]),
      { a: '😀', b: 'x', h: '4' },
    );
  });
  test('lowercase / uppercase use Go simple case mapping', () => {
    assert.equal(goToUpper('Straße'), 'STRAßE');
    assert.equal(goToLower('ΟΔΟΣ'), 'οδοσ'); // no final sigma
    assert.equal(goToLower('İstanbul'), 'istanbul');
    assert.equal(goToUpper('ﬁx ᾳ'), 'ﬁX ᾼ');
    assert.equal(goToUpper('abc_1'), 'ABC_1');
    assert.deepEqual(
      relabel({ a: 'Straße' }, [{ source_labels: ['a'], action: 'uppercase', target_label: 'u' }]),
      {
        a: 'Straße',
        u: 'STRAßE',
      },
    );
  });
  test('replace with an empty result deletes the target; no match changes nothing', () => {
    assert.deepEqual(
      relabel({ a: 'x', b: 'y' }, [{ source_labels: ['a'], target_label: 'b', replacement: '' }]),
      {
        a: 'x',
      },
    );
    assert.deepEqual(relabel({ a: 'x' }, [{ source_labels: ['a'], regex: 'y', target_label: 'b' }]), {
      a: 'x',
    });
  });
  test('source labels join with the separator; missing labels are ""', () => {
    assert.deepEqual(
      relabel({ a: '1', c: '3' }, [{ source_labels: ['a', 'b', 'c'], separator: '/', target_label: 'j' }]),
      { a: '1', c: '3', j: '1//3' },
    );
  });
  test('expanded targets: utf8 accepts any name, legacy only [a-zA-Z_][a-zA-Z0-9_]*', () => {
    const rules = [{ source_labels: ['a'], regex: '(.*)', target_label: '${1}', replacement: 'v' }];
    assert.deepEqual(relabel({ a: 'x.y' }, rules), { a: 'x.y', 'x.y': 'v' });
    assert.deepEqual(relabel({ a: 'x.y' }, rules, true), { a: 'x.y' });
    assert.deepEqual(relabel({ a: 'x_y' }, rules, true), { a: 'x_y', x_y: 'v' });
  });
  test('labelmap visits existing labels in name order, then added ones in insertion order', () => {
    // __meta_z and x_z both map to z: the later visit wins.
    const rules = [{ regex: '(?:__meta_|x_|y_)(z)', replacement: '$1', action: 'labelmap' }];
    assert.equal(relabel({ __meta_z: 'm', x_z: 'x' }, rules)!.z, 'x');
    // y_z is added by an earlier rule, so it is visited after x_z although it sorts before it.
    assert.equal(
      relabel({ __meta_z: 'm', x_z: 'x' }, [{ target_label: 'y_z', replacement: 'y' }, ...rules])!.z,
      'y',
    );
  });
  test('labeldrop / labelkeep on names; keepequal / dropequal compare values', () => {
    assert.deepEqual(relabel({ a: '1', b: '2', c: '3' }, [{ regex: 'a|c', action: 'labeldrop' }]), {
      b: '2',
    });
    assert.deepEqual(relabel({ a: '1', b: '2', c: '3' }, [{ regex: 'a|c', action: 'labelkeep' }]), {
      a: '1',
      c: '3',
    });
    const eq = { source_labels: ['a'], target_label: 'b' };
    assert.equal(relabel({ a: '1', b: '1' }, [{ ...eq, action: 'dropequal' }]), null);
    assert.deepEqual(relabel({ a: '1', b: '1' }, [{ ...eq, action: 'keepequal' }]), { a: '1', b: '1' });
    assert.equal(relabel({ a: '1', b: '2' }, [{ ...eq, action: 'keepequal' }]), null);
  });
  test('keep / drop with no source labels match against ""', () => {
    assert.equal(relabel({ a: '1' }, [{ regex: '', action: 'drop' }]), null);
    assert.deepEqual(relabel({ a: '1' }, [{ regex: '.+', action: 'drop' }]), { a: '1' });
  });
});

describe('the two APIs', () => {
  test('apply returns the same array when nothing changes, a frozen sorted one otherwise', () => {
    const input: Labels = labelsFromRecord({ a: '1', b: '2' });
    const keep = compileRules([rule({ source_labels: ['a'], regex: '1', action: 'keep' })]);
    assert.equal(keep.apply(input), input);
    const same = compileRules([rule({ source_labels: ['a'], target_label: 'a' })]);
    assert.equal(same.apply(input), input, 'setting a label to its value keeps identity');
    const add = compileRules([
      rule({ target_label: '0', replacement: 'z' }),
      rule({ target_label: 'c', replacement: 'y' }),
    ]);
    const out = add.apply(input)!;
    assert.deepEqual(out, ['0', 'z', 'a', '1', 'b', '2', 'c', 'y']);
    assert.ok(Object.isFrozen(out));
    assert.equal(compileRules([]).apply(input), input);
  });
  test('applyTarget leaves empty-valued labels out and the input untouched', () => {
    const rules = compileRules([rule({ source_labels: ['a'], target_label: 'b' })]);
    const t = { a: 'x', e: '' };
    assert.deepEqual(rules.applyTarget(t), { a: 'x', b: 'x' });
    assert.deepEqual(t, { a: 'x', e: '' });
    const noop = compileRules([]);
    const clean = { a: 'x' };
    assert.equal(noop.applyTarget(clean), clean);
    assert.deepEqual(noop.applyTarget({ a: 'x', e: '' }), { a: 'x' });
    assert.deepEqual(
      compileRules([rule({ source_labels: ['a'], regex: 'x', action: 'drop' })]).applyTargets([
        { a: 'x' },
        { a: 'y' },
      ]),
      [{ a: 'y' }],
    );
  });
  test('an empty-valued target label reads as absent', () => {
    const rules = compileRules([
      rule({ source_labels: ['e'], regex: '', target_label: 'was_empty', replacement: 'yes' }),
    ]);
    assert.deepEqual(rules.applyTarget({ a: 'x', e: '' }), { a: 'x', was_empty: 'yes' });
  });
});

describe('regex shortcuts agree with RE2', () => {
  const shortcutPatterns = [
    '(.*)',
    '.*',
    '(.+)',
    '.+',
    'foo',
    'foo(.*)',
    'foo.*',
    'foo(.+)',
    'foo.+',
    'a|b|',
    'a|foo|ab',
    '',
    'fo.*|a',
    'a.*|b.*|foo',
    '.*|b',
  ];
  const alphabet = fc.constantFrom('a', 'b', 'f', 'o', '\n', 'é', '😀', '');
  const input = fc.array(alphabet, { maxLength: 6 }).map((a) => a.join(''));
  for (const p of shortcutPatterns) {
    test(`${JSON.stringify(p)}`, () => {
      const ours = compileRelabelRegexp(p);
      const re2 = RE2JS.compile(`^(?s:${p})$`);
      fc.assert(
        fc.property(
          fc.oneof(
            input,
            input.map((s) => 'foo' + s),
          ),
          (s) => {
            const want = re2.re2().findSubmatchIndex(s) as number[] | null;
            const got = ours.exec(s);
            assert.deepEqual(got === null ? null : Array.from(got), want, `${p} on ${JSON.stringify(s)}`);
            assert.equal(ours.test(s), want !== null);
          },
        ),
        { numRuns: 300 },
      );
      assert.equal(ours.numGroups, re2.groupCount());
    });
  }
});
