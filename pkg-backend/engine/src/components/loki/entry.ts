/**
 * The in-process contract of the Loki signal (Alloy's `loki.LogsReceiver` capsule): components that
 * accept log entries export a `receiver` capsule of type `loki.LogsReceiver` whose payload is a
 * `LogsReceiver`; producers call `push` on every receiver in their `forward_to` list.
 *
 * Entries travel in arrays (one push per request, file read or batch). A receiver must not mutate the
 * entries it is given (several receivers may share them) and copies what it changes.
 */
import { Capsule } from '../../syntax/value.js';
import type { Labels } from '../prometheus/labels.js';

export const LOGS_RECEIVER = 'loki.LogsReceiver';

export interface LogEntry {
  /** Stream labels: a frozen, name-sorted flat array (see prometheus/labels.ts); `__tenant_id__` selects the tenant. */
  readonly labels: Labels;
  /** Nanoseconds since the epoch (exact: Loki timestamps have ns precision). */
  readonly timestamp: bigint;
  readonly line: string;
  /** Structured metadata pairs, name-sorted flat array; empty when none. */
  readonly structuredMetadata: Labels;
}

export interface LogsReceiver {
  /** Accepts entries. Must not throw for data problems: count and drop instead. */
  push(entries: readonly LogEntry[]): void;
  /**
   * True while the receiver (or something downstream of it) cannot keep up, so producers that can push
   * back (loki.source.api answers 429) should; receivers that forward pass it on.
   */
  congested?(): boolean;
}

/** Whether any of the receivers reports congestion. */
export function anyCongested(receivers: readonly LogsReceiver[]): boolean {
  return receivers.some((r) => r.congested?.() === true);
}

export function logsReceiverCapsule(r: LogsReceiver): Capsule<LogsReceiver> {
  return new Capsule(LOGS_RECEIVER, r);
}

/** Sends entries to every receiver (Alloy's fanout). */
export function fanoutLogs(receivers: readonly LogsReceiver[], entries: readonly LogEntry[]): void {
  if (entries.length === 0) return;
  for (const r of receivers) r.push(entries);
}

export const NO_METADATA: Labels = Object.freeze([]);

/** Current time in ns since the epoch. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
