/**
 * `otelcol.connector.spanlogs` (Alloy's own connector, `connector/spanlogs`): turns spans into logs.
 * For every span it can emit a `span` record, a `root` record (spans without a parent), a `process`
 * record (once per trace in a row of spans) and one `event` record per span event. The body is logfmt of
 * the span name (`span`), duration in ns (`dur`, e.g. "250000000ns"), status (`status`, when set),
 * `span_attributes`, the service name (`svc`), `process_attributes` and the trace id (`tid`) — key names
 * from `overrides`; the record gets the attribute `<logs_instance_tag>=<kind>` plus the keys listed in
 * `labels`. One ResourceLogs per ResourceSpans and one ScopeLogs per ScopeSpans, as Alloy.
 *
 * Alloy's quirk is kept: within a ScopeSpans, the first span that would produce no record (only `roots`
 * enabled and the span is not a root) ends the processing of that ScopeSpans.
 */
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import type {
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  LogRecord,
  Resource,
  ScopeLogs,
  Span,
  SpanEvent,
} from '../../../protocols/otlp/index.js';
import { consumerExports, outputBlock } from '../../common/otelcol-schema.js';
import { ConsumerError, consumerCapsule, type OtelConsumer } from '../consumer.js';
import { marshalKeyvals, type LogfmtValue } from '../internal/logfmt.js';
import { NextConsumers, type OutputArgs } from '../internal/next.js';
import {
  asRaw,
  cloneValue,
  getAttr,
  idHex,
  isEmptyId,
  lv,
  putAttr,
  STATUS_CODE_NAMES,
} from '../internal/pdata.js';

export interface SpanLogsArgs {
  spans: boolean;
  roots: boolean;
  processes: boolean;
  events: boolean;
  span_attributes: string[];
  process_attributes: string[];
  event_attributes: string[];
  labels: string[];
  overrides: {
    logs_instance_tag: string;
    service_key: string;
    span_name_key: string;
    status_key: string;
    duration_key: string;
    trace_id_key: string;
  };
  output: OutputArgs;
}

export class SpanLogsConnector implements Component<SpanLogsArgs> {
  private args!: SpanLogsArgs;
  private labels = new Set<string>();
  private readonly next: NextConsumers;

  constructor(
    private readonly opts: ComponentOptions,
    args: SpanLogsArgs,
  ) {
    this.next = new NextConsumers(opts.logger);
    this.update(args);
    if (args.output.traces?.length || args.output.metrics?.length)
      opts.logger.warn('non-log output detected; this component only works for log outputs and trace inputs');
    const consumer: OtelConsumer = { signals: new Set(['traces']), consumeTraces: (r) => this.consume(r) };
    opts.onStateChange({ input: consumerCapsule(consumer) });
  }

  run(signal: AbortSignal): Promise<void> {
    return untilAborted(signal);
  }

  update(args: SpanLogsArgs): void {
    this.args = args;
    this.labels = new Set(args.labels);
    this.next.update(args.output);
  }

  /** Converts traces to logs. @throws ConsumerError when a record cannot be encoded */
  convert(req: ExportTraceServiceRequest): ExportLogsServiceRequest {
    const out: ExportLogsServiceRequest = { resourceLogs: [] };
    for (const rs of req.resourceSpans) {
      const scopeLogs: ScopeLogs[] = [];
      const svcAttr = lv(getAttr(rs.resource?.attributes, 'service.name'));
      const svc = svcAttr?.stringValue ?? '';
      for (const ss of rs.scopeSpans) {
        const records: LogRecord[] = [];
        this.spans(svc, ss.spans, rs.resource, records);
        scopeLogs.push({ logRecords: records, schemaUrl: '' });
      }
      out.resourceLogs.push({
        resource: { attributes: [], droppedAttributesCount: 0, entityRefs: [] },
        scopeLogs,
        schemaUrl: '',
      });
    }
    return out;
  }

  private async consume(req: ExportTraceServiceRequest): Promise<void> {
    let logs: ExportLogsServiceRequest;
    try {
      logs = this.convert(req);
    } catch (err) {
      throw new ConsumerError((err as Error).message, false);
    }
    if (!logs.resourceLogs.some((rl) => rl.scopeLogs.some((sl) => sl.logRecords.length))) return;
    await this.next.consumeLogs(logs);
  }

