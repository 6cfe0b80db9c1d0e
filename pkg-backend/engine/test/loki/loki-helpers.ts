/**
 * Helpers for the Loki edge tests: a recording LogsReceiver component (`testloki.recorder "<label>"`), a
 * component that pushes entries a test hands it (`testloki.feeder "<label>"`), and a scriptable Loki push
 * endpoint (node:http) that decodes protobuf+snappy pushes and records accepted entries.
 */
import http from 'node:http';
import type { ComponentRegistration } from '../../src/runtime/component.js';
import { t } from '../../src/runtime/schema.js';
import { logsReceiverCapsule, type LogEntry, type LogsReceiver } from '../../src/components/loki/entry.js';
import { decodePushRequest, snappyUncompress } from '../../src/protocols/loki-push.js';

export { freePort } from '../support/net.js';
export { eventually, settle, startEngine } from '../runtime/helpers.js';

/** Entries received by each recorder, by block label. */
export const recorded = new Map<string, LogEntry[]>();

export function recordedBy(label: string): LogEntry[] {
  let l = recorded.get(label);
  if (!l) recorded.set(label, (l = []));
  return l;
}

export const recorder: ComponentRegistration<Record<string, never>> = {
  name: 'testloki.recorder',
  stability: 'experimental',
  args: {},
  exports: { receiver: t.capsule('loki.LogsReceiver') },
  build: (opts) => {
    const label = opts.localID.split('.').pop()!;
    const list = recordedBy(label);
    opts.onStateChange({ receiver: logsReceiverCapsule({ push: (e) => list.push(...e) }) });
    return {
      run: (signal) => new Promise((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update: () => undefined,
    };
  },
};

/** Feeders by block label: `feeders.get(label)!(entries)` pushes to the feeder's forward_to. */
export const feeders = new Map<string, (entries: LogEntry[]) => void>();

export const feeder: ComponentRegistration<{ forward_to: LogsReceiver[] }> = {
  name: 'testloki.feeder',
  stability: 'experimental',
  args: { attrs: { forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true } } },
  build: (opts, args) => {
    let targets = args.forward_to;
    feeders.set(opts.localID.split('.').pop()!, (entries) => {
      for (const r of targets) r.push(entries);
    });
    return {
      run: (signal) => new Promise((res) => signal.addEventListener('abort', () => res(), { once: true })),
      update: (a) => {
        targets = a.forward_to;
      },
    };
  },
};

export const testLokiComponents = [recorder, feeder];

export interface ReceivedEntry {
  tenant: string;
  labels: string;
  timestamp: bigint;
  line: string;
  structuredMetadata: readonly string[];
}

/**
 * A Loki push endpoint. `respond(n)` picks the status of request n (0-based); only 2xx requests are
 * recorded in `entries`. Every request's headers are kept in `requests`.
 */
export class FakeLoki {
  readonly entries: ReceivedEntry[] = [];
  readonly requests: { status: number; headers: http.IncomingHttpHeaders; entries: number }[] = [];
  respond: (n: number) => number = () => 204;
  private server: http.Server | undefined;

  constructor(readonly port: number) {}

  start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const streams = decodePushRequest(snappyUncompress(Buffer.concat(chunks)));
        const status = this.respond(this.requests.length);
        let n = 0;
        for (const s of streams) n += s.entries.length;
        this.requests.push({ status, headers: req.headers, entries: n });
        if (status >= 200 && status < 300) {
          const tenant = String(req.headers['x-scope-orgid'] ?? '');
          for (const s of streams)
            for (const e of s.entries) this.entries.push({ tenant, labels: s.labels, ...e });
        }
        res.writeHead(status);
        res.end(status >= 400 ? `status ${status}` : undefined);
      });
    });
    return new Promise((res) => this.server!.listen(this.port, '127.0.0.1', () => res()));
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((res) => s.close(() => res()));
  }
}

/** Lines per label text, asserting each stream's entries arrive in push order (by a `seq=<n>` suffix). */
export function linesByStream(entries: { labels: string; line: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    let l = out.get(e.labels);
    if (!l) out.set(e.labels, (l = []));
    l.push(e.line);
  }
  return out;
}

/** Makes `n` entries of one stream with timestamps base+i ns and lines `<prefix> <i>`. */
export function makeEntries(
  labels: readonly string[],
  n: number,
  prefix: string,
  base = 1_700_000_000_000_000_000n,
): LogEntry[] {
  const l = Object.freeze([...labels]);
  return Array.from({ length: n }, (_, i) => ({
    labels: l,
    timestamp: base + BigInt(i),
    line: `${prefix} ${i}`,
    structuredMetadata: [],
  }));
}

/** Waits until a loki.source.api on `port` answers GET /ready. */
export async function waitReady(port: number, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/ready`);
      await r.text();
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`loki.source.api on port ${port} not ready`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
