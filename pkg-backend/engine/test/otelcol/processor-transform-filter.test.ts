/**
 * otelcol.processor.transform and otelcol.processor.filter through the engine (producer → processor →
 * recorder), and their configuration errors as the engine reports them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allLogs,
  allMetrics,
  allSpans,
  eventually,
  gauge,
  logRecord,
  logs,
  metrics,
  plain,
  point,
  producers,
  recorded,
  span,
  startEngine,
  sum,
  testOtelComponents,
  traces,
} from './support.js';

const opts = { components: testOtelComponents };

test('transform: contexts in order, conditions, where clauses, error modes', async () => {
  const r = startEngine(
    `
testotel.producer "p" {
  output {
    traces  = [otelcol.processor.transform.t.input]
    metrics = [otelcol.processor.transform.t.input]
    logs    = [otelcol.processor.transform.t.input]
  }
}
otelcol.processor.transform "t" {
  error_mode = "ignore"
  trace_statements {
    context = "resource"
    statements = [
      \`set(attributes["k8s.cluster.name"], "c1")\`,
      \`delete_key(attributes, "process.pid")\`,
    ]
  }
  trace_statements {
    context    = "span"
    conditions = [\`kind == SPAN_KIND_SERVER\`]
    statements = [
      \`set(attributes["cluster"], resource.attributes["k8s.cluster.name"])\`,
      \`set(attributes["bad"], Substring(name, 100, 2))\`,
      \`set(name, "renamed") where attributes["http.route"] == "/x"\`,
    ]
  }
  metric_statements {
    context = "datapoint"
    statements = [\`set(attributes["env"], "prod") where metric.name == "requests"\`]
  }
  metric_statements {
    context = "metric"
    statements = [\`set(description, "described")\`]
  }
  log_statements {
    context = "log"
    statements = [\`set(severity_text, "WARN") where IsMatch(body, "warn")\`]
  }
  statements {
    log = [\`set(resource.attributes["flat"], "yes")\`]
  }
  output {
    traces  = [testotel.recorder.out.input]
    metrics = [testotel.recorder.out.input]
    logs    = [testotel.recorder.out.input]
  }
}
testotel.recorder "out" {}
`,
    opts,
  );
  try {
    const p = producers.get('p')!;
    await p.traces(
      traces({ 'service.name': 'api', 'process.pid': 12 }, [
        span({ kind: 2, name: 'a', attrs: { 'http.route': '/x' } }),
        span({ kind: 3, name: 'b' }),
      ]),
    );
    await p.metrics(metrics({}, [sum('requests', [point(1)]), gauge('other', [point(2)])]));
    await p.logs(logs({}, [logRecord({ text: 'a warning' }), logRecord({ text: 'fine' })]));
    const out = recorded('out');
    await eventually(() => out.traces.length === 1 && out.metrics.length === 1 && out.logs.length === 1);
    assert.deepEqual(plain(out.traces[0]!.resourceSpans[0]!.resource!.attributes), {
      'service.name': 'api',
      'k8s.cluster.name': 'c1',
    });
    const [a, b] = allSpans(out.traces);
    assert.equal(a!.name, 'renamed', 'statements after a failing one still run (ignore)');
    assert.deepEqual(plain(a!.attributes), { 'http.route': '/x', cluster: 'c1' });
    assert.deepEqual(plain(b!.attributes), {}, 'conditions limit the block to server spans');
    const [m1, m2] = allMetrics(out.metrics);
    assert.deepEqual(plain(m1!.sum!.dataPoints[0]!.attributes), { env: 'prod' });
    assert.deepEqual(plain(m2!.gauge!.dataPoints[0]!.attributes), {});
    assert.equal(m1!.description, 'described');
    const ls = allLogs(out.logs);
    assert.deepEqual(
      ls.map((l) => l.severityText),
      ['WARN', ''],
    );
    assert.deepEqual(plain(out.logs[0]!.resourceLogs[0]!.resource!.attributes), { flat: 'yes' });
    assert.ok(
      r.logs.some((l) => l.includes('failed to execute statement')),
      'ignore mode logs the failure',
    );
  } finally {
    await r.stop();
  }
});

test('transform: propagate rejects the request; a bad statement is a configuration error', async () => {
  const r = startEngine(
    `
testotel.producer "p" { output { traces = [otelcol.processor.transform.t.input] } }
otelcol.processor.transform "t" {
  error_mode = "propagate"
  trace_statements {
    context = "span"
    statements = [\`set(attributes["x"], Substring(name, 100, 2))\`]
  }
  output { traces = [testotel.recorder.out2.input] }
}
testotel.recorder "out2" {}
`,
    opts,
  );
  try {
    await assert.rejects(
      producers.get('p')!.traces(traces({}, [span({ name: 'a' })])),
      (e: Error & { retryable?: boolean }) => {
        assert.match(
          e.message,
          /failed to execute statement: set\(attributes\["x"\], Substring\(name, 100, 2\)\), invalid range/,
        );
        assert.equal(e.retryable, false);
        return true;
      },
    );
    assert.equal(recorded('out2').traces.length, 0);
    const res = r.load(`
otelcol.processor.transform "t" {
  trace_statements {
    context = "span"
    statements = [\`set(attributes["x"], "y"\`]
  }
  output {}
}
`);
    const errs = res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    assert.deepEqual(errs, [
      'unable to parse OTTL statement "set(attributes[\\"x\\"], \\"y\\"": statement has invalid syntax: 1:25: unexpected token "<EOF>" (expected ")")',
    ]);
    const res2 = r.load(`
otelcol.processor.transform "t" {
  log_statements {
    context = "span"
    statements = [\`set(name, "y")\`]
  }
  output {}
}
`);
    assert.match(
      res2.diagnostics.map((d) => d.message).join('\n'),
      /context "span" is not valid for log_statements/,
    );
  } finally {
    await r.stop();
  }
});

test('filter: spans, span events, metrics, data points, logs; empty requests are not passed on', async () => {
  const r = startEngine(
    `
testotel.producer "p" {
  output {
    traces  = [otelcol.processor.filter.f.input]
    metrics = [otelcol.processor.filter.f.input]
    logs    = [otelcol.processor.filter.f.input]
  }
}
otelcol.processor.filter "f" {
  error_mode = "ignore"
  traces {
    span = [
      \`resource.attributes["span.metrics.skip"] != nil or attributes["span.metrics.skip"] != nil\`,
      \`kind == 1\`,
    ]
    spanevent = [\`name == "noise"\`]
  }
  metrics {
    metric    = ["not(IsMatch(resource.attributes[\\"k8s.namespace.name\\"], \\"^alpha|bravo$\\"))", "name == \\"alloy_build_info\\""]
    datapoint = [\`attributes["drop"] == true\`]
  }
  logs {
    log_record = [\`resource.attributes["logs.grafana.com/pods.enabled"] == "false"\`, \`severity_number < SEVERITY_NUMBER_WARN\`]
  }
  output {
    traces  = [testotel.recorder.f.input]
    metrics = [testotel.recorder.f.input]
    logs    = [testotel.recorder.f.input]
  }
}
testotel.recorder "f" {}
`,
    opts,
  );
  try {
    const p = producers.get('p')!;
    await p.traces(
      traces({}, [
        span({
          name: 'keep',
          kind: 2,
          events: [
            { name: 'noise', timeUnixNano: 1n, attributes: [], droppedAttributesCount: 0 },
            { name: 'signal', timeUnixNano: 2n, attributes: [], droppedAttributesCount: 0 },
          ],
        }),
        span({ name: 'internal', kind: 1 }),
        span({ name: 'skip', kind: 2, attrs: { 'span.metrics.skip': true } }),
      ]),
    );
    await p.traces(traces({ 'span.metrics.skip': 'yes' }, [span({ name: 'all-skipped' })]));
    await p.metrics(
      metrics({ 'k8s.namespace.name': 'alpha' }, [
        gauge('kept', [point(1, { drop: true }), point(2)]),
        gauge('alloy_build_info', [point(1)]),
        gauge('emptied', [point(1, { drop: true })]),
      ]),
    );
    await p.metrics(metrics({ 'k8s.namespace.name': 'gamma' }, [gauge('other-ns', [point(1)])]));
    await p.logs(
      logs({}, [
        logRecord({ text: 'info', severityNumber: 9 }),
        logRecord({ text: 'error', severityNumber: 17 }),
      ]),
    );
    await p.logs(
      logs({ 'logs.grafana.com/pods.enabled': 'false' }, [logRecord({ text: 'x', severityNumber: 17 })]),
    );
    const out = recorded('f');
    await eventually(() => out.logs.length === 1 && out.metrics.length === 1 && out.traces.length === 1);
    const spans = allSpans(out.traces);
    assert.deepEqual(
      spans.map((s) => s.name),
      ['keep'],
    );
    assert.deepEqual(
      spans[0]!.events.map((e) => e.name),
      ['signal'],
    );
    const ms = allMetrics(out.metrics);
    assert.deepEqual(
      ms.map((m) => m.name),
      ['kept'],
    );
    assert.equal(ms[0]!.gauge!.dataPoints.length, 1);
    assert.deepEqual(
      allLogs(out.logs).map((l) => plain([{ key: 'b', value: l.body! }]).b),
      ['error'],
    );
  } finally {
    await r.stop();
  }
});
