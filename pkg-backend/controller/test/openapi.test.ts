import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { committedOpenApiPath, generateOpenApiText } from '../src/openapi.js';

test('the committed openapi.json is the generated document (run `npm run openapi -w @foundry/controller`)', async () => {
  const generated = await generateOpenApiText();
  assert.ok(existsSync(committedOpenApiPath), `${committedOpenApiPath} is missing: run npm run openapi`);
  const committed = readFileSync(committedOpenApiPath, 'utf8');
  if (committed !== generated) {
    const a = JSON.parse(committed) as { paths: Record<string, unknown> };
    const b = JSON.parse(generated) as { paths: Record<string, unknown> };
    const changed = [...new Set([...Object.keys(a.paths), ...Object.keys(b.paths)])].filter(
      (p) => JSON.stringify(a.paths[p]) !== JSON.stringify(b.paths[p]),
    );
    assert.fail(
      `openapi.json is out of date (paths differing: ${changed.join(', ') || 'none; components or info'}); ` +
        'run `npm run openapi -w @foundry/controller` and commit the result',
    );
  }
});

test('the document describes every REST route with its request schema', async () => {
  const doc = JSON.parse(await generateOpenApiText()) as {
    paths: Record<
      string,
      Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown }>
    >;
  };
  const list = doc.paths['/api/v1/agents']!.get!;
  assert.deepEqual(
    list.parameters!.map((p) => `${p.in}:${p.name}`),
    ['query:matcher', 'query:state', 'query:q', 'query:limit', 'query:offset'],
  );
  assert.ok(doc.paths['/api/v1/agents/{id}/attributes']!.put!.requestBody);
  assert.deepEqual(
    doc.paths['/api/v1/pipelines/{id}/versions/{version}']!.get!.parameters!.map((p) => `${p.in}:${p.name}`),
    ['path:id', 'path:version'],
  );
  for (const path of [
    '/api/v1/validate',
    '/api/v1/tokens',
    '/api/v1/audit',
    '/api/v1/fleet/summary',
    '/healthz',
    '/readyz',
  ]) {
    assert.ok(doc.paths[path], path);
  }
});
