/**
 * `otelcol.processor.resourcedetection` (Alloy `processor/resourcedetection`, the collector's
 * resourcedetectionprocessor): detects resource attributes once (within `timeout`) and merges them into
 * the resource of every request — replacing existing values when `override`, else only adding.
 * Detectors run in the listed order; an earlier detector's attribute wins over a later one's.
 *
 * Implemented detectors:
 * - `env`: `OTEL_RESOURCE_ATTRIBUTES` (or the deprecated `OTEL_RESOURCE`), `k=v` pairs separated by
 *   commas, values URL-unescaped (Go `url.QueryUnescape`);
 * - `system`: `host.name` (from the first working `hostname_sources`: `dns`/`cname`/`lookup` resolve the
 *   fully-qualified name, `os` the kernel's host name) and `os.type` by default; `host.arch`, `host.id`
 *   (/etc/machine-id), `host.ip`, `host.mac`, `host.cpu.*` (/proc/cpuinfo), `os.description`, `os.version`
 *   when enabled in `resource_attributes`.
 * The cloud and platform detectors (ec2, gcp, azure, kubernetes_node, …) are accepted and validated but
 * detect nothing (a warning is logged), as the collector behaves off their platforms.
 */
import { execFileSync } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { RE2JS } from 're2js';
import type { ComponentOptions, ComponentRegistration } from '../../../runtime/component.js';
import { t, type BlockSchema } from '../../../runtime/schema.js';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  Resource,
} from '../../../protocols/otlp/index.js';
import {
  consumerExports,
  debugMetricsBlock,
  outputBlock,
  tlsClientSchema,
} from '../../common/otelcol-schema.js';
import type { OutputArgs } from '../internal/next.js';
import { attrIndex, cloneValue, putAttr } from '../internal/pdata.js';
import { OtelProcessor } from '../internal/processor.js';
import { ensureResource } from '../ottl/exec.js';

type RAConfig = Record<string, { enabled: boolean } | undefined>;

export interface ResourceDetectionArgs {
  detectors: string[];
  override: boolean;
  fail_on_missing_metadata?: boolean;
  timeout: number;
  system: { hostname_sources: string[]; resource_attributes: RAConfig };
  output: OutputArgs;
  [detector: string]: unknown;
}

/** Detector blocks: their own attributes and the resource attributes they can emit. */
const DETECTORS: Record<
  string,
  { attrs?: BlockSchema['attrs']; blocks?: BlockSchema['blocks']; ra: string[] }
