// Flat ESLint config for the backend packages (the plugin brings its own under .config/ when scaffolded).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.config/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['pkg-backend/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
