/**
 * Synthetic scrape targets for `npm run bench:metrics`: `count` HTTP servers on consecutive loopback
 * ports, each serving `series` counters in families of 100 (`synth_http_requests_total_<f>` with labels
 * method, path, status, pod — ~105 bytes a line), gzip-encoded when asked. Four pre-rendered value
 * variants rotate so serving costs almost nothing and values change between scrapes.
 *
 * Usage (standalone): node --import tsx targets.ts --series 10000 --count 20 --port 19100
 */
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = ['200', '201', '400', '404', '500'];

function render(series: number, target: number, variant: number): string {
  let out = '';
  for (let f = 0; f * 100 < series; f++) {
    const name = `synth_http_requests_total_${f}`;
    out += `# HELP ${name} Synthetic request counter.\n# TYPE ${name} counter\n`;
    for (let i = 0; i < 100 && f * 100 + i < series; i++) {
      const n = f * 100 + i;
      const value = n * 7 + variant * 13 + target;
      out += `${name}{method="${METHODS[n % 4]}",path="/api/v1/resource/${n % 50}",status="${STATUSES[n % 5]}",pod="pod-${target}-${n % 10}"} ${value}\n`;
    }
  }
  return out;
}

export interface Targets {
  ports: number[];
  close(): Promise<void>;
}

/** Starts the targets; resolves once every port listens. */
export async function startTargets(opts: {
  series: number;
  count: number;
  basePort: number;
}): Promise<Targets> {
  const servers: Server[] = [];
  for (let t = 0; t < opts.count; t++) {
    const plain = [0, 1, 2, 3].map((v) => Buffer.from(render(opts.series, t, v)));
    const gz = plain.map((b) => gzipSync(b, { level: 1 }));
    let n = 0;
    const server = createServer((req, res) => {
      const v = n++ % 4;
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const body = gzip ? gz[v]! : plain[v]!;
      res.writeHead(200, {
        'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
        'Content-Length': body.length,
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      res.end(body);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.basePort + t, '127.0.0.1', () => resolve());
    });
    servers.push(server);
  }
  return {
    ports: servers.map((_, i) => opts.basePort + i),
    close: () =>
      Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, def: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const t = await startTargets({
    series: arg('series', 10000),
    count: arg('count', 20),
    basePort: arg('port', 19100),
  });
  console.log(`targets on ports ${t.ports[0]}..${t.ports[t.ports.length - 1]}`);
}
