/**
 * A counting Remote Write receiver for `npm run bench:metrics`: decodes snappy + protobuf with the
 * engine's codec, counts samples, and serves `/metrics` with `sink_samples_received_total`,
 * `sink_requests_total` and `sink_highest_timestamp_seconds`. Answers 204 like Prometheus.
 *
 * Usage (standalone): node --import tsx sink.ts --port 19090
 */
import { createServer, type Server } from 'node:http';
import { decodeWriteRequest, LabelInterner, snappyUncompress } from '../../src/protocols/remote-write.js';

export interface Sink {
  server: Server;
  samples(): number;
  close(): Promise<void>;
}

export async function startSink(port: number): Promise<Sink> {
  let samples = 0;
  let requests = 0;
  let highest = 0;
  const interner = new LabelInterner();
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.end(
        `sink_samples_received_total ${samples}\nsink_requests_total ${requests}\nsink_highest_timestamp_seconds ${highest / 1000}\n`,
      );
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const { batch } = decodeWriteRequest(snappyUncompress(Buffer.concat(chunks)), interner);
        samples += batch.count;
        requests++;
        for (let i = 0; i < batch.count; i++)
          if (batch.timestamps[i]! > highest) highest = batch.timestamps[i]!;
        res.writeHead(204).end();
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    server,
    samples: () => samples,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--port');
  await startSink(i > 0 ? Number(process.argv[i + 1]) : 19090);
}