> = {
  akamai: { ra: ['cloud.provider', 'cloud.region', 'host.id', 'host.name'] },
  alibaba_ecs: {
    attrs: { fail_on_missing_metadata: { type: t.bool() } },
    ra: [
      'cloud.account.id',
      'cloud.availability_zone',
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'host.id',
      'host.image.id',
      'host.name',
      'host.type',
    ],
  },
  ec2: {
    attrs: {
      tags: { type: t.list(t.string()) },
      max_attempts: { type: t.int() },
      max_backoff: { type: t.duration() },
      fail_on_missing_metadata: { type: t.bool() },
      tags_from_imds: { type: t.bool() },
    },
    ra: [
      'cloud.account.id',
      'cloud.availability_zone',
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'host.id',
      'host.image.id',
      'host.name',
      'host.type',
    ],
  },
  ecs: {
    ra: [
      'aws.ecs.cluster.arn',
      'aws.ecs.launchtype',
      'aws.ecs.task.arn',
      'aws.ecs.task.family',
      'aws.ecs.task.id',
      'aws.ecs.task.revision',
      'aws.log.group.arns',
      'aws.log.group.names',
      'aws.log.stream.arns',
      'aws.log.stream.names',
      'cloud.account.id',
      'cloud.availability_zone',
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
    ],
  },
  eks: {
    attrs: { node_from_env_var: { type: t.string() } },
    ra: ['cloud.account.id', 'cloud.platform', 'cloud.provider', 'k8s.cluster.name'],
  },
  elasticbeanstalk: {
    ra: [
      'cloud.platform',
      'cloud.provider',
      'deployment.environment',
      'service.instance.id',
      'service.version',
    ],
  },
  lambda: {
    ra: [
      'aws.log.group.names',
      'aws.log.stream.names',
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'faas.instance',
      'faas.max_memory',
      'faas.name',
      'faas.version',
    ],
  },
  aks: { ra: ['cloud.platform', 'cloud.provider', 'k8s.cluster.name'] },
  azure: {
    attrs: { tags: { type: t.list(t.string()) } },
    ra: [
      'azure.resourcegroup.name',
      'azure.vm.name',
      'azure.vm.scaleset.name',
      'azure.vm.size',
      'cloud.account.id',
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'cloud.availability_zone',
      'host.id',
      'host.name',
    ],
  },
  consul: {
    attrs: {
      address: { type: t.string() },
      datacenter: { type: t.string() },
      token: { type: t.secret() },
      namespace: { type: t.string() },
      meta: { type: t.list(t.string()) },
    },
    ra: ['cloud.region', 'host.id', 'host.name'],
  },
  digitalocean: { ra: ['cloud.provider', 'cloud.region', 'host.id', 'host.name'] },
  docker: { ra: ['host.name', 'os.type'] },
  dynatrace: { ra: [] },
  gcp: {
    ra: [
      'cloud.account.id',
      'cloud.availability_zone',
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'faas.id',
      'faas.instance',
      'faas.name',
      'faas.version',
      'gcp.cloud_run.job.execution',
      'gcp.cloud_run.job.task_index',
      'gcp.gce.instance.hostname',
      'gcp.gce.instance.name',
      'gcp.gce.instance.group_manager.name',
      'gcp.gce.instance.group_manager.region',
      'gcp.gce.instance.group_manager.zone',
      'host.id',
      'host.name',
      'host.type',
      'k8s.cluster.name',
    ],
  },
  heroku: {
    ra: [
      'cloud.provider',
      'heroku.app.id',
      'heroku.dyno.id',
      'heroku.release.commit',
      'heroku.release.creation_timestamp',
      'service.instance.id',
      'service.name',
      'service.version',
    ],
  },
  hetzner: { ra: ['cloud.availability_zone', 'cloud.provider', 'cloud.region', 'host.id', 'host.name'] },
  kubernetes_node: {
    attrs: {
      auth_type: { type: t.string() },
      context: { type: t.string() },
      node_from_env_var: { type: t.string() },
    },
    ra: ['k8s.node.name', 'k8s.node.uid'],
  },
  kubeadm: {
    attrs: { auth_type: { type: t.string() }, context: { type: t.string() } },
    ra: ['k8s.cluster.name', 'k8s.cluster.uid'],
  },
  openshift: {
    attrs: { address: { type: t.string() }, token: { type: t.string() } },
    blocks: { tls: { schema: tlsClientSchema } },
    ra: ['cloud.platform', 'cloud.provider', 'cloud.region', 'k8s.cluster.name'],
  },
  nova: {
    attrs: { fail_on_missing_metadata: { type: t.bool() }, labels: { type: t.list(t.string()) } },
    ra: [
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'cloud.availability_zone',
      'host.id',
      'host.name',
      'host.type',
    ],
  },
  oraclecloud: {
    ra: [
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'cloud.availability_zone',
      'host.id',
      'host.name',
      'host.type',
      'k8s.cluster.name',
      'oracle_cloud.realm',
    ],
  },
  scaleway: {
    ra: [
      'cloud.account.id',
      'cloud.availability_zone',
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'host.id',
      'host.image.id',
      'host.image.name',
      'host.name',
      'host.type',
    ],
  },
  system: {
    attrs: { hostname_sources: { type: t.list(t.string()), default: ['dns', 'os'] } },
    ra: [
      'host.arch',
      'host.cpu.cache.l2.size',
      'host.cpu.family',
      'host.cpu.model.id',
      'host.cpu.model.name',
      'host.cpu.stepping',
      'host.cpu.vendor.id',
      'host.id',
      'host.interface',
      'host.ip',
      'host.mac',
      'host.name',
      'os.build.id',
      'os.description',
      'os.name',
      'os.type',
      'os.version',
    ],
  },
  tencent_cvm: {
    attrs: { fail_on_missing_metadata: { type: t.bool() } },
    ra: [
      'cloud.account.id',
      'cloud.availability_zone',
      'cloud.platform',
      'cloud.provider',
      'cloud.region',
      'host.id',
      'host.image.id',
      'host.name',
      'host.type',
    ],
  },
  upcloud: {
    attrs: { fail_on_missing_metadata: { type: t.bool() } },
    ra: ['cloud.provider', 'cloud.region', 'host.id', 'host.name'],
  },
  vultr: {
    attrs: { fail_on_missing_metadata: { type: t.bool() } },
    ra: ['cloud.provider', 'cloud.region', 'host.id', 'host.name'],
  },
};

