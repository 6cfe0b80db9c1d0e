/**
 * Attribute actions (the collector's `internal/coreinternal/attraction`, Alloy's `action` blocks):
 * insert, update, upsert (from `value`, `from_attribute` or `from_context`), delete and hash (by `key`
 * and/or `pattern` over keys; hash is SHA-256 of the value's bytes as the collector now does), extract
 * (named groups of `pattern` become attributes), convert (`converted_type` int | double | string).
 * Actions run in order on one attribute map.
 */
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import type { AnyValue, KeyValue } from '../../../protocols/otlp/index.js';
import { t, type BlockSchema } from '../../../runtime/schema.js';
import type { ConsumeContext } from '../consumer.js';
import { asString, cloneValue, fromRaw, getAttr, lv, putAttr, removeAttrsIf, valueType } from './pdata.js';

export interface ActionArgs {
  key?: string;
  value?: unknown;
  pattern?: string;
  from_attribute?: string;
  from_context?: string;
  converted_type?: string;
  action: string;
}

export const actionSchema: BlockSchema = {
  attrs: {
    key: { type: t.string() },
    value: { type: t.any() },
    pattern: { type: t.string() },
    from_attribute: { type: t.string() },
    from_context: { type: t.string() },
    converted_type: { type: t.string() },
    action: { type: t.string(), required: true },
  },
};

/** Alloy's `AttrActionKeyValueSlice.Validate` (decode-time). */
export function validateActions(actions: ActionArgs[]): string | undefined {
  const errs: string[] = [];
  actions.forEach((a, i) => {
    const act = a.action.toLowerCase();
    if (act === 'delete' || act === 'hash') {
      if (!a.key && !a.pattern)
        errs.push(
          `validation failed for action block number ${i + 1}: the action ${a.action} requires at least the key argument or the pattern argument to be set`,
        );
    } else if (!a.key) {
      errs.push(
        `validation failed for action block number ${i + 1}: the action ${a.action} requires the key argument to be set`,
      );
    }
  });
  return errs.length ? errs.join('\n') : undefined;
}

interface Action {
  kind: 'insert' | 'update' | 'upsert' | 'delete' | 'hash' | 'extract' | 'convert';
  key: string;
  value?: AnyValue;
  fromAttribute?: string;
  fromContext?: string;
  regex?: RE2JS;
  names?: string[];
  convertedType?: string;
}

const compile = (pattern: string, i: number): RE2JS => {
  try {
    return RE2JS.compile(pattern);
  } catch {
    throw new Error(
      `error creating AttrProc. Field "pattern" has invalid pattern: "${pattern}" to be set at the ${i}-th actions`,
    );
  }
};

/** `NewAttrProc`: checks and compiles the actions. @throws Error with the collector's message */
export function compileActions(list: ActionArgs[]): Action[] {
  return list.map((a, i) => {
    const kind = a.action.toLowerCase();
    const key = a.key ?? '';
    const pattern = a.pattern ?? '';
    if (kind === 'delete' || kind === 'hash') {
      if (!key && !pattern)
        throw new Error(
          `error creating AttrProc due to missing required field (at least one of "key" and "pattern" have to be used) at the ${i}-th actions`,
        );
    } else if (!key)
      throw new Error(`error creating AttrProc due to missing required field "key" at the ${i}-th actions`);
    const sources =
      (a.value !== undefined && a.value !== null ? 1 : 0) +
      (a.from_attribute ? 1 : 0) +
      (a.from_context ? 1 : 0);
    const ct = a.converted_type ?? '';
    const noConverted = () => {
      if (ct)
        throw new Error(
          `error creating AttrProc. Action "${kind}" does not use the "converted_type" field. This must not be specified for ${i}-th action`,
        );
    };
    switch (kind) {
      case 'insert':
      case 'update':
      case 'upsert':
        if (sources === 0)
          throw new Error(
            `error creating AttrProc. Either field "value", "from_attribute" or "from_context" setting must be specified for ${i}-th action`,
          );
        if (sources > 1)
          throw new Error(
            `error creating AttrProc due to multiple value sources being set at the ${i}-th actions`,
          );
        if (pattern)
          throw new Error(
            `error creating AttrProc. Action "${kind}" does not use the "pattern" field. This must not be specified for ${i}-th action`,
          );
        noConverted();
        return {
          kind,
          key,
          value: a.value !== undefined && a.value !== null ? fromRaw(a.value) : undefined,
          fromAttribute: a.from_attribute || undefined,
          fromContext: a.from_context || undefined,
        };
      case 'hash':
      case 'delete':
        if ((a.value !== undefined && a.value !== null) || a.from_attribute)
          throw new Error(
            `error creating AttrProc. Action "${kind}" does not use "value" or "from_attribute" field. These must not be specified for ${i}-th action`,
          );
        noConverted();
        return { kind, key, regex: pattern ? compile(pattern, i) : undefined };
      case 'extract': {
        if (sources > 0)
          throw new Error(
            `error creating AttrProc. Action "${kind}" does not use a value source field. These must not be specified for ${i}-th action`,
          );
        if (!pattern)
          throw new Error(
            `error creating AttrProc due to missing required field "pattern" for action "${kind}" at the ${i}-th action`,
          );
        noConverted();
        const regex = compile(pattern, i);
        const count = regex.groupCount();
        if (count < 1)
          throw new Error(
            `error creating AttrProc. Field "pattern" contains no named matcher groups at the ${i}-th actions`,
          );
        const byIndex = new Map(Object.entries(regex.namedGroups()).map(([n, idx]) => [idx, n]));
        const names: string[] = [''];
        for (let g = 1; g <= count; g++) {
          const n = byIndex.get(g);
          if (!n)
            throw new Error(
              `error creating AttrProc. Field "pattern" contains at least one unnamed matcher group at the ${i}-th actions`,
            );
          names.push(n);
        }
        return { kind, key, regex, names };
      }
      case 'convert':
        if (sources > 0 || pattern)
          throw new Error(
            `error creating AttrProc. Action "${kind}" does not use value sources or "pattern" field. These must not be specified for ${i}-th action`,
          );
        if (ct === '')
          throw new Error(
            `error creating AttrProc due to missing required field "converted_type" for action "${kind}" at the ${i}-th action`,
          );
        if (!['string', 'int', 'double'].includes(ct))
          throw new Error(
            `error creating AttrProc due to invalid value "${ct}" in field "converted_type" for action "${kind}" at the ${i}-th action`,
          );
        return { kind, key, convertedType: ct };
      default:
        throw new Error(`error creating AttrProc due to unsupported action "${kind}" at the ${i}-th actions`);
    }
  });
}

