// ESLint flat config: the layer rules of ../shared/STYLE.md plus a short list of rules that find real bugs.
// Layout and style are Prettier's job (.prettierrc), so no stylistic rule is enabled here.
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** UI and shell packages `core/` must never import: it runs under plain Node (CLI, serve, workers, tests). */
const NOT_IN_CORE = [
  'electron',
  'electron/*',
  'react',
  'react/*',
  'react-dom',
  'react-dom/*',
  'zustand',
  'zustand/*',
  'lightweight-charts',
  'codemirror',
  '@codemirror/*',
  '@tanstack/*',
  '**/renderer/**',
  '**/electron/**',
];

/** The store's connection accessor: only `core/store/*` (and test fixtures) may reach the raw SQLite handle. */
const STORE_INTERNAL = {
  group: ['**/store/internal', '**/store/internal.ts'],
  message: 'Only core/store/* may use the SQLite connection: add a named function in core/store/<domain>.ts instead.',
};

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'test-results/', 'bench/results/', '**/*.qdcache/'],
  },
  {
    files: ['**/*.{ts,tsx,mts}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    files: ['**/*.{ts,tsx,mts,js,mjs,cjs}'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Correctness only: each of these is a bug when it fires, never a matter of taste.
      'for-direction': 'error',
      'no-async-promise-executor': 'error',
      'no-compare-neg-zero': 'error',
      'no-cond-assign': ['error', 'except-parens'],
      'no-constant-binary-expression': 'error',
      'no-control-regex': 'error',
      'no-debugger': 'error',
      'no-dupe-else-if': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-empty-character-class': 'error',
      'no-fallthrough': 'error',
      'no-import-assign': 'error',
      'no-invalid-regexp': 'error',
      'no-loss-of-precision': 'error',
      'no-self-assign': 'error',
      'no-sparse-arrays': 'error',
      'no-template-curly-in-string': 'error',
      'no-unreachable': 'error',
      'no-unsafe-finally': 'error',
      'no-unsafe-negation': 'error',
      'no-unsafe-optional-chaining': 'error',
      'no-unused-labels': 'error',
      'use-isnan': 'error',
      'valid-typeof': 'error',
      '@typescript-eslint/no-duplicate-enum-values': 'error',
      '@typescript-eslint/no-extra-non-null-assertion': 'error',
      '@typescript-eslint/no-misused-new': 'error',
      '@typescript-eslint/no-non-null-asserted-optional-chain': 'error',
      // A require() must say why (a native module loaded lazily, the sandbox): the code marks each one.
      '@typescript-eslint/no-require-imports': 'error',
      '@typescript-eslint/no-unsafe-declaration-merging': 'error',
    },
  },
  // The CLI launcher is CommonJS by design (it runs before anything is built).
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Layers: core imports no Electron, React, DOM-side UI library or renderer/electron file.
  {
    files: ['core/**/*.{ts,tsx}'],
    ignores: ['core/store/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: NOT_IN_CORE,
              message: 'core/ runs under plain Node: no Electron, React, UI library or renderer/electron import.',
            },
            STORE_INTERNAL,
          ],
        },
      ],
    },
  },
  {
    files: ['core/store/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: NOT_IN_CORE,
              message: 'core/ runs under plain Node: no Electron, React, UI library or renderer/electron import.',
            },
          ],
        },
      ],
    },
  },
  // Tests build fixtures with raw SQL; they may use the accessor (still no UI imports in core tests).
  {
    files: ['core/**/*.test.ts', 'core/**/test-helpers.ts', 'core/**/testing-*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: NOT_IN_CORE,
              message: 'core/ runs under plain Node: no Electron, React, UI library or renderer/electron import.',
            },
          ],
        },
      ],
    },
  },
  // The renderer imports core only as types, except the contract and the model (values shared by both sides).
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/**/*.test.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '!**/core/contract', '!**/core/model', '!**/core/model/**'],
              allowTypeImports: true,
              message: 'The renderer imports core only as `import type`, except core/contract and core/model.',
            },
            {
              group: ['electron', 'electron/*', '**/electron/**'],
              message: 'The renderer is sandboxed: it reaches main only through window.api.',
            },
          ],
        },
      ],
    },
  },
  // Electron, e2e and scripts reach the store through core/store's named functions like everyone else.
  // (bench/ may use the accessor: it builds large fixtures and times naive-SQL baselines against the store.)
  {
    files: ['electron/**/*.ts', 'e2e/**/*.ts', 'scripts/**/*.{ts,mjs}'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [STORE_INTERNAL] }],
    },
  },
);
