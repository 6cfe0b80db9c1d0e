/**
 * Catalogue registrations: names, stability, and decoding of real config bodies through `decodeBody`
 * (defaults, required arguments, enum stages, validation messages).
 *
 * Bodies are parsed and evaluated with the real parser and evaluator; a few capsule identifiers stand in
 * for receivers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr } from '../../src/syntax/ast.js';
import { parseFile } from '../../src/syntax/parser.js';
import { Capsule, Secret, type Value } from '../../src/syntax/value.js';
import { evaluate, Scope } from '../../src/syntax/eval.js';
import { decodeBody } from '../../src/runtime/schema.js';
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { catalogue } from '../../src/components/catalogue.js';

const LOKI = new Capsule('loki.LogsReceiver', { id: 'loki' });
const PROM = new Capsule('storage.Appendable', { id: 'prom' });
const OTEL = new Capsule('otelcol.Consumer', { id: 'otel' });
const HANDLER = new Capsule('otelcol.Handler', { id: 'auth' });
const SCOPE: Record<string, Value> = { LOKI, PROM, OTEL, HANDLER };

const scope = new Scope(new Map(Object.entries(SCOPE)));

function evalExpr(e: Expr): Value {
  return evaluate(e, scope);
}

const byName = new Map(catalogue.map((r) => [r.name, r]));

function reg(name: string): ComponentRegistration {
  const r = byName.get(name);
  assert.ok(r, `no registration ${name}`);
  return r;
}

/** Decodes `body` (the inside of a component block) against a registration's argument schema. */
function decode(name: string, body: string): { value: Record<string, any>; errors: string[] } {
  const file = parseFile('test.alloy', body);
  const { value, diagnostics } = decodeBody(file.body, reg(name).args, {
    file: file.source,
    evaluate: evalExpr,
    rangeStart: 0,
    rangeEnd: body.length,
  });
  return { value, errors: diagnostics.map((d) => d.message) };
}

function ok(name: string, body: string): Record<string, any> {
  const { value, errors } = decode(name, body);
  assert.deepEqual(errors, [], `${name}: unexpected errors`);
  return value;
}

function fails(name: string, body: string, message: string): void {
  const { errors } = decode(name, body);
  assert.ok(
    errors.some((e) => e.includes(message)),
    `${name}: expected an error containing ${JSON.stringify(message)}, got ${JSON.stringify(errors)}`,
  );
}

const EXPECTED: Record<string, string> = {
  'remote.http': 'generally-available',
  'local.file_match': 'generally-available',
  'loki.source.file': 'generally-available',
  'loki.process': 'generally-available',
  'loki.write': 'generally-available',
  'loki.relabel': 'generally-available',
  'loki.echo': 'generally-available',
  'loki.source.api': 'generally-available',
  'prometheus.scrape': 'generally-available',
  'prometheus.relabel': 'generally-available',
  'prometheus.remote_write': 'generally-available',
  'prometheus.receive_http': 'generally-available',
  'prometheus.exporter.unix': 'generally-available',
  'prometheus.exporter.self': 'generally-available',
  'prometheus.exporter.redis': 'generally-available',
  'discovery.relabel': 'generally-available',
  'discovery.kubernetes': 'generally-available',
  'discovery.file': 'generally-available',
  'otelcol.receiver.otlp': 'generally-available',
  'otelcol.processor.batch': 'generally-available',
  'otelcol.exporter.otlp': 'generally-available',
  'otelcol.exporter.otlphttp': 'generally-available',
  'otelcol.exporter.debug': 'experimental',
  'otelcol.auth.headers': 'generally-available',
  'otelcol.auth.basic': 'generally-available',
  'otelcol.auth.bearer': 'generally-available',
  'otelcol.processor.memory_limiter': 'generally-available',
  'otelcol.exporter.prometheus': 'generally-available',
  'otelcol.exporter.loki': 'generally-available',
  'otelcol.processor.transform': 'generally-available',
  'otelcol.processor.filter': 'generally-available',
  'otelcol.processor.attributes': 'generally-available',
  'otelcol.processor.resourcedetection': 'generally-available',
  'otelcol.processor.probabilistic_sampler': 'generally-available',
  'otelcol.receiver.prometheus': 'generally-available',
  'otelcol.receiver.loki': 'generally-available',
  'otelcol.connector.servicegraph': 'generally-available',
  'otelcol.connector.spanlogs': 'generally-available',
  'otelcol.connector.spanmetrics': 'generally-available',
};

test('catalogue: unique names, expected components and stability', () => {
  const names = catalogue.map((r) => r.name);
  assert.equal(new Set(names).size, names.length, 'duplicate names');
  assert.deepEqual([...names].sort(), Object.keys(EXPECTED).sort());
  for (const r of catalogue) {
    assert.equal(r.stability, EXPECTED[r.name], r.name);
  }
  assert.ok(!names.includes('local.file'), 'local.file is not part of the catalogue');
});

