/**
 * The collector's `include` / `exclude` matching (`internal/filter/filterconfig`, `filterspan`,
 * `filterlog`, `filtermetric`, `filtermatcher`) with Alloy's argument shapes (`otelcol/config_filter.go`).
 *
 * `match_type` is `strict` (equality) or `regexp` (Go regexp, unanchored). A span matches when every
 * given property matches: one of `services` (resource `service.name`), one of `span_names`, one of
 * `span_kinds` (`SPAN_KIND_SERVER`…), every `library` (name, and version when given), every `resource`
 * and every `attribute` (key present; value equal — or matching, for regexp — when given). Log records use
 * `log_bodies`, `log_severity_texts`, `log_severity { min match_undefined }` and the same properties.
 * Metrics match on `metric_names` only (as the collector's attributes processor). An item is skipped
 * when `include` is given and does not match, or `exclude` is given and matches.
 */
import { RE2JS } from 're2js';
import type {
  AnyValue,
  InstrumentationScope,
  KeyValue,
  LogRecord,
  Metric,
  Resource,
  Span,
} from '../../../protocols/otlp/index.js';
import { t, type BlockSchema } from '../../../runtime/schema.js';
import {
  asString,
  fromRaw,
  getAttr,
  lv,
  spanKindStr,
  valuesEqual,
  valueType,
  VALUE_TYPE_NAMES,
} from './pdata.js';
import { formatFloatF } from './promname.js';

export interface AttributeArg {
  key: string;
  value?: unknown;
}

export interface MatchPropertiesArgs {
  match_type: string;
  regexp?: { cache_enabled?: boolean; cache_max_num_entries?: number };
  services?: string[];
  span_names?: string[];
  log_bodies?: string[];
  log_severity_texts?: string[];
  log_severity?: { min: string; match_undefined: boolean };
  metric_names?: string[];
  attribute: AttributeArg[];
  resource: AttributeArg[];
  library: { name: string; version?: string }[];
  span_kinds?: string[];
}

const attributeSchema: BlockSchema = {
  attrs: { key: { type: t.string(), required: true }, value: { type: t.any() } },
};

export const matchPropertiesSchema: BlockSchema = {
  attrs: {
    match_type: { type: t.string(), required: true },
    services: { type: t.list(t.string()) },
    span_names: { type: t.list(t.string()) },
    log_bodies: { type: t.list(t.string()) },
    log_severity_texts: { type: t.list(t.string()) },
    metric_names: { type: t.list(t.string()) },
    span_kinds: { type: t.list(t.string()) },
  },
  blocks: {
    regexp: {
      schema: { attrs: { cache_enabled: { type: t.bool() }, cache_max_num_entries: { type: t.int() } } },
    },
    log_severity: {
      schema: {
        attrs: {
          min: { type: t.string(), required: true },
          match_undefined: { type: t.bool(), required: true },
        },
        validate: (a) =>
          SEVERITY_LEVELS[a.min] === undefined ? `unrecognized severity level "${a.min}"` : undefined,
      },
    },
    attribute: { schema: attributeSchema, multiple: true },
    resource: { schema: attributeSchema, multiple: true },
    library: {
      schema: { attrs: { name: { type: t.string(), required: true }, version: { type: t.string() } } },
      multiple: true,
    },
  },
};

export const SEVERITY_LEVELS: Record<string, number> = Object.fromEntries(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((l, i) =>
    [0, 1, 2, 3].map((j) => [j ? `${l}${j + 1}` : l, i * 4 + j + 1]),
  ),
);

const SPAN_KINDS = [
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_CONSUMER',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_SERVER',
];

/** A compiled string filter set (filterset.FilterSet). */
type FilterSet = (s: string) => boolean;

function filterSet(items: string[], matchType: string): FilterSet {
  if (matchType === 'strict') {
    const set = new Set(items);
    return (s) => set.has(s);
  }
  const res = items.map((p) => {
    try {
      return RE2JS.compile(p);
    } catch (e) {
      throw new Error(`error creating filter set: ${(e as Error).message}`);
    }
  });
  return (s) => res.some((re) => re.test(s));
}

