import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'No dynamic code: expressions go through the sandboxed expression library.' },
        { selector: "NewExpression[callee.name='Function']", message: 'No dynamic code: expressions go through the sandboxed expression library.' },
      ],
      'no-restricted-imports': ['error', { paths: [{ name: 'node:vm', message: 'No dynamic code.' }, { name: 'vm', message: 'No dynamic code.' }] }],
    },
  },
  {
    // ESLint's own rule does not see values used in TypeScript decorators; tsc checks unused values.
    rules: { 'no-useless-assignment': 'off' },
  },
  {
    // End-to-end tests read untyped JSON answers.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
