/**
 * `otelcol.exporter.loki` (Alloy `internal/component/otelcol/exporter/loki`, converting with the
 * collector's `pkg/translator/loki` `LogToLokiEntry`): every log record becomes one Loki entry pushed to
 * `forward_to`.
 *
 * - Labels: `exporter="OTLP"`, `job` (`service.namespace/service.name`), `instance` (`service.instance.id`),
 *   the resource attributes named by the `loki.resource.labels` hint (on the resource or the record), the
 *   record attributes named by `loki.attribute.labels` (comma-separated string or list; nested map keys
 *   with dots), and `level` (from the severity number, added to the hint) — names go through
 *   `NormalizeLabel`. Promoted attributes and the hint attributes are removed from the line.
 * - Line: `loki.format` hint (resource first, then record): `json` (default: `{"body", "traceid", "spanid",
 *   "severity", "flags", "attributes", "resources", "instrumentation_scope"}` with Go's JSON encoding),
 *   `logfmt` (the body parsed as logfmt or `msg=…`, then `traceID`, `spanID`, `severity`, `flags`,
 *   `attribute_*`, `resource_*`, `instrumentation_scope_*`), or `raw` (the body as a string).
 * - Timestamp: the record's time, else its observed time, else now (nanoseconds, exact).
 *
 * Metrics (Alloy's names): `otelcol_exporter_loki_entries_total`, `…_failed`, `…_processed`.
 */
import { Counter } from 'prom-client';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import type {
  AnyValue,
  ExportLogsServiceRequest,
  InstrumentationScope,
  KeyValue,
  LogRecord,
} from '../../../protocols/otlp/index.js';
import {
  fanoutLogs,
  LOGS_RECEIVER,
  NO_METADATA,
  type LogEntry,
  type LogsReceiver,
} from '../../loki/entry.js';
import { labelsFromRecord } from '../../prometheus/labels.js';
import { decodeLogfmt } from '../../loki/process/stages/logfmt.js';
import { consumerExports } from '../../common/otelcol-schema.js';
import { consumerCapsule, type OtelConsumer } from '../consumer.js';
import { LogfmtBytes, marshalKeyvals, type LogfmtValue } from '../internal/logfmt.js';
import {
  asRaw,
  asString,
  attrIndex,
  getAttr,
  goJson,
  goJsonString,
  idHexOrEmpty,
  lv,
  mapAsRaw,
  nowUnixNano,
  putAttr,
  removeAttrsIf,
  valueType,
} from '../internal/pdata.js';
import { normalizeLabel } from '../internal/promname.js';

const HINT_ATTRIBUTES = 'loki.attribute.labels';
const HINT_RESOURCES = 'loki.resource.labels';
const HINT_TENANT = 'loki.tenant';
const HINT_FORMAT = 'loki.format';

const LEVELS = [
  'UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((l) => [l, l + '2', l + '3', l + '4']),
];

/** Thrown when a record cannot be converted (it is dropped and counted). */
export class LokiConvertError extends Error {}

/** `LogToLokiEntry`: the entry for one record (labels normalized). @throws LokiConvertError */
export function logToLokiEntry(
  lr: LogRecord,
  resourceAttrs: readonly KeyValue[],
  scope: InstrumentationScope | undefined,
): LogEntry {
  // Work on copies of the attribute lists: attributes are removed as they are promoted to labels.
  const logAttrs = lr.attributes.slice();
  const resAttrs = resourceAttrs.slice();
  if (lr.severityNumber !== 0) {
    const hint = getAttr(logAttrs, HINT_ATTRIBUTES);
    const h = lv(hint);
    if (h === undefined) putAttr(logAttrs, HINT_ATTRIBUTES, { stringValue: 'level' });
    else if (h.arrayValue)
      putAttr(logAttrs, HINT_ATTRIBUTES, {
        arrayValue: { values: [...h.arrayValue.values, { stringValue: 'level' }] },
      });
    else if (h.stringValue !== undefined)
      putAttr(logAttrs, HINT_ATTRIBUTES, { stringValue: `${asString(hint)},level` });
    if (attrIndex(logAttrs, 'level') < 0)
      putAttr(logAttrs, 'level', { stringValue: LEVELS[lr.severityNumber] ?? '' });
  }
  let format = 'json';
  const f = getAttr(resAttrs, HINT_FORMAT) ?? getAttr(logAttrs, HINT_FORMAT);
  if (f !== undefined) format = asString(f);

  const labels = new Map<string, string>([['exporter', 'OTLP']]);
  const name = getAttr(resAttrs, 'service.name');
  if (name !== undefined) {
    const ns = getAttr(resAttrs, 'service.namespace');
    labels.set('job', ns !== undefined ? `${asString(ns)}/${asString(name)}` : asString(name));
  }
  const inst = getAttr(resAttrs, 'service.instance.id');
  if (inst !== undefined) labels.set('instance', asString(inst));
  const promote = (from: readonly KeyValue[], hint: AnyValue | undefined) => {
    if (hint === undefined) return;
    for (let a of attributeNames(hint)) {
      a = a.trim();
      const v = nestedAttribute(a, from);
      if (v !== undefined) labels.set(a, asString(v));
    }
  };
  promote(resAttrs, getAttr(resAttrs, HINT_RESOURCES));
  promote(resAttrs, getAttr(logAttrs, HINT_RESOURCES));
  promote(logAttrs, getAttr(logAttrs, HINT_ATTRIBUTES));

  const isHintOrLabel = (kv: KeyValue) =>
    kv.key === HINT_ATTRIBUTES ||
    kv.key === HINT_RESOURCES ||
    kv.key === HINT_TENANT ||
    kv.key === HINT_FORMAT ||
    labels.has(kv.key);
  removeAttrsIf(logAttrs, isHintOrLabel);
  removeAttrsIf(resAttrs, isHintOrLabel);

  let line: string;
  switch (format) {
    case 'json':
      line = encodeJson(lr, logAttrs, resAttrs, scope);
      break;
    case 'logfmt':
      line = encodeLogfmt(lr, logAttrs, resAttrs, scope);
      break;
    case 'raw':
      line = asString(lr.body);
      break;
    default:
      throw new LokiConvertError(`invalid format ${format}. Expected one of: json, logfmt, raw`);
  }
  const rec: Record<string, string> = {};
  for (const [k, v] of labels) rec[normalizeLabel(k)] = v;
  const timestamp =
    lr.timeUnixNano !== 0n
      ? lr.timeUnixNano
      : lr.observedTimeUnixNano !== 0n
        ? lr.observedTimeUnixNano
        : nowUnixNano();
  return { labels: labelsFromRecord(rec), timestamp, line, structuredMetadata: NO_METADATA };
}