const VALID_DETECTORS = new Set(['env', ...Object.keys(DETECTORS)]);
const SYSTEM_DEFAULT_ON = new Set(['host.name', 'os.type']);

function detectorSchema(name: string): BlockSchema {
  const d = DETECTORS[name]!;
  const ra: BlockSchema = {
    blocks: Object.fromEntries(
      d.ra.map((a) => [a, { schema: { attrs: { enabled: { type: t.bool(), required: true } } } }]),
    ),
  };
  return {
    attrs: d.attrs,
    blocks: { ...d.blocks, resource_attributes: { schema: ra, defaultIfAbsent: true } },
    validate:
      name === 'system'
        ? (a) => {
            for (const s of a.hostname_sources ?? [])
              if (!['os', 'dns', 'cname', 'lookup'].includes(s)) return `invalid hostname source: ${s}`;
            return undefined;
          }
        : undefined,
  };
}

const LABEL_RE = RE2JS.compile('\\s*([[:ascii:]]{1,256}?)\\s*=\\s*([[:ascii:]]{0,256}?)\\s*(?:,|$)');

/** Go `url.QueryUnescape`. @throws Error */
function queryUnescape(s: string): string {
  const b: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error(`invalid URL escape "${s.slice(i, i + 3)}"`);
      b.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+') b.push(0x20);
    else b.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(b).toString('utf8');
}

/** The `env` detector's parser. @throws Error "invalid resource format…" */
export function parseResourceAttributes(s: string): KeyValue[] {
  const out: KeyValue[] = [];
  const matches = (LABEL_RE.re2().findAllSubmatchIndex(s, -1) as number[][] | null) ?? [];
  if (matches.length === 0) throw new Error(`invalid resource format: ${JSON.stringify(s)}`);
  let prev = 0;
  for (const m of matches) {
    if (prev !== m[0])
      throw new Error(`invalid resource format, invalid text: ${JSON.stringify(s.slice(prev, m[0]))}`);
    const key = s.slice(m[2], m[3]);
    let value = s.slice(m[4], m[5]);
    try {
      value = queryUnescape(value);
    } catch (e) {
      throw new Error(
        `invalid resource format in attribute: ${JSON.stringify(s.slice(m[0], m[1]))}, err: ${(e as Error).message}`,
      );
    }
    putAttr(out, key, { stringValue: value });
    prev = m[1]!;
  }
  if (matches[matches.length - 1]![1] !== s.length)
    throw new Error(
      `invalid resource format, invalid text: ${JSON.stringify(s.slice(matches[matches.length - 1]![1]))}`,
    );
  return out;
}

function detectEnv(env: NodeJS.ProcessEnv = process.env): KeyValue[] {
  let labels = (env.OTEL_RESOURCE_ATTRIBUTES ?? '').trim();
  if (labels === '') labels = (env.OTEL_RESOURCE ?? '').trim();
  if (labels === '') return [];
  return parseResourceAttributes(labels);
}

const GOARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: '386',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};
const GOOS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

async function fqdn(host: string): Promise<string> {
  const { address } = await dns.lookup(host);
  const { hostname } = await dns.lookupService(address, 0);
  return hostname;
}

function cpuInfo(): Record<string, string> {
  try {
    const first = readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0] ?? '';
    const out: Record<string, string> = {};
    for (const line of first.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    return out;
  } catch {
    return {};
  }
}

async function detectSystem(cfg: ResourceDetectionArgs['system']): Promise<KeyValue[]> {
  const on = (a: string) => cfg.resource_attributes[a]?.enabled ?? SYSTEM_DEFAULT_ON.has(a);
  const out: KeyValue[] = [];
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined && on(k)) putAttr(out, k, { stringValue: v });
  };
  let hostname: string | undefined;
  const errors: string[] = [];
  for (const src of cfg.hostname_sources) {
    try {
      hostname = src === 'os' ? os.hostname() : await fqdn(os.hostname());
      if (hostname) break;
    } catch (e) {
      errors.push(`${src}: ${(e as Error).message}`);
    }
  }
  if (hostname === undefined) throw new Error(`failed getting host name: ${errors.join('; ')}`);
  put('host.name', hostname);
  put('os.type', GOOS[process.platform] ?? process.platform);
  put('host.arch', GOARCH[process.arch] ?? process.arch);
  if (on('host.id')) {
    try {
      put('host.id', readFileSync('/etc/machine-id', 'utf8').trim());
    } catch {
      // no machine id
    }
  }
  put('os.version', os.release());
  put('os.name', os.type());
  if (on('os.description')) {
    let d = `${os.type()} ${os.release()}`;
    try {
      d = execFileSync('uname', ['-srvmo'], { encoding: 'utf8', timeout: 1000 }).trim();
    } catch {
      // keep the short form
    }
    put('os.description', d);
  }
  const ifaces = Object.entries(os.networkInterfaces()).filter(([, l]) => l?.some((a) => !a.internal));
  if (on('host.ip'))
    out.push({
      key: 'host.ip',
      value: {
        arrayValue: {
          values: ifaces.flatMap(([, l]) =>
            (l ?? []).filter((a) => !a.internal).map((a) => ({ stringValue: a.address })),
          ),
        },
      },
    });
  if (on('host.mac'))
    out.push({
      key: 'host.mac',
      value: {
        arrayValue: {
          values: [
            ...new Set(
              ifaces.flatMap(([, l]) => (l ?? []).map((a) => a.mac.toUpperCase().replace(/:/g, '-'))),
            ),
          ].map((m) => ({ stringValue: m })),
        },
      },
    });
  if (on('host.interface'))
    out.push({
      key: 'host.interface',
      value: { arrayValue: { values: ifaces.map(([n]) => ({ stringValue: n })) } },
    });
  const cpu = cpuInfo();
  put('host.cpu.vendor.id', cpu.vendor_id);
  put('host.cpu.family', cpu['cpu family']);
  put('host.cpu.model.id', cpu.model);
  put('host.cpu.model.name', cpu['model name']);
  if (on('host.cpu.stepping') && cpu.stepping !== undefined)
    out.push({ key: 'host.cpu.stepping', value: { intValue: BigInt(cpu.stepping) } });
  if (on('host.cpu.cache.l2.size') && cpu['cache size'])
    out.push({
      key: 'host.cpu.cache.l2.size',
      value: { intValue: BigInt(parseInt(cpu['cache size'], 10) * 1024) },
    });
  return out;
}

/** Runs the detectors in order; the first detector to give an attribute wins. */
export async function detectResource(
  args: ResourceDetectionArgs,
  warn: (msg: string, err?: string) => void,
): Promise<KeyValue[]> {
  const out: KeyValue[] = [];
  for (const d of args.detectors) {
    let attrs: KeyValue[] = [];
    try {
      if (d === 'env') attrs = detectEnv();
      else if (d === 'system') attrs = await detectSystem(args.system);
      else {
        warn(`resource detector ${d} is not supported by this engine; it detects nothing`);
        continue;
      }
    } catch (e) {
      warn('failed to detect resource', (e as Error).message);
      continue;
    }
    for (const kv of attrs) if (attrIndex(out, kv.key) < 0) out.push(kv);
  }
  return out;
}

