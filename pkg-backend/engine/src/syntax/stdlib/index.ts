/**
 * Alloy's standard library (`syntax/internal/stdlib`): the top-level identifiers an expression can use
 * when no scope variable matches, plus metadata for deprecated and experimental names.
 */
import { hostname } from 'node:os';
import { FuncValue, Num, Secret, type ObjectValue, type Value } from '../value.js';
import { coalesce, combineMaps, concat, groupBy } from './array.js';
import {
  decodeAny,
  decodeArg,
  decodeSecret,
  decodeString,
  decodeStringList,
  encodeGo,
  isZeroValue,
  type GoAny,
} from './convert.js';
import {
  base64Decode,
  base64Encode,
  bytesToString,
  parseYAML,
  queryEscape,
  queryUnescape,
} from './encoding.js';
import { ValueError } from './errors.js';
import { sprintf } from './gofmt.js';
import { marshalGoJSON, parseGoJSON } from './gojson.js';
import { jsonPath } from './jsonpath.js';
import { joinPath } from './path.js';
import * as str from './strings.js';

export * from './errors.js';

type Decoder<T> = (v: Value) => T;

/**
 * A Go function with typed parameters: checks the argument count ("expected N args, got M"), decodes
 * each argument (failures become ArgErrors) and wraps errors the function returns in a ValueError on
 * the function value (printed as `<callee> <message>`).
 */
function typedFunc<T extends unknown[]>(
  name: string,
  params: { [K in keyof T]: Decoder<T[K]> },
  impl: (...args: T) => Value,
): FuncValue {
  const fn: FuncValue = new FuncValue(name, (args) => {
    if (args.length !== params.length) {
      throw new ValueError(fn, `expected ${params.length} args, got ${args.length}`);
    }
    const decoded = params.map((d, i) => decodeArg(args, i, d)) as T;
    try {
      return impl(...decoded);
    } catch (e) {
      throw new ValueError(fn, e as Error);
    }
  });
  return fn;
}

/** A variadic Go function `f(fixed..., rest ...T)`. */
function variadicFunc<F, R>(
  name: string,
  fixed: Decoder<F>[],
  rest: Decoder<R>,
  impl: (fixed: F[], rest: R[]) => Value,
): FuncValue {
  const fn: FuncValue = new FuncValue(name, (args) => {
    if (args.length < fixed.length) {
      throw new ValueError(fn, `expected at least ${fixed.length} args, got ${args.length}`);
    }
    const f = fixed.map((d, i) => decodeArg(args, i, d));
    const r = args.slice(fixed.length).map((_, k) => decodeArg(args, fixed.length + k, rest));
    try {
      return impl(f, r);
    } catch (e) {
      throw new ValueError(fn, e as Error);
    }
  });
  return fn;
}

/** A raw function: receives Alloy values unconverted and reports its own errors. */
function rawFunc(name: string, impl: (args: Value[]) => Value): FuncValue {
  return new FuncValue(name, impl);
}

const S = decodeString;

function strFn(name: string, f: (s: string) => string): FuncValue {
  return typedFunc<[string]>(name, [S], f);
}

const env = typedFunc<[string]>('sys.env', [S], (name) => process.env[name] ?? '');
const nonsensitive = typedFunc<[string]>('convert.nonsensitive', [decodeSecret], (s) => s);
const concatFn = rawFunc('array.concat', concat);
const fromJSON = typedFunc<[string]>('encoding.from_json', [S], (s) => encodeGo(parseGoJSON(s)));
const fromYAML = typedFunc<[string]>('encoding.from_yaml', [S], (s) => encodeGo(parseYAML(s)));
const fromBase64 = typedFunc<[string]>('encoding.from_base64', [S], (s) => bytesToString(base64Decode(s)));
const format = variadicFunc<string, GoAny>('string.format', [S], decodeAny, ([f], rest) => sprintf(f!, rest));
const joinFn = typedFunc<[string[], string]>('string.join', [decodeStringList, S], str.join);
const replace = typedFunc<[string, string, string]>('string.replace', [S, S, S], str.replaceAll);
const splitFn = typedFunc<[string, string]>('string.split', [S, S], str.split);
const toLower = strFn('string.to_lower', str.toLower);
const toUpper = strFn('string.to_upper', str.toUpper);
const trim = typedFunc<[string, string]>('string.trim', [S, S], str.trim);
const trimPrefix = typedFunc<[string, string]>('string.trim_prefix', [S, S], str.trimPrefix);
const trimSuffix = typedFunc<[string, string]>('string.trim_suffix', [S, S], str.trimSuffix);
const trimSpace = strFn('string.trim_space', str.trimSpace);

const jsonEncode = typedFunc<[GoAny]>('encoding.to_json', [decodeAny], (v) => {
  if (!(v instanceof Map)) throw new Error('jsonEncode only supports map');
  return marshalGoJSON(v);
});

function obj(entries: Record<string, Value>): ObjectValue {
  return new Map(Object.entries(entries));
}

let buildVersion = 'v0.0.0';

/**
 * Normalizes a build version as Alloy does (blang/semver ParseTolerant): trims, drops a leading "v",
 * pads "1.2" to "1.2.0", and prefixes "v"; unparsable versions are returned unchanged, "" is "v0.0.0".
 */