function attributeNames(hint: AnyValue): string[] {
  const h = lv(hint)!;
  if (h.stringValue !== undefined) return h.stringValue.split(',');
  if (h.arrayValue) return h.arrayValue.values.map((v) => goSprintV(asRaw(v)));
  return [asString(hint)];
}

/** fmt's `%v` of a raw value (for list hints). */
function goSprintV(v: ReturnType<typeof asRaw>): string {
  if (v === null) return '<nil>';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return goJson(v);
  return String(v);
}

/** `getAttribute`: a direct key, else a dotted path into nested maps (longest prefix first). */
function nestedAttribute(attr: string, attrs: readonly KeyValue[]): AnyValue | undefined {
  const direct = getAttr(attrs, attr);
  if (direct !== undefined) return direct;
  const segs = attr.split('.');
  for (let i = 0; i < segs.length - 1; i++) {
    const left = segs.slice(0, segs.length - i - 1).join('.');
    const right = segs.slice(segs.length - i - 1).join('.');
    const v = lv(nestedAttribute(left, attrs));
    if (v?.kvlistValue) return nestedAttribute(right, v.kvlistValue.values);
  }
  return undefined;
}

function encodeJson(
  lr: LogRecord,
  logAttrs: readonly KeyValue[],
  resAttrs: readonly KeyValue[],
  scope: InstrumentationScope | undefined,
): string {
  const parts: string[] = [];
  try {
    if (valueType(lr.body) !== 'empty') parts.push(`"body":${goJson(asRaw(lr.body))}`);
    const tid = idHexOrEmpty(lr.traceId);
    if (tid) parts.push(`"traceid":${goJsonString(tid)}`);
    const sid = idHexOrEmpty(lr.spanId);
    if (sid) parts.push(`"spanid":${goJsonString(sid)}`);
    if (lr.severityText) parts.push(`"severity":${goJsonString(lr.severityText)}`);
    if (lr.flags) parts.push(`"flags":${lr.flags >>> 0}`);
    if (logAttrs.length) parts.push(`"attributes":${goJson(mapAsRaw(logAttrs))}`);
    if (resAttrs.length) parts.push(`"resources":${goJson(mapAsRaw(resAttrs))}`);
  } catch (err) {
    throw new LokiConvertError((err as Error).message);
  }
  if (scope?.name) {
    let s = `"name":${goJsonString(scope.name)}`;
    if (scope.version) s += `,"version":${goJsonString(scope.version)}`;
    parts.push(`"instrumentation_scope":{${s}}`);
  }
  return '{' + parts.join(',') + '}';
}

function valueToKeyvals(key: string, v: AnyValue, out: [string, LogfmtValue][]): void {
  const x = lv(v)!;
  switch (valueType(v)) {
    case 'empty':
      return;
    case 'str':
      out.push([key, x.stringValue!]);
      return;
    case 'bool':
      out.push([key, x.boolValue!]);
      return;
    case 'int':
      out.push([key, x.intValue!]);
      return;
    case 'double':
      out.push([key, x.doubleValue!]);
      return;
    case 'map': {
      const prefix = key !== '' ? key + '_' : '';
      for (const kv of x.kvlistValue!.values) valueToKeyvals(prefix + kv.key, kv.value, out);
      return;
    }
    case 'slice': {
      const prefix = key !== '' ? key + '_' : '';
      x.arrayValue!.values.forEach((el, i) => valueToKeyvals(`${prefix}${i}`, el, out));
      return;
    }
    default:
      out.push([key, x.bytesValue!]);
  }
}

