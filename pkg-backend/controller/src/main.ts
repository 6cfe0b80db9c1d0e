/**
 * `foundry-controller`: the fleet controller process. Flags and environment: see CONTROLLER_USAGE.
 */
import { CONTROLLER_USAGE, loadControllerConfig } from './config/controller-config.js';
import { startController } from './controller-app.js';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(CONTROLLER_USAGE);
    return;
  }
  let config;
  try {
    config = loadControllerConfig(argv);
  } catch (err) {
    process.stderr.write(`foundry-controller: ${(err as Error).message}\n\n${CONTROLLER_USAGE}`);
    process.exitCode = 2;
    return;
  }
  const running = await startController(config, {
    progress: (l) => process.stdout.write(`controller: ${l}\n`),
  });
  process.stdout.write(
    `controller: ready — REST ${running.httpUrl}, gRPC ${running.grpcAddress}` +
      (running.embedded ? `, embedded PostgreSQL on 127.0.0.1:${running.embedded.port}` : '') +
      '\n',
  );
  const stop = async (signal: string) => {
    process.stdout.write(`controller: ${signal}, shutting down\n`);
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`foundry-controller: ${err.message}\n`);
  process.exit(1);
});
