import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// One transpiler everywhere: the same .swcrc (legacy decorators + metadata, which Nest's
// dependency injection needs) builds dist/ and transforms the tests.
export default defineConfig({
  oxc: false,
  plugins: [swc.vite()],
  resolve: {
    alias: [
      // The fake Microsoft cloud is a tool (tests, demo, benchmarks), not a lib of the product.
      { find: /^@riposte\/fake-cloud$/, replacement: root('./tools/fake-cloud/src/index.ts') },
      { find: /^@riposte\/([a-z-]+)$/, replacement: root('./libs/$1/src/index.ts') },
    ],
  },
  test: {
    include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'tools/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Forks, not threads: NODE_EXTRA_CA_CERTS (set by the global setup for the fake cloud's CA)
    // is read by Node only when a process starts.
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on two cores. End-to-end
    // files mostly wait (on HTTP, child processes, the fake cloud's latency), so three at once
    // keep two cores busy; every test waits for conditions, not for time, so they stay steady.
    maxWorkers: 3,
    // Each file keeps its own process (isolate, the default). Sharing one between files (isolate:
    // false) halved the passes' time but let one file's leftovers reach the next (a service's close
    // once waited out its hook): steady first, fast second.
    globalSetup: [root('./test/support/global-setup.ts')],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