  private spans(svc: string, spans: Span[], resource: Resource | undefined, records: LogRecord[]): void {
    const a = this.args;
    const o = a.overrides;
    let lastTraceId = '';
    for (const span of spans) {
      const traceId = idHex(span.traceId, 16);
      const logRoots = a.roots && isEmptyId(span.parentSpanId);
      const logProcesses = a.processes && lastTraceId !== traceId;
      if (!a.spans && !logRoots && !logProcesses && !a.events) return;
      if (logProcesses) {
        const kv: KeyValue[] = [];
        this.processKeyVals(kv, resource, svc);
        putAttr(kv, o.trace_id_key, { stringValue: traceId });
        lastTraceId = traceId;
        records.push(this.record('process', kv));
      }
      const kv: KeyValue[] = [];
      this.spanKeyVals(kv, span);
      this.processKeyVals(kv, resource, svc);
      putAttr(kv, o.trace_id_key, { stringValue: traceId });
      if (a.spans) records.push(this.record('span', kv));
      if (logRoots) records.push(this.record('root', kv));
      if (a.events)
        for (const ev of span.events) records.push(this.record('event', this.eventKeyVals(kv, ev)));
    }
  }

  private spanKeyVals(out: KeyValue[], span: Span): void {
    const o = this.args.overrides;
    putAttr(out, o.span_name_key, { stringValue: span.name });
    putAttr(out, o.duration_key, { stringValue: `${span.endTimeUnixNano - span.startTimeUnixNano}ns` });
    const code = span.status?.code ?? 0;
    if (code !== 0) putAttr(out, o.status_key, { stringValue: STATUS_CODE_NAMES[code] ?? '' });
    for (const name of this.args.span_attributes) {
      const v = getAttr(span.attributes, name);
      if (v !== undefined) putAttr(out, name, cloneValue(v));
    }
  }

  private processKeyVals(out: KeyValue[], resource: Resource | undefined, svc: string): void {
    putAttr(out, this.args.overrides.service_key, { stringValue: svc });
    for (const name of this.args.process_attributes) {
      const v = getAttr(resource?.attributes, name);
      if (v !== undefined) putAttr(out, name, cloneValue(v));
    }
  }

  private eventKeyVals(base: KeyValue[], ev: SpanEvent): KeyValue[] {
    const out = base.map((kv) => ({ key: kv.key, value: kv.value }));
    for (const name of this.args.event_attributes) {
      const v = getAttr(ev.attributes, name);
      if (v !== undefined) putAttr(out, name, cloneValue(v));
    }
    return out;
  }

  private record(kind: string, kv: KeyValue[]): LogRecord {
    const body = marshalKeyvals(kv.map((x) => [x.key, asRaw(x.value) as LogfmtValue]));
    const attributes: KeyValue[] = [
      { key: this.args.overrides.logs_instance_tag, value: { stringValue: kind } },
    ];
    for (const x of kv) if (this.labels.has(x.key)) putAttr(attributes, x.key, cloneValue(x.value));
    return {
      timeUnixNano: 0n,
      observedTimeUnixNano: 0n,
      severityNumber: 0,
      severityText: '',
      body: { stringValue: body },
      attributes,
      droppedAttributesCount: 0,
      flags: 0,
      traceId: new Uint8Array(0),
      spanId: new Uint8Array(0),
      eventName: '',
    };
  }
}

/** otelcol.connector.spanlogs — arguments as Alloy 1.18 (`internal/component/otelcol/connector/spanlogs`). */
export const otelcolConnectorSpanlogs: ComponentRegistration<SpanLogsArgs> = {
  name: 'otelcol.connector.spanlogs',
  stability: 'generally-available',
  args: {
    attrs: {
      spans: { type: t.bool(), default: false },
      roots: { type: t.bool(), default: false },
      processes: { type: t.bool(), default: false },
      events: { type: t.bool(), default: false },
      span_attributes: { type: t.list(t.string()), default: [] },
      process_attributes: { type: t.list(t.string()), default: [] },
      event_attributes: { type: t.list(t.string()), default: [] },
      labels: { type: t.list(t.string()), default: [] },
    },
    blocks: {
      overrides: {
        schema: {
          attrs: {
            logs_instance_tag: { type: t.string(), default: 'traces' },
            service_key: { type: t.string(), default: 'svc' },
            span_name_key: { type: t.string(), default: 'span' },
            status_key: { type: t.string(), default: 'status' },
            duration_key: { type: t.string(), default: 'dur' },
            trace_id_key: { type: t.string(), default: 'tid' },
          },
        },
        defaultIfAbsent: true,
      },
      output: outputBlock,
    },
  },
  exports: consumerExports,
  build: (opts, args) => new SpanLogsConnector(opts, args),
};
