/**
 * The `stage.*` enum members of loki.process (Alloy 1.18 `internal/component/loki/process/stages`
 * StageConfig, and `metric/` for `stage.metrics`). Defaults are those of the stages' SetToDefault methods,
 * plus the documented defaults Alloy fills in when it builds a stage from an empty value (marked "build").
 * Checks are those Alloy runs while decoding (Validate methods and text unmarshalers); the checks Alloy
 * runs later, when it builds the pipeline (regex compilation, LogQL selectors, …), are left to the runtime.
 *
 * `map[string]*string` values (labels, static_labels, structured_metadata) accept strings and null, so they
 * decode as `map(any)`. Byte sizes (`units.Base2Bytes`) are kept as strings ("1KiB").
 */
import type { BlockSchema } from '../../../runtime/schema.js';
import { t } from '../../../runtime/schema.js';
import { goFloatF, isValidLabelName, isValidLegacyLabelName } from '../../common/validation.js';
import { parseGoTemplate } from '../process/gotemplate.js';

const SOURCE_TYPES = ['line', 'label', 'structured_metadata', 'extracted'];

function checkSourceType(v: string | undefined): string | undefined {
  return v === undefined || SOURCE_TYPES.includes(v) ? undefined : `unknown source_type: ${v}`;
}

const cri: BlockSchema = {
  attrs: {
    max_partial_lines: { type: t.int(), default: 100 },
    max_partial_line_size: { type: t.int(), default: 0 },
    max_partial_line_size_truncate: { type: t.bool(), default: false },
  },
  validate: (a) => (a.max_partial_lines <= 0 ? 'max_partial_lines must be greater than 0' : undefined),
};

const decolorize: BlockSchema = {};
const docker: BlockSchema = {};

const drop: BlockSchema = {
  attrs: {
    drop_counter_reason: { type: t.string(), default: 'drop_stage' }, // build
    source: { type: t.string() },
    value: { type: t.string() },
    separator: { type: t.string(), default: ';' }, // build
    expression: { type: t.string() },
    older_than: { type: t.duration() },
    longer_than: { type: t.string() },
  },
};

const eventlogmessage: BlockSchema = {
  attrs: {
    source: { type: t.string(), default: 'message' },
    drop_invalid_labels: { type: t.bool() },
    overwrite_existing: { type: t.bool() },
  },
  validate: (a) => (isValidLegacyLabelName(a.source) ? undefined : `invalid label name: ${a.source}`),
};

const geoip: BlockSchema = {
  attrs: {
    db: { type: t.string(), required: true },
    source: { type: t.string(), required: true },
    db_type: { type: t.string() },
    custom_lookups: { type: t.map(t.string()) },
  },
};

const json: BlockSchema = {
  attrs: {
    expressions: { type: t.map(t.string()) },
    regex: { type: t.string() },
    source: { type: t.string() },
    drop_malformed: { type: t.bool() },
  },
};

const labelDrop: BlockSchema = { attrs: { values: { type: t.list(t.string()), required: true } } };
const labelKeep: BlockSchema = { attrs: { values: { type: t.list(t.string()), required: true } } };

const labels: BlockSchema = {
  attrs: {
    values: { type: t.map(t.any()), required: true },
    source_type: { type: t.string(), default: 'extracted' }, // build
  },
  validate: (a) => checkSourceType(a.source_type),
};

const limit: BlockSchema = {
  attrs: {
    rate: { type: t.number(), required: true },
    burst: { type: t.int(), required: true },
    drop: { type: t.bool() },
    by_label_name: { type: t.string() },
    max_distinct_labels: { type: t.int(), default: 10_000 }, // build
  },
};

const logfmt: BlockSchema = {
  attrs: {
    mapping: { type: t.map(t.string()) },
    source: { type: t.string() },
    regex: { type: t.string() },
  },
};

const luhn: BlockSchema = {
  attrs: {
    replacement: { type: t.string(), default: '**REDACTED**' }, // build
    source: { type: t.string() },
    min_length: { type: t.int(), default: 13 }, // build
    delimiters: { type: t.string() },
    skip_regex: { type: t.string() },
  },
};

