/** The demo tenant: fixed ids so the demo script, tests and docs can name them. */
export const DEMO_TENANT_ID = '1e190a3c-8b5f-4e4d-b131-4383ad9c8134';
export const DEMO_TENANT_DOMAINS = ['contoso.onmicrosoft.com', 'contoso.com'] as const;
export const DEMO_CLIENT_ID = '19ad9795-29a3-4f62-8b56-5bdb4c85a0c0';
/** In the format of a real Entra secret value (`xxx8Q~` + 34 characters). A demo value, not a credential. */
export const DEMO_CLIENT_SECRET = 'rP58Q~CGMsM3Ic4FhAZiXqJlw0HB103lGgyA96un';
export const DEMO_APP_NAME = 'Riposte automated response';
export const DEMO_MANAGED_IDENTITY_CLIENT_ID = 'f53b2f41-8a11-42d8-878a-6deb13eab808';

/** Permissions as the vendor guide grants them (User.ReadWrite.All; Machine.Isolate), plus reading machines and security data. */
export const DEMO_ROLES = {
  graph: [
    'User.ReadWrite.All',
    'SecurityAlert.ReadWrite.All',
    'SecurityIncident.ReadWrite.All',
    'GroupMember.ReadWrite.All',
    'IdentityRiskyUser.ReadWrite.All',
    'Application.ReadWrite.All',
    'AuditLog.Read.All',
    'ThreatHunting.Read.All',
    'Mail.Send',
  ],
  defender: [
    'Machine.Isolate',
    'Machine.ReadWrite.All',
    'Machine.Scan',
    'Machine.RestrictExecution',
    'Machine.CollectForensics',
    'Machine.StopAndQuarantine',
    'Ti.ReadWrite.All',
    'Alert.Read.All',
    'User.Read.All',
    'File.Read.All',
  ],
};

export const GLOBAL_ADMIN_TEMPLATE_ID = '62e90394-69f5-4237-9190-012177145e10';
export const SECURITY_ADMIN_TEMPLATE_ID = '194ae4cb-b126-40b2-bd5b-6091b380977d';

export const DEMO_USERS = {
  adele: { id: '8d64737c-342d-4dfd-87ba-c4beaff3ffdb', upn: 'adele.vance@contoso.com' },
  megan: { id: 'fe15122d-57d9-4deb-915f-35ffc3a654ce', upn: 'megan.bowen@contoso.com' },
  alex: { id: '6f835089-e96a-41af-aa12-9f473b0bf6cd', upn: 'alex.wilber@contoso.com' },
  nestor: { id: 'f38abf8e-ae9f-410d-8d27-61e207400812', upn: 'nestor.wilke@contoso.com' },
  /** Holds Global Administrator: the demo app may not disable it (403), as Entra protects admins from such apps. */
  breakGlass: { id: 'b3ff8e4b-d717-44f4-9f14-1e3a3b2d2f34', upn: 'breakglass-admin@contoso.onmicrosoft.com' },
} as const;

export const DEMO_GROUPS = {
  allStaff: '4d325ba6-4579-4b8a-8137-c3786cd9a52f',
  finance: 'afea530f-1fb8-437c-b160-d98f73ad599a',
  socAnalysts: '0105b054-1850-42fc-ac8d-fd6e57952d35',
  /** Empty; a Conditional Access policy would block its members from signing in. */
  caBlock: 'c0b10c4e-0b1a-4c6b-9f3e-2a8d4e6f7a90',
} as const;

/** Service principals: the demo app's own, and a consented OAuth app a phishing campaign planted. */
export const DEMO_SERVICE_PRINCIPALS = {
  riposte: { id: '5b0e3d2a-6f41-4c8e-9a7d-1c2b3e4f5a60' },
  pdfHelper: {
    id: '7e2f1a9c-3d4b-4e5f-8a6b-9c0d1e2f3a4b',
    appId: 'a1f5e2d3-4b6c-4d7e-8f90-1a2b3c4d5e6f',
    displayName: 'PDF Helper Pro',
  },
} as const;

/** SHA-1 and SHA-256 of the demo's malicious file (not a real sample). */
export const DEMO_FILES = {
  invoiceDropper: {
    sha1: '3395856ce81f2b7382dee72602f798b642f14140',
    sha256: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    fileName: 'invoice_0912.pdf.exe',
  },
} as const;

export const DEMO_DIRECTORY_ROLES = {
  globalAdministrator: 'ae95618e-beef-4d68-8e7b-ca65d43146eb',
  securityAdministrator: '36b79a7f-44ee-4af5-85eb-8ac80be456ea',
} as const;

export const DEMO_MACHINES = {
  adeleDesktop: { id: '359f99ca4b641ab5a6531415ff78db08ad9bb5e3', dnsName: 'desktop-adele.contoso.com' },
  /** The same name, re-imaged months ago and inactive since: pick the machine with the latest `lastSeen`. */
  adeleDesktopStale: { id: '2307b116fc4d99f552ee017289344f590937a73c', dnsName: 'desktop-adele.contoso.com' },
  meganLaptop: { id: 'a636cda39ad78fb067fdad6cbf9f8823716e6a14', dnsName: 'laptop-megan.contoso.com' },
  webServer: { id: '460fe41dd85100b095698a4f43f03383bcb5c748', dnsName: 'srv-web-01.contoso.com' },
} as const;

export const DEMO_ALERTS = {
  powershell: 'da638671903342517783_-1492183417',
  phishing: 'fa0e5a3d4e-8c2b-4f35-a6c5-1f0b8f6b2c11',
  impossibleTravel: '2b6a7d3e9c1f4e0aa1d0c3b7e5f60818',
} as const;

export const DEMO_INCIDENTS = { adeleCompromise: '41001', meganSignIn: '41002' } as const;

/** Everything a demo or a test needs to talk to the seeded tenant. */
export const DEMO = {
  tenantId: DEMO_TENANT_ID,
  tenantDomains: DEMO_TENANT_DOMAINS,
  clientId: DEMO_CLIENT_ID,
  clientSecret: DEMO_CLIENT_SECRET,
  appName: DEMO_APP_NAME,
  managedIdentityClientId: DEMO_MANAGED_IDENTITY_CLIENT_ID,
  roles: DEMO_ROLES,
  users: DEMO_USERS,
  groups: DEMO_GROUPS,
  servicePrincipals: DEMO_SERVICE_PRINCIPALS,
  files: DEMO_FILES,
  directoryRoles: DEMO_DIRECTORY_ROLES,
  machines: DEMO_MACHINES,
  alerts: DEMO_ALERTS,
  incidents: DEMO_INCIDENTS,
} as const;
