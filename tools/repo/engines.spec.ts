import { existsSync, readFileSync } from 'node:fs';
import semver from 'semver';
import { expect, it } from 'vitest';

/*
 * The README promises Node 20.19+ and 22.12+. Every package npm installs must accept both, or a
 * user on one of them gets EBADENGINE warnings and, one day, a package that does not run there.
 * Read from package-lock.json, for the packages installed (optional ones for other platforms,
 * a wasm build and what it needs, are not installed on any machine we promise).
 */
const PROMISED = ['20.19.0', '22.12.0'];

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

it('every locked package accepts the Node versions the README promises', () => {
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, LockedPackage>;
  };
  const root = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    engines: { node: string };
  };
  const installed = (path: string) => existsSync(new URL(`../../${path}/package.json`, import.meta.url));
  const refusals = Object.entries(lock.packages).flatMap(([path, p]) => {
    const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
    if (!path || !range || !installed(path)) return [];
    return PROMISED.filter((v) => !semver.satisfies(v, range)).map(
      (v) => `${path.replace(/^.*node_modules\//, '')}@${p.version} (${range}) excludes Node ${v}`,
    );
  });
  expect(refusals).toEqual([]);
  for (const v of PROMISED) expect(semver.satisfies(v, root.engines.node)).toBe(true);
  expect(semver.satisfies('22.11.0', root.engines.node)).toBe(false);
});
