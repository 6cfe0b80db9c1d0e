// Flat ESLint config: typescript-eslint for the backend packages and scripts, and create-plugin's config
// (.config/eslint.config.mjs, @grafana/eslint-config) for the plugin, its browser tests and the host page.
import tseslint from 'typescript-eslint';
import grafanaConfig from './.config/eslint.config.mjs';

/** Files of the plugin and of code written in its style (React, @grafana/*). */
const PLUGIN_FILES = [
  'src/**/*.{ts,tsx}',
  'playwright/**/*.{ts,mts}',
  'pkg-backend/plugin-host/src/browser/**/*.{ts,tsx}',
  'webpack.config.ts',
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.config/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      'blob-report/**',
      'playwright/.cache/**',
      'playwright/.auth/**',
    ],
  },
  ...tseslint.configs.recommended.map((c) => ({ ...c, ignores: [...(c.ignores ?? []), ...PLUGIN_FILES] })),
  {
    files: ['pkg-backend/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // create-plugin's CommonJS config files at the root.
    files: ['jest.config.js', 'jest-setup.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // create-plugin's config applies to the plugin files only (it has no `files` of its own).
  ...grafanaConfig.map((c) => (c.files ? c : { ...c, files: PLUGIN_FILES })),
  {
    // Playwright fixtures call `use`, which is not React's.
    files: ['playwright/**/*.{ts,mts}'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  {
    // Typed rules (no-deprecated) read the plugin's tsconfig, not the root one (tsx's, for the backend).
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { project: './tsconfig.plugin.json' } },
  },
);
