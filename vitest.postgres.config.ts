import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The end-to-end suite again, on PostgreSQL (each service in a schema of its own, see
// test/support/database.ts); the server is RIPOSTE_TEST_POSTGRES_URL. Unit tests do not touch
// the store: they run once, in the main config. Set here, not in `test.env`, so that the global
// setup (which drops this run's schemas at the end) sees it too.
process.env.RIPOSTE_TEST_DATABASE = 'postgres';

export default defineConfig({
  ...base,
  // The demo brings its own SQLite database whatever the store, and the browser suite tests the
  // console, not the store: the first pass covers both. Graph batching is a matter of calls
  // meeting in one process within a few milliseconds, not of the store; on PostgreSQL, whose
  // writes are not group-committed, fewer calls meet: covered by the first pass only (see README).
  test: {
    ...base.test,
    name: 'postgres',
    include: ['test/**/*.e2e-spec.ts'],
    exclude: [
      ...(base.test?.exclude ?? []),
      'test/e2e/demo.e2e-spec.ts',
      'test/browser/**',
      'test/e2e/graph-batching.e2e-spec.ts',
    ],
  },
});