function replaceOrAppend(kvs: [string, LogfmtValue][], key: string, value: LogfmtValue): void {
  const at = kvs.findIndex(([k]) => k === key);
  if (at >= 0) kvs[at]![1] = value;
  else kvs.push([key, value]);
}

function encodeLogfmt(
  lr: LogRecord,
  logAttrs: readonly KeyValue[],
  resAttrs: readonly KeyValue[],
  scope: InstrumentationScope | undefined,
): string {
  const kvs: [string, LogfmtValue][] = [];
  const body = lv(lr.body);
  switch (valueType(lr.body)) {
    case 'empty':
      break;
    case 'str': {
      const first = body!.stringValue!.split('\n')[0]!;
      const pairs: [string, LogfmtValue][] = [];
      const err = decodeLogfmt(first, (k, v) => pairs.push([k, new LogfmtBytes(v)]));
      if (err !== undefined) kvs.push(['msg', body!.stringValue!]);
      else kvs.push(...pairs);
      break;
    }
    case 'map':
      valueToKeyvals('', lr.body!, kvs);
      break;
    case 'slice':
      valueToKeyvals('body', lr.body!, kvs);
      break;
    default:
      kvs.push(['msg', asRaw(lr.body) as LogfmtValue]);
  }
  const tid = idHexOrEmpty(lr.traceId);
  if (tid) replaceOrAppend(kvs, 'traceID', tid);
  const sid = idHexOrEmpty(lr.spanId);
  if (sid) replaceOrAppend(kvs, 'spanID', sid);
  if (lr.severityText) replaceOrAppend(kvs, 'severity', lr.severityText);
  if (lr.flags) replaceOrAppend(kvs, 'flags', BigInt(lr.flags >>> 0));
  for (const kv of logAttrs) valueToKeyvals(`attribute_${kv.key}`, kv.value, kvs);
  for (const kv of resAttrs) valueToKeyvals(`resource_${kv.key}`, kv.value, kvs);
  if (scope?.name) {
    kvs.push(['instrumentation_scope_name', scope.name]);
    if (scope.version) kvs.push(['instrumentation_scope_version', scope.version]);
  }
  try {
    return marshalKeyvals(kvs);
  } catch (err) {
    throw new LokiConvertError((err as Error).message);
  }
}

export interface ExporterLokiArgs {
  forward_to: LogsReceiver[];
}

export class ExporterLoki implements Component<ExporterLokiArgs> {
  private forwardTo: LogsReceiver[] = [];
  private readonly total: Counter;
  private readonly failed: Counter;
  private readonly processed: Counter;

  constructor(
    private readonly opts: ComponentOptions,
    args: ExporterLokiArgs,
  ) {
    const reg = [opts.registry];
    this.total = new Counter({
      name: 'otelcol_exporter_loki_entries_total',
      help: 'Total number of log entries passed through the converter',
      registers: reg,
    });
    this.failed = new Counter({
      name: 'otelcol_exporter_loki_entries_failed',
      help: 'Total number of log entries failed to convert',
      registers: reg,
    });
    this.processed = new Counter({
      name: 'otelcol_exporter_loki_entries_processed',
      help: 'Total number of log entries successfully converted',
      registers: reg,
    });
    this.update(args);
    const consumer: OtelConsumer = {
      signals: new Set(['logs']),
      consumeLogs: async (req) => this.consume(req),
    };
    opts.onStateChange({ input: consumerCapsule(consumer) });
  }

  run(signal: AbortSignal): Promise<void> {
    return untilAborted(signal);
  }

  update(args: ExporterLokiArgs): void {
    this.forwardTo = args.forward_to;
  }

  consume(req: ExportLogsServiceRequest): void {
    const entries: LogEntry[] = [];
    for (const rl of req.resourceLogs) {
      const resAttrs = rl.resource?.attributes ?? [];
      for (const sl of rl.scopeLogs) {
        for (const lr of sl.logRecords) {
          this.total.inc();
          try {
            entries.push(logToLokiEntry(lr, resAttrs, sl.scope));
            this.processed.inc();
          } catch (err) {
            this.failed.inc();
            this.opts.logger.error('failed to convert log to loki entry', { err: (err as Error).message });
          }
        }
      }
    }
    fanoutLogs(this.forwardTo, entries);
  }
}

/** otelcol.exporter.loki — arguments as Alloy 1.18 (`internal/component/otelcol/exporter/loki/loki.go`). */
export const otelcolExporterLoki: ComponentRegistration<ExporterLokiArgs> = {
  name: 'otelcol.exporter.loki',
  stability: 'generally-available',
  args: { attrs: { forward_to: { type: t.list(t.capsule(LOGS_RECEIVER)), required: true } } },
  exports: consumerExports,
  build: (opts, args) => new ExporterLoki(opts, args),
};
