/**
 * `otelcol.receiver.loki` (Alloy `receiver/loki`): exports `receiver` (a `loki.LogsReceiver`); every
 * entry pushed to it becomes an OTLP log record sent to `output.logs` (one request per push).
 *
 * As Alloy's `convertLokiEntryToPlog` and the collector's `ConvertEntryToLogRecord`: body = the line,
 * time = the entry's timestamp (exact ns; now when zero), observed time = now, every stream label and
 * structured-metadata pair becomes a string attribute, `loki.attribute.labels` names the labels (so
 * otelcol.exporter.loki restores them), and a `filename` label adds `log.file.path` / `log.file.name`.
 * Delivery errors are logged (the Loki push API has already answered).
 */
import { basename } from 'node:path';
import {
  untilAborted,
  type Component,
  type ComponentOptions,
  type ComponentRegistration,
} from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import type { ExportLogsServiceRequest, KeyValue, LogRecord } from '../../../protocols/otlp/index.js';
import { LOGS_RECEIVER, logsReceiverCapsule, type LogEntry, type LogsReceiver } from '../../loki/entry.js';
import { outputBlock } from '../../common/otelcol-schema.js';
import { NextConsumers, type OutputArgs } from '../internal/next.js';
import { nowUnixNano, putAttr } from '../internal/pdata.js';

export interface ReceiverLokiArgs {
  output: OutputArgs;
}

/** One Loki entry as an OTLP log record. */
export function lokiEntryToLogRecord(e: LogEntry, observed: bigint): LogRecord {
  const attributes: KeyValue[] = [];
  const names: string[] = [];
  let filename: string | undefined;
  for (let i = 0; i < e.labels.length; i += 2) {
    names.push(e.labels[i]!);
    if (e.labels[i] === 'filename') filename = e.labels[i + 1];
  }
  if (filename !== undefined) {
    putAttr(attributes, 'log.file.path', { stringValue: filename });
    putAttr(attributes, 'log.file.name', { stringValue: basename(filename) });
  }
  if (names.length) putAttr(attributes, 'loki.attribute.labels', { stringValue: names.join(',') });
  for (let i = 0; i < e.labels.length; i += 2)
    putAttr(attributes, e.labels[i]!, { stringValue: e.labels[i + 1]! });
  for (let i = 0; i < e.structuredMetadata.length; i += 2)
    putAttr(attributes, e.structuredMetadata[i]!, { stringValue: e.structuredMetadata[i + 1]! });
  return {
    timeUnixNano: e.timestamp !== 0n ? e.timestamp : observed,
    observedTimeUnixNano: observed,
    severityNumber: 0,
    severityText: '',
    body: { stringValue: e.line },
    attributes,
    droppedAttributesCount: 0,
    flags: 0,
    traceId: new Uint8Array(0),
    spanId: new Uint8Array(0),
    eventName: '',
  };
}

export class ReceiverLoki implements Component<ReceiverLokiArgs> {
  private readonly next: NextConsumers;
  private readonly receiver: LogsReceiver;

  constructor(
    private readonly opts: ComponentOptions,
    args: ReceiverLokiArgs,
  ) {
    this.next = new NextConsumers(opts.logger);
    this.receiver = { push: (entries) => this.push(entries) };
    this.update(args);
    opts.onStateChange({ receiver: logsReceiverCapsule(this.receiver) });
  }

  run(signal: AbortSignal): Promise<void> {
    return untilAborted(signal);
  }

  update(args: ReceiverLokiArgs): void {
    this.next.update(args.output);
  }

  push(entries: readonly LogEntry[]): void {
    if (entries.length === 0 || !this.next.has('logs')) return;
    const observed = nowUnixNano();
    const req: ExportLogsServiceRequest = {
      resourceLogs: [
        {
          resource: { attributes: [], droppedAttributesCount: 0, entityRefs: [] },
          scopeLogs: [{ logRecords: entries.map((e) => lokiEntryToLogRecord(e, observed)), schemaUrl: '' }],
          schemaUrl: '',
        },
      ],
    };
    this.next
      .consumeLogs(req)
      .catch((err: Error) => this.opts.logger.error('failed to consume log entries', { err: err.message }));
  }
}

/** otelcol.receiver.loki — arguments as Alloy 1.18 (`internal/component/otelcol/receiver/loki/loki.go`). */
export const otelcolReceiverLoki: ComponentRegistration<ReceiverLokiArgs> = {
  name: 'otelcol.receiver.loki',
  stability: 'generally-available',
  args: { blocks: { output: outputBlock } },
  exports: { receiver: t.capsule(LOGS_RECEIVER) },
  build: (opts, args) => new ReceiverLoki(opts, args),
};
