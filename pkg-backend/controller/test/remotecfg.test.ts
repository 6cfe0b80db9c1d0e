import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createDefaultRegistry, validateSources } from '@foundry/engine';
import { protoRoot } from '@foundry/proto';
import protobuf from 'protobufjs';
import {
  ADMIN,
  AGENT,
  insertPipeline,
  startTestController,
  type TestController,
} from './support/controller.js';
import { waitFor } from './support/net.js';

const SERVICE = '/collector.v1.CollectorService';
const root = protobuf.loadSync(join(protoRoot, 'collector', 'v1', 'collector.proto'));
const TYPES = {
  GetConfig: ['collector.v1.GetConfigRequest', 'collector.v1.GetConfigResponse'],
  RegisterCollector: ['collector.v1.RegisterCollectorRequest', 'collector.v1.RegisterCollectorResponse'],
  UnregisterCollector: [
    'collector.v1.UnregisterCollectorRequest',
    'collector.v1.UnregisterCollectorResponse',
  ],
} as const;
type Method = keyof typeof TYPES;

interface Reply {
  status: number;
  headers: Headers;
  /** Decoded message (ok) or Connect error JSON. */
  body: any;
}

interface CallOptions {
  codec?: 'proto' | 'json';
  /** Authorization header value; default `Bearer <agent token>`; null for none. */
  auth?: string | null;
  headers?: Record<string, string>;
  /** Raw body instead of encoding `msg`. */
  raw?: Buffer;
}

