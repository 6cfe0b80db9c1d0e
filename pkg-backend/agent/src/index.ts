/** Public API of @foundry/agent (the CLI entry and the HTTP handler, for embedding and tests). */
export { main } from './cli.js';
export { handle, startServer, type ServerDeps } from './server.js';
export { AgentMetrics } from './self-metrics.js';
export { readConfig, configHash } from './config-source.js';
