/** Helpers for remote-write tests: free ports and a scriptable Remote Write receiver (node:http). */
import http from 'node:http';
import { decodeWriteRequest, snappyUncompress } from '../../src/protocols/remote-write.js';
import { labelsKey } from '../../src/components/prometheus/labels.js';

export { freePort } from '../support/net.js';

export interface Received {
  key: string;
  timestamp: number;
  value: number;
  stale: boolean;
}

/**
 * A Remote Write endpoint that decodes every request. `respond` picks the status (and headers) of each
 * request; only 2xx requests are recorded in `samples`.
 */
export class FakeEndpoint {
  readonly samples: Received[] = [];
  readonly requests: { status: number; headers: http.IncomingHttpHeaders; samples: number }[] = [];
  metadata = 0;
  private server: http.Server | undefined;
  respond: (n: number, keys: string[]) => { status: number; headers?: Record<string, string> } = () => ({
    status: 204,
  });
  /** Processing delay per request (ms): the request is recorded only if the client is still there after it. */
  delayMs = 0;
  /** Requests whose body has arrived (recorded or not yet answered). */
  arrivals = 0;

  constructor(readonly port: number) {}

  start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.arrivals++;
        const finish = () => {
          if (req.socket.destroyed) return; // the client is gone (killed): it never saw a response
          const d = decodeWriteRequest(snappyUncompress(Buffer.concat(chunks)));
          const keys: string[] = [];
          for (let i = 0; i < d.batch.count; i++) keys.push(labelsKey(d.batch.series[i]!));
          const r = this.respond(this.requests.length, keys);
          this.requests.push({ status: r.status, headers: req.headers, samples: d.batch.count });
          if (r.status >= 200 && r.status < 300) {
            for (let i = 0; i < d.batch.count; i++) {
              this.samples.push({
                key: labelsKey(d.batch.series[i]!),
                timestamp: d.batch.timestamps[i]!,
                value: d.batch.values[i]!,
                stale: d.batch.stale[i] === 1,
              });
            }
            this.metadata += d.metadata.length;
          }
          res.writeHead(r.status, r.headers);
          res.end(r.status >= 400 ? 'nope' : undefined);
        };
        if (this.delayMs > 0) setTimeout(finish, this.delayMs);
        else finish();
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

  /** Samples per series key, asserting timestamps strictly increase within each series (no duplicates). */
  checkOrderedUnique(): Map<string, number> {
    const last = new Map<string, number>();
    const count = new Map<string, number>();
    for (const s of this.samples) {
      const prev = last.get(s.key);
      if (prev !== undefined && s.timestamp <= prev)
        throw new Error(
          `series ${s.key}: timestamp ${s.timestamp} after ${prev} (duplicate or out of order)`,
        );
      last.set(s.key, s.timestamp);
      count.set(s.key, (count.get(s.key) ?? 0) + 1);
    }
    return count;
  }
}

/** Value of a metric line in Prometheus text (first match of `name{...labels containing all of `has`}`). */
export function metricValue(text: string, name: string, has: string[] = []): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (has.every((h) => line.includes(h))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
