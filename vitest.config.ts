import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const root = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The end-to-end suites (test/) run the service as it ships: what they import of apps, libs and
 * tools is the build in dist/ (made by the global setup before any file runs), loaded by Node
 * itself. Transforming and evaluating the sources again in every test file's process took
 * longer than most files' tests. Unit specs beside the sources still import the sources.
 */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The build of this project (not a package's own `dist/` folder). */
const BUILT = new RegExp(`^${escaped(root('./dist/'))}`);

function builtService(): Plugin {
  const tests = root('./test/');
  const source = new RegExp(`^${escaped(root('./'))}(apps|libs|tools)/(.*)\\.ts$`);
  return {
    name: 'riposte-built-service',
    enforce: 'pre',
    async resolveId(id, importer, options) {
      if (!importer?.startsWith(tests)) return null;
      const found = source.exec((await this.resolve(id, importer, { ...options, skipSelf: true }))?.id ?? '');
      const built = found && root(`./dist/${found[1]}/${found[2]}.js`);
      // The global setup itself runs before the build (it makes it): on a fresh clone it imports the sources.
      return built && existsSync(built) ? { id: built, external: true } : null;
    },
  };
}

// One transpiler everywhere: the same .swcrc (legacy decorators + metadata, which Nest's
// dependency injection needs) builds dist/ and transforms the tests.
export default defineConfig({
  oxc: false,
  plugins: [swc.vite(), builtService()],
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
    // The build is loaded by Node, not transformed (see builtService).
    server: { deps: { external: [BUILT] } },
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
    // Hooks start services (a child process may take 60 s to be ready on a loaded machine): bounds, not waits.
    hookTimeout: 90_000,
  },
});
