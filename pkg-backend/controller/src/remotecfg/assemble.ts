/**
 * Assembles the one Alloy configuration text that a Grafana Alloy polling `collector.v1` GetConfig
 * receives: every pipeline of its desired set, each run in isolation the way Grafana Fleet Management
 * delivers pipelines to Alloy. Pure: no I/O, deterministic for the same pipelines and attributes.
 *
 * Shape (one section per pipeline, sorted as the desired set is, by pipeline name):
 *
 * ```alloy
 * // Remote configuration assembled by Foundry: 1 pipeline. Replaced whole whenever it changes.
 *
 * // Pipeline "scrape-self" version 3 (id 1b4e…, sha256 9f86…).
 * declare "scrape_self" {
 * 	argument "attributes" {
 * 		optional = true
 * 		default  = {}
 * 	}
 *
 * <the pipeline's content, verbatim>
 * }
 *
 * scrape_self "default" {
 * 	attributes = {
 * 		"agent.id"     = "host-1",
 * 		"agent.kind"   = "alloy",
 * 		"agent.name"   = "host-1",
 * 		"collector.ID" = "host-1",
 * 		"env"          = "prod",
 * 	}
 * }
 * ```
 *
 * - Each pipeline's content becomes the body of a `declare` block named after the pipeline and is
 *   instantiated exactly once, labelled "default". Component IDs inside different declares never
 *   collide (they live in the instance's own scope, `<label>.default/<component id>` in Alloy's UI and
 *   metrics), a pipeline may use `export`/`argument` blocks, and one pipeline's components cannot be
 *   referenced from another's. Alloy loads the text with `ctrl.LoadSource` into the isolated
 *   `remotecfg` controller, beside the local config (grafana/alloy internal/service/remotecfg/
 *   config_manager.go, parseAndLoad).
 * - Evidence for the shape: Fleet Management's server is not open source, but the pipeline features it
 *   documents — `argument.attributes.value[…]`, `argument.pipeline_exports.value[…]` and `export`
 *   blocks inside pipelines — only work in a `declare` body (Alloy's `argument` and `export` blocks "may
 *   only be specified inside the definition of a declare block"), so each pipeline is a custom
 *   component that is instantiated for the collector.
 * - `argument "attributes"` is Fleet Management's *pipeline attribute injection*: pipelines read the
 *   collector's attributes as `argument.attributes.value["env"]` (grafana.com/docs/grafana-cloud/
 *   send-data/fleet-management/set-up/configuration-pipelines/pipeline-attribute-injection). The
 *   instance passes the agent's effective attributes (local, remote, `agent.*`) plus Fleet
 *   Management's `collector.*` names (`collector.ID`, and `collector.os`/`collector.version` when
 *   Alloy reported them). A pipeline that declares `argument "attributes"` itself gets no injection.
 *   Fleet Management's `argument.pipeline_exports` (export injection) is not provided.
 * - The content is inserted verbatim, not re-indented, so multi-line raw strings keep their text; a
 *   newline is added when it does not end with one, so a trailing `//` comment cannot swallow the `}`.
 * - The declare label is the pipeline name made an Alloy identifier (`-` and other characters become
 *   `_`, a leading digit gets a `p_` prefix). A declare label shadows every component whose name starts
 *   with it, in its own scope and every nested one: Alloy checks the first name fragment against the
 *   declares of the scope and its parents before the built-in components (grafana/alloy
 *   internal/runtime/internal/controller/component_node_manager.go, createComponentNode and
 *   isCustomComponent). So a pipeline named `prometheus` would turn every `prometheus.*` block of every
 *   pipeline into a use of itself. Labels that equal a component namespace (`prometheus`, `loki`, …),
 *   a stdlib name, a config block, a service or a keyword therefore get a `_pipeline` suffix; remaining
 *   clashes get `_2`, `_3`, ….
 * - With no pipeline the text is a single comment line, never empty: Alloy skips loading an empty
 *   response (parseAndLoad returns early on zero bytes) and would keep running the previous pipelines,
 *   while a comment-only config loads as an empty graph and stops them.
 */
import { createHash } from 'node:crypto';
import { createDefaultRegistry, stdlib } from '@foundry/engine';

/** One pipeline of the desired set (DesiredPipeline's fields). */
export interface AssemblyPipeline {
  pipelineId: string;
  name: string;
  version: number;
  /** sha256 of content. */
  hash: string;
  content: string;
}

/** A pipeline as placed in the assembled text. */
export interface AssembledPipeline {
  pipelineId: string;
  name: string;
  version: number;
  hash: string;
  /** Label of its `declare` block (and name of its instance's block). */
  label: string;
}