function checkMatchType(mt: string): void {
  if (mt !== 'strict' && mt !== 'regexp')
    throw new Error(`unrecognized match_type: '${mt}', valid types are: [regexp strict]`);
}

type AttrMatcher = (attrs: readonly KeyValue[]) => boolean;

/** filtermatcher.NewAttributesMatcher / Match. */
function attributesMatcher(list: AttributeArg[], matchType: string): AttrMatcher | undefined {
  if (!list.length) return undefined;
  const entries = list.map((a) => {
    if (a.key === '') throw new Error("can't have empty key in the list of attributes");
    if (a.value === undefined || a.value === null) return { key: a.key };
    const v = fromRaw(a.value);
    if (matchType === 'regexp') {
      if (valueType(v) !== 'str')
        throw new Error(
          `match_type=regexp for "${a.key}" only supports Str, but found ${VALUE_TYPE_NAMES[valueType(v)]}`,
        );
      return { key: a.key, filter: filterSet([lv(v)!.stringValue!], matchType) };
    }
    return { key: a.key, value: v };
  });
  return (attrs) => {
    if (attrs.length === 0) return false;
    for (const e of entries) {
      const got = getAttr(attrs, e.key);
      if (got === undefined) return false;
      if ('filter' in e && e.filter) {
        const s = attributeStringValue(got);
        if (s === undefined || !e.filter(s)) return false;
      } else if ('value' in e && e.value !== undefined && !valuesEqual(e.value, got)) return false;
    }
    return true;
  };
}

function attributeStringValue(v: AnyValue): string | undefined {
  switch (valueType(v)) {
    case 'str':
    case 'bool':
    case 'int':
      return asString(v);
    case 'double':
      return formatFloatF(lv(v)!.doubleValue!);
    default:
      return undefined;
  }
}

interface PropertiesMatcher {
  (
    attrs: readonly KeyValue[],
    resource: Resource | undefined,
    scope: InstrumentationScope | undefined,
  ): boolean;
}

function propertiesMatcher(mp: MatchPropertiesArgs): PropertiesMatcher {
  const libs = mp.library.map((l) => ({
    name: filterSet([l.name], mp.match_type),
    version: l.version === undefined ? undefined : filterSet([l.version], mp.match_type),
  }));
  const attrs = attributesMatcher(mp.attribute, mp.match_type);
  const res = attributesMatcher(mp.resource, mp.match_type);
  return (a, resource, scope) => {
    for (const l of libs) {
      if (!l.name(scope?.name ?? '')) return false;
      if (l.version && !l.version(scope?.version ?? '')) return false;
    }
    if (res && !res(resource?.attributes ?? [])) return false;
    return attrs ? attrs(a) : true;
  };
}

export type SpanMatcher = (
  span: Span,
  resource: Resource | undefined,
  scope: InstrumentationScope | undefined,
) => boolean;
export type LogMatcher = (
  lr: LogRecord,
  resource: Resource | undefined,
  scope: InstrumentationScope | undefined,
) => boolean;
export type MetricMatcher = (m: Metric) => boolean;

function spanProps(mp: MatchPropertiesArgs): SpanMatcher {
  checkMatchType(mp.match_type);
  if (mp.log_bodies?.length) throw new Error('log_bodies should not be specified for trace spans');
  if (mp.log_severity_texts?.length)
    throw new Error('log_severity_texts should not be specified for trace spans');
  if (mp.log_severity) throw new Error('log_severity_number should not be specified for trace spans');
  if (
    !mp.services?.length &&
    !mp.span_names?.length &&
    !mp.attribute.length &&
    !mp.library.length &&
    !mp.resource.length &&
    !mp.span_kinds?.length
  )
    throw new Error('at least one of "attributes", "libraries",  or "resources" field must be specified');
  if (mp.span_kinds?.length && mp.match_type === 'strict') {
    for (const k of mp.span_kinds)
      if (!SPAN_KINDS.includes(k))
        throw new Error(
          `span_kinds string must match one of the standard span kinds when match_type=strict: [${SPAN_KINDS.join(' ')}]`,
        );
  }
  const services = mp.services?.length ? filterSet(mp.services, mp.match_type) : undefined;
  const names = mp.span_names?.length ? filterSet(mp.span_names, mp.match_type) : undefined;
  const kinds = mp.span_kinds?.length ? filterSet(mp.span_kinds, mp.match_type) : undefined;
  const props = propertiesMatcher(mp);
  return (span, resource, scope) => {
    if (services) {
      const svc = getAttr(resource?.attributes, 'service.name');
      if (!services(svc === undefined ? '<nil-service-name>' : asString(svc))) return false;
    }
    if (names && !names(span.name)) return false;
    if (kinds && !kinds(spanKindStr(span.kind))) return false;
    return props(span.attributes, resource, scope);
  };
}