/** Fields shared by metric.counter / metric.gauge / metric.histogram. */
const metricCommon = {
  name: { type: t.string(), required: true },
  description: { type: t.string() },
  source: { type: t.string() },
  prefix: { type: t.string(), default: 'loki_process_custom_' }, // build
  max_idle_duration: { type: t.duration(), default: 300_000 },
  value: { type: t.string() },
};

/** Go Validate of the metric configs also defaults `source` to the metric name. */
function checkMetricCommon(a: Record<string, any>): string | undefined {
  if (a.max_idle_duration < 1000) return 'max_idle_duration must be greater or equal than 1s';
  if (!a.source) a.source = a.name;
  return undefined;
}

const metricCounter: BlockSchema = {
  attrs: {
    ...metricCommon,
    action: { type: t.string(), required: true },
    match_all: { type: t.bool() },
    count_entry_bytes: { type: t.bool() },
  },
  validate: (a) => {
    const err = checkMetricCommon(a);
    if (err) return err;
    if (a.action !== 'inc' && a.action !== 'add')
      return "the 'action' counter field must be either 'inc' or 'add'";
    if (a.match_all && a.value)
      return "a 'counter' metric supports either 'match_all' or a 'value', but not both";
    if (a.count_entry_bytes && (!a.match_all || a.action !== 'add')) {
      return "the 'count_entry_bytes' counter field must be specified along with match_all set to true or action set to 'add'";
    }
    return undefined;
  },
};

const metricGauge: BlockSchema = {
  attrs: { ...metricCommon, action: { type: t.string(), required: true } },
  validate: (a) => {
    const err = checkMetricCommon(a);
    if (err) return err;
    if (!['set', 'inc', 'dec', 'add', 'sub'].includes(a.action)) {
      return "the 'action' gauge field must be one of the following values: [set, inc, dec, add, sub]";
    }
    return undefined;
  },
};

const metricHistogram: BlockSchema = {
  attrs: { ...metricCommon, buckets: { type: t.list(t.number()), required: true } },
  validate: checkMetricCommon,
};

/** `stage.metrics`: ordered `metric.counter` / `metric.gauge` / `metric.histogram` blocks in `metric`. */
const metrics: BlockSchema = {
  enums: {
    metric: {
      field: 'metric',
      members: { counter: metricCounter, gauge: metricGauge, histogram: metricHistogram },
    },
  },
};

const multiline: BlockSchema = {
  attrs: {
    firstline: { type: t.string(), required: true },
    max_lines: { type: t.int(), default: 128 },
    max_wait_time: { type: t.duration(), default: 3_000 },
    trim_newlines: { type: t.bool(), default: true },
  },
  validate: (a) => (a.max_wait_time <= 0 ? 'max_wait_time must be greater than 0' : undefined),
};

const output: BlockSchema = { attrs: { source: { type: t.string(), required: true } } };

const pack: BlockSchema = {
  attrs: {
    labels: { type: t.list(t.string()), required: true },
    ingest_timestamp: { type: t.bool(), default: true },
  },
};

const pattern: BlockSchema = {
  attrs: {
    pattern: { type: t.string(), required: true },
    source: { type: t.string() },
    labels_from_groups: { type: t.bool() },
  },
};

const regex: BlockSchema = {
  attrs: {
    expression: { type: t.string(), required: true },
    source: { type: t.string() },
    labels_from_groups: { type: t.bool() },
  },
};

const replace: BlockSchema = {
  attrs: {
    expression: { type: t.string(), required: true },
    source: { type: t.string() },
    replace: { type: t.string() },
  },
};

const sampling: BlockSchema = {
  attrs: {
    drop_counter_reason: { type: t.string(), default: 'sampling_stage' },
    rate: { type: t.number(), required: true },
  },
  validate: (a) =>
    a.rate < 0 || a.rate > 1
      ? `sampling stage failed to parse rate,Sampling Rate must be between 0.0 and 1.0, received ${goFloatF(a.rate)}`
      : undefined,
};

const staticLabels: BlockSchema = { attrs: { values: { type: t.map(t.any()), required: true } } };

const structuredMetadata: BlockSchema = {
  attrs: {
    values: { type: t.map(t.any()) },
    regex: { type: t.string() },
  },
};

const structuredMetadataDrop: BlockSchema = {
  attrs: { values: { type: t.list(t.string()), required: true } },
};

