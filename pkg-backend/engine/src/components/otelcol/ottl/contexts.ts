/**
 * OTTL contexts and their paths (the collector's `pkg/ottl/contexts/ottl*`): `resource`, `scope`
 * (`instrumentation_scope`), `span`, `spanevent`, `metric`, `datapoint`, `log`.
 *
 * A path may start with the name of its own or of a higher context (`span.name` in the span context,
 * `resource.attributes["k"]` anywhere below the resource, `metric.name` in the datapoint context,
 * `instrumentation_scope.name`); otherwise it is read in the statement's context. `cache` / `cache["k"]` is
 * a map that lives for the processing of one item.
 *
 * Attribute-like maps (`attributes`, `metadata`, `cache`, a map `body`) are live `OttlMap`s; keyed access
 * (`attributes["a"]["b"]`, `[0]` into lists) reads nil for a missing key and creates nested maps on set.
 */
import type {
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  InstrumentationScope,
  KeyValue,
  LogRecord,
  Metric,
  NumberDataPoint,
  Resource,
  Span,
  SpanEvent,
  SummaryDataPoint,
  AnyValue,
} from '../../../protocols/otlp/index.js';
import {
  asString,
  attrIndex,
  getAttr,
  idHex,
  lv,
  putAttr,
  SPAN_KIND_NAMES,
  SPAN_KIND_STR,
} from '../internal/pdata.js';
import type { FieldNode, PathNode } from './parser.js';
import { fromAnyValue, OttlList, OttlMap, toAnyValue, typeName, type OttlValue } from './values.js';

export type ContextName = 'resource' | 'scope' | 'span' | 'spanevent' | 'metric' | 'datapoint' | 'log';

export type DataPoint =
  NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint;

/** The item being processed and everything above it. */
export interface TransformContext {
  resource: Resource;
  scope: InstrumentationScope;
  span?: Span;
  spanEvent?: SpanEvent;
  metric?: Metric;
  dataPoint?: DataPoint;
  log?: LogRecord;
  cache: KeyValue[];
}

/** A runtime error of a statement or condition (handled per `error_mode`). */
export class OttlRuntimeError extends Error {}

/** A path or argument problem found while compiling (a configuration error). */
export class OttlCompileError extends Error {}

export type KeyEval = (tc: TransformContext) => string | bigint;

export interface Accessor {
  get(tc: TransformContext): OttlValue;
  set?(tc: TransformContext, v: OttlValue): void;
}

const CONTEXT_DISPLAY: Record<ContextName, [string, string]> = {
  resource: ['Resource', 'ottlresource'],
  scope: ['Instrumentation Scope', 'ottlscope'],
  span: ['Span', 'ottlspan'],
  spanevent: ['SpanEvent', 'ottlspanevent'],
  metric: ['Metric', 'ottlmetric'],
  datapoint: ['DataPoint', 'ottldatapoint'],
  log: ['Log', 'ottllog'],
};

/** Contexts whose paths a statement in `ctx` may use (itself and the ones above it). */
export const HIGHER: Record<ContextName, ContextName[]> = {
  resource: ['resource'],
  scope: ['scope', 'resource'],
  span: ['span', 'scope', 'resource'],
  spanevent: ['spanevent', 'span', 'scope', 'resource'],
  metric: ['metric', 'scope', 'resource'],
  datapoint: ['datapoint', 'metric', 'scope', 'resource'],
  log: ['log', 'scope', 'resource'],
};

/** The context a path prefix names, if any. */
export function prefixContext(name: string): ContextName | undefined {
  if (name === 'instrumentation_scope') return 'scope';
  if (['resource', 'scope', 'span', 'spanevent', 'metric', 'datapoint', 'log'].includes(name))
    return name as ContextName;
  return undefined;
}

function invalidPath(seg: string, path: string, ctx: ContextName): OttlCompileError {
  const [display, pkg] = CONTEXT_DISPLAY[ctx];
  return new OttlCompileError(
    `segment "${seg}" from path "${path}" is not a valid path nor a valid OTTL keyword for the ${display} context - review https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/pkg/ottl/contexts/${pkg} to see all valid paths`,
  );
}

