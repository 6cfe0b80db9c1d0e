/**
 * The shared relabel corpus (`../shared/corpus/relabel`, transcribed from Prometheus' and Alloy's
 * relabel_test.go): every TestRelabel case through both APIs, every TestRelabelValidate case through the
 * `rule` validation, and every target-label pattern case.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidRelabelTarget, validateRelabelRule } from '../../src/components/common/relabel-schema.js';
import { labelsFromRecord, labelsToRecord } from '../../src/components/prometheus/labels.js';
import { compileRules, type RelabelConfig } from '../../src/relabel/index.js';
import { relabelCorpus, sorted, type CorpusCase } from './support.js';

const cases = relabelCorpus<CorpusCase[]>('relabel-cases.json');

describe('corpus relabel-cases.json (TestRelabel)', () => {
  test('the corpus is present', () => assert.ok(cases.length >= 25));
  for (const c of cases) {
    const nameValidation = c.label_name_validation === 'legacy' ? 'legacy' : 'utf8';
    test(`${c.name}: Labels`, () => {
      const rules = compileRules(c.configs, { nameValidation });
      const input = labelsFromRecord(c.input);
      const out = rules.apply(input);
      assert.deepEqual(out ? { ...labelsToRecord(out) } : null, c.output);
      if (out) {
        assert.ok(Object.isFrozen(out), 'result is frozen');
        for (let i = 2; i < out.length; i += 2) assert.ok(out[i - 2]! < out[i]!, 'sorted, unique names');
        if (JSON.stringify(labelsToRecord(out)) === JSON.stringify(labelsToRecord(input)))
          assert.equal(out, input, 'unchanged label sets keep their identity');
      }
    });
    test(`${c.name}: target`, () => {
      const rules = compileRules(c.configs, { nameValidation });
      const input = { ...c.input };
      const out = rules.applyTarget(input);
      assert.deepEqual(sorted(out), sorted(c.output));
      assert.deepEqual(input, c.input, 'input target untouched');
    });
  }
});

interface ValidateCase {
  name: string;
  config: Partial<RelabelConfig>;
  expected_error_contains: string | null;
  config_name_validation_scheme?: 'utf8' | 'legacy';
}

describe('corpus relabel-validate-cases.json (TestRelabelValidate)', () => {
  const vcases = relabelCorpus<ValidateCase[]>('relabel-validate-cases.json');
  test('the corpus is present', () => assert.ok(vcases.length >= 17));
  for (const c of vcases) {
    test(c.name, () => {
      const prometheus = c.name.startsWith('prometheus-');
      const err = validateRelabelRule(c.config, {
        dialect: prometheus ? 'prometheus' : 'alloy',
        nameValidation: c.config_name_validation_scheme ?? 'utf8',
      });
      if (c.expected_error_contains === null) assert.equal(err, undefined);
      else {
        assert.ok(err, `expected an error containing ${c.expected_error_contains}`);
        assert.ok(
          err.message.includes(c.expected_error_contains),
          `${JSON.stringify(err.message)} should contain ${JSON.stringify(c.expected_error_contains)}`,
        );
      }
    });
  }
});

describe('corpus relabel-target-label-cases.json (TestTargetLabelValidity)', () => {
  const tcases = relabelCorpus<{ target_label: string; valid: boolean; source: string }[]>(
    'relabel-target-label-cases.json',
  );
  test('the corpus is present', () => assert.ok(tcases.length >= 31));
  for (const [i, c] of tcases.entries()) {
    test(`${i}: ${JSON.stringify(c.target_label)} is ${c.valid ? 'valid' : 'invalid'}`, () => {
      assert.equal(isValidRelabelTarget(c.target_label), c.valid);
    });
  }
});
