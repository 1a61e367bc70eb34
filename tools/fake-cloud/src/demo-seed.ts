import { isoSeconds, minutesAgo } from './clock.js';
import { seedDemoSecurity } from './demo-alerts.js';
import {
  DEMO,
  DEMO_APP_NAME,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_DIRECTORY_ROLES,
  DEMO_FILES,
  DEMO_GROUPS,
  DEMO_MACHINES,
  DEMO_MANAGED_IDENTITY_CLIENT_ID,
  DEMO_ROLES,
  DEMO_SERVICE_PRINCIPALS,
  DEMO_TENANT_DOMAINS,
  DEMO_TENANT_ID,
  DEMO_USERS,
  GLOBAL_ADMIN_TEMPLATE_ID,
  SECURITY_ADMIN_TEMPLATE_ID,
} from './demo-constants.js';
import type { CloudState } from './state.js';

export * from './demo-constants.js';

/** Loads the Contoso demo tenant (replacing it if it was there). */
export function seedDemo(state: CloudState): typeof DEMO {
  state.removeTenant(DEMO_TENANT_ID);
  const tenantId = state.addTenant({
    id: DEMO_TENANT_ID,
    displayName: 'Contoso',
    domains: [...DEMO_TENANT_DOMAINS],
  }).id;
  state.addApp({
    tenantId,
    clientId: DEMO_CLIENT_ID,
    displayName: DEMO_APP_NAME,
    secrets: [DEMO_CLIENT_SECRET],
    roles: DEMO_ROLES,
  });
  state.addManagedIdentity({
    tenantId,
    clientId: DEMO_MANAGED_IDENTITY_CLIENT_ID,
    systemAssigned: true,
    roles: DEMO_ROLES,
  });

  const person = (
    key: keyof typeof DEMO_USERS,
    givenName: string,
    surname: string,
    jobTitle: string,
    department: string,
  ) =>
    state.addUser({
      tenantId,
      id: DEMO_USERS[key].id,
      userPrincipalName: DEMO_USERS[key].upn,
      displayName: `${givenName} ${surname}`,
      givenName,
      surname,
      jobTitle,
      department,
      mail: DEMO_USERS[key].upn,
      officeLocation: '18/2111',
      businessPhones: ['+1 425 555 0109'],
      preferredLanguage: 'en-US',
      usageLocation: 'US',
      companyName: 'Contoso',
    });
  person('adele', 'Adele', 'Vance', 'Retail Manager', 'Retail');
  person('megan', 'Megan', 'Bowen', 'Marketing Manager', 'Marketing');
  person('alex', 'Alex', 'Wilber', 'Marketing Assistant', 'Marketing');
  person('nestor', 'Nestor', 'Wilke', 'Security Analyst', 'Security Operations');
  state.addUser({
    tenantId,
    id: DEMO_USERS.breakGlass.id,
    userPrincipalName: DEMO_USERS.breakGlass.upn,
    displayName: 'Break Glass Administrator',
    createdDateTime: isoSeconds(new Date(Date.now() - 700 * 86_400_000)),
  });

  state.addGroup({ tenantId, id: DEMO_GROUPS.finance, displayName: 'Finance', members: [DEMO_USERS.megan.id] });
  state.addGroup({
    tenantId,
    id: DEMO_GROUPS.socAnalysts,
    displayName: 'SOC Analysts',
    members: [DEMO_USERS.nestor.id],
  });
  state.addGroup({
    tenantId,
    id: DEMO_GROUPS.allStaff,
    displayName: 'All Staff',
    members: [DEMO_USERS.adele.id, DEMO_USERS.alex.id, DEMO_GROUPS.finance, DEMO_GROUPS.socAnalysts],
  });
  state.addGroup({
    tenantId,
    id: DEMO_GROUPS.caBlock,
    displayName: 'CA - Block sign-in',
    description: 'Members are blocked by Conditional Access.',
  });
  state.addServicePrincipal({
    tenantId,
    id: DEMO_SERVICE_PRINCIPALS.riposte.id,
    appId: DEMO_CLIENT_ID,
    displayName: DEMO_APP_NAME,
    appOwnerOrganizationId: tenantId,
  });
  state.addServicePrincipal({
    tenantId,
    ...DEMO_SERVICE_PRINCIPALS.pdfHelper,
    publisherName: 'Unverified',
    appOwnerOrganizationId: 'c2d1b0a9-8e7f-4a6b-9c5d-4e3f2a1b0c9d',
  });
  state.addRiskyUser({
    tenantId,
    userId: DEMO_USERS.adele.id,
    riskLevel: 'high',
    riskState: 'atRisk',
    riskDetail: 'none',
  });
  state.addSignIn({
    tenantId,
    userId: DEMO_USERS.adele.id,
    createdDateTime: isoSeconds(new Date(Date.now() - 3 * 3_600_000)),
    ipAddress: '10.1.4.27',
  });
  state.addSignIn({
    tenantId,
    userId: DEMO_USERS.adele.id,
    createdDateTime: isoSeconds(new Date(Date.now() - 40 * 60_000)),
    ipAddress: '198.51.100.77',
    riskLevelDuringSignIn: 'high',
    riskState: 'atRisk',
    location: { city: 'Lagos', state: 'Lagos', countryOrRegion: 'NG' },
  });
  state.addSignIn({
    tenantId,
    userId: DEMO_USERS.megan.id,
    createdDateTime: isoSeconds(new Date(Date.now() - 2 * 3_600_000)),
  });
  state.requireTenant(tenantId).managers.set(DEMO_USERS.adele.id, DEMO_USERS.megan.id);
  state.addDirectoryRole({
    tenantId,
    id: DEMO_DIRECTORY_ROLES.globalAdministrator,
    roleTemplateId: GLOBAL_ADMIN_TEMPLATE_ID,
    members: [DEMO_USERS.breakGlass.id],
  });
  state.addDirectoryRole({
    tenantId,
    id: DEMO_DIRECTORY_ROLES.securityAdministrator,
    roleTemplateId: SECURITY_ADMIN_TEMPLATE_ID,
    members: [DEMO_USERS.nestor.id],
  });

  state.addMachine({
    tenantId,
    id: DEMO_MACHINES.adeleDesktop.id,
    computerDnsName: DEMO_MACHINES.adeleDesktop.dnsName,
    lastSeen: minutesAgo(4),
    lastIpAddress: '10.1.4.27',
    riskScore: 'High',
    machineTags: ['Retail', 'Seattle'],
  });
  state.addMachine({
    tenantId,
    id: DEMO_MACHINES.adeleDesktopStale.id,
    computerDnsName: DEMO_MACHINES.adeleDesktopStale.dnsName,
    firstSeen: minutesAgo(400 * 1440),
    lastSeen: minutesAgo(95 * 1440),
    healthStatus: 'Inactive',
    osPlatform: 'Windows10',
    version: '22H2',
    osBuild: 19045,
    riskScore: 'None',
    machineTags: ['Retail'],
  });
  state.addMachine({
    tenantId,
    id: DEMO_MACHINES.meganLaptop.id,
    computerDnsName: DEMO_MACHINES.meganLaptop.dnsName,
    lastSeen: minutesAgo(12),
    machineTags: ['Marketing'],
  });
  state.addMachine({
    tenantId,
    id: DEMO_MACHINES.webServer.id,
    computerDnsName: DEMO_MACHINES.webServer.dnsName,
    osPlatform: 'WindowsServer2022',
    version: '21H2',
    osBuild: 20348,
    deviceValue: 'High',
    lastSeen: minutesAgo(1),
    machineTags: ['Production', 'Tier0'],
  });

  const adeleDesktop = DEMO_MACHINES.adeleDesktop.id;
  state.addDefenderAlert({
    tenantId,
    id: 'da638671903342517783_-1492183417',
    machineId: adeleDesktop,
    title: 'Suspicious PowerShell command line',
    severity: 'High',
    category: 'Execution',
    detectionSource: 'EDR',
    relatedUser: { userName: 'adele.vance', domainName: 'contoso' },
  });
  state.addDefenderAlert({
    tenantId,
    machineId: adeleDesktop,
    title: `'Dropper' malware was detected`,
    severity: 'Medium',
    category: 'Malware',
    threatName: 'Trojan:Win32/Dropper',
    relatedUser: { userName: 'adele.vance', domainName: 'contoso' },
  });
  state.addLogonUser(adeleDesktop, { accountName: 'adele.vance', lastSeen: minutesAgo(5) }, tenantId);
  state.addLogonUser(
    adeleDesktop,
    { accountName: 'svc-backup', logonTypes: 'Service', lastSeen: minutesAgo(60) },
    tenantId,
  );
  state.addFile(
    {
      ...DEMO_FILES.invoiceDropper,
      md5: 'b6f9aa44c5f0565b5deb761b1926e9b6',
      globalPrevalence: 3,
      determinationType: 'Malware',
      determinationValue: 'Trojan:Win32/Dropper',
      size: 418_304,
    },
    tenantId,
  );

  // Advanced hunting: who clicked the phishing link, and where the dropper landed.
  const tables = state.requireTenant(tenantId).huntingTables;
  const phishUrl = 'https://contoso-login.example/owa/auth';
  tables.UrlClickEvents = [
    {
      Timestamp: minutesAgo(50),
      Url: phishUrl,
      AccountUpn: DEMO_USERS.adele.upn,
      ActionType: 'ClickAllowed',
      IPAddress: '10.1.4.27',
      Workload: 'Email',
    },
    {
      Timestamp: minutesAgo(45),
      Url: phishUrl,
      AccountUpn: DEMO_USERS.alex.upn,
      ActionType: 'ClickBlocked',
      IPAddress: '10.1.9.14',
      Workload: 'Email',
    },
    {
      Timestamp: minutesAgo(300),
      Url: 'https://www.contoso.com/benefits',
      AccountUpn: DEMO_USERS.megan.upn,
      ActionType: 'ClickAllowed',
      IPAddress: '10.1.2.8',
      Workload: 'Teams',
    },
  ];
  tables.EmailEvents = [DEMO_USERS.adele.upn, DEMO_USERS.alex.upn, DEMO_USERS.megan.upn].map((to) => ({
    Timestamp: minutesAgo(55),
    SenderFromAddress: 'it-support@contoso-login.example',
    RecipientEmailAddress: to,
    Subject: 'Password expiry notice',
    ThreatTypes: 'Phish',
    DeliveryAction: 'Delivered',
  }));
  tables.DeviceFileEvents = [
    {
      Timestamp: minutesAgo(20),
      DeviceId: adeleDesktop,
      DeviceName: DEMO_MACHINES.adeleDesktop.dnsName,
      FileName: DEMO_FILES.invoiceDropper.fileName,
      SHA1: DEMO_FILES.invoiceDropper.sha1,
      SHA256: DEMO_FILES.invoiceDropper.sha256,
      ActionType: 'FileCreated',
      InitiatingProcessAccountUpn: DEMO_USERS.adele.upn,
    },
  ];

  seedDemoSecurity(state, tenantId);
  return DEMO;
}