function expect<T>(
  v: OttlValue,
  kind: 'string' | 'int' | 'float' | 'bool' | 'bytes',
  ok: (v: OttlValue) => v is OttlValue & T,
): T {
  if (!ok(v)) {
    const want = { string: 'string', int: 'int64', float: 'float64', bool: 'bool', bytes: '[]byte' }[kind];
    throw new OttlRuntimeError(`expected ${want} but got ${typeName(v)}`);
  }
  return v as T;
}
const isStr = (v: OttlValue): v is string => typeof v === 'string';
const isInt = (v: OttlValue): v is bigint => typeof v === 'bigint';
const isFloat = (v: OttlValue): v is number => typeof v === 'number';
const isBool = (v: OttlValue): v is boolean => typeof v === 'boolean';
const isBytes = (v: OttlValue): v is Uint8Array => v instanceof Uint8Array;

const setStr = (v: OttlValue) => expect<string>(v, 'string', isStr);
const setInt = (v: OttlValue) => expect<bigint>(v, 'int', isInt);
const setFloat = (v: OttlValue) => expect<number>(v, 'float', isFloat);
const setBool = (v: OttlValue) => expect<boolean>(v, 'bool', isBool);

/** A path that takes no keys and no further segment. */
function leaf(f: FieldNode, rest: FieldNode[], path: string, ctx: ContextName, acc: Accessor): Accessor {
  if (rest.length) throw invalidPath(rest[0]!.name, path, ctx);
  if (f.keys.length)
    throw new OttlCompileError(`cannot index path "${path}": ${f.name} does not support keys`);
  return acc;
}

/** Replaces every entry of a map with `v`'s (`SetMap`). */
function setWholeMap(kvs: KeyValue[], v: OttlValue): void {
  if (v instanceof OttlMap) {
    const copy = (toAnyValue(v) as { kvlistValue: { values: KeyValue[] } }).kvlistValue.values;
    kvs.length = 0;
    kvs.push(...copy);
    return;
  }
  if (v instanceof Map) {
    kvs.length = 0;
    for (const [k, x] of v) kvs.push({ key: k, value: toAnyValue(x) });
    return;
  }
  throw new OttlRuntimeError(`expected pcommon.Map but got ${typeName(v)}`);
}

/** A map path with optional keys (`attributes`, `attributes["a"][0]`). */
export function mapAccessor(getKvs: (tc: TransformContext) => KeyValue[], keys: KeyEval[]): Accessor {
  if (keys.length === 0) {
    return {
      get: (tc) => new OttlMap(getKvs(tc)),
      set: (tc, v) => setWholeMap(getKvs(tc), v),
    };
  }
  return {
    get: (tc) => {
      let cur: AnyValue | undefined;
      const k0 = keys[0]!(tc);
      if (typeof k0 !== 'string') throw new OttlRuntimeError('non-string indexing is not supported');
      cur = getAttr(getKvs(tc), k0);
      for (let i = 1; i < keys.length; i++) {
        if (cur === undefined) return null;
        cur = indexValue(cur, keys[i]!(tc));
      }
      return cur === undefined ? null : fromAnyValue(cur);
    },
    set: (tc, v) => {
      const k0 = keys[0]!(tc);
      if (typeof k0 !== 'string') throw new OttlRuntimeError('non-string indexing is not supported');
      const kvs = getKvs(tc);
      if (keys.length === 1) {
        putAttr(kvs, k0, toAnyValue(v));
        return;
      }
      let i0 = attrIndex(kvs, k0);
      if (
        i0 < 0 ||
        (lv(kvs[i0]!.value)?.kvlistValue === undefined && lv(kvs[i0]!.value)?.arrayValue === undefined)
      ) {
        putAttr(kvs, k0, { kvlistValue: { values: [] } });
        i0 = attrIndex(kvs, k0);
      }
      let container = kvs[i0]!.value;
      for (let i = 1; i < keys.length; i++) {
        const k = keys[i]!(tc);
        const c = lv(container)!;
        const last = i === keys.length - 1;
        if (typeof k === 'string') {
          if (!c.kvlistValue)
            throw new OttlRuntimeError(
              `type ${typeName(fromAnyValue(container))} does not support string indexing`,
            );
          if (last) {
            putAttr(c.kvlistValue.values, k, toAnyValue(v));
            return;
          }
          let next = getAttr(c.kvlistValue.values, k);
          if (!next || (!lv(next)!.kvlistValue && !lv(next)!.arrayValue)) {
            next = { kvlistValue: { values: [] } };
            putAttr(c.kvlistValue.values, k, next);
          }
          container = next;
        } else {
          if (!c.arrayValue)
            throw new OttlRuntimeError(
              `type ${typeName(fromAnyValue(container))} does not support int indexing`,
            );
          const idx = Number(k);
          if (idx < 0 || idx >= c.arrayValue.values.length)
            throw new OttlRuntimeError(`index ${idx} out of bounds`);
          if (last) {
            c.arrayValue.values[idx] = toAnyValue(v);
            return;
          }
          container = c.arrayValue.values[idx]!;
        }
      }
    },
  };
}

