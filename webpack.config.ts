// Extends create-plugin's webpack config (.config/webpack/webpack.config.ts, not edited by hand) the way
// .config/README.md describes: in development (`npm run dev`) its type checker reads tsconfig.json at the
// root, which in this monorepo is tsx's config for the backend packages, so point it at tsconfig.plugin.json.
import path from 'path';
import type { Configuration } from 'webpack';
import ForkTsCheckerWebpackPlugin from 'fork-ts-checker-webpack-plugin';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: (base.plugins ?? []).map((p) =>
      p instanceof ForkTsCheckerWebpackPlugin
        ? new ForkTsCheckerWebpackPlugin({
            async: Boolean(env.development),
            issue: { include: [{ file: 'src/**/*.{ts,tsx}' }] },
            typescript: { configFile: path.join(process.cwd(), 'tsconfig.plugin.json') },
          })
        : p,
    ),
  };
};

export default config;
