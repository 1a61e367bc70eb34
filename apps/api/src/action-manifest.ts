import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ActionLookup } from '@riposte/playbooks';

type Manifest = Record<string, { inputSchema: object; destructive: boolean }>;

/**
 * What the playbook checks need of the action catalogue (ids, input schemas), for the author's CLI.
 * Loading the catalogue itself brings in the Azure clients, msal-node, axios and Nest: most of a
 * second on every call. So the first call writes the schemas beside the build (a JSON file next to
 * this module) and later calls read them; a build newer than the file makes it again.
 */
export async function cachedActionLookup(): Promise<ActionLookup> {
  const here = fileURLToPath(import.meta.url);
  const file = here.replace(/\.[cm]?[jt]s$/, '.json');
  const manifest = readIfNewer(file, statSync(here).mtimeMs) ?? (await writeManifest(file));
  return {
    ids: () => Object.keys(manifest),
    get: (id) => (Object.hasOwn(manifest, id) ? manifest[id] : undefined),
  };
}

function readIfNewer(file: string, builtAt: number): Manifest | undefined {
  try {
    if (statSync(file).mtimeMs < builtAt) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined; // missing or unreadable: made again
  }
}

async function writeManifest(file: string): Promise<Manifest> {
  const { ActionCatalogue } = await import('@riposte/actions');
  const catalogue = new ActionCatalogue().asLookup();
  const manifest: Manifest = {};
  for (const id of catalogue.ids()) {
    const action = catalogue.get(id);
    if (action) manifest[id] = { inputSchema: action.inputSchema, destructive: action.destructive };
  }
  try {
    // Written aside, then renamed: a CLI started meanwhile reads the old file or the new, never half of one.
    const aside = `${file}.${process.pid}`;
    writeFileSync(aside, JSON.stringify(manifest));
    renameSync(aside, file);
  } catch {
    // a read-only install: every call loads the catalogue, which is slower but as correct
  }
  return manifest;
}
