/**
 * foundry-plugin-host: serves the Fleet app plugin outside Grafana (see server.ts).
 *
 *   foundry-plugin-host [--port 3000] [--host 127.0.0.1] [--controller-url URL] [--controller-token TOKEN]
 *                       [--data-dir .foundry/plugin-host] [--role Admin|Editor|Viewer]
 *
 * --controller-url / --controller-token (or FOUNDRY_CONTROLLER_URL / FOUNDRY_CONTROLLER_TOKEN) are written
 * to the plugin settings at start, as Grafana's provisioning would; without them the settings file in
 * the data folder (set on the Configuration page) is used.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PUBLIC_DIR, REPO_ROOT } from './bundle.js';
import { HOST_TITLE } from './html.js';
import type { Role } from './plugin-json.js';
import { startHost } from './server.js';

export const USAGE = `Usage: foundry-plugin-host [flags]
${HOST_TITLE}: serves the foundry-fleet-app plugin with the real @grafana/ui and emulates Grafana's
plugin settings and plugin proxy endpoints.

  --port N                  listen port (default 3000)
  --host ADDR               listen address (default 127.0.0.1)
  --controller-url URL      controller REST URL written to the plugin settings (FOUNDRY_CONTROLLER_URL)
  --controller-token TOKEN  controller token written to the plugin settings (FOUNDRY_CONTROLLER_TOKEN)
  --data-dir DIR            where the plugin settings are kept (default .foundry/plugin-host)
  --role ROLE               the user's role: Admin, Editor or Viewer (default Admin)
`;

export interface HostArgs {
  port: number;
  host: string;
  controllerUrl?: string;
  controllerToken?: string;
  dataDir: string;
  role: Role;
}

/** Parses `--flag value` / `--flag=value`. @throws Error on an unknown flag or a bad value. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): HostArgs {
  const args: HostArgs = {
    port: 3000,
    host: '127.0.0.1',
    controllerUrl: env.FOUNDRY_CONTROLLER_URL || undefined,
    controllerToken: env.FOUNDRY_CONTROLLER_TOKEN || undefined,
    dataDir: '.foundry/plugin-host',
    role: 'Admin',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}\n\n${USAGE}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let value = inline;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new Error(`flag --${name} needs a value`);
    }
    switch (name) {
      case 'port':
        args.port = Number(value);
        if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
          throw new Error(`bad --port ${value}`);
        break;
      case 'host':
        args.host = value;
        break;
      case 'controller-url':
        args.controllerUrl = value;
        break;
      case 'controller-token':
        args.controllerToken = value;
        break;
      case 'data-dir':
        args.dataDir = value;
        break;
      case 'role':
        if (value !== 'Admin' && value !== 'Editor' && value !== 'Viewer')
          throw new Error(`bad --role ${value}: Admin, Editor or Viewer`);
        args.role = value;
        break;
      default:
        throw new Error(`unknown flag --${name}\n\n${USAGE}`);
    }
  }
  return args;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  let args: HostArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(argv.includes('--help') || argv.includes('-h') ? 0 : 2);
  }
  if (!existsSync(join(PUBLIC_DIR, 'host.js'))) {
    console.error(`${PUBLIC_DIR}/host.js is missing: run \`npm run build\` first`);
    process.exit(1);
  }
  const host = await startHost({
    port: args.port,
    host: args.host,
    repoRoot: REPO_ROOT,
    publicDir: PUBLIC_DIR,
    dataDir: resolve(args.dataDir),
    role: args.role,
    controllerUrl: args.controllerUrl,
    controllerToken: args.controllerToken,
  });
  console.log(
    `${HOST_TITLE} on ${host.url}/a/foundry-fleet-app/fleet (role ${args.role}; settings in ${resolve(args.dataDir)})`,
  );
  const stop = () => void host.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