export function normalizeVersion(version: string): string {
  version = version.trim();
  if (version === '') return 'v0.0.0';
  const parts = version.replace(/^v/, '').split('.');
  const head = parts.slice(0, 2);
  const rest = parts.slice(2).join('.');
  const fixed = (rest === '' && parts.length < 3 ? head : [...head, rest]).map((p) =>
    p.length > 1
      ? /^[0-9]/.test(p.replace(/^0+/, ''))
        ? p.replace(/^0+/, '')
        : '0' + p.replace(/^0+/, '')
      : p,
  );
  if (fixed.length < 3) {
    if (/[+-]/.test(fixed[fixed.length - 1]!)) return version;
    while (fixed.length < 3) fixed.push('0');
  }
  const s = fixed.join('.');
  const ident = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
  const re = new RegExp(
    `^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(?:-${ident}(?:\\.${ident})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
  );
  return re.test(s) ? 'v' + s : version;
}

const GOOS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le', mipsel: 'mipsle' };

const constants: ObjectValue = obj({
  hostname: safeHostname(),
  os: GOOS[process.platform] ?? process.platform,
  arch: GOARCH[process.arch] ?? process.arch,
  version: buildVersion,
});

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return '';
  }
}

/** The version `constants.version` shows (the agent's build version). */
export function getBuildVersion(): string {
  return buildVersion;
}

/** Sets the version shown by `constants.version` (normalized as Alloy does; "" gives "v0.0.0"). */
export function setBuildVersion(v: string): void {
  buildVersion = normalizeVersion(v);
  constants.set('version', buildVersion);
}

const stringNS = obj({
  format,
  join: joinFn,
  replace,
  split: splitFn,
  to_lower: toLower,
  to_upper: toUpper,
  trim,
  trim_prefix: trimPrefix,
  trim_suffix: trimSuffix,
  trim_space: trimSpace,
});

const encodingNS = obj({
  from_json: fromJSON,
  from_yaml: fromYAML,
  from_base64: fromBase64,
  from_URLbase64: typedFunc<[string]>('encoding.from_URLbase64', [S], (s) =>
    bytesToString(base64Decode(s, true)),
  ),
  to_json: jsonEncode,
  to_base64: typedFunc<[string]>('encoding.to_base64', [S], (s) => base64Encode(s)),
  to_URLbase64: typedFunc<[string]>('encoding.to_URLbase64', [S], (s) => base64Encode(s, true)),
  url_encode: typedFunc<[string]>('encoding.url_encode', [S], queryEscape),
  url_decode: typedFunc<[string]>('encoding.url_decode', [S], queryUnescape),
});

const DEPRECATED: Record<string, Value> = {
  env,
  nonsensitive,
  concat: concatFn,
  json_decode: fromJSON,
  yaml_decode: fromYAML,
  base64_decode: fromBase64,
  format,
  join: joinFn,
  replace,
  split: splitFn,
  to_lower: toLower,
  to_upper: toUpper,
  trim,
  trim_prefix: trimPrefix,
  trim_suffix: trimSuffix,
  trim_space: trimSpace,
};

const EXPERIMENTAL = new Set(['array.combine_maps', 'array.group_by']);

/** The stdlib's top-level identifiers (the fallback after every scope). */
export const stdlib: Map<string, Value> = new Map<string, Value>([
  ['constants', constants],
  ['coalesce', rawFunc('coalesce', (args) => coalesce(args, isZeroValue))],
  [
    'json_path',
    typedFunc<[string, string]>('json_path', [S, S], (json, path) => jsonPath(json, path).map(encodeGo)),
  ],
  ['sys', obj({ env })],
  ['convert', obj({ nonsensitive })],
  [
    'array',
    obj({
      concat: concatFn,
      combine_maps: rawFunc('array.combine_maps', combineMaps),
      group_by: rawFunc('array.group_by', groupBy),
    }),
  ],
  ['encoding', encodingNS],
  ['string', stringNS],
  [
    'file',
    obj({ path_join: variadicFunc<never, string>('file.path_join', [], S, (_, parts) => joinPath(parts)) }),
  ],
  ...Object.entries(DEPRECATED),
]);

/**
 * Metadata for a stdlib name: a top-level identifier (`env`) or a dotted path (`array.group_by`).
 * Undefined when the path does not name a stdlib value.
 */
export function stdlibInfo(
  path: string,
): { deprecated: boolean; stability: 'experimental' | 'generally-available' } | undefined {
  const parts = path.split('.');
  let cur: Value | undefined = stdlib.get(parts[0]!);
  for (const p of parts.slice(1)) cur = cur instanceof Map ? cur.get(p) : undefined;
  if (cur === undefined) return undefined;
  return {
    deprecated: parts.length === 1 && Object.hasOwn(DEPRECATED, parts[0]!),
    stability: EXPERIMENTAL.has(path) ? 'experimental' : 'generally-available',
  };
}

/** True when the top-level name is a stdlib identifier (components shadowing it get a warning). */
export function isStdlibIdentifier(name: string): boolean {
  return stdlib.has(name);
}

export { Num, Secret };
