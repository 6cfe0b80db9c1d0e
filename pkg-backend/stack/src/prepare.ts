/**
 * What `npm start` needs besides the TypeScript sources, which it runs directly: the Prisma client
 * (generated into the controller's `src/generated`, not committed) and the plugin host's browser bundle
 * (`pkg-backend/plugin-host/dist/public`). Each is rebuilt only when missing or older than its inputs, so
 * a fresh clone pays ~3 s for the client and ~4 s for the bundle once, and later starts nothing.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { typescriptEntry } from './processes.js';

/** Newest modification time (ms) under `paths` (files or folders, recursively); 0 when none exist. */
export function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) {
        if (name !== 'node_modules' && name !== 'dist' && name !== 'generated') visit(join(path, name));
      }
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  paths.forEach(visit);
  return newest;
}

/** True when `output` is missing or older than the newest of `inputs`. */
export function isStale(output: string, inputs: string[]): boolean {
  const built = newestMtime([output]);
  return built === 0 || built < newestMtime(inputs);
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`${args.join(' ')} failed: ${err.message}\n${(stdout + stderr).slice(-3000)}`));
        else resolve();
      },
    );
  });
}

/** Generates the controller's Prisma client when it is missing or older than the schema or the CLI. */
export async function ensurePrismaClient(root: string): Promise<boolean> {
  const controller = join(root, 'pkg-backend', 'controller');
  const require = createRequire(join(controller, 'package.json'));
  const cliPackage = require.resolve('prisma/package.json');
  if (
    !isStale(join(controller, 'src', 'generated', 'prisma', 'client.ts'), [
      join(controller, 'prisma', 'schema.prisma'),
      cliPackage,
    ])
  )
    return false;
  const bin = (JSON.parse(readFileSync(cliPackage, 'utf8')) as { bin: Record<string, string> }).bin.prisma!;
  await run(process.execPath, [join(dirname(cliPackage), bin), 'generate'], controller, {
    CHECKPOINT_DISABLE: '1',
  });
  return true;
}

/** Bundles the plugin for the standalone host when the bundle is missing or older than its sources. */
export async function ensurePluginBundle(root: string): Promise<boolean> {
  const host = join(root, 'pkg-backend', 'plugin-host');
  const inputs = [
    join(root, 'src'),
    join(host, 'src', 'browser'),
    join(host, 'src', 'bundle.ts'),
    join(root, 'package-lock.json'),
  ];
  if (!isStale(join(host, 'dist', 'public', 'host.js'), inputs)) return false;
  await run(process.execPath, typescriptEntry(join(host, 'src', 'bundle.ts')), root);
  return true;
}
