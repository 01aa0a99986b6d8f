// @ts-check
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.temporal/**',
      'bin/**',
      'eslint.config.mjs',
      'jest.config.js',
      'jest.chaos.config.js',
    ],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed: no I/O, no Node built-ins, no activity implementations.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'undici'].map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: no Node built-ins or I/O libraries.',
          })),
          patterns: [
            {
              // Values come from the workflow's own folder, src/shared/ and the metric names only: anything else
              // would pull worker code (and its I/O) into the bundle every run shares.
              group: [
                '**/activities/**',
                '**/qlik/**',
                '**/reports/**',
                '**/config/**',
                '**/client/**',
                '**/worker/**',
                '**/simulator/**',
                '**/demo/**',
              ],
              allowTypeImports: true,
              message: 'Workflow code imports values only from src/workflows/, src/shared/ and src/metrics/names.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The modules of the workflow bundle are loaded once and shared by every workflow (src/worker/workflow-bundle.ts).
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts', 'src/metrics/names.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "Program > VariableDeclaration[kind!='const'], Program > ExportNamedDeclaration > VariableDeclaration[kind!='const']",
          message: 'Workflow modules are shared by every workflow run: no mutable state at module scope.',
        },
      ],
    },
  },
);