/** Merges detected attributes into a resource (`override`: replace existing ones). */
export function mergeResource(res: Resource, detected: readonly KeyValue[], override: boolean): void {
  for (const kv of detected) {
    if (!override && attrIndex(res.attributes, kv.key) >= 0) continue;
    putAttr(res.attributes, kv.key, cloneValue(kv.value));
  }
}

export class ResourceDetectionProcessor extends OtelProcessor<ResourceDetectionArgs> {
  private args!: ResourceDetectionArgs;
  private detected: Promise<KeyValue[]> | undefined;

  constructor(opts: ComponentOptions, args: ResourceDetectionArgs) {
    super(opts, ['traces', 'metrics', 'logs'], 'resourcedetection');
    this.init(args);
  }

  protected configure(args: ResourceDetectionArgs): void {
    this.args = args;
    this.detected = undefined;
  }

  private resource(): Promise<KeyValue[]> {
    if (!this.detected) {
      const warn = (msg: string, err?: string) => this.opts.logger.warn(msg, err ? { error: err } : {});
      const timeout = new Promise<KeyValue[]>((res) => {
        const timer = setTimeout(() => {
          warn('resource detection timed out', `timeout ${this.args.timeout}ms`);
          res([]);
        }, this.args.timeout);
        timer.unref?.();
      });
      this.detected = Promise.race([detectResource(this.args, warn), timeout]);
    }
    return this.detected;
  }

  override async run(signal: AbortSignal): Promise<void> {
    void this.resource();
    await super.run(signal);
  }

  private async apply(holders: { resource?: Resource }[]): Promise<void> {
    const detected = await this.resource();
    for (const h of holders) mergeResource(ensureResource(h), detected, this.args.override);
  }

  protected override async processTraces(req: ExportTraceServiceRequest): Promise<ExportTraceServiceRequest> {
    await this.apply(req.resourceSpans);
    return req;
  }

  protected override async processMetrics(
    req: ExportMetricsServiceRequest,
  ): Promise<ExportMetricsServiceRequest> {
    await this.apply(req.resourceMetrics);
    return req;
  }

  protected override async processLogs(req: ExportLogsServiceRequest): Promise<ExportLogsServiceRequest> {
    await this.apply(req.resourceLogs);
    return req;
  }
}

const detectorBlocks = Object.fromEntries(
  Object.keys(DETECTORS).map((name) => [
    name,
    { schema: detectorSchema(name), defaultIfAbsent: name === 'system' },
  ]),
);

/** otelcol.processor.resourcedetection — arguments as Alloy 1.18 (`internal/component/otelcol/processor/resourcedetection`). */
export const otelcolProcessorResourceDetection: ComponentRegistration<ResourceDetectionArgs> = {
  name: 'otelcol.processor.resourcedetection',
  stability: 'generally-available',
  args: {
    attrs: {
      detectors: { type: t.list(t.string()), default: ['env'] },
      override: { type: t.bool(), default: true },
      fail_on_missing_metadata: { type: t.bool() },
      timeout: { type: t.duration(), default: 5000 },
    },
    blocks: { ...detectorBlocks, output: outputBlock, debug_metrics: debugMetricsBlock },
    validate: (a: ResourceDetectionArgs) => {
      if (a.detectors.length === 0) return 'at least one detector must be specified';
      for (const d of a.detectors) if (!VALID_DETECTORS.has(d)) return `invalid detector: ${d}`;
      return undefined;
    },
  },
  exports: consumerExports,
  build: (opts, args) => new ResourceDetectionProcessor(opts, args),
};

export { detectEnv };
