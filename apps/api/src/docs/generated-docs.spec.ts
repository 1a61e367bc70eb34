import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ActionCatalogue } from '@riposte/actions';
import { ERROR_CODES } from '@riposte/errors';
import { GENERATED_DOCUMENTS, regenerate, renderActionTable, renderErrorTable } from './generated-docs.js';

const root = (path: string) => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

describe('documentation generated from the code', () => {
  const actions = new ActionCatalogue().list();

  it.each(GENERATED_DOCUMENTS)('%s matches the catalogues (regenerate with `npm run cli -- docs`)', (file) => {
    const text = readFileSync(root(file), 'utf8');
    expect(regenerate(text, actions)).toBe(text);
  });

  it('the action table names every action once, with its inverse and roles', () => {
    const table = renderActionTable(actions);
    const ids = table
      .split('\n')
      .slice(2)
      .map((row) => /^\| `([^`]+)` \|/.exec(row)?.[1]);
    expect(ids).toEqual(actions.map((a) => a.id).sort());
    expect(table).toMatch(
      /^\| `azure_ad.disable_user` \| Disable Entra ID user \| yes \| `azure_ad.enable_user` \| Microsoft Graph `User\.EnableDisableAccount\.All`/m,
    );
  });

  it('the error table has every code of the catalogue, and docs/API.md carries it', () => {
    const table = renderErrorTable();
    for (const code of Object.keys(ERROR_CODES)) expect(table).toContain(`| \`${code}\` |`);
    expect(readFileSync(root('docs/API.md'), 'utf8')).toContain(table);
    expect(table).toMatch(/^\| `throttled` \| step \| – \| yes \|/m);
  });
});