describe('collector.v1 remote-config API for Grafana Alloy (real HTTP, real PostgreSQL)', () => {
  let t: TestController;

  /** One unary Connect call, as connect-go makes it. */
  async function call(method: Method | string, msg: object = {}, opts: CallOptions = {}): Promise<Reply> {
    const codec = opts.codec ?? 'proto';
    const headers: Record<string, string> = {
      'content-type': codec === 'proto' ? 'application/proto' : 'application/json',
      'connect-protocol-version': '1',
      ...opts.headers,
    };
    const auth = opts.auth === undefined ? `Bearer ${AGENT}` : opts.auth;
    if (auth) headers.authorization = auth;
    const types = TYPES[method as Method] ?? TYPES.GetConfig;
    let body = opts.raw;
    if (!body) {
      if (codec === 'json') body = Buffer.from(JSON.stringify(msg));
      else {
        const type = root.lookupType(types[0]);
        body = Buffer.from(type.encode(type.fromObject(msg)).finish());
      }
    }
    const res = await fetch(`${t.c.httpUrl}${SERVICE}/${method}`, { method: 'POST', headers, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    let decoded: any;
    if (res.status !== 200 || res.headers.get('content-type') === 'application/json') {
      decoded = JSON.parse(bytes.toString('utf8'));
    } else {
      const type = root.lookupType(types[1]);
      decoded = type.toObject(type.decode(bytes), { defaults: true, enums: String });
    }
    return { status: res.status, headers: res.headers, body: decoded };
  }

  const agentRow = (id: string) => t.prisma.agent.findUnique({ where: { id } });
  const state = (agentId: string, pipelineId: string) =>
    t.prisma.agentPipeline.findUnique({ where: { agentId_pipelineId: { agentId, pipelineId } } });

  async function rollout(pipelineId: string, version: number): Promise<void> {
    // One active rollout per pipeline: let the previous one finish first.
    await waitFor(
      async () => {
        const list = (await (await t.api(`/api/v1/rollouts?pipelineId=${pipelineId}`)).json()) as {
          items: { status: string }[];
        };
        return !list.items.some((r) => r.status === 'running' || r.status === 'paused');
      },
      15_000,
      'the previous rollout to finish',
    );
    const res = await t.api(`/api/v1/pipelines/${pipelineId}/rollouts`, {
      method: 'POST',
      json: { version, immediate: true },
    });
    assert.equal(res.status, 201, await res.clone().text());
  }

  /** Polls GetConfig until the content satisfies `cond`. */
  async function configWhen(
    id: string,
    localAttributes: Record<string, string>,
    cond: (content: string) => boolean,
    what: string,
  ) {
    let last: Reply | undefined;
    await waitFor(
      async () => {
        last = await call('GetConfig', { id, localAttributes });
        return last.status === 200 && cond(last.body.content);
      },
      10_000,
      what,
    );
    return last!.body as { content: string; hash: string; notModified: boolean };
  }

  before(async () => {
    t = await startTestController();
  });
  after(async () => {
    await t.stop();
  });

  test('RegisterCollector then GetConfig (binary protobuf): agent of kind alloy, an empty config that still loads', async () => {
    const reg = await call('RegisterCollector', {
      id: 'alloy-bin',
      name: 'Alloy on host 1',
      localAttributes: {
        env: 'staging',
        'collector.os': 'linux',
        'collector.version': 'v1.10.0',
        'agent.kind': 'spoofed',
      },
    });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    assert.equal(reg.headers.get('content-type'), 'application/proto');
    const row = await agentRow('alloy-bin');
    assert.equal(row?.kind, 'alloy');
    assert.equal(row?.name, 'Alloy on host 1');
    assert.equal(row?.connected, true);
    assert.deepEqual(row?.localAttributes, { env: 'staging' }, 'reserved collector.* / agent.* keys dropped');
    assert.deepEqual(row?.systemAttributes, {
      'agent.kind': 'alloy',
      'agent.os': 'linux',
      'agent.version': 'v1.10.0',
    });
    assert.deepEqual(row?.supportedComponents, []);

    const seen = row!.lastSeenAt.getTime();
    await new Promise((r) => setTimeout(r, 20));
    const got = await call('GetConfig', { id: 'alloy-bin', localAttributes: { env: 'staging' } });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.notModified, false);
    assert.match(got.body.content, /^\/\/ .*no pipeline is assigned/);
    assert.equal(got.body.hash, createHash('sha256').update(got.body.content).digest('hex'));
    const after = await agentRow('alloy-bin');
    assert.ok(after!.lastSeenAt.getTime() > seen, 'last_seen_at moves on every call');
    assert.equal(after?.name, 'Alloy on host 1', 'GetConfig keeps the registered name');
    assert.deepEqual(
      validateSources([{ filename: 'remote.alloy', text: got.body.content }], {
        registry: createDefaultRegistry(),
      }),
      [],
    );
  });

  test('JSON codec: snake_case or camelCase fields in, proto3 JSON out; GetConfig before RegisterCollector registers', async () => {
    const got = await call(
      'GetConfig',
      { id: 'alloy-json', local_attributes: { env: 'staging' }, hash: '' },
      { codec: 'json' },
    );
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.headers.get('content-type'), 'application/json');
    assert.deepEqual(
      Object.keys(got.body).sort(),
      ['content', 'hash'],
      'defaults (notModified=false) omitted',
    );
    const row = await agentRow('alloy-json');
    assert.equal(row?.kind, 'alloy');
    assert.equal(row?.name, 'alloy-json', 'named after the id until it registers');
    assert.deepEqual(row?.localAttributes, { env: 'staging' });

    const reg = await call(
      'RegisterCollector',
      { id: 'alloy-json', name: 'json one', localAttributes: { env: 'staging', team: 'a' } },
      { codec: 'json' },
    );
    assert.equal(reg.status, 200);
    assert.deepEqual(reg.body, {});
    assert.equal((await agentRow('alloy-json'))?.name, 'json one');

    const again = await call(
      'GetConfig',
      { id: 'alloy-json', localAttributes: { env: 'staging' }, hash: got.body.hash },
      { codec: 'json' },
    );
    assert.deepEqual(again.body, { hash: got.body.hash, notModified: true });

    const bad = await call('GetConfig', {}, { codec: 'json', raw: Buffer.from('{"id": 7}') });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid_argument');
  });

  test('two pipelines matched by local attributes: one config of isolated declares that validates; not_modified; statuses; removal', async () => {
    const selfV1 = 'prometheus.exporter.self "default" { }\n';
    const labelled =
      'prometheus.exporter.self "default" { }\n\n' +
      'prometheus.relabel "env" {\n' +
      '\tforward_to = []\n\n' +
      '\trule {\n' +
      '\t\ttarget_label = "env"\n' +
      '\t\treplacement  = argument.attributes.value["env"]\n' +
      '\t}\n' +
      '}\n';
    const selfId = await insertPipeline(
      t.prisma,
      'self-metrics',
      ['env="prod"'],
      [selfV1, selfV1 + '// v2\n'],
    );
    const promId = await insertPipeline(t.prisma, 'prometheus', ['env="prod"', 'team=~"a|b"'], [labelled]);
    const devId = await insertPipeline(t.prisma, 'dev-only', ['env="dev"'], [selfV1]);
    for (const id of [selfId, promId, devId]) await rollout(id, 1);

    const attrs = { env: 'prod', team: 'a', 'collector.os': 'linux', 'collector.version': 'v1.10.0' };
    assert.equal((await call('RegisterCollector', { id: 'alloy-prod', localAttributes: attrs })).status, 200);
    assert.equal(
      (await call('RegisterCollector', { id: 'alloy-dev', localAttributes: { env: 'dev' } })).status,
      200,
    );

    const prod = await configWhen(
      'alloy-prod',
      attrs,
      (c) => c.includes('prometheus_pipeline'),
      'both prod pipelines',
    );
    // Same component ID ("prometheus.exporter.self.default") in both pipelines: no collision.
    assert.match(prod.content, /^declare "self_metrics" \{$/m);
    assert.match(prod.content, /^self_metrics "default" \{$/m);
    assert.match(
      prod.content,
      /^declare "prometheus_pipeline" \{$/m,
      'a label never shadows a component namespace',
    );
    assert.match(prod.content, /^prometheus_pipeline "default" \{$/m);
    assert.match(prod.content, /"env" += "prod",/);
    assert.match(prod.content, /"collector.ID" += "alloy-prod",/);
    assert.match(prod.content, /"agent.kind" += "alloy",/);
    assert.ok(!prod.content.includes('dev_only'));
    assert.equal(prod.hash, createHash('sha256').update(prod.content).digest('hex'));
    const diags = validateSources([{ filename: 'remote.alloy', text: prod.content }], {
      registry: createDefaultRegistry(),
    });
    assert.deepEqual(
      diags.filter((d) => d.severity === 'error'),
      [],
      `assembled config:\n${prod.content}`,
    );

    const dev = await configWhen('alloy-dev', { env: 'dev' }, (c) => c.includes('dev_only'), 'dev pipeline');
    assert.ok(!dev.content.includes('self_metrics'));

    // Desired versions recorded as pushed.
    await waitFor(
      async () => (await state('alloy-prod', selfId))?.desiredVersion === 1,
      5000,
      'desired rows',
    );
    assert.equal((await state('alloy-prod', promId))?.desiredVersion, 1);
    assert.equal(await state('alloy-prod', devId), null);

    // Polling with the current hash: not_modified, no content.
    const same = await call('GetConfig', { id: 'alloy-prod', localAttributes: attrs, hash: prod.hash });
    assert.deepEqual(
      { content: same.body.content, notModified: same.body.notModified, hash: same.body.hash },
      { content: '', notModified: true, hash: prod.hash },
    );

    // APPLIED for that hash: both pipelines applied.
    const applied = await call('GetConfig', {
      id: 'alloy-prod',
      localAttributes: attrs,
      hash: prod.hash,
      remoteConfigStatus: { status: 'RemoteConfigStatuses_APPLIED' },
    });
    assert.equal(applied.body.notModified, true);
    await waitFor(async () => (await state('alloy-prod', selfId))?.status === 'applied', 5000, 'applied');
    const promApplied = await state('alloy-prod', promId);
    assert.equal(promApplied?.status, 'applied');
    assert.equal(promApplied?.appliedVersion, 1);

    // A new version: new hash; FAILED with Alloy's error for that hash marks its pipelines failed.
    await rollout(selfId, 2);
    const v2 = await configWhen('alloy-prod', attrs, (c) => c.includes('version 2'), 'version 2');
    assert.notEqual(v2.hash, prod.hash);
    assert.match(v2.content, /\/\/ v2\n\}/, 'content verbatim, closed on its own line');
    await waitFor(async () => (await state('alloy-prod', selfId))?.desiredVersion === 2, 5000, 'desired v2');
    const error = 'remote.alloy:7:1: component "prometheus.exporter.self" failed to build';
    await call('GetConfig', {
      id: 'alloy-prod',
      localAttributes: attrs,
      hash: v2.hash,
      remoteConfigStatus: { status: 'RemoteConfigStatuses_FAILED', errorMessage: error },
    });
    await waitFor(async () => (await state('alloy-prod', selfId))?.status === 'failed', 5000, 'failed');
    const failed = await state('alloy-prod', selfId);
    assert.equal(failed?.error, error);
    assert.equal(failed?.reportedVersion, 2);
    assert.equal(failed?.appliedVersion, 1, 'the version applied before stays recorded');
    assert.equal((await state('alloy-prod', promId))?.status, 'failed');

    // The collector leaves team a|b: the prometheus pipeline is no longer desired, and once Alloy applies
    // the smaller config it is recorded as removed.
    const fewer = { ...attrs, team: 'c' };
    const smaller = await call('GetConfig', { id: 'alloy-prod', localAttributes: fewer, hash: v2.hash });
    assert.ok(!smaller.body.content.includes('prometheus_pipeline'));
    await waitFor(
      async () => (await state('alloy-prod', promId))?.desiredVersion === null,
      5000,
      'undesired',
    );
    await call('GetConfig', {
      id: 'alloy-prod',
      localAttributes: fewer,
      hash: smaller.body.hash,
      remoteConfigStatus: { status: 'RemoteConfigStatuses_APPLIED' },
    });
    await waitFor(async () => (await state('alloy-prod', promId))?.status === 'removed', 5000, 'removed');
    assert.equal((await state('alloy-prod', promId))?.appliedVersion, null);
    const self2 = await state('alloy-prod', selfId);
    assert.equal(self2?.status, 'applied');
    assert.equal(self2?.appliedVersion, 2);
  });

  test('authentication: agent token as bearer or basic-auth password; anything else is 401 unauthenticated', async () => {
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const ok = await call('GetConfig', { id: 'alloy-auth' }, { auth: basic('stack-123', AGENT) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    for (const auth of [
      null,
      'Bearer fdy_agent_wrong',
      `Bearer ${ADMIN}`,
      basic('stack-123', 'fdy_agent_wrong'),
      basic(AGENT, ''),
      `Token ${AGENT}`,
    ]) {
      const res = await call('GetConfig', { id: 'alloy-auth-x' }, { auth });
      assert.equal(res.status, 401, `${auth}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'unauthenticated');
      assert.equal(typeof res.body.message, 'string');
      assert.equal(res.headers.get('content-type'), 'application/json');
    }
    assert.equal(await agentRow('alloy-auth-x'), null);
  });

  test('limits and protocol errors: bad id 400, oversized 413, gzip bodies, unknown method, content type, HTTP method', async () => {
    for (const id of ['', 'has space', '-leading', 'x'.repeat(129)]) {
      const res = await call('GetConfig', { id });
      assert.equal(res.status, 400, id);
      assert.equal(res.body.code, 'invalid_argument');
    }
    const tooMany: Record<string, string> = {};
    for (let i = 0; i < 65; i++) tooMany[`k${i}`] = 'v';
    assert.equal(
      (await call('RegisterCollector', { id: 'alloy-many', localAttributes: tooMany })).status,
      400,
    );

    const type = root.lookupType('collector.v1.GetConfigRequest');
    const big = Buffer.from(
      type
        .encode(type.fromObject({ id: 'alloy-big', localAttributes: { x: 'y'.repeat(1536 * 1024) } }))
        .finish(),
    );
    const over = await call('GetConfig', {}, { raw: big });
    assert.equal(over.status, 413);
    assert.equal(over.body.code, 'resource_exhausted');

    // gzip: a compressed body is accepted; one that inflates past the limit is refused.
    const small = Buffer.from(type.encode(type.fromObject({ id: 'alloy-gzip' })).finish());
    const gz = await call('GetConfig', {}, { raw: gzipSync(small), headers: { 'content-encoding': 'gzip' } });
    assert.equal(gz.status, 200, JSON.stringify(gz.body));
    const connectGz = await call(
      'GetConfig',
      {},
      { raw: gzipSync(small), headers: { 'connect-content-encoding': 'gzip' } },
    );
    assert.equal(connectGz.status, 200);
    const bomb = await call('GetConfig', {}, { raw: gzipSync(big), headers: { 'content-encoding': 'gzip' } });
    assert.equal(bomb.status, 413);
    assert.equal(bomb.body.code, 'resource_exhausted');
    const broken = await call('GetConfig', {}, { raw: small, headers: { 'content-encoding': 'gzip' } });
    assert.equal(broken.status, 400);
    const br = await call('GetConfig', {}, { raw: small, headers: { 'content-encoding': 'br' } });
    assert.equal(br.body.code, 'unimplemented');

    const unknown = await call('ListCollectors', {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'unimplemented');
    const xml = await call('GetConfig', {}, { raw: small, headers: { 'content-type': 'text/xml' } });
    assert.equal(xml.status, 415);
    const badProto = await call('GetConfig', {}, { raw: Buffer.from([0x0a, 0xff]) });
    assert.equal(badProto.status, 400);
    assert.equal(badProto.body.code, 'invalid_argument');
    const get = await fetch(`${t.c.httpUrl}${SERVICE}/GetConfig`);
    assert.equal(get.status, 405);
    assert.equal(((await get.json()) as { code: string }).code, 'unimplemented');

    // The REST API is unaffected by the Connect body reader.
    assert.equal((await t.api('/api/v1/rollouts')).status, 200);
  });

  test('remote attributes set through the API select pipelines; a deleted collector comes back with its desired state', async () => {
    const self = 'prometheus.exporter.self "default" { }\n';
    const remoteSel = await insertPipeline(t.prisma, 'remote-sel', ['tier="gold"'], [self]);
    const localSel = await insertPipeline(t.prisma, 'local-sel', ['site="x"'], [self]);
    await rollout(remoteSel, 1);
    await rollout(localSel, 1);
    const local = { site: 'x' };
    assert.equal(
      (await call('RegisterCollector', { id: 'alloy-remote', localAttributes: local })).status,
      200,
    );
    const put = await t.api('/api/v1/agents/alloy-remote/attributes', {
      method: 'PUT',
      json: { remoteAttributes: { tier: 'gold' } },
    });
    assert.equal(put.status, 200, await put.clone().text());
    const both = await configWhen(
      'alloy-remote',
      local,
      (c) => c.includes('declare "remote_sel"'),
      'remote match',
    );
    assert.match(both.content, /"tier" += "gold",/, 'remote attributes are injected too');
    await waitFor(async () => (await state('alloy-remote', localSel))?.desiredVersion === 1, 5000, 'desired');

    const del = await t.api('/api/v1/agents/alloy-remote', { method: 'DELETE' });
    assert.equal(del.status, 204, await del.clone().text());
    assert.equal(await agentRow('alloy-remote'), null);
    await waitFor(
      async () => {
        await call('GetConfig', { id: 'alloy-remote', localAttributes: local });
        return (await state('alloy-remote', localSel))?.desiredVersion === 1;
      },
      5000,
      'desired state recorded again for the re-created agent',
    );
    assert.equal((await agentRow('alloy-remote'))?.kind, 'alloy');
  });

  test('UnregisterCollector marks the agent disconnected; polling again reconnects it', async () => {
    assert.equal((await call('RegisterCollector', { id: 'alloy-bye', name: 'bye' })).status, 200);
    assert.equal((await agentRow('alloy-bye'))?.connected, true);
    const res = await call('UnregisterCollector', { id: 'alloy-bye' });
    assert.equal(res.status, 200);
    const row = await agentRow('alloy-bye');
    assert.equal(row?.connected, false);
    assert.ok(row?.disconnectedAt);
    assert.equal((await call('UnregisterCollector', { id: 'never-seen' })).status, 200, 'unknown id: no-op');
    await call('GetConfig', { id: 'alloy-bye' });
    assert.equal((await agentRow('alloy-bye'))?.connected, true);
  });

  test("the wire as Alloy's connect-go client sends it (hand-encoded protobuf, gzip both ways)", async () => {
    // Protobuf written by hand from upstream's field numbers, independently of protobufjs.
    const varint = (n: number) => {
      const out: number[] = [];
      while (n > 0x7f) {
        out.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      out.push(n);
      return Buffer.from(out);
    };
    const field = (no: number, payload: Buffer) =>
      Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);
    const str = (no: number, s: string) => field(no, Buffer.from(s));
    const mapEntry = (no: number, k: string, v: string) => field(no, Buffer.concat([str(1, k), str(2, v)]));
    const pid = await insertPipeline(
      t.prisma,
      'wire',
      ['wire="yes"'],
      [`prometheus.exporter.self "default" { }\n// ${'padding '.repeat(200)}\n`],
    );
    await rollout(pid, 1);
    const headers = {
      'content-type': 'application/proto',
      'connect-protocol-version': '1',
      'accept-encoding': 'gzip',
      'user-agent': 'Alloy/v1.10.0 (linux; binary)',
      authorization: `Bearer ${AGENT}`,
    };
    const getConfig = (hash: string, extra: Buffer = Buffer.alloc(0)) =>
      Buffer.concat([
        str(1, 'alloy-wire'), // id
        str(3, hash), // hash
        mapEntry(4, 'wire', 'yes'), // local_attributes
        mapEntry(4, 'collector.os', 'linux'),
        extra,
      ]);
    /** Decodes GetConfigResponse by hand: content = 1, hash = 2, not_modified = 3. */
    const decode = (b: Buffer) => {
      const out = { content: '', hash: '', notModified: false };
      let i = 0;
      const readVarint = () => {
        let n = 0;
        let shift = 0;
        for (;;) {
          const byte = b[i++]!;
          n += (byte & 0x7f) * 2 ** shift;
          if (byte < 0x80) return n;
          shift += 7;
        }
      };
      while (i < b.length) {
        const tag = readVarint();
        if (tag === 0x18) out.notModified = readVarint() === 1;
        else {
          const len = readVarint();
          const s = b.subarray(i, i + len).toString('utf8');
          i += len;
          if (tag === 0x0a) out.content = s;
          else if (tag === 0x12) out.hash = s;
        }
      }
      return out;
    };
    const post = (body: Buffer, extra: Record<string, string> = {}) =>
      fetch(`${t.c.httpUrl}${SERVICE}/GetConfig`, {
        method: 'POST',
        headers: { ...headers, ...extra },
        body,
      });

    let first = { content: '', hash: '', notModified: false };
    let res: Response | undefined;
    await waitFor(
      async () => {
        res = await post(getConfig(''));
        first = decode(Buffer.from(await res.arrayBuffer()));
        return first.content.includes('declare "wire"');
      },
      10_000,
      'wire pipeline',
    );
    assert.equal(res!.status, 200);
    assert.equal(res!.headers.get('content-type'), 'application/proto');
    assert.equal(res!.headers.get('content-encoding'), 'gzip', 'a large response is gzipped when accepted');
    assert.equal(first.hash, createHash('sha256').update(first.content).digest('hex'));

    // Compressed request with the status (field 5: status = 1 APPLIED), as Alloy's immediate notify call.
    const status = field(5, Buffer.from([0x08, 0x01]));
    const again = await post(gzipSync(getConfig(first.hash, status)), { 'content-encoding': 'gzip' });
    assert.equal(again.status, 200);
    assert.deepEqual(decode(Buffer.from(await again.arrayBuffer())), {
      content: '',
      hash: first.hash,
      notModified: true,
    });
    await waitFor(
      async () => (await state('alloy-wire', pid))?.status === 'applied',
      5000,
      'applied over the wire',
    );
    const row = await agentRow('alloy-wire');
    assert.equal((row?.systemAttributes as Record<string, string>)['agent.os'], 'linux');
  });
});