export interface AssembledConfig {
  /** The whole configuration text. */
  content: string;
  /** sha256 hex of content (UTF-8). */
  hash: string;
  pipelines: AssembledPipeline[];
}

/** Names a declare label must not take (besides the component namespaces of the registry). */
const FIXED_RESERVED = [
  // keywords and config blocks
  'true',
  'false',
  'null',
  'declare',
  'argument',
  'export',
  'import',
  'foreach',
  'logging',
  'tracing',
  // services
  'http',
  'cluster',
  'remotecfg',
  'livedebugging',
  'otel',
  'labelstore',
  'ui',
];

let defaultReserved: ReadonlySet<string> | undefined;

/**
 * Identifiers a declare label must avoid: the first name fragment of every component the engine
 * knows, the stdlib's top-level names, config blocks, services and keywords.
 */
export function reservedLabels(): ReadonlySet<string> {
  if (!defaultReserved) {
    const s = new Set<string>(FIXED_RESERVED);
    for (const reg of createDefaultRegistry().all()) s.add(reg.name.split('.')[0]!);
    for (const name of stdlib.keys()) s.add(name);
    defaultReserved = s;
  }
  return defaultReserved;
}

/** Declare labels for pipeline names, in order (see the module comment for the rules). */
export function declareLabels(
  names: readonly string[],
  reserved: ReadonlySet<string> = reservedLabels(),
): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let base = name.replace(/[^A-Za-z0-9_]/g, '_') || 'pipeline';
    if (/^[0-9]/.test(base)) base = `p_${base}`;
    if (reserved.has(base)) base = `${base}_pipeline`;
    let label = base;
    for (let n = 2; used.has(label) || reserved.has(label); n++) label = `${base}_${n}`;
    used.add(label);
    return label;
  });
}

/** An Alloy string literal (JSON's escapes are all valid Alloy escapes). */
function str(s: string): string {
  return JSON.stringify(s);
}

/** `{ "k" = "v", … }` with keys sorted and `=` aligned as `alloy fmt` does, at one tab of indent. */
function attributesLiteral(attrs: Readonly<Record<string, string>>): string {
  const keys = Object.keys(attrs).sort();
  if (!keys.length) return '{}';
  const width = Math.max(...keys.map((k) => str(k).length));
  const lines = keys.map((k) => `\t\t${str(k).padEnd(width)} = ${str(attrs[k]!)},`);
  return `{\n${lines.join('\n')}\n\t}`;
}

/** Whether the content declares an `attributes` argument of its own. */
function declaresAttributesArgument(content: string): boolean {
  return /^\s*argument\s+"attributes"\s*\{/m.test(content);
}

/**
 * The configuration text for `pipelines` (in the given order) with `attributes` injected, and its hash.
 */
export function assembleConfig(
  pipelines: readonly AssemblyPipeline[],
  attributes: Readonly<Record<string, string>>,
  reserved: ReadonlySet<string> = reservedLabels(),
): AssembledConfig {
  const labels = declareLabels(
    pipelines.map((p) => p.name),
    reserved,
  );
  const count = pipelines.length === 1 ? '1 pipeline' : `${pipelines.length} pipelines`;
  const parts: string[] = [];
  if (!pipelines.length) {
    parts.push('// Remote configuration assembled by Foundry: no pipeline is assigned to this collector.\n');
  } else {
    parts.push(
      `// Remote configuration assembled by Foundry: ${count}. Replaced whole whenever it changes.\n`,
    );
  }
  const placed: AssembledPipeline[] = [];
  pipelines.forEach((p, i) => {
    const label = labels[i]!;
    const inject = !declaresAttributesArgument(p.content);
    const body = p.content.endsWith('\n') || p.content === '' ? p.content : `${p.content}\n`;
    parts.push(
      `\n// Pipeline ${str(p.name)} version ${p.version} (id ${p.pipelineId}, sha256 ${p.hash}).\n` +
        `declare ${str(label)} {\n` +
        (inject ? '\targument "attributes" {\n\t\toptional = true\n\t\tdefault  = {}\n\t}\n\n' : '') +
        body +
        '}\n\n' +
        (inject
          ? `${label} "default" {\n\tattributes = ${attributesLiteral(attributes)}\n}\n`
          : `${label} "default" { }\n`),
    );
    placed.push({ pipelineId: p.pipelineId, name: p.name, version: p.version, hash: p.hash, label });
  });
  const content = parts.join('');
  return { content, hash: createHash('sha256').update(content, 'utf8').digest('hex'), pipelines: placed };
}