test('catalogue: exports', () => {
  assert.deepEqual(reg('loki.process').exports, { receiver: { kind: 'capsule', name: 'loki.LogsReceiver' } });
  assert.deepEqual(reg('prometheus.relabel').exports, {
    receiver: { kind: 'capsule', name: 'storage.Appendable' },
    rules: { kind: 'capsule', name: 'relabel.Rules' },
  });
  assert.deepEqual(reg('discovery.relabel').exports?.output, { kind: 'list', elem: { kind: 'target' } });
  assert.deepEqual(reg('otelcol.processor.batch').exports, {
    input: { kind: 'capsule', name: 'otelcol.Consumer' },
  });
  assert.deepEqual(reg('otelcol.auth.basic').exports, {
    handler: { kind: 'capsule', name: 'otelcol.Handler' },
  });
  assert.deepEqual(reg('remote.http').exports, { content: { kind: 'optional_secret' } });
  assert.deepEqual(reg('prometheus.exporter.unix').exports, {
    targets: { kind: 'list', elem: { kind: 'target' } },
  });
  assert.equal(reg('loki.source.file').exports, undefined);
  assert.equal(reg('prometheus.scrape').exports, undefined);
});

/** A minimal valid body for every registration. */
const MINIMAL: Record<string, string> = {
  'remote.http': `url = "http://example.com/config"`,
  'local.file_match': `path_targets = [{"__path__" = "/var/log/*.log"}]`,
  'loki.source.file': `targets = [{"__path__" = "/var/log/a.log"}]
forward_to = [LOKI]`,
  'loki.process': `forward_to = [LOKI]`,
  'loki.write': `endpoint { url = "http://loki:3100/loki/api/v1/push" }`,
  'loki.relabel': `forward_to = [LOKI]`,
  'loki.echo': ``,
  'loki.source.api': `forward_to = [LOKI]`,
  'prometheus.scrape': `targets = [{"__address__" = "localhost:9090"}]
forward_to = [PROM]`,
  'prometheus.relabel': `forward_to = [PROM]`,
  'prometheus.remote_write': `endpoint { url = "http://mimir/api/v1/push" }`,
  'prometheus.receive_http': `forward_to = [PROM]`,
  'prometheus.exporter.unix': ``,
  'prometheus.exporter.self': ``,
  'prometheus.exporter.redis': `redis_addr = "localhost:6379"`,
  'discovery.relabel': `targets = []`,
  'discovery.kubernetes': `role = "pod"`,
  'discovery.file': `files = ["/etc/targets/*.json"]`,
  'otelcol.receiver.otlp': `output {}`,
  'otelcol.processor.batch': `output { traces = [OTEL] }`,
  'otelcol.exporter.otlp': `client { endpoint = "tempo:4317" }`,
  'otelcol.exporter.otlphttp': `client { endpoint = "http://otlp:4318" }`,
  'otelcol.exporter.debug': ``,
  'otelcol.auth.headers': `header {
  key   = "X-Scope-OrgID"
  value = "tenant"
}`,
  'otelcol.auth.basic': `client_auth {
  username = "u"
  password = "p"
}`,
  'otelcol.auth.bearer': `token = "t"`,
  'otelcol.processor.memory_limiter': `check_interval = "1s"
limit = "512MiB"
output { traces = [OTEL] }`,
  'otelcol.exporter.prometheus': `forward_to = [PROM]`,
  'otelcol.exporter.loki': `forward_to = [LOKI]`,
  'otelcol.processor.transform': `output { traces = [OTEL] }`,
  'otelcol.processor.filter': `output { traces = [OTEL] }`,
  'otelcol.processor.attributes': `output { traces = [OTEL] }`,
  'otelcol.processor.resourcedetection': `output { traces = [OTEL] }`,
  'otelcol.processor.probabilistic_sampler': `output { traces = [OTEL] }`,
  'otelcol.receiver.prometheus': `output { metrics = [OTEL] }`,
  'otelcol.receiver.loki': `output { logs = [OTEL] }`,
  'otelcol.connector.servicegraph': `output { metrics = [OTEL] }`,
  'otelcol.connector.spanlogs': `output { logs = [OTEL] }`,
  'otelcol.connector.spanmetrics': `histogram {
  explicit {}
}
output { metrics = [OTEL] }`,
};

test('catalogue: a minimal config of every component decodes cleanly', () => {
  assert.deepEqual(Object.keys(MINIMAL).sort(), Object.keys(EXPECTED).sort());
  for (const [name, body] of Object.entries(MINIMAL)) ok(name, body);
});