const template: BlockSchema = {
  attrs: {
    source: { type: t.string(), required: true },
    template: { type: t.string(), required: true },
  },
  validate: (a) => {
    if (a.source === '') return 'template source value is required';
    // Alloy parses the template while decoding, so `validate` reports a broken one.
    try {
      parseGoTemplate(a.template);
    } catch (err) {
      return { message: (err as Error).message, attr: 'template' };
    }
    return undefined;
  },
};

const tenant: BlockSchema = {
  attrs: {
    label: { type: t.string() },
    source: { type: t.string() },
    value: { type: t.string() },
  },
};

const timestamp: BlockSchema = {
  attrs: {
    source: { type: t.string(), required: true },
    format: { type: t.string(), required: true },
    fallback_formats: { type: t.list(t.string()) },
    location: { type: t.string() },
    action_on_failure: { type: t.string(), default: 'fudge' }, // build
    action_on_duplicate_timestamp: { type: t.string(), default: 'fudge' }, // build
  },
};

const truncateRule: BlockSchema = {
  attrs: {
    limit: { type: t.string(), required: true },
    suffix: { type: t.string() },
    sources: { type: t.list(t.string()) },
    source_type: { type: t.string(), default: 'line' },
  },
  validate: (a) => {
    const bad = checkSourceType(a.source_type);
    if (bad) return bad;
    // Unparseable sizes are left to the runtime (Alloy reports the units parser's error while decoding).
    const limitBytes = parseBase2Bytes(a.limit);
    if (limitBytes !== undefined && limitBytes <= 0) return 'limit must be greater than zero';
    if (a.source_type === 'line' && (a.sources?.length ?? 0) > 0)
      return "sources cannot be set when source_type is 'line'";
    if (a.suffix && limitBytes !== undefined && limitBytes <= new TextEncoder().encode(a.suffix).length) {
      return 'suffix length cannot be greater than or equal to limit';
    }
    return undefined;
  },
};

const truncate: BlockSchema = { blocks: { rule: { schema: truncateRule, multiple: true, required: true } } };

const windowsevent: BlockSchema = {
  attrs: {
    source: { type: t.string(), default: 'message' },
    drop_invalid_labels: { type: t.bool() },
    overwrite_existing: { type: t.bool() },
  },
  validate: (a) => (isValidLabelName(a.source) ? undefined : `invalid label name: ${a.source}`),
};

const BASE2_UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  KiB: 1024,
  MB: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1024 ** 3,
  GiB: 1024 ** 3,
  TB: 1024 ** 4,
  TiB: 1024 ** 4,
  PB: 1024 ** 5,
  PiB: 1024 ** 5,
  EB: 1024 ** 6,
  EiB: 1024 ** 6,
};

/** `units.ParseBase2Bytes` for simple values ("512", "1KiB", "1MB"); undefined when unparseable. */
export function parseBase2Bytes(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(s);
  if (!m) return undefined;
  const mult = m[2] === '' ? 1 : BASE2_UNITS[m[2]!];
  return mult === undefined ? undefined : Number(m[1]) * mult;
}

/** Members of StageConfig (`stage.<name>` blocks), including `match`, whose nested stages use this table. */
export const stageMembers: Record<string, BlockSchema> = {
  cri,
  decolorize,
  docker,
  drop,
  eventlogmessage,
  geoip,
  json,
  label_keep: labelKeep,
  label_drop: labelDrop,
  labels,
  limit,
  logfmt,
  luhn,
  metrics,
  multiline,
  output,
  pack,
  pattern,
  regex,
  replace,
  static_labels: staticLabels,
  structured_metadata: structuredMetadata,
  structured_metadata_drop: structuredMetadataDrop,
  sampling,
  template,
  tenant,
  truncate,
  timestamp,
  windowsevent,
};

/** `stage.match`: nested `stage.*` blocks kept in order in `stage`. */
const match: BlockSchema = {
  attrs: {
    selector: { type: t.string(), required: true },
    action: { type: t.string(), default: 'keep' }, // build
    pipeline_name: { type: t.string() },
    drop_counter_reason: { type: t.string(), default: 'match_stage' }, // build
  },
  enums: { stage: { field: 'stage', members: stageMembers } },
};
stageMembers.match = match;

/** The `stage` enum of loki.process (`alloy:"stage,enum,optional"`). */
export const stageEnum = { stage: { field: 'stage', members: stageMembers } };