function indexValue(cur: AnyValue, k: string | bigint): AnyValue | undefined {
  const c = lv(cur)!;
  if (typeof k === 'string') {
    if (!c.kvlistValue)
      throw new OttlRuntimeError(`type, ${typeName(fromAnyValue(cur))}, does not support string indexing`);
    return getAttr(c.kvlistValue.values, k);
  }
  if (!c.arrayValue)
    throw new OttlRuntimeError(`type, ${typeName(fromAnyValue(cur))}, does not support int indexing`);
  const idx = Number(k);
  if (idx < 0 || idx >= c.arrayValue.values.length) throw new OttlRuntimeError(`index ${idx} out of bounds`);
  return c.arrayValue.values[idx];
}

function idAccessors(
  f: FieldNode,
  rest: FieldNode[],
  path: string,
  ctx: ContextName,
  size: number,
  get: (tc: TransformContext) => Uint8Array,
  set: (tc: TransformContext, id: Uint8Array) => void,
): Accessor {
  if (rest.length) {
    if (rest[0]!.name !== 'string' || rest.length > 1) throw invalidPath(rest[0]!.name, path, ctx);
    return {
      get: (tc) => idHex(get(tc), size),
      set: (tc, v) => {
        const s = setStr(v);
        if (!new RegExp(`^[0-9a-fA-F]{${size * 2}}$`).test(s)) throw new OttlRuntimeError(`invalid id: ${s}`);
        set(tc, Uint8Array.from(Buffer.from(s, 'hex')));
      },
    };
  }
  return leaf(f, rest, path, ctx, {
    get: (tc) => {
      const id = get(tc);
      return id.length ? id : new Uint8Array(size);
    },
    set: (tc, v) => {
      const b = expect<Uint8Array>(v, 'bytes', isBytes);
      if (b.length !== size) throw new OttlRuntimeError(`expected ${size} bytes but got ${b.length}`);
      set(tc, b.slice());
    },
  });
}

const u32 = (n: bigint) => Number(BigInt.asUintN(32, n));

type KeyCompiler = (f: FieldNode) => KeyEval[];

/** Resolves a path in a context. @throws OttlCompileError */
export function resolvePath(ctx: ContextName, path: PathNode, compileKeys: KeyCompiler): Accessor {
  let fields = path.fields;
  let target = ctx;
  const first = fields[0]!;
  if (first.name === 'cache') {
    return mapAccessor((tc) => tc.cache, compileKeys(first));
  }
  const pc = prefixContext(first.name);
  if (pc && fields.length > 1 && first.keys.length === 0 && HIGHER[ctx].includes(pc)) {
    target = pc;
    fields = fields.slice(1);
  } else if (pc && fields.length > 1 && first.keys.length === 0 && !HIGHER[ctx].includes(pc) && pc !== ctx) {
    throw new OttlCompileError(
      `context "${first.name}" from path "${path.text}" is not valid for the ${CONTEXT_DISPLAY[ctx][0]} context`,
    );
  }
  return resolveIn(target, fields, path.text, compileKeys);
}

