import { describe, expect, it } from 'vitest';
import { compileValue } from '@riposte/playbooks';
import { normalizeAlerts } from './alert-normalizer.js';
import { alertMatches, triggerInputs } from './trigger-matcher.js';

const alert = normalizeAlerts({
  id: 'a1',
  title: 'Impossible travel activity for AdeleV',
  severity: 'high',
  status: 'new',
  serviceSource: 'azureAdIdentityProtection',
  category: 'InitialAccess',
  evidence: [
    {
      '@odata.type': '#microsoft.graph.security.userEvidence',
      userAccount: { userPrincipalName: 'adele@contoso.com' },
    },
  ],
}).alerts[0]!.normalized;

describe('alertMatches', () => {
  it('matches lists case-insensitively, and needs every condition', async () => {
    expect(
      await alertMatches(
        alert,
        { severity: ['High', 'medium'], serviceSource: ['AzureADIdentityProtection'] },
        undefined,
      ),
    ).toBe(true);
    expect(await alertMatches(alert, { severity: ['high'], status: ['resolved'] }, undefined)).toBe(false);
  });

  it('matches titles exactly, by glob, or by regex', async () => {
    expect(await alertMatches(alert, { title: 'impossible travel activity for adelev' }, undefined)).toBe(true);
    expect(await alertMatches(alert, { title: { glob: 'Impossible travel*' } }, undefined)).toBe(true);
    expect(await alertMatches(alert, { title: { glob: '*travel?activity*' } }, undefined)).toBe(true);
    expect(await alertMatches(alert, { title: { glob: 'Malware*' } }, undefined)).toBe(false);
    expect(await alertMatches(alert, { title: { regex: '^impossible travel activity for \\w+$' } }, undefined)).toBe(
      true,
    );
  });

  it('needs every listed evidence type, and a when expression to be true', async () => {
    expect(await alertMatches(alert, { evidence: ['user'] }, undefined)).toBe(true);
    expect(await alertMatches(alert, { evidence: ['user', 'device'] }, undefined)).toBe(false);
    expect(
      await alertMatches(alert, {}, compileValue('${{ $contains(alert.users[0].userPrincipalName, "@contoso.com") }}')),
    ).toBe(true);
    expect(await alertMatches(alert, {}, compileValue('${{ alert.category = "Malware" }}'))).toBe(false);
  });

  it('computes run inputs from the alert', async () => {
    expect(
      await triggerInputs(
        {
          user: compileValue('${{ alert.users[0].userPrincipalName }}'),
          devices: compileValue('${{ [alert.devices.mdeDeviceId] }}'),
        },
        alert,
      ),
    ).toEqual({ user: 'adele@contoso.com', devices: [] });
  });
});
