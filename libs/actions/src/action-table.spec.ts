import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ActionCatalogue } from './action-catalogue.js';
import { renderActionTable, replaceActionTable } from './action-table.js';

const documents = ['../../../README.md', '../../../docs/API.md'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

describe('generated action tables', () => {
  const table = renderActionTable(new ActionCatalogue().list());

  it.each(documents)('%s lists exactly the catalogue (regenerate with `npm run cli -- docs actions`)', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(replaceActionTable(text, table)).toBe(text);
  });

  it('names every action once, with its inverse and roles', () => {
    const catalogue = new ActionCatalogue().list();
    for (const action of catalogue) expect(table).toContain(`| \`${action.id}\` |`);
    expect(table).toMatch(/^\| `azure_ad.disable_user` \| Disable Entra ID user \| yes \| `azure_ad.enable_user` \| Microsoft Graph `User\.EnableDisableAccount\.All`/m);
  });
});
