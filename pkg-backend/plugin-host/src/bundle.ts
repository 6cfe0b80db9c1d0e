/**
 * Bundles the host page with esbuild: the plugin's real module (src/module.tsx at the repository root)
 * with the real @grafana/ui, @grafana/runtime, @grafana/data, React and Monaco, into dist/public:
 * host.js (+ chunks, loaded on demand like Grafana's), host.css (Monaco's and other imported CSS),
 * fonts, and editor.worker.js (Monaco's editor worker, which Grafana also serves itself).
 *
 * Run: node dist/bundle.js   (part of `npm run build`).
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const HOST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(HOST_DIR, '..', '..');
export const PUBLIC_DIR = join(HOST_DIR, 'dist', 'public');

export async function bundle(
  opts: { repoRoot?: string; outDir?: string; minify?: boolean } = {},
): Promise<void> {
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  const outdir = opts.outDir ?? PUBLIC_DIR;
  const minify = opts.minify ?? true;
  rmSync(outdir, { recursive: true, force: true });
  const pluginPage = join(
    repoRoot,
    'node_modules',
    '@grafana',
    'runtime',
    'dist',
    'esm',
    'components',
    'PluginPage.mjs',
  );
  if (!existsSync(pluginPage)) throw new Error(`${pluginPage} is missing: is @grafana/runtime installed?`);
  await build({
    entryPoints: { host: join(HOST_DIR, 'src', 'browser', 'index.tsx') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    minify,
    legalComments: 'none',
    tsconfig: join(repoRoot, 'tsconfig.plugin.json'),
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    // Grafana sets its internal PluginPage at start; the host sets its own through the same module.
    alias: { '@foundry-host/runtime-plugin-page': pluginPage },
    loader: {
      '.ttf': 'file',
      '.woff': 'file',
      '.woff2': 'file',
      '.svg': 'file',
      '.png': 'file',
      '.gif': 'file',
    },
    publicPath: '/public/host/',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    logLevel: 'warning',
  });
  await build({
    entryPoints: {
      'editor.worker': join(
        repoRoot,
        'node_modules',
        'monaco-editor',
        'esm',
        'vs',
        'editor',
        'editor.worker.js',
      ),
    },
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify,
    logLevel: 'warning',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await bundle({ minify: !process.argv.includes('--no-minify') });
  console.log(`plugin host bundle written to ${PUBLIC_DIR} (${Date.now() - started} ms)`);
}
