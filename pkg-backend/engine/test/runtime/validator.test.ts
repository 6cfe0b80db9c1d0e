import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDiagnostic, type Diagnostic } from '../../src/syntax/diag.js';
import { validateSources, type ValidateOptions } from '../../src/runtime/validate.js';
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { t } from '../../src/runtime/schema.js';
import { createDefaultRegistry } from '../../src/registry.js';

const fakes: ComponentRegistration[] = [
  { name: 'test.preview', stability: 'public-preview', args: {}, exports: {} },
  { name: 'test.community', stability: 'experimental', community: true, args: {}, exports: {} },
  {
    name: 'test.blocks',
    stability: 'generally-available',
    args: {
      attrs: { n: { type: t.number() }, s: { type: t.string() }, list: { type: t.list(t.string()) } },
      blocks: { once: { schema: { attrs: { x: { type: t.string(), required: true } } } } },
    },
  },
];
const registry = createDefaultRegistry().extend(fakes);

function validate(text: string | Record<string, string>, opts: Partial<ValidateOptions> = {}): Diagnostic[] {
  const files = typeof text === 'string' ? { 'main.alloy': text } : text;
  return validateSources(
    Object.entries(files).map(([filename, t]) => ({ filename, text: t })),
    { registry, minStability: 'experimental', ...opts },
  );
}

/** `severity line:col message` per diagnostic, for compact assertions. */
function summary(diags: Diagnostic[]): string[] {
  return diags.map((d) => `${d.severity} ${formatDiagnostic(d).replace(/^main\.alloy:/, '')}`);
}

describe('static validator', () => {
  test('a valid pipeline with references passes', () => {
    const diags = validate(`
local.file_match "logs" {
  path_targets = [{"__path__" = "/var/log/*.log"}]
}
loki.source.file "files" {
  targets    = local.file_match.logs.targets
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint { url = "http://loki:3100/loki/api/v1/push" }
}
`);
    assert.deepEqual(diags, []);
  });

  test('imports are not loaded: a missing file and any component of its namespace are fine', () => {
    const diags = validate(`
import.file "mods" {
  filename = "/does/not/exist.alloy"
}
mods.anything.at_all "x" {
  whatever = 1
}
`);
    assert.deepEqual(diags, []);
  });

  test('references through declared components and module arguments resolve', () => {
    const diags = validate(`
declare "box" {
  argument "in" { }
  argument "opt" { optional = true }
  export "out" { value = argument.in.value }
}
box "a" { in = "x" }
box "b" { in = box.a.out }
`);
    assert.deepEqual(diags, []);
  });

  test('declared component arguments: missing required and unknown names', () => {
    assert.deepEqual(
      summary(
        validate(`
declare "box" {
  argument "in" { }
}
box "a" {
  other = 1
  blk { }
}
`),
      ),
      [
        'error 6:3: unrecognized attribute name "other"',
        'error 7:3: unrecognized block name "blk"',
        'error 5:1: missing required attribute "in"',
      ],
    );
  });

  test('only literals are type-checked; expressions are left to run time', () => {
    assert.deepEqual(
      summary(
        validate(`
test.blocks "a" {
  n    = "not a number"
  s    = 1 + 2
  list = ["ok", true, sys.env("X")]
}
test.blocks "b" {
  n    = sys.env("N")
  s    = test.blocks.a.whatever
  list = test.blocks.a.list
}
test.blocks "c" {
  s = null
}
`),
      ),
      ['error 3:10: expected number, got string', 'error 5:17: expected string, got bool'],
    );
  });

  test('a block allowed once is reported at every occurrence', () => {
    assert.deepEqual(summary(validate('test.blocks "a" {\n  once { x = "1" }\n  once { x = "2" }\n}\n')), [
      'error 2:3: block "once" may only be specified once',
      'error 3:3: block "once" may only be specified once',
    ]);
  });

  test('stability and community components', () => {
    const text = 'test.preview "a" { }\ntest.community "b" { }\n';
    assert.deepEqual(summary(validate(text, { minStability: 'generally-available' })), [
      'error 1:1: component "test.preview" is at stability level "public-preview", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "public-preview" features',
      'error 2:1: the component "test.community" is a community component. Use the --feature.community-components.enabled command-line flag to enable community components',
    ]);
    // Community components are not subject to stability levels.
    assert.deepEqual(validate(text, { minStability: 'public-preview', communityComponents: true }), []);
  });

  test('services: not inside modules, and some cannot be configured', () => {
    assert.deepEqual(summary(validate('cluster { }\ndeclare "m" {\n  http { }\n}\n')), [
      'error 3:3: http not allowed in module',
      'error 1:1: service "cluster" does not support being configured',
    ]);
  });

  test('attributes: top level stops parsing; inside a declare they are reported on the declare', () => {
    assert.deepEqual(summary(validate('a = 1\n')), ['error 1:1: unrecognized attribute a']);
    assert.deepEqual(summary(validate('declare "m" {\n  a = 1\n}\n')), [
      'error 2:3: unsupported statement type *ast.AttributeStmt',
    ]);
  });

  test('a foreach template may reference outside nodes without forming cycles', () => {
    const diags = validate(`
prometheus.remote_write "out" {
  endpoint { url = "http://mimir/api/v1/push" }
}
foreach "each_target" {
  collection = [1, 2]
  var        = "item"
  template {
    prometheus.relabel "r" {
      forward_to = [prometheus.remote_write.out.receiver]
    }
  }
}
`);
    assert.deepEqual(diags, []);
  });

  test('cycles inside a declare body are reported', () => {
    assert.deepEqual(
      summary(
        validate(`
declare "m" {
  prometheus.relabel "a" { forward_to = [prometheus.relabel.b.receiver] }
  prometheus.relabel "b" { forward_to = [prometheus.relabel.a.receiver] }
}
`),
      ),
      [
        'error 3:3: cycle detected: prometheus.relabel.a, prometheus.relabel.b',
        'error 4:3: cycle detected: prometheus.relabel.a, prometheus.relabel.b',
      ],
    );
  });

  test('warnings alone do not make a config invalid', () => {
    const diags = validate('local.file "f" {\n  filename = env("HOME")\n}\n');
    assert.deepEqual(summary(diags), [
      'warning 2:14: this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives',
    ]);
  });

  test('syntax errors of every file are reported, in file name order', () => {
    const diags = validate({ 'b.alloy': 'x "y" {\n', 'a.alloy': 'a.b "c" {\n' });
    assert.deepEqual(
      diags.map((d) => d.start.filename),
      ['a.alloy', 'b.alloy'],
    );
  });
});
