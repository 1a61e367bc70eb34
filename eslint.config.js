import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering between libraries: which lib may import which. A lib missing here, or an import
 * that is not listed, fails lint, so the architecture described in the README cannot drift.
 * Apps (thin controllers, the CLI, the demo) may import any lib; a lib never imports an app.
 */
const LAYERS = {
  vocabulary: [],
  errors: [],
  schema: [],
  observability: [],
  config: ['schema'],
  persistence: ['config', 'errors'],
  audit: ['observability', 'persistence'],
  auth: ['config', 'errors', 'persistence'],
  azure: ['config', 'errors', 'observability'],
  'connection-targets': [
    'vocabulary',
    'audit',
    'auth',
    'azure',
    'config',
    'errors',
    'observability',
    'persistence',
    'schema',
  ],
  guardrails: ['audit', 'azure', 'config', 'errors', 'persistence', 'schema'],
  notifications: ['azure', 'config', 'connection-targets', 'errors', 'observability', 'persistence', 'vocabulary'],
  actions: [
    'audit',
    'azure',
    'config',
    'connection-targets',
    'errors',
    'guardrails',
    'notifications',
    'observability',
    'persistence',
    'schema',
  ],
  playbooks: ['vocabulary', 'actions', 'errors', 'schema'],
  engine: [
    'vocabulary',
    'actions',
    'audit',
    'auth',
    // queue mode's scheduler refuses Azure calls once this process may have lost its run claims
    'azure',
    'config',
    'connection-targets',
    'errors',
    'guardrails',
    'observability',
    'persistence',
    'playbooks',
    'schema',
  ],
  export: ['azure', 'config', 'connection-targets', 'errors', 'observability', 'persistence', 'schema'],
  live: ['auth', 'persistence'],
  alerts: [
    'auth',
    'azure',
    'config',
    'connection-targets',
    'engine',
    'errors',
    'observability',
    'persistence',
    'playbooks',
    'schema',
  ],
};

const layering = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const file = context.filename.replaceAll('\\', '/');
    const own = /\/libs\/([a-z-]+)\/src\//.exec(file)?.[1];
    if (!own) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      if (/(^|\/)apps\//.test(source)) {
        context.report({ node, message: `libs/${own} imports an app (${source}): libraries never depend on apps.` });
        return;
      }
      const target = /^@riposte\/([a-z-]+)$/.exec(source)?.[1];
      if (!target || target === own) {
        if (source.startsWith('../') && /\.\.\/\.\.\/(\.\.\/)*[a-z-]+\/src\//.test(source)) {
          context.report({
            node,
            message: `libs/${own} reaches into another lib by path (${source}): import it as @riposte/<lib>.`,
          });
        }
        return;
      }
      const allowed = LAYERS[own];
      if (!allowed)
        context.report({
          node,
          message: `libs/${own} is not in the layer table of eslint.config.js: add it with the libs it may import.`,
        });
      else if (!allowed.includes(target))
        context.report({
          node,
          message: `libs/${own} may not import @riposte/${target} (layer table in eslint.config.js).`,
        });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => check({ ...node, source: node.source }),
    };
  },
};

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
        {
          selector: "CallExpression[callee.name='eval']",
          message: 'No dynamic code: expressions go through the sandboxed expression library.',
        },
        {
          selector: "NewExpression[callee.name='Function']",
          message: 'No dynamic code: expressions go through the sandboxed expression library.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:vm', message: 'No dynamic code.' },
            { name: 'vm', message: 'No dynamic code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    plugins: { riposte: { rules: { layering } } },
    rules: { 'riposte/layering': 'error' },
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
