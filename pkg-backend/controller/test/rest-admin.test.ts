import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, startTestApi, type TestApi } from './support/api.js';
import { waitFor } from './support/net.js';

describe('REST: tokens, audit, health, OpenAPI', () => {
  let api: TestApi;
  let editor: string;

  before(async () => {
    api = await startTestApi();
    editor = await api.token('editor', 'ci-editor');
  });

  after(async () => {
    await api?.stop();
  });

  test('tokens: admin creates (secret shown once), lists, revokes; revoked tokens stop working', async () => {
    const created = await api.call('POST', '/api/v1/tokens', { body: { name: 'grafana', scope: 'viewer' } });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^fdy_viewer_[A-Za-z0-9_-]{32}$/);
    assert.equal(created.body.prefix, created.body.token.slice(0, 12));
    assert.equal(created.body.scope, 'viewer');
    assert.equal(created.body.createdBy, 'bootstrap-admin');
    const secret = created.body.token as string;

    const use = await api.call('GET', '/api/v1/agents', { token: secret });
    assert.equal(use.status, 200);

    const list = await api.call('GET', '/api/v1/tokens');
    assert.equal(list.status, 200);
    const listed = list.body.find((t: { id: string }) => t.id === created.body.id);
    assert.equal(listed.name, 'grafana');
    assert.equal(listed.token, undefined, 'the secret is never listed');
    assert.ok(!JSON.stringify(list.body).includes(secret));

    const revoked = await api.call('DELETE', `/api/v1/tokens/${created.body.id}`);
    assert.equal(revoked.status, 200);
    assert.ok(revoked.body.revokedAt);
    await waitFor(
      async () => (await api.call('GET', '/api/v1/agents', { token: secret })).status === 401,
      10_000,
      'the revoked token to be refused',
    );
    const again = await api.call('DELETE', `/api/v1/tokens/${created.body.id}`);
    assert.equal(again.status, 409);
    assert.match(again.body.message, /already revoked/);

    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await api.call('DELETE', `/api/v1/tokens/${id}`);
      assert.equal(res.status, 404);
      assert.match(res.body.message, /token .* not found/);
    }
    const badScope = await api.call('POST', '/api/v1/tokens', { body: { name: 'x', scope: 'root' } });
    assert.equal(badScope.status, 400);
    assert.match(badScope.body.message.join(' '), /scope: Invalid option/);
    const noName = await api.call('POST', '/api/v1/tokens', { body: { name: '  ', scope: 'viewer' } });
    assert.equal(noName.status, 400);

    for (const [method, path] of [
      ['GET', '/api/v1/tokens'],
      ['POST', '/api/v1/tokens'],
      ['DELETE', `/api/v1/tokens/${created.body.id}`],
    ]) {
      const body = method === 'POST' ? { name: 'x', scope: 'admin' } : undefined;
      const res = await api.call(method!, path!, { token: editor, body });
      assert.equal(res.status, 403, `${method} ${path} as editor`);
      assert.match(res.body.message, /needs a admin token/);
    }
    assert.equal((await api.call('GET', '/api/v1/tokens', { token: null })).status, 401);

    const audit = await api.call('GET', `/api/v1/audit?targetType=token&targetId=${created.body.id}`);
    assert.deepEqual(
      audit.body.items.map((e: { action: string }) => e.action),
      ['token.revoke', 'token.create'],
    );
    assert.equal(audit.body.items[0].before.revokedAt, null);
    assert.ok(audit.body.items[0].after.revokedAt);
  });

  test('audit: newest first, filtered, paged with before; admin only', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api.call('POST', '/api/v1/pipelines', {
        token: editor,
        body: { name: `audit-${i}` },
      });
      assert.equal(res.status, 201);
    }
    const first = await api.call('GET', '/api/v1/audit?targetType=pipeline&limit=2');
    assert.equal(first.status, 200);
    assert.equal(first.body.items.length, 2);
    assert.deepEqual(
      first.body.items.map((e: { after: { name: string } }) => e.after.name),
      ['audit-4', 'audit-3'],
    );
    assert.equal(first.body.items[0].actor, 'ci-editor');
    assert.equal(first.body.items[0].action, 'pipeline.create');
    const second = await api.call(
      'GET',
      `/api/v1/audit?targetType=pipeline&limit=2&before=${first.body.nextBefore}`,
    );
    assert.deepEqual(
      second.body.items.map((e: { after: { name: string } }) => e.after.name),
      ['audit-2', 'audit-1'],
    );
    const last = await api.call(
      'GET',
      `/api/v1/audit?targetType=pipeline&limit=2&before=${second.body.nextBefore}`,
    );
    assert.equal(last.body.items.length, 1);
    assert.equal(last.body.nextBefore, null);

    const asEditor = await api.call('GET', '/api/v1/audit', { token: editor });
    assert.equal(asEditor.status, 403);
    for (const q of ['limit=0', 'limit=501', 'before=abc']) {
      const res = await api.call('GET', `/api/v1/audit?${q}`);
      assert.equal(res.status, 400, q);
    }
  });

  test('health: liveness and readiness need no token', async () => {
    const live = await api.call('GET', '/healthz', { token: null });
    assert.equal(live.status, 200);
    assert.equal(live.body.status, 'ok');
    assert.match(live.headers.get('cache-control') ?? '', /no-cache/);
    const ready = await api.call('GET', '/readyz', { token: null });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.info, { database: { status: 'up' } });
  });

  test('OpenAPI: document and UI are served without a token', async () => {
    const doc = await api.call('GET', '/api/openapi.json', { token: null });
    assert.equal(doc.status, 200);
    assert.equal(doc.body.info.title, 'Foundry controller');
    assert.ok(doc.body.paths['/api/v1/agents'].get);
    assert.ok(doc.body.paths['/api/v1/pipelines/{id}/versions/{version}/restore'].post);
    const body = doc.body.paths['/api/v1/pipelines'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(body.required, ['name']);
    const ui = await api.call('GET', '/api/docs', { token: null });
    assert.equal(ui.status, 200);
    assert.match(ui.body, /swagger-ui/i);
  });

  test('unknown routes are 404 with the route named', async () => {
    const res = await api.call('GET', '/api/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.match(res.body.message, /Cannot GET \/api\/v1\/nothing-here/);
  });
});

describe('REST: readiness when the database is gone', () => {
  test('/readyz answers 503 naming the failing check; /healthz stays 200', async () => {
    const api = await startTestApi();
    try {
      assert.equal((await api.call('GET', '/readyz', { token: null })).status, 200);
      await api.db.drop();
      const res = await api.call('GET', '/readyz', { token: null });
      assert.equal(res.status, 503);
      assert.equal(res.body.status, 'error');
      assert.equal(res.body.error.database.status, 'down');
      assert.ok(res.body.error.database.message.length > 0, JSON.stringify(res.body));
      assert.equal((await api.call('GET', '/healthz', { token: null })).status, 200);
      // Requests needing the database fail, but say so (the token cache may still admit the admin).
      const list = await api.call('GET', '/api/v1/agents', { token: ADMIN_TOKEN });
      assert.ok(list.status >= 400, String(list.status));
    } finally {
      await api.stop();
    }
  });
});
