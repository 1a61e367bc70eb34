import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLAYBOOK_SCHEMA } from './playbook.schema.js';

describe('the published JSON Schema', () => {
  it('docs/playbook.schema.json is the schema the loader uses (regenerate: npm run cli -- playbooks schema > docs/playbook.schema.json)', () => {
    const published = JSON.parse(readFileSync(new URL('../../../docs/playbook.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(PLAYBOOK_SCHEMA)));
  });

  it('every shipped playbook points editors at it', () => {
    for (const file of [
      'compromised-account',
      'disable-azure-ad-user',
      'enable-azure-ad-user',
      'isolate-victim-endpoint',
      'release-endpoint-from-isolation',
    ]) {
      const first = readFileSync(new URL(`../../../playbooks/${file}.yaml`, import.meta.url), 'utf8').split('\n')[0];
      expect(first, file).toBe('# yaml-language-server: $schema=../docs/playbook.schema.json');
    }
  });
});
