// Lint: typescript-eslint's type-checked rules, import boundaries between the processes, no import
// cycles, and Prettier owning the layout. `npm run lint` (part of `npm test`) runs this and `prettier --check`.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/** Code that runs in a browser page: no Node modules, and nothing from the server side. */
const BROWSER = ['protocol/**', 'template/**', 'web/**', 'client/**'];
const SERVER_DIRS = ['./controller', './worker', './runtime', './scripts', './docker', './bench', './tests'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'data/', 'bench/results/', '.ci/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './controller',
              from: './worker',
              message: 'controller and worker are peers: share through protocol/ or outputs/.',
            },
            {
              target: './worker',
              from: './controller',
              message: 'controller and worker are peers: share through protocol/ or outputs/.',
            },
            {
              target: './outputs',
              from: ['./controller', './worker'],
              message: 'outputs/ is shared by controller and worker: it imports neither.',
            },
            {
              target: './protocol',
              from: '.',
              except: ['./protocol', './node_modules'],
              message: 'protocol/ is the shared vocabulary: it imports nothing of ours but protocol/.',
            },
            ...['./template', './web', './client'].map((target) => ({
              target,
              from: SERVER_DIRS,
              message: 'browser code never imports server code.',
            })),
          ],
        },
      ],
      // Fastify plugins and route handlers, and implementations of async interfaces, are async by contract
      // whether or not their body awaits: the rule would have them rewritten into callback style.
      '@typescript-eslint/require-await': 'off',
      // Unused arguments named _x are deliberate (callback signatures).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: BROWSER,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: 'browser code: no Node modules.' })),
          patterns: [{ group: ['node:*'], message: 'browser code: no Node modules.' }],
        },
      ],
    },
  },
  {
    files: ['tests/**'],
    rules: {
      // Tests read HTTP answers as `any` (inject().json(), fetch().json()) and assert on them with expect:
      // a wrong shape fails the assertion, and typing every answer would copy the protocol schemas again.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
  {
    // OGraf example graphics: plain web components, shipped as they are to a graphic's sandboxed frame.
    files: ['examples/ograf/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { HTMLElement: 'readonly', document: 'readonly' } },
  },
  {
    // Injected into the program page as a string (see worker/recorder/browser-capture.ts): browser globals.
    files: ['worker/recorder/page-capture.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'window',
          'console',
          'performance',
          'setTimeout',
          'btoa',
          'URL',
          'Blob',
          'WebSocket',
          'MediaStream',
          'AudioContext',
          'AudioWorkletNode',
          'GainNode',
          'VideoEncoder',
          'VideoFrame',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  prettier,
);