function resolveIn(ctx: ContextName, fields: FieldNode[], path: string, compileKeys: KeyCompiler): Accessor {
  const f = fields[0]!;
  const rest = fields.slice(1);
  const keys = () => {
    if (rest.length) throw invalidPath(rest[0]!.name, path, ctx);
    return compileKeys(f);
  };
  switch (ctx) {
    case 'resource':
      switch (f.name) {
        case 'attributes':
          return mapAccessor((tc) => tc.resource.attributes, keys());
        case 'dropped_attributes_count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(tc.resource.droppedAttributesCount),
            set: (tc, v) => void (tc.resource.droppedAttributesCount = u32(setInt(v))),
          });
      }
      break;
    case 'scope':
      switch (f.name) {
        case 'attributes':
          return mapAccessor((tc) => tc.scope.attributes, keys());
        case 'name':
          return leaf(f, rest, path, ctx, {
            get: (tc) => tc.scope.name,
            set: (tc, v) => void (tc.scope.name = setStr(v)),
          });
        case 'version':
          return leaf(f, rest, path, ctx, {
            get: (tc) => tc.scope.version,
            set: (tc, v) => void (tc.scope.version = setStr(v)),
          });
        case 'dropped_attributes_count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(tc.scope.droppedAttributesCount),
            set: (tc, v) => void (tc.scope.droppedAttributesCount = u32(setInt(v))),
          });
      }
      break;
    case 'span': {
      const sp = (tc: TransformContext) => tc.span!;
      switch (f.name) {
        case 'trace_id':
          return idAccessors(
            f,
            rest,
            path,
            ctx,
            16,
            (tc) => sp(tc).traceId,
            (tc, id) => void (sp(tc).traceId = id),
          );
        case 'span_id':
          return idAccessors(
            f,
            rest,
            path,
            ctx,
            8,
            (tc) => sp(tc).spanId,
            (tc, id) => void (sp(tc).spanId = id),
          );
        case 'parent_span_id':
          return idAccessors(
            f,
            rest,
            path,
            ctx,
            8,
            (tc) => sp(tc).parentSpanId,
            (tc, id) => void (sp(tc).parentSpanId = id),
          );
        case 'trace_state':
          return leaf(f, rest, path, ctx, {
            get: (tc) => sp(tc).traceState,
            set: (tc, v) => void (sp(tc).traceState = setStr(v)),
          });
        case 'name':
          return leaf(f, rest, path, ctx, {
            get: (tc) => sp(tc).name,
            set: (tc, v) => void (sp(tc).name = setStr(v)),
          });
        case 'kind':
          if (rest.length === 1 && rest[0]!.name === 'string')
            return {
              get: (tc) => SPAN_KIND_NAMES[sp(tc).kind] ?? '',
              set: (tc, v) => {
                const i = SPAN_KIND_NAMES.indexOf(setStr(v));
                if (i < 0) throw new OttlRuntimeError(`unknown span kind string, ${String(v)}`);
                sp(tc).kind = i;
              },
            };
          if (rest.length === 1 && rest[0]!.name === 'deprecated_string')
            return {
              get: (tc) => SPAN_KIND_STR[sp(tc).kind] ?? SPAN_KIND_STR[0]!,
              set: (tc, v) => {
                const i = SPAN_KIND_STR.indexOf(setStr(v));
                if (i < 0) throw new OttlRuntimeError(`unknown span kind deprecated string, ${String(v)}`);
                sp(tc).kind = i;
              },
            };
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(sp(tc).kind),
            set: (tc, v) => void (sp(tc).kind = Number(setInt(v))),
          });
        case 'start_time_unix_nano':
          return leaf(f, rest, path, ctx, {
            get: (tc) => sp(tc).startTimeUnixNano,
            set: (tc, v) => void (sp(tc).startTimeUnixNano = setInt(v)),
          });
        case 'end_time_unix_nano':
          return leaf(f, rest, path, ctx, {
            get: (tc) => sp(tc).endTimeUnixNano,
            set: (tc, v) => void (sp(tc).endTimeUnixNano = setInt(v)),
          });
        case 'attributes':
          return mapAccessor((tc) => sp(tc).attributes, keys());
        case 'dropped_attributes_count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(sp(tc).droppedAttributesCount),
            set: (tc, v) => void (sp(tc).droppedAttributesCount = u32(setInt(v))),
          });
        case 'dropped_events_count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(sp(tc).droppedEventsCount),
            set: (tc, v) => void (sp(tc).droppedEventsCount = u32(setInt(v))),
          });
        case 'dropped_links_count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(sp(tc).droppedLinksCount),
            set: (tc, v) => void (sp(tc).droppedLinksCount = u32(setInt(v))),
          });
        case 'status': {
          const st = (tc: TransformContext) => (sp(tc).status ??= { code: 0, message: '' });
          if (rest.length === 1 && rest[0]!.name === 'code')
            return {
              get: (tc) => BigInt(st(tc).code),
              set: (tc, v) => void (st(tc).code = Number(setInt(v))),
            };
          if (rest.length === 1 && rest[0]!.name === 'message')
            return { get: (tc) => st(tc).message, set: (tc, v) => void (st(tc).message = setStr(v)) };
          if (rest.length) throw invalidPath(rest[0]!.name, path, ctx);
          break;
        }
        case 'flags':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(sp(tc).flags),
            set: (tc, v) => void (sp(tc).flags = u32(setInt(v))),
          });
      }
      break;
    }
    case 'spanevent': {
      const ev = (tc: TransformContext) => tc.spanEvent!;
      switch (f.name) {
        case 'name':
          return leaf(f, rest, path, ctx, {
            get: (tc) => ev(tc).name,
            set: (tc, v) => void (ev(tc).name = setStr(v)),
          });
        case 'time_unix_nano':
          return leaf(f, rest, path, ctx, {
            get: (tc) => ev(tc).timeUnixNano,
            set: (tc, v) => void (ev(tc).timeUnixNano = setInt(v)),
          });
        case 'attributes':
          return mapAccessor((tc) => ev(tc).attributes, keys());
        case 'dropped_attributes_count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(ev(tc).droppedAttributesCount),
            set: (tc, v) => void (ev(tc).droppedAttributesCount = u32(setInt(v))),
          });
      }
      break;
    }
    case 'metric': {
      const m = (tc: TransformContext) => tc.metric!;
      switch (f.name) {
        case 'name':
          return leaf(f, rest, path, ctx, {
            get: (tc) => m(tc).name,
            set: (tc, v) => void (m(tc).name = setStr(v)),
          });
        case 'description':
          return leaf(f, rest, path, ctx, {
            get: (tc) => m(tc).description,
            set: (tc, v) => void (m(tc).description = setStr(v)),
          });
        case 'unit':
          return leaf(f, rest, path, ctx, {
            get: (tc) => m(tc).unit,
            set: (tc, v) => void (m(tc).unit = setStr(v)),
          });
        case 'type':
          return leaf(f, rest, path, ctx, { get: (tc) => BigInt(metricTypeNumber(m(tc))) });
        case 'aggregation_temporality':
          return leaf(f, rest, path, ctx, {
            get: (tc) => {
              const x = m(tc);
              return BigInt((x.sum ?? x.histogram ?? x.exponentialHistogram)?.aggregationTemporality ?? 0);
            },
            set: (tc, v) => {
              const x = m(tc);
              const d = x.sum ?? x.histogram ?? x.exponentialHistogram;
              if (d) d.aggregationTemporality = Number(setInt(v));
            },
          });
        case 'is_monotonic':
          return leaf(f, rest, path, ctx, {
            get: (tc) => m(tc).sum?.isMonotonic ?? false,
            set: (tc, v) => {
              const s = m(tc).sum;
              if (s) s.isMonotonic = setBool(v);
            },
          });
        case 'metadata':
          return mapAccessor((tc) => m(tc).metadata, keys());
      }
      break;
    }
    case 'datapoint': {
      const dp = (tc: TransformContext) =>
        tc.dataPoint as DataPoint & Partial<NumberDataPoint & HistogramDataPoint>;
      switch (f.name) {
        case 'attributes':
          return mapAccessor((tc) => dp(tc).attributes, keys());
        case 'start_time_unix_nano':
          return leaf(f, rest, path, ctx, {
            get: (tc) => dp(tc).startTimeUnixNano,
            set: (tc, v) => void (dp(tc).startTimeUnixNano = setInt(v)),
          });
        case 'time_unix_nano':
          return leaf(f, rest, path, ctx, {
            get: (tc) => dp(tc).timeUnixNano,
            set: (tc, v) => void (dp(tc).timeUnixNano = setInt(v)),
          });
        case 'value_double':
          return leaf(f, rest, path, ctx, {
            get: (tc) => (dp(tc) as NumberDataPoint).asDouble ?? 0,
            set: (tc, v) => {
              const p = dp(tc) as NumberDataPoint;
              p.asDouble = setFloat(v);
              delete p.asInt;
            },
          });
        case 'value_int':
          return leaf(f, rest, path, ctx, {
            get: (tc) => (dp(tc) as NumberDataPoint).asInt ?? 0n,
            set: (tc, v) => {
              const p = dp(tc) as NumberDataPoint;
              p.asInt = setInt(v);
              delete p.asDouble;
            },
          });
        case 'flags':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(dp(tc).flags),
            set: (tc, v) => void (dp(tc).flags = u32(setInt(v))),
          });
        case 'count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt((dp(tc) as HistogramDataPoint).count ?? 0),
            set: (tc, v) => void ((dp(tc) as HistogramDataPoint).count = Number(setInt(v))),
          });
        case 'sum':
          return leaf(f, rest, path, ctx, {
            get: (tc) => (dp(tc) as HistogramDataPoint).sum ?? 0,
            set: (tc, v) => void ((dp(tc) as HistogramDataPoint).sum = setFloat(v)),
          });
        case 'bucket_counts':
          return leaf(f, rest, path, ctx, {
            get: (tc) => ((dp(tc) as HistogramDataPoint).bucketCounts ?? []).map((n) => BigInt(n)),
          });
        case 'explicit_bounds':
          return leaf(f, rest, path, ctx, {
            get: (tc) => [...((dp(tc) as HistogramDataPoint).explicitBounds ?? [])],
          });
        case 'scale':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt((dp(tc) as ExponentialHistogramDataPoint).scale ?? 0),
          });
        case 'zero_count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt((dp(tc) as ExponentialHistogramDataPoint).zeroCount ?? 0),
          });
      }
      break;
    }
    case 'log': {
      const lr = (tc: TransformContext) => tc.log!;
      switch (f.name) {
        case 'time_unix_nano':
          return leaf(f, rest, path, ctx, {
            get: (tc) => lr(tc).timeUnixNano,
            set: (tc, v) => void (lr(tc).timeUnixNano = setInt(v)),
          });
        case 'observed_time_unix_nano':
          return leaf(f, rest, path, ctx, {
            get: (tc) => lr(tc).observedTimeUnixNano,
            set: (tc, v) => void (lr(tc).observedTimeUnixNano = setInt(v)),
          });
        case 'severity_number':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(lr(tc).severityNumber),
            set: (tc, v) => void (lr(tc).severityNumber = Number(setInt(v))),
          });
        case 'severity_text':
          return leaf(f, rest, path, ctx, {
            get: (tc) => lr(tc).severityText,
            set: (tc, v) => void (lr(tc).severityText = setStr(v)),
          });
        case 'event_name':
          return leaf(f, rest, path, ctx, {
            get: (tc) => lr(tc).eventName,
            set: (tc, v) => void (lr(tc).eventName = setStr(v)),
          });
        case 'body': {
          if (rest.length === 1 && rest[0]!.name === 'string')
            return {
              get: (tc) => asString(lr(tc).body),
              set: (tc, v) => void (lr(tc).body = { stringValue: setStr(v) }),
            };
          if (rest.length) throw invalidPath(rest[0]!.name, path, ctx);
          const ks = compileKeys(f);
          if (ks.length === 0)
            return {
              get: (tc) => fromAnyValue(lr(tc).body),
              set: (tc, v) => void (lr(tc).body = toAnyValue(v)),
            };
          // body["k"]…: keyed access into a map body.
          const inner = mapAccessor((tc) => {
            const b = lv(lr(tc).body);
            if (!b?.kvlistValue) throw new OttlRuntimeError(`body is not a map`);
            return b.kvlistValue.values;
          }, ks);
          return inner;
        }
        case 'attributes':
          return mapAccessor((tc) => lr(tc).attributes, keys());
        case 'dropped_attributes_count':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(lr(tc).droppedAttributesCount),
            set: (tc, v) => void (lr(tc).droppedAttributesCount = u32(setInt(v))),
          });
        case 'flags':
          return leaf(f, rest, path, ctx, {
            get: (tc) => BigInt(lr(tc).flags),
            set: (tc, v) => void (lr(tc).flags = u32(setInt(v))),
          });
        case 'trace_id':
          return idAccessors(
            f,
            rest,
            path,
            ctx,
            16,
            (tc) => lr(tc).traceId,
            (tc, id) => void (lr(tc).traceId = id),
          );
        case 'span_id':
          return idAccessors(
            f,
            rest,
            path,
            ctx,
            8,
            (tc) => lr(tc).spanId,
            (tc, id) => void (lr(tc).spanId = id),
          );
      }
      break;
    }
  }
  throw invalidPath(f.name, path, ctx);
}

