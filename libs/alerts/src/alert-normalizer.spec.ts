import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@riposte/errors';
import { normalizeAlerts } from './alert-normalizer.js';

const docsExample = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/defender-alert-v2.json', import.meta.url), 'utf8'),
);

describe('normalizeAlerts', () => {
  it("reads the alerts_v2 example from Microsoft's documentation", () => {
    const [alert] = normalizeAlerts(docsExample).alerts;
    expect(alert?.normalized).toMatchObject({
      providerAlertId: 'da637551227677560813_-961444813',
      schema: 'alerts_v2',
      title: 'Suspicious execution of hidden file',
      severity: 'low',
      status: 'new',
      category: 'DefenseEvasion',
      serviceSource: 'microsoftDefenderForEndpoint',
      detectionSource: 'antivirus',
      tenantId: 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c',
      lastUpdateDateTime: '2021-05-02T14:19:01.3266667Z',
      devices: [
        {
          mdeDeviceId: '73e7e2de709dff64ef64b1d0c30e67fab63279db',
          deviceDnsName: 'tempDns',
          ipAddresses: ['1.1.1.1'],
          roles: ['compromised'],
        },
      ],
      files: [{ fileName: 'MsSense.exe', sha256: '8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec' }],
      processes: [{ processId: 4780, imageFile: 'MsSense.exe', accountName: 'SYSTEM' }],
      users: [],
      evidenceTypes: ['device', 'file', 'process', 'registryKey'],
    });
    expect(alert?.raw).toBe(docsExample);
  });

  it('reads email and identity evidence, and keeps unknown evidence types out of the entities', () => {
    const alert = normalizeAlerts({
      id: 'a1',
      severity: 'High',
      evidence: [
        {
          '@odata.type': '#microsoft.graph.security.userEvidence',
          roles: ['compromised'],
          userAccount: {
            userPrincipalName: 'AdeleV@contoso.com',
            azureAdUserId: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
            accountName: 'adelev',
          },
        },
        {
          '@odata.type': '#microsoft.graph.security.mailboxEvidence',
          primaryAddress: 'AdeleV@contoso.com',
          upn: 'AdeleV@contoso.com',
        },
        {
          '@odata.type': '#microsoft.graph.security.analyzedMessageEvidence',
          networkMessageId: 'n1',
          subject: 'Invoice overdue',
          p1Sender: { emailAddress: 'billing@evil.example' },
          recipientEmailAddress: 'AdeleV@contoso.com',
          urls: ['https://x.example'],
        },
        { '@odata.type': '#microsoft.graph.security.urlEvidence', url: 'https://x.example' },
        {
          '@odata.type': '#microsoft.graph.security.mailClusterEvidence',
          clusterBy: 'Subject',
          emailCount: 12,
          networkMessageIds: ['n1'],
        },
        { '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '203.0.113.5' },
        { '@odata.type': '#microsoft.graph.security.amazonResourceEvidence', resourceId: 'arn:x' },
      ],
    }).alerts[0]?.normalized;
    expect(alert).toMatchObject({
      severity: 'high',
      users: [
        {
          userPrincipalName: 'AdeleV@contoso.com',
          azureAdUserId: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
          roles: ['compromised'],
        },
      ],
      mailboxes: [{ primaryAddress: 'AdeleV@contoso.com' }],
      messages: [{ subject: 'Invoice overdue', sender: 'billing@evil.example', urls: ['https://x.example'] }],
      urls: [{ url: 'https://x.example' }],
      mailClusters: [{ emailCount: 12 }],
      ips: [{ address: '203.0.113.5' }],
      evidenceTypes: ['amazonResource', 'analyzedMessage', 'ip', 'mailCluster', 'mailbox', 'url', 'user'],
    });
  });

  it('reads a { value: [...] } list and the legacy /security/alerts shape', () => {
    const { alerts } = normalizeAlerts({
      value: [
        docsExample,
        {
          id: 'legacy-1',
          title: 'Impossible travel',
          severity: 'medium',
          vendorInformation: { provider: 'IPC' },
          lastModifiedDateTime: '2024-01-01T00:00:00Z',
          userStates: [{ userPrincipalName: 'megan@contoso.com', aadUserId: 'u-1' }],
          hostStates: [{ fqdn: 'laptop.contoso.com', privateIpAddress: '10.0.0.4' }],
        },
      ],
    });
    expect(alerts).toHaveLength(2);
    expect(alerts[1]?.normalized).toMatchObject({
      schema: 'security_alerts_v1',
      providerAlertId: 'legacy-1',
      serviceSource: 'IPC',
      lastUpdateDateTime: '2024-01-01T00:00:00Z',
      users: [{ userPrincipalName: 'megan@contoso.com', azureAdUserId: 'u-1' }],
      devices: [{ deviceDnsName: 'laptop.contoso.com', ipAddresses: ['10.0.0.4'] }],
      evidenceTypes: ['device', 'user'],
    });
  });

  it('refuses the whole request when any alert has no id, naming it', () => {
    try {
      normalizeAlerts({ value: [docsExample, { title: 'no id' }, 'nonsense'] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors).toEqual([
        { path: '/value/1/id', message: expect.stringMatching(/is required/) },
        { path: '/value/2', message: 'is not an alert object' },
      ]);
    }
    expect(() => normalizeAlerts({ value: [] })).toThrow(/empty/);
  });
});