function logProps(mp: MatchPropertiesArgs): LogMatcher {
  checkMatchType(mp.match_type);
  if (mp.span_names?.length || mp.services?.length || mp.span_kinds?.length)
    throw new Error('services, span_names, and span_kinds are not valid for log records');
  if (
    !mp.attribute.length &&
    !mp.library.length &&
    !mp.resource.length &&
    !mp.log_bodies?.length &&
    !mp.log_severity_texts?.length &&
    !mp.log_severity
  )
    throw new Error(
      'at least one of "attributes", "libraries", "span_kinds", "resources", "log_bodies", "log_severity_texts" or "log_severity_number" field must be specified',
    );
  const bodies = mp.log_bodies?.length ? filterSet(mp.log_bodies, mp.match_type) : undefined;
  const sevTexts = mp.log_severity_texts?.length
    ? filterSet(mp.log_severity_texts, mp.match_type)
    : undefined;
  const sev = mp.log_severity
    ? { min: SEVERITY_LEVELS[mp.log_severity.min]!, undef: mp.log_severity.match_undefined }
    : undefined;
  const props = propertiesMatcher(mp);
  return (lr, resource, scope) => {
    if (bodies && !bodies(asString(lr.body))) return false;
    if (sevTexts && !sevTexts(lr.severityText)) return false;
    if (sev) {
      if (lr.severityNumber === 0) {
        if (!sev.undef) return false;
      } else if (lr.severityNumber < sev.min) return false;
    }
    return props(lr.attributes, resource, scope);
  };
}

function metricProps(mp: MatchPropertiesArgs): MetricMatcher | undefined {
  checkMatchType(mp.match_type);
  if (!mp.metric_names?.length) return undefined;
  const names = filterSet(mp.metric_names, mp.match_type);
  return (m) => names(m.name);
}

export interface MatchConfigArgs {
  include?: MatchPropertiesArgs;
  exclude?: MatchPropertiesArgs;
}

/** Builds "skip" predicates (true: leave the item alone). @throws Error on an invalid configuration */
export function spanSkip(m: MatchConfigArgs): SpanMatcher | undefined {
  const inc = m.include ? spanProps(m.include) : undefined;
  const exc = m.exclude ? spanProps(m.exclude) : undefined;
  if (!inc && !exc) return undefined;
  return (s, r, sc) => (inc !== undefined && !inc(s, r, sc)) || (exc !== undefined && exc(s, r, sc));
}

export function logSkip(m: MatchConfigArgs): LogMatcher | undefined {
  const inc = m.include ? logProps(m.include) : undefined;
  const exc = m.exclude ? logProps(m.exclude) : undefined;
  if (!inc && !exc) return undefined;
  return (l, r, sc) => (inc !== undefined && !inc(l, r, sc)) || (exc !== undefined && exc(l, r, sc));
}

export function metricSkip(m: MatchConfigArgs): MetricMatcher | undefined {
  const inc = m.include ? metricProps(m.include) : undefined;
  const exc = m.exclude ? metricProps(m.exclude) : undefined;
  if (!inc && !exc) return undefined;
  return (x) => (inc !== undefined && !inc(x)) || (exc !== undefined && exc(x));
}