export function metricTypeNumber(m: Metric): number {
  if (m.gauge) return 1;
  if (m.sum) return 2;
  if (m.histogram) return 3;
  if (m.exponentialHistogram) return 4;
  if (m.summary) return 5;
  return 0;
}

const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** Enum symbols (all contexts share one table here). */
export const ENUMS: Record<string, bigint> = {
  SPAN_KIND_UNSPECIFIED: 0n,
  SPAN_KIND_INTERNAL: 1n,
  SPAN_KIND_SERVER: 2n,
  SPAN_KIND_CLIENT: 3n,
  SPAN_KIND_PRODUCER: 4n,
  SPAN_KIND_CONSUMER: 5n,
  STATUS_CODE_UNSET: 0n,
  STATUS_CODE_OK: 1n,
  STATUS_CODE_ERROR: 2n,
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0n,
  AGGREGATION_TEMPORALITY_DELTA: 1n,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2n,
  FLAG_NONE: 0n,
  FLAG_NO_RECORDED_VALUE: 1n,
  METRIC_DATA_TYPE_NONE: 0n,
  METRIC_DATA_TYPE_GAUGE: 1n,
  METRIC_DATA_TYPE_SUM: 2n,
  METRIC_DATA_TYPE_HISTOGRAM: 3n,
  METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM: 4n,
  METRIC_DATA_TYPE_SUMMARY: 5n,
  SEVERITY_NUMBER_UNSPECIFIED: 0n,
  ...Object.fromEntries(
    SEVERITY_NAMES.flatMap((n, i) =>
      [0, 1, 2, 3].map((j) => [`SEVERITY_NUMBER_${n}${j ? j + 1 : ''}`, BigInt(i * 4 + j + 1)]),
    ),
  ),
};

export { OttlList };
