import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from './support/api.js';

const SCRAPE = `prometheus.scrape "s" {
  targets    = [{"__address__" = "127.0.0.1:9090"}]
  forward_to = [prometheus.remote_write.w.receiver]
}

prometheus.remote_write "w" {
  endpoint {
    url = "http://mimir:9009/api/v1/push"
  }
}
`;

const SCRAPE_V2 = SCRAPE.replace('127.0.0.1:9090', '127.0.0.1:9091');

/** Uses the deprecated stdlib `env`: valid, with a warning. */
const WITH_WARNING = SCRAPE.replace('"http://mimir:9009/api/v1/push"', 'env("MIMIR_URL")');

const INVALID = `prometheus.scrape "s" {
  forward_to = [prometheus.remote_write.nope.receiver]
}
`;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('REST: pipelines, versions, validation', () => {
  let api: TestApi;
  let viewer: string;
  let editor: string;

  before(async () => {
    api = await startTestApi();
    viewer = await api.token('viewer');
    editor = await api.token('editor', 'alice');
    // Agents: 10 in prod (even), 10 in dev; dev ones lack loki components, agent-dev-1 reports none.
    await api.prisma.agent.createMany({
      data: Array.from({ length: 20 }, (_, i) => ({
        id: i % 2 === 0 ? `agent-prod-${i}` : `agent-dev-${i}`,
        name: `host-${i}`,
        localAttributes: { env: i % 2 === 0 ? 'prod' : 'dev' },
        supportedComponents:
          i === 1
            ? []
            : i % 2 === 0
              ? [
                  'prometheus.scrape',
                  'prometheus.remote_write',
                  'local.file_match',
                  'loki.source.file',
                  'loki.write',
                ]
              : ['prometheus.scrape', 'prometheus.remote_write'],
        connected: true,
      })),
    });
  });

  after(async () => {
    await api?.stop();
  });

  const audit = async (targetId: string) =>
    (await api.call('GET', `/api/v1/audit?targetType=pipeline&targetId=${targetId}`)).body.items as {
      action: string;
      actor: string;
      before: any;
      after: any;
    }[];

  test('create with content: version 1 validated, hashed, attributed; without content: no version', async () => {
    const res = await api.call('POST', '/api/v1/pipelines', {
      token: editor,
      body: { name: 'node-metrics', matchers: ['env="prod"'], content: SCRAPE, message: 'first' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.name, 'node-metrics');
    assert.deepEqual(res.body.matchers, ['env="prod"']);
    assert.equal(res.body.enabled, true);
    assert.equal(res.body.latestVersion, 1);
    assert.equal(res.body.matchedAgents, 10);
    assert.deepEqual(res.body.deployedVersions, []);
    assert.equal(res.body.activeRollout, null);
    const v = res.body.latest;
    assert.equal(v.version, 1);
    assert.equal(v.content, SCRAPE);
    assert.equal(v.sha256, sha256(SCRAPE));
    assert.equal(v.author, 'alice');
    assert.equal(v.message, 'first');
    assert.equal(v.valid, true);
    assert.deepEqual(v.diagnostics, []);
    assert.deepEqual(v.components, ['prometheus.remote_write', 'prometheus.scrape']);
    assert.ok(!Number.isNaN(Date.parse(v.createdAt)));

    const empty = await api.call('POST', '/api/v1/pipelines', { body: { name: 'empty_1' } });
    assert.equal(empty.status, 201);
    assert.equal(empty.body.latestVersion, null);
    assert.equal(empty.body.latest, null);
    assert.equal(empty.body.matchedAgents, 20, 'no matchers select every agent');

    const entries = await audit(res.body.id);
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor]),
      [
        ['pipeline.version.create', 'alice'],
        ['pipeline.create', 'alice'],
      ],
    );
    assert.deepEqual(entries[1]!.after, { name: 'node-metrics', matchers: ['env="prod"'], enabled: true });
    assert.equal(entries[0]!.after.version, 1);
    assert.equal(entries[0]!.after.sha256, sha256(SCRAPE));
  });

  test('create refuses: duplicate name 409, bad name/matchers/fields 400, invalid content 400 with positions', async () => {
    const dup = await api.call('POST', '/api/v1/pipelines', { body: { name: 'node-metrics' } });
    assert.equal(dup.status, 409);
    assert.match(dup.body.message, /a pipeline with this name already exists/);

    for (const [body, why] of [
      [{ name: 'Node Metrics' }, /name: a pipeline name is 1 to 63 lower-case letters/],
      [{ name: 'a'.repeat(64) }, /name: a pipeline name/],
      [{ name: '-x' }, /name: a pipeline name/],
      [{}, /name: Invalid input: expected string/],
      [{ name: 'ok', colour: 'red' }, /Unrecognized key: "colour"/],
      [{ name: 'ok', enabled: 'yes' }, /enabled: Invalid input: expected boolean/],
    ] as [unknown, RegExp][]) {
      const res = await api.call('POST', '/api/v1/pipelines', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.message.join('\n'), why);
    }
    const badMatcher = await api.call('POST', '/api/v1/pipelines', {
      body: { name: 'ok', matchers: ['env=prod'] },
    });
    assert.equal(badMatcher.status, 400);
    assert.match(badMatcher.body.message, /invalid matcher "env=prod"/);

    const invalid = await api.call('POST', '/api/v1/pipelines', {
      body: { name: 'broken', content: INVALID },
    });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.message, /pipeline content is invalid: 2 errors/);
    assert.deepEqual(
      invalid.body.diagnostics.map((d: Record<string, unknown>) => [d.severity, d.line, d.column, d.message]),
      [
        ['error', 1, 1, 'missing required attribute "targets"'],
        [
          'error',
          2,
          17,
          'component "prometheus.remote_write.nope.receiver" does not exist or is out of scope',
        ],
      ],
    );
    const list = await api.call('GET', '/api/v1/pipelines');
    assert.ok(!list.body.some((p: { name: string }) => p.name === 'broken'), 'nothing created');
  });

  test('list: latest version, deployed versions and active rollout from the latest rollout, matched agents', async () => {
    const created = await api.call('POST', '/api/v1/pipelines', {
      body: { name: 'logs', matchers: ['env=~"prod|dev"'], content: SCRAPE },
    });
    assert.equal(created.status, 201);
    const logsId = created.body.id;
    await api.call('POST', `/api/v1/pipelines/${logsId}/versions`, { body: { content: SCRAPE_V2 } });
    await api.prisma.rollout.create({
      data: { pipelineId: logsId, fromVersion: null, toVersion: 1, status: 'completed', createdBy: 't' },
    });
    const running = await api.prisma.rollout.create({
      data: {
        pipelineId: logsId,
        fromVersion: 1,
        toVersion: 2,
        status: 'running',
        createdBy: 't',
        createdAt: new Date(Date.now() + 1000),
      },
    });
    const res = await api.call('GET', '/api/v1/pipelines', { token: viewer });
    assert.equal(res.status, 200);
    const logs = res.body.find((p: { name: string }) => p.name === 'logs');
    assert.equal(logs.latestVersion, 2);
    assert.deepEqual(logs.deployedVersions, [1, 2]);
    assert.deepEqual(logs.activeRollout, { id: running.id, status: 'running', fromVersion: 1, toVersion: 2 });
    assert.equal(logs.matchedAgents, 20);
    assert.deepEqual(
      res.body.map((p: { name: string }) => p.name),
      [...res.body.map((p: { name: string }) => p.name)].sort(),
      'sorted by name',
    );

    await api.prisma.rollout.update({ where: { id: running.id }, data: { status: 'rolled_back' } });
    const after = (await api.call('GET', `/api/v1/pipelines/${logsId}`)).body;
    assert.deepEqual(after.deployedVersions, [1]);
    assert.equal(after.activeRollout, null);
    assert.equal(after.latest.version, 2);
  });

  test('get, patch and delete; unknown ids 404 with a reason; every change audited', async () => {
    const created = await api.call('POST', '/api/v1/pipelines', { body: { name: 'to-change' } });
    const pid = created.body.id;

    const renamed = await api.call('PATCH', `/api/v1/pipelines/${pid}`, {
      token: editor,
      body: { name: 'changed', matchers: ['env="dev"'], enabled: false },
    });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.name, 'changed');
    assert.deepEqual(renamed.body.matchers, ['env="dev"']);
    assert.equal(renamed.body.enabled, false);
    assert.equal(renamed.body.matchedAgents, 10);

    const clash = await api.call('PATCH', `/api/v1/pipelines/${pid}`, { body: { name: 'node-metrics' } });
    assert.equal(clash.status, 409);
    assert.match(clash.body.message, /already exists/);
    const nothing = await api.call('PATCH', `/api/v1/pipelines/${pid}`, { body: {} });
    assert.equal(nothing.status, 400);
    assert.match(nothing.body.message.join(' '), /nothing to change/);
    const badMatcher = await api.call('PATCH', `/api/v1/pipelines/${pid}`, {
      body: { matchers: ['x=~"["'] },
    });
    assert.equal(badMatcher.status, 400);
    assert.match(badMatcher.body.message, /invalid regular expression/);

    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [method, path, body] of [
      ['GET', `/api/v1/pipelines/${unknown}`],
      ['GET', '/api/v1/pipelines/not-a-uuid'],
      ['PATCH', `/api/v1/pipelines/${unknown}`, { enabled: true }],
      ['DELETE', `/api/v1/pipelines/${unknown}`],
      ['GET', `/api/v1/pipelines/${unknown}/versions`],
      ['POST', `/api/v1/pipelines/${unknown}/versions`, { content: SCRAPE }],
      ['GET', `/api/v1/pipelines/${unknown}/diff`],
    ] as [string, string, unknown?][]) {
      const res = await api.call(method, path, { body });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.match(res.body.message, /pipeline ".+" not found/);
    }

    const asViewer = await api.call('DELETE', `/api/v1/pipelines/${pid}`, { token: viewer });
    assert.equal(asViewer.status, 403);
    const del = await api.call('DELETE', `/api/v1/pipelines/${pid}`, { token: editor });
    assert.equal(del.status, 204);
    assert.equal((await api.call('GET', `/api/v1/pipelines/${pid}`)).status, 404);

    const entries = await audit(pid);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['pipeline.delete', 'pipeline.update', 'pipeline.create'],
    );
    assert.deepEqual(entries[1]!.before, { name: 'to-change', matchers: [], enabled: true });
    assert.deepEqual(entries[1]!.after, { name: 'changed', matchers: ['env="dev"'], enabled: false });
    assert.equal(entries[0]!.before.name, 'changed');
    assert.equal(entries[0]!.after, null);
  });

  test('versions: numbered, immutable, unchanged content 409, warnings stored, invalid content 400', async () => {
    const created = await api.call('POST', '/api/v1/pipelines', {
      body: { name: 'versions', content: SCRAPE },
    });
    const pid = created.body.id;
    const v2 = await api.call('POST', `/api/v1/pipelines/${pid}/versions`, {
      token: editor,
      body: { content: WITH_WARNING, message: 'read the URL from the environment' },
    });
    assert.equal(v2.status, 201, JSON.stringify(v2.body));
    assert.equal(v2.body.version, 2);
    assert.equal(v2.body.author, 'alice');
    assert.equal(v2.body.valid, true);
    assert.equal(v2.body.diagnostics.length, 1);
    assert.equal(v2.body.diagnostics[0].severity, 'warning');
    assert.equal(v2.body.diagnostics[0].line, 8);

    const same = await api.call('POST', `/api/v1/pipelines/${pid}/versions`, {
      body: { content: WITH_WARNING },
    });
    assert.equal(same.status, 409);
    assert.match(same.body.message, /unchanged: the content is identical to the latest version \(2\)/);

    const invalid = await api.call('POST', `/api/v1/pipelines/${pid}/versions`, {
      body: { content: 'prometheus.scrape "s" {\n  targets = [\n' },
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(
      invalid.body.diagnostics.map((d: Record<string, unknown>) => [d.line, d.column, d.message]),
      [[3, 1, 'expected ], got EOF']],
    );
    const module = await api.call('POST', `/api/v1/pipelines/${pid}/versions`, {
      body: { content: 'logging {\n  level = "debug"\n}\n' },
    });
    assert.equal(module.status, 400);
    assert.match(module.body.diagnostics[0].message, /logging block is not allowed in a pipeline/);
    const noContent = await api.call('POST', `/api/v1/pipelines/${pid}/versions`, { body: { message: 'x' } });
    assert.equal(noContent.status, 400);
    assert.match(noContent.body.message.join(' '), /content: Invalid input: expected string/);

    const list = await api.call('GET', `/api/v1/pipelines/${pid}/versions`, { token: viewer });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((v: { version: number }) => v.version),
      [2, 1],
    );
    assert.equal(list.body[0].content, undefined, 'the list leaves content out');
    const one = await api.call('GET', `/api/v1/pipelines/${pid}/versions/1`, { token: viewer });
    assert.equal(one.status, 200);
    assert.equal(one.body.content, SCRAPE);
    const missing = await api.call('GET', `/api/v1/pipelines/${pid}/versions/9`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.message, /has no version 9/);
    const notNumber = await api.call('GET', `/api/v1/pipelines/${pid}/versions/first`);
    assert.equal(notNumber.status, 400);

    // Concurrent writers get consecutive numbers.
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        api.call('POST', `/api/v1/pipelines/${pid}/versions`, {
          body: { content: SCRAPE.replace('9090', String(9100 + n)) },
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 201, 201, 201, 201]);
    assert.deepEqual(results.map((r) => r.body.version).sort(), [3, 4, 5, 6, 7]);
  });

  test('diff between versions: unified text and structured hunks', async () => {
    const created = await api.call('POST', '/api/v1/pipelines', { body: { name: 'diffs', content: SCRAPE } });
    const pid = created.body.id;
    await api.call('POST', `/api/v1/pipelines/${pid}/versions`, { body: { content: SCRAPE_V2 } });

    const res = await api.call('GET', `/api/v1/pipelines/${pid}/diff?from=1&to=2`, { token: viewer });
    assert.equal(res.status, 200);
    assert.equal(res.body.from, 1);
    assert.equal(res.body.to, 2);
    assert.match(res.body.unified, /^--- version 1\n\+\+\+ version 2\n/m);
    assert.match(res.body.unified, /^-  targets {4}= \[\{"__address__" = "127\.0\.0\.1:9090"\}\]$/m);
    assert.match(res.body.unified, /^\+  targets {4}= \[\{"__address__" = "127\.0\.0\.1:9091"\}\]$/m);
    assert.equal(res.body.hunks.length, 1);
    const h = res.body.hunks[0];
    assert.equal(h.oldStart, 1);
    assert.deepEqual(
      h.lines.filter((l: string) => l.startsWith('-') || l.startsWith('+')),
      [
        '-  targets    = [{"__address__" = "127.0.0.1:9090"}]',
        '+  targets    = [{"__address__" = "127.0.0.1:9091"}]',
      ],
    );

    const dflt = await api.call('GET', `/api/v1/pipelines/${pid}/diff`);
    assert.deepEqual(dflt.body, res.body, 'default: the latest against the one before');
    const first = await api.call('GET', `/api/v1/pipelines/${pid}/diff?to=1`);
    assert.equal(first.body.from, null);
    assert.ok(first.body.hunks[0].lines.every((l: string) => l.startsWith('+')));
    const reverse = await api.call('GET', `/api/v1/pipelines/${pid}/diff?from=2&to=1`);
    assert.match(reverse.body.unified, /^\+ {2}targets {4}= \[\{"__address__" = "127\.0\.0\.1:9090"\}\]$/m);
    const missing = await api.call('GET', `/api/v1/pipelines/${pid}/diff?from=1&to=7`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.message, /has no version 7/);
    const bad = await api.call('GET', `/api/v1/pipelines/${pid}/diff?from=zero`);
    assert.equal(bad.status, 400);
  });

  test('restore: a new version with the old content, audited; restoring the latest content is 409', async () => {
    const created = await api.call('POST', '/api/v1/pipelines', {
      body: { name: 'restores', content: SCRAPE },
    });
    const pid = created.body.id;
    await api.call('POST', `/api/v1/pipelines/${pid}/versions`, { body: { content: SCRAPE_V2 } });
    const restored = await api.call('POST', `/api/v1/pipelines/${pid}/versions/1/restore`, {
      token: editor,
      body: {},
    });
    assert.equal(restored.status, 201, JSON.stringify(restored.body));
    assert.equal(restored.body.version, 3);
    assert.equal(restored.body.content, SCRAPE);
    assert.equal(restored.body.sha256, sha256(SCRAPE));
    assert.equal(restored.body.message, 'Restore version 1');
    const again = await api.call('POST', `/api/v1/pipelines/${pid}/versions/1/restore`, {
      body: { message: 'again' },
    });
    assert.equal(again.status, 409);
    assert.match(again.body.message, /unchanged/);
    const withMessage = await api.call('POST', `/api/v1/pipelines/${pid}/versions/2/restore`, {
      body: { message: 'back to 9091' },
    });
    assert.equal(withMessage.body.version, 4);
    assert.equal(withMessage.body.message, 'back to 9091');
    const missing = await api.call('POST', `/api/v1/pipelines/${pid}/versions/40/restore`, { body: {} });
    assert.equal(missing.status, 404);
    const entries = await audit(pid);
    assert.deepEqual(entries[1]!.after, {
      version: 3,
      sha256: sha256(SCRAPE),
      message: 'Restore version 1',
      restoredFrom: 1,
    });
    assert.equal(entries[1]!.action, 'pipeline.version.restore');
    assert.equal(entries[1]!.actor, 'alice');
  });

  test('validate: diagnostics, components, reference graph, agents that cannot run it', async () => {
    const content = `local.file_match "logs" {
  path_targets = [{"__path__" = "/var/log/*.log"}]
}

loki.source.file "files" {
  targets    = local.file_match.logs.targets
  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url = "http://loki:3100/loki/api/v1/push"
  }
}
`;
    const res = await api.call('POST', '/api/v1/validate', { token: viewer, body: { content } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.valid, true);
    assert.deepEqual(res.body.diagnostics, []);
    assert.deepEqual(res.body.components, ['local.file_match', 'loki.source.file', 'loki.write']);
    assert.deepEqual(res.body.graph, {
      nodes: [
        { id: 'local.file_match.logs', component: 'local.file_match' },
        { id: 'loki.source.file.files', component: 'loki.source.file' },
        { id: 'loki.write.default', component: 'loki.write' },
      ],
      edges: [
        { from: 'loki.source.file.files', to: 'local.file_match.logs' },
        { from: 'loki.source.file.files', to: 'loki.write.default' },
      ],
    });
    // Every agent is checked without matchers; agent-dev-1 reported no components and is not judged.
    assert.equal(res.body.agents.matched, 20);
    assert.equal(res.body.agents.cannotRunTotal, 9);
    assert.deepEqual(res.body.agents.cannotRun[0], {
      id: 'agent-dev-11',
      name: 'host-11',
      missing: ['local.file_match', 'loki.source.file', 'loki.write'],
    });
    assert.ok(res.body.agents.cannotRun.every((a: { id: string }) => a.id.startsWith('agent-dev-')));

    const prodOnly = await api.call('POST', '/api/v1/validate', {
      body: { content: SCRAPE, matchers: ['env="prod"'] },
    });
    assert.deepEqual(prodOnly.body.agents, { matched: 10, cannotRun: [], cannotRunTotal: 0 });
    const devLogs = await api.call('POST', '/api/v1/validate', {
      body: {
        content: content.replace(
          /local\.file_match[^]*?\n}\n/,
          'local.file_match "logs" {\n  path_targets = []\n}\n',
        ),
        matchers: ['env="dev"'],
      },
    });
    assert.equal(devLogs.body.agents.matched, 10);
    assert.equal(devLogs.body.agents.cannotRunTotal, 9);

    const invalid = await api.call('POST', '/api/v1/validate', { body: { content: INVALID } });
    assert.equal(invalid.status, 200);
    assert.equal(invalid.body.valid, false);
    assert.deepEqual(invalid.body.diagnostics[1], {
      severity: 'error',
      message: 'component "prometheus.remote_write.nope.receiver" does not exist or is out of scope',
      line: 2,
      column: 17,
      endLine: 2,
      endColumn: 54,
    });
    assert.deepEqual(invalid.body.components, ['prometheus.scrape']);

    // Stability is the agents' choice: below generally-available is a warning, not an error.
    const experimental = await api.call('POST', '/api/v1/validate', {
      body: { content: 'otelcol.exporter.debug "x" { }\n' },
    });
    assert.equal(experimental.body.valid, true);
    assert.equal(experimental.body.diagnostics[0].severity, 'warning');
    assert.match(experimental.body.diagnostics[0].message, /stability level "experimental"/);

    const badMatcher = await api.call('POST', '/api/v1/validate', {
      body: { content: SCRAPE, matchers: ['x'] },
    });
    assert.equal(badMatcher.status, 400);
    assert.match(badMatcher.body.message, /invalid matcher "x"/);
    const noToken = await api.call('POST', '/api/v1/validate', { token: null, body: { content: SCRAPE } });
    assert.equal(noToken.status, 401);
  });

  test('request limits: malformed JSON 400, content over 512 KiB 400, body over 1 MiB 413', async () => {
    const malformed = await api.call('POST', '/api/v1/pipelines', { rawBody: '{"name": ' });
    assert.equal(malformed.status, 400);
    assert.ok(typeof malformed.body.message === 'string' && malformed.body.message.length > 0);

    const big = await api.call('POST', '/api/v1/validate', { body: { content: '// x\n'.repeat(110_000) } });
    assert.equal(big.status, 400);
    assert.match(big.body.message.join(' '), /content: Too big: expected string to have <=524288 characters/);

    const huge = await api.call('POST', '/api/v1/pipelines', {
      body: { name: 'huge', content: 'x'.repeat(1024 * 1024 + 1) },
    });
    assert.equal(huge.status, 413);
    assert.match(huge.body.message, /request entity too large/);

    const asViewer = await api.call('POST', '/api/v1/pipelines', { token: viewer, body: { name: 'nope' } });
    assert.equal(asViewer.status, 403);
    const badToken = await api.call('GET', '/api/v1/pipelines', { token: 'fdy_admin_wrong' });
    assert.equal(badToken.status, 401);
    assert.match(badToken.body.message, /invalid or revoked token/);
  });
});
