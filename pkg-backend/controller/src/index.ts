/** @foundry/controller as a library: start a controller in-process (tests, the quick-start stack). */
export { startController, type RunningController, type StartOptions } from './controller-app.js';
export { loadControllerConfig, type ControllerConfig } from './config/controller-config.js';
export { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';
export { applyMigrations } from './database/migrate.js';