interface Case {
  name: string;
  component: string;
  body: string;
  /** Checks on the decoded value (when no error is expected). */
  check?: (v: Record<string, any>) => void;
  /** Expected error text (substring). */
  error?: string;
}

const SCRAPE = `targets = [{"__address__" = "localhost:9090"}]
forward_to = [PROM]
`;

const CASES: Case[] = [
  // prometheus.scrape
  {
    name: 'scrape defaults',
    component: 'prometheus.scrape',
    body: SCRAPE,
    check: (v) => {
      assert.equal(v.scrape_interval, 60_000);
      assert.equal(v.scrape_timeout, 10_000);
      assert.equal(v.metrics_path, '/metrics');
      assert.equal(v.scheme, 'http');
      assert.equal(v.honor_timestamps, true);
      assert.equal(v.enable_compression, true);
      assert.equal(v.follow_redirects, true);
      assert.equal(v.enable_http2, true);
      assert.deepEqual(v.scrape_protocols, [
        'OpenMetricsText1.0.0',
        'OpenMetricsText0.0.1',
        'PrometheusText1.0.0',
        'PrometheusText0.0.4',
      ]);
      assert.equal(v.scrape_fallback_protocol, 'PrometheusText0.0.4');
      assert.equal(v.metric_name_validation_scheme, 'legacy');
      assert.equal(v.metric_name_escaping_scheme, 'underscores');
      assert.deepEqual(v.forward_to, [{ id: 'prom' }]);
      assert.deepEqual({ ...v.targets[0] }, { __address__: 'localhost:9090' });
    },
  },
  {
    name: 'scrape overrides and nested blocks',
    component: 'prometheus.scrape',
    body: `${SCRAPE}
scrape_interval = "15s"
job_name = "node"
params = { "collect[]" = ["cpu", "meminfo"] }
bearer_token = "tok"
tls_config { insecure_skip_verify = true }
clustering { enabled = true }`,
    check: (v) => {
      assert.equal(v.scrape_interval, 15_000);
      assert.deepEqual({ ...v.params }, { 'collect[]': ['cpu', 'meminfo'] });
      assert.ok(v.bearer_token instanceof Secret);
      assert.equal(v.tls_config.insecure_skip_verify, true);
      assert.deepEqual(v.clustering, { enabled: true });
    },
  },
  {
    name: 'scrape missing forward_to',
    component: 'prometheus.scrape',
    body: `targets = []`,
    error: 'missing required attribute "forward_to"',
  },
  {
    name: 'scrape missing targets',
    component: 'prometheus.scrape',
    body: `forward_to = []`,
    error: 'missing required attribute "targets"',
  },
  {
    name: 'scrape timeout greater than interval',
    component: 'prometheus.scrape',
    body: `${SCRAPE}scrape_interval = "5s"`,
    error: 'scrape_timeout (10s) greater than scrape_interval (5s) for scrape config with job name ""',
  },
  {
    name: 'scrape native histograms switch to proto-first protocols',
    component: 'prometheus.scrape',
    body: `${SCRAPE}scrape_native_histograms = true`,
    check: (v) => assert.equal(v.scrape_protocols[0], 'PrometheusProto'),
  },
  {
    name: 'scrape unknown protocol',
    component: 'prometheus.scrape',
    body: `${SCRAPE}scrape_protocols = ["Foo"]`,
    error: 'invalid scrape protocol "Foo": unknown scrape protocol Foo',
  },
  {
    name: 'scrape clustering needs enabled',
    component: 'prometheus.scrape',
    body: `${SCRAPE}clustering {}`,
    error: 'missing required attribute "enabled"',
  },
  {
    name: 'http client: at most one auth',
    component: 'prometheus.scrape',
    body: `${SCRAPE}bearer_token = "a"
basic_auth {
  username = "u"
  password = "p"
}`,
    error:
      'at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured',
  },
  {
    name: 'http client: tls cert without key',
    component: 'prometheus.scrape',
    body: `${SCRAPE}tls_config { cert_file = "/c.pem" }`,
    error: 'exactly one of key_pem or key_file must be configured when a client certificate is configured',
  },
  {
    name: 'http client: reserved header',
    component: 'prometheus.scrape',
    body: `${SCRAPE}http_headers = { "authorization" = ["x"] }`,
    error: 'setting header "Authorization" is not allowed',
  },
  {
    name: 'unknown attribute',
    component: 'prometheus.scrape',
    body: `${SCRAPE}bogus = 1`,
    error: 'unrecognized attribute name "bogus"',
  },

  // relabel rules
  {
    name: 'discovery.relabel rule defaults in order',
    component: 'discovery.relabel',
    body: `targets = [{"a" = "b"}]
rule {
  source_labels = ["__meta_kubernetes_pod_name"]
  target_label  = "pod"
}
rule {
  action = "labeldrop"
  regex  = "__meta_.*"
}`,
    check: (v) => {
      assert.equal(v.rule.length, 2);
      assert.deepEqual(v.rule[0], {
        separator: ';',
        regex: '(.*)',
        replacement: '$1',
        action: 'replace',
        source_labels: ['__meta_kubernetes_pod_name'],
        target_label: 'pod',
      });
      assert.equal(v.rule[1].action, 'labeldrop');
    },
  },
  {
    name: 'relabel hashmod needs modulus',
    component: 'discovery.relabel',
    body: `targets = []
rule {
  action = "hashmod"
  target_label = "x"
}`,
    error: 'relabel configuration for hashmod requires non-zero modulus',
  },
  {
    name: 'relabel unknown action',
    component: 'prometheus.relabel',
    body: `forward_to = []
rule { action = "explode" }`,
    error: 'unrecognized action type "explode"',
  },
  {
    name: 'relabel replace needs target_label',
    component: 'loki.relabel',
    body: `forward_to = []
rule { source_labels = ["a"] }`,
    error: "relabel configuration for replace action requires 'target_label' value",
  },
  {
    name: 'relabel invalid templated target_label',
    component: 'discovery.relabel',
    body: `targets = []
rule {
  source_labels = ["a"]
  target_label = "0\${1}"
}`,
    error: `"0\${1}" is invalid 'target_label' for replace action`,
  },
  {
    name: 'prometheus.relabel cache defaults and exclusivity',
    component: 'prometheus.relabel',
    body: `forward_to = [PROM]
cache_ttl = "5m"`,
    error: 'max_cache_size and cache_ttl are mutually exclusive',
  },
  {
    name: 'prometheus.relabel cache_ttl minimum',
    component: 'prometheus.relabel',
    body: `forward_to = [PROM]
max_cache_size = 0
cache_ttl = "10s"`,
    error: 'cache_ttl must be at least 1m0s when set; got 10s',
  },
  {
    name: 'loki.relabel default cache',
    component: 'loki.relabel',
    body: `forward_to = [LOKI]`,
    check: (v) => assert.equal(v.max_cache_size, 10_000),
  },

  // loki.process
  {
    name: 'loki.process stages decoded in order, with nested match stages and metrics',
    component: 'loki.process',
    body: `forward_to = [LOKI]
stage.json {
  expressions = { level = "", msg = "message" }
}
stage.labels {
  values = { level = null }
}
stage.match {
  selector = "{app=\\"web\\"}"
  stage.regex { expression = "(?P<status>\\\\d+)" }
  stage.static_labels { values = { env = "prod" } }
}
stage.metrics {
  metric.counter {
    name   = "lines_total"
    action = "inc"
    match_all = true
  }
  metric.histogram {
    name = "size"
    buckets = [1, 10, 100.5]
  }
}
stage.multiline { firstline = "^\\\\d{4}" }
stage.timestamp {
  source = "ts"
  format = "RFC3339"
}
stage.drop { older_than = "24h" }
stage.output { source = "msg" }`,
    check: (v) => {
      assert.deepEqual(
        v.stage.map((s: any) => s.type),
        ['json', 'labels', 'match', 'metrics', 'multiline', 'timestamp', 'drop', 'output'],
      );
      assert.deepEqual({ ...v.stage[0].expressions }, { level: '', msg: 'message' });
      assert.deepEqual({ ...v.stage[1].values }, { level: null });
      assert.equal(v.stage[1].source_type, 'extracted');
      const match = v.stage[2];
      assert.equal(match.selector, '{app="web"}');
      assert.equal(match.action, 'keep');
      assert.deepEqual(
        match.stage.map((s: any) => s.type),
        ['regex', 'static_labels'],
      );
      const metrics = v.stage[3].metric;
      assert.deepEqual(
        metrics.map((m: any) => m.type),
        ['counter', 'histogram'],
      );
      assert.equal(metrics[0].source, 'lines_total');
      assert.equal(metrics[0].max_idle_duration, 300_000);
      assert.deepEqual(metrics[1].buckets, [1, 10, 100.5]);
      assert.deepEqual(v.stage[4], {
        type: 'multiline',
        firstline: '^\\d{4}',
        max_lines: 128,
        max_wait_time: 3_000,
        trim_newlines: true,
      });
      assert.equal(v.stage[5].action_on_failure, 'fudge');
      assert.equal(v.stage[6].older_than, 86_400_000);
      assert.equal(v.stage[6].separator, ';');
    },
  },
  {
    name: 'loki.process no stages',
    component: 'loki.process',
    body: `forward_to = [LOKI]`,
    check: (v) => assert.deepEqual(v.stage, []),
  },
  {
    name: 'loki.process unknown stage',
    component: 'loki.process',
    body: `forward_to = []\nstage.bogus {}`,
    error: 'unrecognized block name "stage.bogus"',
  },
  {
    name: 'loki.process stage required attr',
    component: 'loki.process',
    body: `forward_to = []\nstage.regex {}`,
    error: 'missing required attribute "expression"',
  },
  {
    name: 'loki.process label_drop values required',
    component: 'loki.process',
    body: `forward_to = []\nstage.label_drop {}`,
    error: 'missing required attribute "values"',
  },
  {
    name: 'loki.process counter action',
    component: 'loki.process',
    body: `forward_to = []
stage.metrics {
  metric.counter {
    name = "x"
    action = "set"
  }
}`,
    error: "the 'action' counter field must be either 'inc' or 'add'",
  },
  {
    name: 'loki.process labels source_type',
    component: 'loki.process',
    body: `forward_to = []\nstage.labels {\n  values = {}\n  source_type = "nope"\n}`,
    error: 'unknown source_type: nope',
  },
  {
    name: 'loki.process sampling rate range',
    component: 'loki.process',
    body: `forward_to = []\nstage.sampling { rate = 2 }`,
    error: 'Sampling Rate must be between 0.0 and 1.0, received 2.000000',
  },
  {
    name: 'loki.process truncate rules',
    component: 'loki.process',
    body: `forward_to = []
stage.truncate {
  rule {
    limit = "1KiB"
    suffix = "..."
  }
}
stage.truncate {
  rule {
    limit = "4"
    suffix = "....."
    source_type = "label"
  }
}`,
    error: 'suffix length cannot be greater than or equal to limit',
  },
  {
    name: 'loki.process truncate needs a rule',
    component: 'loki.process',
    body: `forward_to = []\nstage.truncate {}`,
    error: 'missing required block "rule"',
  },
  {
    name: 'loki.process cri and docker and pack defaults',
    component: 'loki.process',
    body: `forward_to = []\nstage.cri {}\nstage.docker {}\nstage.pack { labels = ["a"] }\nstage.decolorize {}`,
    check: (v) => {
      assert.deepEqual(v.stage[0], {
        type: 'cri',
        max_partial_lines: 100,
        max_partial_line_size: 0,
        max_partial_line_size_truncate: false,
      });
      assert.deepEqual(v.stage[1], { type: 'docker' });
      assert.equal(v.stage[2].ingest_timestamp, true);
    },
  },

  // loki.write / loki.source.*
  {
    name: 'loki.write endpoint defaults, client and wal',
    component: 'loki.write',
    body: `external_labels = { cluster = "c1" }
endpoint {
  url = "http://loki/push"
  basic_auth {
    username = "u"
    password = "p"
  }
  queue_config {}
}
endpoint {
  url = "http://loki2/push"
  tenant_id = "t"
}
wal { enabled = true }`,
    check: (v) => {
      assert.equal(v.endpoint.length, 2);
      const e = v.endpoint[0];
      assert.equal(e.batch_wait, 1_000);
      assert.equal(e.batch_size, '1MiB');
      assert.equal(e.remote_timeout, 10_000);
      assert.equal(e.max_backoff_retries, 10);
      assert.equal(e.retry_on_http_429, true);
      assert.equal(e.follow_redirects, true);
      assert.ok(e.basic_auth.password instanceof Secret);
      assert.deepEqual(e.queue_config, {
        capacity: '10MiB',
        min_shards: 1,
        drain_timeout: 15_000,
        block_on_overflow: true,
      });
      assert.equal(v.endpoint[1].tenant_id, 't');
      assert.deepEqual(v.wal, {
        enabled: true,
        max_segment_age: 3_600_000,
        min_read_frequency: 250,
        max_read_frequency: 1_000,
        drain_timeout: 15_000,
      });
    },
  },
  {
    name: 'loki.write endpoint url required',
    component: 'loki.write',
    body: `endpoint {}`,
    error: 'missing required attribute "url"',
  },
  {
    name: 'loki.write wal frequencies',
    component: 'loki.write',
    body: `wal { min_read_frequency = "2s" }`,
    error: 'WAL min read frequency should be lower than max read frequency',
  },
  {
    name: 'loki.source.file blocks',
    component: 'loki.source.file',
    body: `targets = []
forward_to = [LOKI]
file_match { enabled = true }
decompression {
  enabled = true
  format = "gz"
}`,
    check: (v) => {
      assert.equal(v.on_positions_file_error, 'restart_from_beginning');
      assert.deepEqual(v.file_match, { enabled: true, sync_period: 10_000 });
      assert.equal(v.decompression.format, 'gz');
    },
  },
  {
    name: 'loki.source.file positions error value',
    component: 'loki.source.file',
    body: `targets = []\nforward_to = []\non_positions_file_error = "panic"`,
    error: 'unknown OnPositionsFileError value: panic',
  },
  {
    name: 'loki.source.api server blocks',
    component: 'loki.source.api',
    body: `forward_to = [LOKI]
http { listen_port = 9999 }`,
    check: (v) => {
      assert.equal(v.http.listen_port, 9999);
      assert.equal(v.http.server_read_timeout, 30_000);
      assert.equal(v.graceful_shutdown_timeout, 30_000);
      assert.equal(v.max_send_message_size, '100MiB');
    },
  },

  // prometheus.remote_write
  {
    name: 'remote_write endpoint defaults and nested blocks',
    component: 'prometheus.remote_write',
    body: `endpoint {
  url = "http://mimir/push"
  queue_config { max_shards = 10 }
  metadata_config {}
  write_relabel_config {
    action = "drop"
    source_labels = ["__name__"]
    regex = "go_.*"
  }
}
wal {}`,
    check: (v) => {
      const e = v.endpoint[0];
      assert.equal(e.remote_timeout, 30_000);
      assert.equal(e.send_exemplars, true);
      assert.equal(e.protobuf_message, 'prometheus.WriteRequest');
      assert.equal(e.enable_http2, false);
      assert.equal(e.follow_redirects, true);
      assert.equal(e.queue_config.max_shards, 10);
      assert.equal(e.queue_config.capacity, 10_000);
      assert.equal(e.queue_config.batch_send_deadline, 5_000);
      assert.equal(e.queue_config.min_backoff, 30);
      assert.deepEqual(e.metadata_config, { send: true, send_interval: 60_000, max_samples_per_send: 2_000 });
      assert.equal(e.write_relabel_config[0].action, 'drop');
      assert.deepEqual(v.wal, {
        truncate_frequency: 7_200_000,
        min_keepalive_time: 300_000,
        max_keepalive_time: 28_800_000,
      });
    },
  },
  {
    name: 'remote_write one auth method',
    component: 'prometheus.remote_write',
    body: `endpoint {
  url = "http://x"
  bearer_token = "t"
  sigv4 { region = "us-east-1" }
}`,
    error:
      'at most one of sigv4, azuread, google_iam, basic_auth, oauth2, bearer_token & bearer_token_file must be configured',
  },
  {
    name: 'remote_write protobuf message',
    component: 'prometheus.remote_write',
    body: `endpoint {
  url = "http://x"
  protobuf_message = "invalid.message"
}`,
    error: 'unknown remote write protobuf message invalid.message',
  },
  {
    name: 'remote_write wal keepalive order',
    component: 'prometheus.remote_write',
    body: `wal { max_keepalive_time = "1m" }`,
    error: 'min_keepalive_time must be smaller than max_keepalive_time',
  },

  // exporters, discovery, remote.http
  {
    name: 'exporter.unix defaults and collector blocks',
    component: 'prometheus.exporter.unix',
    body: `set_collectors = ["cpu"]
filesystem { mount_timeout = "1s" }
ntp {}`,
    check: (v) => {
      assert.equal(v.procfs_path, '/proc');
      assert.equal(v.sysfs_path, '/sys');
      assert.equal(v.rootfs_path, '/');
      assert.equal(v.filesystem.mount_timeout, 1_000);
      assert.equal(v.filesystem.fs_types_exclude.startsWith('^(autofs|'), true);
      assert.equal(v.ntp.server, '127.0.0.1');
      assert.equal(v.ntp.protocol_version, 4);
    },
  },
  {
    name: 'exporter.redis defaults and validate',
    component: 'prometheus.exporter.redis',
    body: `redis_addr = "r:6379"\nscript_path = "a.lua"\nscript_paths = ["b.lua"]`,
    error: 'only one of script_path and script_paths should be specified',
  },
  {
    name: 'exporter.redis defaults',
    component: 'prometheus.exporter.redis',
    body: `redis_addr = "r:6379"\nredis_password = "pw"`,
    check: (v) => {
      assert.equal(v.namespace, 'redis');
      assert.equal(v.connection_timeout, 15_000);
      assert.equal(v.set_client_name, true);
      assert.ok(v.redis_password instanceof Secret);
    },
  },
  {
    name: 'exporter.self takes no arguments',
    component: 'prometheus.exporter.self',
    body: `foo = 1`,
    error: 'unrecognized attribute name "foo"',
  },
  {
    name: 'discovery.kubernetes selectors and client',
    component: 'discovery.kubernetes',
    body: `role = "pod"
namespaces { names = ["default"] }
selectors {
  role = "pod"
  label = "app=web"
}
selectors {
  role = "node"
}`,
    check: (v) => {
      assert.equal(v.selectors.length, 2);
      assert.deepEqual(v.namespaces, { names: ['default'] });
      assert.equal(v.follow_redirects, true);
    },
  },
  {
    name: 'discovery.kubernetes role required',
    component: 'discovery.kubernetes',
    body: ``,
    error: 'missing required attribute "role"',
  },
  {
    name: 'discovery.file defaults',
    component: 'discovery.file',
    body: `files = ["a.json"]`,
    check: (v) => assert.equal(v.refresh_interval, 300_000),
  },
  {
    name: 'remote.http defaults and client block',
    component: 'remote.http',
    body: `url = "http://x"
headers = { "X-A" = "b" }
client { bearer_token_file = "/t" }`,
    check: (v) => {
      assert.equal(v.poll_frequency, 60_000);
      assert.equal(v.poll_timeout, 10_000);
      assert.equal(v.method, 'GET');
      assert.equal(v.client.follow_redirects, true);
      assert.equal(v.client.bearer_token_file, '/t');
    },
  },
  {
    name: 'remote.http timeout below frequency',
    component: 'remote.http',
    body: `url = "http://x"\npoll_frequency = "5s"\npoll_timeout = "5s"`,
    error: 'poll_timeout must be less than poll_frequency',
  },
  {
    name: 'local.file_match defaults',
    component: 'local.file_match',
    body: `path_targets = []`,
    check: (v) => assert.equal(v.sync_period, 10_000),
  },

  // otelcol
  {
    name: 'otlp receiver needs output',
    component: 'otelcol.receiver.otlp',
    body: `grpc {}`,
    error: 'missing required block "output"',
  },
  {
    name: 'otlp receiver protocol blocks',
    component: 'otelcol.receiver.otlp',
    body: `grpc {}
http {
  auth = HANDLER
  cors { allowed_origins = ["*"] }
}
output {
  metrics = [OTEL]
  traces  = [OTEL]
}`,
    check: (v) => {
      assert.equal(v.grpc.endpoint, '0.0.0.0:4317');
      assert.equal(v.grpc.transport, 'tcp');
      assert.equal(v.grpc.read_buffer_size, '512KiB');
      assert.equal(v.http.endpoint, '0.0.0.0:4318');
      assert.equal(v.http.traces_url_path, '/v1/traces');
      assert.equal(v.http.idle_timeout, 60_000);
      assert.deepEqual(v.http.compression_algorithms, [
        '',
        'gzip',
        'zstd',
        'zlib',
        'snappy',
        'deflate',
        'lz4',
      ]);
      assert.deepEqual(v.http.auth, { id: 'auth' });
      assert.deepEqual(v.output.traces, [{ id: 'otel' }]);
      assert.equal(v.output.logs, undefined);
    },
  },
  {
    name: 'otlp receiver empty url path',
    component: 'otelcol.receiver.otlp',
    body: `http { logs_url_path = "" }\noutput {}`,
    error: 'logs_url_path cannot be empty',
  },
  {
    name: 'otlp receiver output wants consumers',
    component: 'otelcol.receiver.otlp',
    body: `output { logs = [LOKI] }`,
    error: 'expected capsule("otelcol.Consumer")',
  },
  {
    name: 'batch processor defaults',
    component: 'otelcol.processor.batch',
    body: `output {}`,
    check: (v) => {
      assert.equal(v.timeout, 200);
      assert.equal(v.send_batch_size, 2000);
      assert.equal(v.send_batch_max_size, 3000);
      assert.equal(v.metadata_cardinality_limit, 1000);
    },
  },
  {
    name: 'batch processor sizes',
    component: 'otelcol.processor.batch',
    body: `send_batch_size = 5000\noutput {}`,
    error: 'send_batch_max_size must be greater or equal to send_batch_size when not 0',
  },
  {
    name: 'otlp exporter client defaults and queue/retry',
    component: 'otelcol.exporter.otlp',
    body: `client {
  endpoint = "tempo:4317"
  tls { insecure = true }
}
sending_queue { batch {} }
retry_on_failure { max_elapsed_time = "1m" }
debug_metrics {}`,
    check: (v) => {
      assert.equal(v.timeout, 5_000);
      assert.equal(v.client.compression, 'gzip');
      assert.equal(v.client.balancer_name, 'round_robin');
      assert.equal(v.client.write_buffer_size, '512KiB');
      assert.equal(v.client.tls.insecure, true);
      assert.deepEqual(v.sending_queue.batch, {
        flush_timeout: 200,
        min_size: 2000,
        max_size: 3000,
        sizer: 'items',
      });
      assert.equal(v.sending_queue.queue_size, 1000);
      assert.equal(v.retry_on_failure.max_elapsed_time, 60_000);
      assert.equal(v.retry_on_failure.multiplier, 1.5);
      assert.deepEqual(v.debug_metrics, { disable_high_cardinality_metrics: true, level: 'detailed' });
    },
  },
  {
    name: 'otlp exporter needs client',
    component: 'otelcol.exporter.otlp',
    body: ``,
    error: 'missing required block "client"',
  },
  {
    name: 'otlp exporter client endpoint',
    component: 'otelcol.exporter.otlp',
    body: `client {}`,
    error: 'missing required attribute "endpoint"',
  },
  {
    name: 'otlp exporter compression',
    component: 'otelcol.exporter.otlp',
    body: `client {\n  endpoint = "x:1"\n  compression = "brotli"\n}`,
    error: 'unrecognized compression type "brotli"',
  },
  {
    name: 'otlp exporter retry multiplier',
    component: 'otelcol.exporter.otlp',
    body: `client { endpoint = "x:1" }\nretry_on_failure { multiplier = 1 }`,
    error: 'multiplier must be greater than 1.0',
  },
  {
    name: 'otlphttp exporter defaults',
    component: 'otelcol.exporter.otlphttp',
    body: `client { endpoint = "http://otlp:4318" }`,
    check: (v) => {
      assert.equal(v.encoding, 'proto');
      assert.equal(v.client.timeout, 30_000);
      assert.equal(v.client.max_idle_conns, 100);
      assert.equal(v.client.idle_conn_timeout, 90_000);
      assert.equal(v.client.force_attempt_http2, true);
    },
  },
  {
    name: 'otlphttp exporter encoding',
    component: 'otelcol.exporter.otlphttp',
    body: `client { endpoint = "http://otlp:4318" }\nencoding = "xml"`,
    error: 'invalid encoding type xml',
  },
  {
    name: 'debug exporter defaults',
    component: 'otelcol.exporter.debug',
    body: `verbosity = "detailed"`,
    check: (v) => {
      assert.equal(v.verbosity, 'detailed');
      assert.equal(v.sampling_initial, 2);
      assert.equal(v.sampling_thereafter, 1);
      assert.equal(v.use_internal_logger, true);
    },
  },
  {
    name: 'auth.headers invalid action',
    component: 'otelcol.auth.headers',
    body: `header {
  key    = "X-Scope-OrgID"
  value  = "t"
  action = "random"
}`,
    error: 'unknown action random',
  },
  {
    name: 'auth.headers actions and values',
    component: 'otelcol.auth.headers',
    body: `header {
  key    = "X-A"
  value  = "v"
}
header {
  key          = "X-B"
  from_context = "tenant"
  action       = "INSERT"
}`,
    check: (v) => {
      assert.equal(v.header.length, 2);
      assert.equal(v.header[0].action, 'upsert');
      assert.equal(v.header[0].value, 'v');
      assert.equal(v.header[1].action, 'insert');
    },
  },
  {
    name: 'auth.headers one value source',
    component: 'otelcol.auth.headers',
    body: `header {\n  key = "X"\n  value = "v"\n  from_context = "c"\n}`,
    error: 'only one of value, from_context, or from_attribute may be provided',
  },
  {
    name: 'auth.headers key required',
    component: 'otelcol.auth.headers',
    body: `header { value = "v" }`,
    error: 'missing required attribute "key"',
  },
  {
    name: 'auth.basic credentials required',
    component: 'otelcol.auth.basic',
    body: ``,
    error: 'no credential source provided',
  },
  {
    name: 'auth.basic deprecated username needs password',
    component: 'otelcol.auth.basic',
    body: `username = "u"`,
    error: 'no password provided',
  },
  {
    name: 'auth.basic client_auth',
    component: 'otelcol.auth.basic',
    body: `client_auth {\n  username = "u"\n  password = "p"\n}\nhtpasswd { inline = "u:p" }`,
    check: (v) => {
      assert.ok(v.client_auth.password instanceof Secret);
      assert.equal(v.htpasswd.inline, 'u:p');
    },
  },
  {
    name: 'debug_metrics level',
    component: 'otelcol.auth.basic',
    body: `username = "u"\npassword = "p"\ndebug_metrics { level = "loud" }`,
    error: 'unrecognized debug metric level: loud',
  },
];

for (const c of CASES) {
  test(`decode: ${c.component}: ${c.name}`, () => {
    if (c.error !== undefined) fails(c.component, c.body, c.error);
    else c.check!(ok(c.component, c.body));
  });
}