/** The collector's SHA-256 hasher: the value's bytes (string UTF-8, int/double 8 bytes LE, bool 1 byte). */
export function hashValue(v: AnyValue): AnyValue {
  const x = lv(v)!;
  let bytes: Buffer | undefined;
  switch (valueType(v)) {
    case 'str':
      bytes = Buffer.from(x.stringValue!, 'utf8');
      break;
    case 'bool':
      bytes = Buffer.from([x.boolValue ? 1 : 0]);
      break;
    case 'int':
      bytes = Buffer.alloc(8);
      bytes.writeBigUInt64LE(BigInt.asUintN(64, x.intValue!));
      break;
    case 'double':
      bytes = Buffer.alloc(8);
      bytes.writeDoubleLE(x.doubleValue!);
      break;
  }
  return { stringValue: bytes && bytes.length ? createHash('sha256').update(bytes).digest('hex') : '' };
}

function convertValue(v: AnyValue, to: string): AnyValue {
  const x = lv(v)!;
  const type = valueType(v);
  switch (to) {
    case 'string':
      return type === 'str' ? v : { stringValue: asString(v) };
    case 'int':
      switch (type) {
        case 'double': {
          const d = x.doubleValue!;
          return Number.isFinite(d) ? { intValue: BigInt(Math.trunc(d)) } : v;
        }
        case 'bool':
          return { intValue: x.boolValue ? 1n : 0n };
        case 'str':
          return /^[+-]?\d+$/.test(x.stringValue!)
            ? { intValue: BigInt.asIntN(64, BigInt(x.stringValue!)) }
            : v;
        default:
          return v;
      }
    case 'double':
      switch (type) {
        case 'int':
          return { doubleValue: Number(x.intValue!) };
        case 'bool':
          return { doubleValue: x.boolValue ? 1 : 0 };
        case 'str': {
          const s = x.stringValue!;
          const n = Number(s);
          return s.trim() === s && s !== '' && !Number.isNaN(n) ? { doubleValue: n } : v;
        }
        default:
          return v;
      }
  }
  return v;
}

function fromContext(ctx: ConsumeContext | undefined, key: string): AnyValue | undefined {
  let vals: readonly string[] | undefined;
  if (key === 'client.address') return undefined;
  if (key.startsWith('metadata.')) vals = ctx?.metadata?.[key.slice(9).toLowerCase()];
  else if (key.startsWith('auth.')) {
    const a = ctx?.auth?.[key.slice(5)];
    return a === undefined ? undefined : { stringValue: a };
  } else vals = ctx?.metadata?.[key.toLowerCase()];
  if (!vals || vals.length === 0) return undefined;
  return { stringValue: vals.join(';') };
}

/** `AttrProc.Process` on one attribute map (in place). */
export function processAttributes(actions: Action[], attrs: KeyValue[], ctx?: ConsumeContext): void {
  for (const a of actions) {
    switch (a.kind) {
      case 'delete':
        removeAttrsIf(attrs, (kv) => kv.key === a.key || (a.regex !== undefined && a.regex.test(kv.key)));
        break;
      case 'insert':
      case 'update':
      case 'upsert': {
        const src =
          a.value ?? (a.fromContext ? fromContext(ctx, a.fromContext) : getAttr(attrs, a.fromAttribute!));
        if (src === undefined) break;
        const exists = getAttr(attrs, a.key) !== undefined;
        if ((a.kind === 'insert' && exists) || (a.kind === 'update' && !exists)) break;
        putAttr(attrs, a.key, cloneValue(src));
        break;
      }
      case 'hash':
        for (const kv of attrs)
          if (kv.key === a.key || (a.regex !== undefined && a.regex.test(kv.key)))
            kv.value = hashValue(kv.value);
        break;
      case 'extract': {
        const v = getAttr(attrs, a.key);
        if (!v || valueType(v) !== 'str') break;
        const m = a.regex!.matcher(lv(v)!.stringValue!);
        if (!m.find()) break;
        for (let g = 1; g < a.names!.length; g++)
          putAttr(attrs, a.names![g]!, { stringValue: m.group(g) ?? '' });
        break;
      }
      case 'convert': {
        const idx = attrs.findIndex((kv) => kv.key === a.key);
        if (idx >= 0) attrs[idx] = { key: a.key, value: convertValue(attrs[idx]!.value, a.convertedType!) };
        break;
      }
    }
  }
}

export type CompiledActions = ReturnType<typeof compileActions>;
