/** The bench's peers in one process: synthetic targets and the counting sink (args: series count targetPort sinkPort). */
import { startSink } from './sink.js';
import { startTargets } from './targets.js';

const [series, count, targetPort, sinkPort] = process.argv.slice(2).map(Number);
await startTargets({ series: series!, count: count!, basePort: targetPort! });
await startSink(sinkPort!);
