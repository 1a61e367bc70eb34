import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { isoSeconds, preciseNow } from './clock.js';
import type {
  AlertInput,
  GraphUser,
  IncidentInput,
  Machine,
  MachineInput,
  SecurityAlert,
  SecurityIncident,
  UserInput,
} from './model.js';

/** Fills a user's unset properties the way a freshly created Entra user has them. */
export function buildUser(input: UserInput): GraphUser {
  const { tenantId: _tenantId, ...rest } = input;
  const local = input.userPrincipalName.split('@')[0] ?? input.userPrincipalName;
  return {
    id: randomUUID(),
    displayName: local,
    givenName: null,
    surname: null,
    mail: null,
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    businessPhones: [],
    accountEnabled: true,
    userType: 'Member',
    createdDateTime: isoSeconds(new Date(Date.now() - 90 * 86_400_000)),
    signInSessionsValidFromDateTime: isoSeconds(new Date(Date.now() - 30 * 86_400_000)),
    lastPasswordChangeDateTime: isoSeconds(new Date(Date.now() - 60 * 86_400_000)),
    onPremisesSyncEnabled: null,
    department: null,
    companyName: null,
    usageLocation: null,
    ...rest,
  };
}

/** Every property a user has in the fake; `$select` of anything else is a 400, as in Graph. */
export const USER_PROPERTIES: readonly (keyof GraphUser)[] = Object.keys(
  buildUser({ userPrincipalName: 'x@y' }),
) as (keyof GraphUser)[];

/** Graph's default user property set (returned without `$select`). */
export const DEFAULT_USER_PROPERTIES: readonly (keyof GraphUser)[] = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

/** A 40-hex Defender machine id. */
export function newMachineId(): string {
  return randomBytes(20).toString('hex');
}

export function buildMachine(input: MachineInput): Machine {
  const { tenantId: _tenantId, ...rest } = input;
  const seen = new Date(Date.now() - 3_600_000).toISOString();
  return {
    id: newMachineId(),
    firstSeen: new Date(Date.now() - 200 * 86_400_000).toISOString(),
    lastSeen: seen,
    osPlatform: 'Windows11',
    version: '23H2',
    osProcessor: 'x64',
    osBuild: 22631,
    lastIpAddress: `10.0.${randomInt(0, 255)}.${randomInt(1, 254)}`,
    lastExternalIpAddress: '203.0.113.10',
    healthStatus: 'Active',
    onboardingStatus: 'onboarded',
    rbacGroupId: 0,
    rbacGroupName: 'UnassignedGroup',
    riskScore: 'Low',
    exposureLevel: 'Medium',
    isAadJoined: true,
    aadDeviceId: randomUUID(),
    deviceValue: 'Normal',
    machineTags: [],
    isolationState: 'NotIsolated',
    restrictionState: 'NotRestricted',
    quarantinedFiles: [],
    ...rest,
    computerDnsName: input.computerDnsName.toLowerCase(),
  };
}

/** The machine as the Defender API shows it (the fake's own bookkeeping removed). */
export function machineView(machine: Machine): Record<string, unknown> {
  const {
    isolationState: _isolationState,
    restrictionState: _restrictionState,
    quarantinedFiles: _quarantinedFiles,
    ...view
  } = machine;
  return view;
}

/** An opaque alert id in the shape Defender uses (`da637551227677560813_-961444813`). */
export function newAlertId(): string {
  const digits = (n: number) => Array.from({ length: n }, () => randomInt(0, 10)).join('');
  return `da63${digits(16)}_${randomInt(0, 2) ? '-' : ''}${randomInt(100_000_000, 2_000_000_000)}`;
}

let incidentCounter = 28_000;

/** Fills an alert with every alerts_v2 property, keeping whatever the caller gave. */
export function buildAlert(input: AlertInput, tenantId: string): SecurityAlert {
  const { tenantId: _tenantId, ...rest } = input;
  const id = input.id ?? newAlertId();
  const created = (input.createdDateTime as string | undefined) ?? preciseNow();
  const incidentId = (input.incidentId as string | undefined) ?? String(++incidentCounter);
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id,
    providerAlertId: id,
    incidentId,
    status: 'new',
    severity: 'medium',
    classification: 'unknown',
    determination: 'unknown',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    productName: 'Microsoft Defender for Endpoint',
    detectorId: randomUUID(),
    tenantId,
    title: 'Suspicious activity',
    description: 'Suspicious activity was observed.',
    recommendedActions: '',
    category: 'Execution',
    assignedTo: null,
    alertWebUrl: `https://security.microsoft.com/alerts/${id}?tid=${tenantId}`,
    incidentWebUrl: `https://security.microsoft.com/incidents/${incidentId}?tid=${tenantId}`,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    mitreTechniques: [],
    createdDateTime: created,
    lastUpdateDateTime: created,
    resolvedDateTime: null,
    firstActivityDateTime: created,
    lastActivityDateTime: created,
    comments: [],
    evidence: [],
    systemTags: [],
    ...rest,
  } as SecurityAlert;
}

export function buildIncident(input: IncidentInput, tenantId: string): SecurityIncident {
  const { tenantId: _tenantId, alertIds, ...rest } = input;
  const id = input.id ?? String(++incidentCounter);
  const created = (input.createdDateTime as string | undefined) ?? preciseNow();
  return {
    '@odata.type': '#microsoft.graph.security.incident',
    id,
    incidentWebUrl: `https://security.microsoft.com/incidents/${id}?tid=${tenantId}`,
    redirectIncidentId: null,
    tenantId,
    displayName: 'Incident',
    createdDateTime: created,
    lastUpdateDateTime: created,
    assignedTo: null,
    classification: 'unknown',
    determination: 'unknown',
    status: 'active',
    severity: 'medium',
    tags: [],
    comments: [],
    systemTags: [],
    description: null,
    ...rest,
    alertIds: alertIds ?? [],
  } as SecurityIncident;
}

/** The incident as Graph shows it (the alert links kept aside for `$expand=alerts`). */
export function incidentView(incident: SecurityIncident): Record<string, unknown> {
  const { alertIds: _alertIds, ...view } = incident;
  return view;
}
