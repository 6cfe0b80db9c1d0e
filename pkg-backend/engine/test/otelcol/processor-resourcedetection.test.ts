/** otelcol.processor.resourcedetection: the env and system detectors, override, configuration checks. */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import {
  otelcolProcessorResourceDetection as reg,
  parseResourceAttributes,
} from '../../src/components/otelcol/processor/resourcedetection.js';
import { buildFromBody, decodeErrors, logRecord, logs, plain, span, traces } from './support.js';

test('env format: pairs, spaces, URL escapes, errors', () => {
  assert.deepEqual(
    plain(parseResourceAttributes('service.name=api, deployment.environment = prod ,k=a%20b+c')),
    {
      'service.name': 'api',
      'deployment.environment': 'prod',
      k: 'a b c',
    },
  );
  assert.throws(
    () => parseResourceAttributes('k=%zz'),
    /invalid resource format in attribute: "k=%zz", err: invalid URL escape "%zz"/,
  );
  assert.throws(() => parseResourceAttributes('novalue'), /invalid resource format: "novalue"/);
});

test('env and system detectors merged into resources; override', async () => {
  process.env.OTEL_RESOURCE_ATTRIBUTES = 'service.name=from-env,team=core';
  try {
    const { input, out, component } = buildFromBody(
      reg,
      `
detectors = ["env", "system"]
override  = false
system {
  hostname_sources = ["os"]
  resource_attributes {
    host.arch { enabled = true }
    os.type { enabled = false }
  }
}
output {
  traces = [OUT]
  logs   = [OUT]
}
`,
    );
    const abort = new AbortController();
    const done = component.run(abort.signal);
    await input.consumeTraces!(traces({ 'service.name': 'mine' }, [span()]));
    await input.consumeLogs!(logs({}, [logRecord()]));
    assert.deepEqual(plain(out.traces[0]!.resourceSpans[0]!.resource!.attributes), {
      'service.name': 'mine',
      team: 'core',
      'host.name': os.hostname(),
      'host.arch': process.arch === 'x64' ? 'amd64' : process.arch,
    });
    assert.deepEqual(plain(out.logs[0]!.resourceLogs[0]!.resource!.attributes), {
      'service.name': 'from-env',
      team: 'core',
      'host.name': os.hostname(),
      'host.arch': process.arch === 'x64' ? 'amd64' : process.arch,
    });
    abort.abort();
    await done;

    const o = buildFromBody(reg, `detectors = ["env", "gcp"]\noutput { traces = [OUT] }`);
    await o.input.consumeTraces!(traces({ 'service.name': 'mine' }, [span()]));
    assert.equal(
      plain(o.out.traces[0]!.resourceSpans[0]!.resource!.attributes)['service.name'],
      'from-env',
      'override defaults to true',
    );
    assert.ok(o.logs.some((l) => l.includes('resource detector gcp is not supported')));
  } finally {
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
  }
});

test('configuration checks', () => {
  assert.deepEqual(decodeErrors(reg, `detectors = ["env", "nope"]\noutput {}`), ['invalid detector: nope']);
  assert.deepEqual(decodeErrors(reg, `detectors = []\noutput {}`), [
    'at least one detector must be specified',
  ]);
  assert.deepEqual(decodeErrors(reg, `system { hostname_sources = ["magic"] }\noutput {}`), [
    'invalid hostname source: magic',
  ]);
  assert.deepEqual(
    decodeErrors(
      reg,
      `detectors = ["ec2"]\nec2 {\n  tags = ["^tag$"]\n  resource_attributes {\n    host.name { enabled = false }\n  }\n}\noutput {}`,
    ),
    [],
  );
});
