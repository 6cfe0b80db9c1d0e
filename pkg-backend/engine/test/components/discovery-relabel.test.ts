/** discovery.relabel through a real Engine: output, the rules capsule, reloads and Alloy's diagnostics. */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { RelabelRules } from '../../src/relabel/index.js';
import { Capsule } from '../../src/syntax/value.js';
import { runEngine, targetsOf, type RunningEngine } from '../relabel/support.js';

const config = (targets: string, extraRule = '') => `
discovery.relabel "pods" {
  targets = ${targets}

  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    regex         = "kube-.*"
    action        = "drop"
  }

  rule {
    regex  = "__meta_kubernetes_pod_label_(.+)"
    action = "labelmap"
  }

  rule {
    source_labels = ["__address__"]
    regex         = "([^:]+)(?::\\\\d+)?"
    target_label  = "host"
  }
${extraRule}}

discovery.relabel "chained" {
  targets = discovery.relabel.pods.output

  rule {
    source_labels = ["app"]
    target_label  = "service"
    replacement   = "svc-$1"
  }
}
`;

const TARGETS = `[
    {"__address__" = "10.0.0.1:9100", "__meta_kubernetes_namespace" = "default", "__meta_kubernetes_pod_label_app" = "web"},
    {"__address__" = "10.0.0.2:9100", "__meta_kubernetes_namespace" = "kube-system", "__meta_kubernetes_pod_label_app" = "dns"},
    {"__address__" = "10.0.0.3", "__meta_kubernetes_namespace" = "prod", "empty" = ""},
  ]`;

describe('discovery.relabel', () => {
  let r: RunningEngine | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  test('relabels targets, drops the dropped ones, and chains', () => {
    r = runEngine(config(TARGETS));
    assert.deepEqual(targetsOf(r.exports('discovery.relabel.pods').get('output')), [
      {
        __address__: '10.0.0.1:9100',
        __meta_kubernetes_namespace: 'default',
        __meta_kubernetes_pod_label_app: 'web',
        app: 'web',
        host: '10.0.0.1',
      },
      { __address__: '10.0.0.3', __meta_kubernetes_namespace: 'prod', host: '10.0.0.3' },
    ]);
    const chained = targetsOf(r.exports('discovery.relabel.chained').get('output'));
    // No `app`: the default regex matches "" and the replacement still applies (as Prometheus).
    assert.deepEqual(
      chained.map((t) => t.service),
      ['svc-web', 'svc-'],
    );
  });

  test('exports its rules as a relabel.Rules capsule of the compiled rules', () => {
    r = runEngine(config(TARGETS));
    const rules = r.exports('discovery.relabel.pods').get('rules');
    assert.ok(rules instanceof Capsule);
    assert.equal(rules.typeName, 'relabel.Rules');
    assert.ok(rules.value instanceof RelabelRules);
    const compiled = rules.value;
    assert.equal(compiled.configs.length, 3);
    assert.deepEqual(compiled.configs[0], {
      source_labels: ['__meta_kubernetes_namespace'],
      separator: ';',
      regex: 'kube-.*',
      replacement: '$1',
      action: 'drop',
    });
    assert.equal(compiled.applyTarget({ __meta_kubernetes_namespace: 'kube-public' }), undefined);
  });

  test('a reload with new targets keeps the same rules capsule; new rules replace it', async () => {
    r = runEngine(config(TARGETS));
    const before = r.exports('discovery.relabel.pods').get('rules');
    assert.equal(r.load(config('[{"__address__" = "h:1"}]')).committed, true);
    await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(targetsOf(r.exports('discovery.relabel.pods').get('output')), [
      { __address__: 'h:1', host: 'h' },
    ]);
    assert.equal(r.exports('discovery.relabel.pods').get('rules'), before);
    const extra = '\n  rule {\n    target_label = "env"\n    replacement  = "prod"\n  }\n';
    assert.equal(r.load(config('[{"__address__" = "h:1"}]', extra)).committed, true);
    await new Promise((res) => setTimeout(res, 20));
    assert.notEqual(r.exports('discovery.relabel.pods').get('rules'), before);
    assert.deepEqual(targetsOf(r.exports('discovery.relabel.chained').get('output')), [
      { __address__: 'h:1', host: 'h', env: 'prod', service: 'svc-' },
    ]);
  });

  test('an invalid regex is reported at the attribute, with Go’s message', () => {
    r = runEngine(config(TARGETS));
    const res = r.load(`discovery.relabel "x" {
  targets = []
  rule {
    regex  = "(a"
    action = "keep"
  }
}`);
    const d = res.diagnostics.find((x) => x.severity === 'error');
    assert.ok(d);
    assert.equal(d.message, 'error parsing regexp: missing closing ): `^(?s:(a)$`');
    assert.equal(d.start.line, 4);
  });

  test('Alloy’s validation messages', () => {
    r = runEngine('');
    const cases: [string, string][] = [
      ['action = "nope"', 'unrecognized action type "nope"'],
      [
        'action = "hashmod"\n    target_label = "x"',
        'relabel configuration for hashmod requires non-zero modulus',
      ],
      ['action = "replace"', "relabel configuration for replace action requires 'target_label' value"],
      ['target_label = "-${1}"', `"-\${1}" is invalid 'target_label' for replace action`],
      [
        'action = "labeldrop"\n    source_labels = ["a"]',
        "labeldrop action requires only 'regex', and no other fields",
      ],
      [
        'action = "keepequal"\n    target_label = "a"\n    regex = "x"',
        "keepequal action requires only 'source_labels' and 'target_label', and no other fields",
      ],
      [
        'action = "lowercase"\n    target_label = "a"\n    replacement = "x"',
        "'replacement' can not be set for lowercase action",
      ],
      ['action = "labelmap"\n    replacement = "-$1"', `"-$1" is invalid 'replacement' for labelmap action`],
    ];
    for (const [body, msg] of cases) {
      const res = r.load(`discovery.relabel "x" {\n  targets = []\n  rule {\n    ${body}\n  }\n}`);
      assert.deepEqual(
        res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
        [msg],
        body,
      );
    }
  });
});
