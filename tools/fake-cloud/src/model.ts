import type { Json, ResourceName } from './types.js';

/** Application permissions granted (admin-consented) to an app, per resource. */
export type GrantedRoles = Partial<Record<ResourceName, string[]>>;

export interface ClientSecret {
  value: string;
  /** An expired secret is refused with AADSTS7000222 instead of 7000215. */
  expired?: boolean;
}

export interface AppRegistrationInput {
  clientId: string;
  tenantId?: string;
  displayName?: string;
  /** Object id of the app's service principal in the tenant (the token's `oid`). */
  servicePrincipalId?: string;
  secrets?: Array<string | ClientSecret>;
  /** Certificate thumbprints: hex SHA-256 (colons allowed) or base64url, as msal's `x5t#S256` carries it. */
  certificateThumbprints?: string[];
  roles?: GrantedRoles;
  /** Directory role template ids held by the app's service principal (needed to disable privileged users). */
  directoryRoleTemplateIds?: string[];
  /** Redirect URIs registered for the authorization code flow (Authentication → Web). */
  redirectUris?: string[];
  /** Redirect URIs of the Single-page application platform: codes redeemed cross-origin, no secret. */
  spaRedirectUris?: string[];
  /** Expose an API → Application ID URI (e.g. `api://riposte`): scopes under it yield tokens for this app. */
  identifierUris?: string[];
}

export interface AppRegistration {
  clientId: string;
  tenantId: string;
  displayName: string;
  servicePrincipalId: string;
  secrets: ClientSecret[];
  /** Normalised to lower-case hex. */
  certificateThumbprints: string[];
  roles: GrantedRoles;
  directoryRoleTemplateIds: string[];
  redirectUris: string[];
  spaRedirectUris: string[];
  identifierUris: string[];
  /** App roles assigned to users on this app (Enterprise applications → Users and groups), by user id. */
  userRoles: Record<string, string[]>;
}

export interface ManagedIdentityInput {
  tenantId?: string;
  clientId: string;
  objectId?: string;
  resourceId?: string;
  /** The identity answered when a request names no `client_id`/`object_id`/`mi_res_id`. */
  systemAssigned?: boolean;
  roles?: GrantedRoles;
}

export interface ManagedIdentity {
  tenantId: string;
  clientId: string;
  objectId: string;
  resourceId: string;
  systemAssigned: boolean;
  roles: GrantedRoles;
}

export interface TenantInput {
  id: string;
  displayName?: string;
  /** Verified domain names the tenant can also be addressed by (e.g. `contoso.onmicrosoft.com`). */
  domains?: string[];
}

/** A Graph user: the properties the fake stores and `$select` can pick. */
export interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  jobTitle: string | null;
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  businessPhones: string[];
  accountEnabled: boolean;
  userType: string;
  createdDateTime: string;
  signInSessionsValidFromDateTime: string;
  lastPasswordChangeDateTime: string;
  onPremisesSyncEnabled: boolean | null;
  department: string | null;
  companyName: string | null;
  usageLocation: string | null;
}

export type UserInput = Partial<GraphUser> & { userPrincipalName: string; tenantId?: string };

export interface GroupInput {
  id?: string;
  tenantId?: string;
  displayName: string;
  description?: string;
  securityEnabled?: boolean;
  mailEnabled?: boolean;
  /** Ids of member users or groups (nested groups are followed by `transitiveMembers`). */
  members?: string[];
}

export interface Group {
  id: string;
  displayName: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  members: string[];
}

export interface DirectoryRoleInput {
  id?: string;
  tenantId?: string;
  roleTemplateId: string;
  displayName?: string;
  description?: string;
  members?: string[];
}

export interface DirectoryRole {
  id: string;
  roleTemplateId: string;
  displayName: string;
  description: string;
  members: string[];
}

export type IsolationState = 'NotIsolated' | 'Full' | 'Selective' | 'UnManagedDevice';

/** A Defender machine. `isolationState` is tracked by the fake and never sent over the API (MDE has no such field). */
export interface Machine {
  id: string;
  computerDnsName: string;
  firstSeen: string;
  lastSeen: string;
  osPlatform: string;
  version: string;
  osProcessor: string;
  osBuild: number;
  lastIpAddress: string;
  lastExternalIpAddress: string;
  healthStatus: string;
  onboardingStatus: string;
  rbacGroupId: number;
  rbacGroupName: string;
  riskScore: string;
  exposureLevel: string;
  isAadJoined: boolean;
  aadDeviceId: string | null;
  deviceValue: string;
  machineTags: string[];
  isolationState: IsolationState;
  /** Fake bookkeeping like isolationState: app execution restricted to Microsoft-signed binaries. */
  restrictionState: 'NotRestricted' | 'Restricted';
  /** Fake bookkeeping: SHA-1s stopped and quarantined on the machine. */
  quarantinedFiles: string[];
}

export type MachineInput = Partial<Machine> & { computerDnsName: string; tenantId?: string };

export type MachineActionType =
  | 'Isolate'
  | 'Unisolate'
  | 'RunAntiVirusScan'
  | 'RestrictCodeExecution'
  | 'UnrestrictCodeExecution'
  | 'CollectInvestigationPackage'
  | 'StopAndQuarantineFile';
export type MachineActionStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'TimeOut' | 'Cancelled';
export const TERMINAL_ACTION_STATUSES: readonly MachineActionStatus[] = ['Succeeded', 'Failed', 'TimeOut', 'Cancelled'];

export interface MachineAction {
  id: string;
  type: MachineActionType;
  title: string | null;
  scope: string | null;
  requestor: string;
  requestorComment: string;
  status: MachineActionStatus;
  machineId: string;
  computerDnsName: string;
  creationDateTimeUtc: string;
  lastUpdateDateTimeUtc: string;
  cancellationRequestor: string | null;
  cancellationComment: string | null;
  cancellationDateTimeUtc: string | null;
  errorHResult: number;
  requestSource: string;
  externalId: string | null;
  relatedFileInfo: { fileIdentifier: string; fileIdentifierType: 'Sha1' } | null;
  commands: unknown[];
  troubleshootInfo: string | null;
}

/** Graph security alert (alerts_v2): the documented fields are filled in, anything else is kept as given. */
export type SecurityAlert = Json & {
  id: string;
  createdDateTime: string;
  lastUpdateDateTime: string;
  status: string;
  severity: string;
  comments: AlertComment[];
};

export interface AlertComment {
  comment: string;
  createdByDisplayName: string;
  createdDateTime: string;
}

export type AlertInput = Json & { id?: string; title?: string; tenantId?: string };

export type SecurityIncident = Json & {
  id: string;
  createdDateTime: string;
  lastUpdateDateTime: string;
  alertIds: string[];
};

export type IncidentInput = Json & { id?: string; displayName?: string; tenantId?: string; alertIds?: string[] };

/** A password set through `passwordProfile`: kept by the fake only so tests can check it never leaked. */
export interface PasswordRecord {
  password: string;
  forceChangePasswordNextSignIn: boolean;
  setAt: string;
}

export type RiskLevel = 'low' | 'medium' | 'high' | 'hidden' | 'none';
export type RiskState = 'none' | 'confirmedSafe' | 'remediated' | 'dismissed' | 'atRisk' | 'confirmedCompromised';

/** Identity Protection's view of a user (`/identityProtection/riskyUsers/{userId}`). */
export interface RiskyUser {
  id: string;
  isDeleted: boolean;
  isProcessing: boolean;
  riskLastUpdatedDateTime: string;
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: string;
  userDisplayName: string;
  userPrincipalName: string;
}

export type RiskyUserInput = {
  userId: string;
  riskLevel?: RiskLevel;
  riskState?: RiskState;
  riskDetail?: string;
  tenantId?: string;
};

/** An interactive or non-interactive sign-in (`/auditLogs/signIns`), with the fields playbooks look at. */
export interface SignIn {
  id: string;
  createdDateTime: string;
  userId: string;
  userPrincipalName: string;
  userDisplayName: string;
  appId: string;
  appDisplayName: string;
  ipAddress: string;
  clientAppUsed: string;
  isInteractive: boolean;
  conditionalAccessStatus: string;
  riskLevelDuringSignIn: string;
  riskState: string;
  location: { city: string; state: string; countryOrRegion: string };
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
}

export type SignInInput = Partial<SignIn> & { userId: string; tenantId?: string };

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  accountEnabled: boolean;
  servicePrincipalType: string;
  appOwnerOrganizationId: string | null;
  publisherName: string | null;
  tags: string[];
}

export type ServicePrincipalInput = Partial<ServicePrincipal> & {
  appId: string;
  displayName: string;
  tenantId?: string;
};

export type IndicatorType =
  'FileSha1' | 'FileSha256' | 'FileMd5' | 'IpAddress' | 'DomainName' | 'Url' | 'CertificateThumbprint';

/** A Defender custom indicator (`/api/indicators`). */
export interface Indicator {
  /** A number, as in MDE. */
  id: number;
  indicatorValue: string;
  indicatorType: IndicatorType;
  action: string;
  title: string;
  description: string;
  severity: string;
  expirationTime: string | null;
  creationTimeDateTimeUtc: string;
  lastUpdateTime: string;
  createdBy: string;
  createdBySource: string;
  generateAlert: boolean;
  recommendedActions: string | null;
  rbacGroupNames: string[];
}

/** A Defender for Endpoint alert (`/api/alerts`, `/api/machines/{id}/alerts`): the fields playbooks read. */
export interface DefenderAlert {
  id: string;
  incidentId: number;
  machineId: string;
  computerDnsName: string;
  title: string;
  description: string;
  severity: string;
  status: string;
  category: string;
  detectionSource: string;
  threatName: string | null;
  alertCreationTime: string;
  lastUpdateTime: string;
  relatedUser: { userName: string; domainName: string } | null;
}

export type DefenderAlertInput = Partial<DefenderAlert> & { machineId: string; title: string; tenantId?: string };

export interface LogonUser {
  id: string;
  accountName: string;
  accountDomain: string;
  accountSid: string;
  firstSeen: string;
  lastSeen: string;
  logonTypes: string;
  isDomainAdmin: boolean;
  isOnlyNetworkUser: boolean;
}

/** A file as Defender profiles it (`/api/files/{sha1 or sha256}`). */
export interface FileProfile {
  sha1: string;
  sha256: string;
  md5: string;
  globalPrevalence: number;
  globalFirstObserved: string;
  globalLastObserved: string;
  size: number;
  fileType: string | null;
  isPeFile: boolean;
  filePublisher: string | null;
  fileProductName: string | null;
  signer: string | null;
  issuer: string | null;
  signerHash: string | null;
  isValidCertificate: boolean | null;
  determinationType: string;
  determinationValue: string;
}

/** A message sent through Graph `POST /users/{id}/sendMail`. */
export interface SentMail {
  from: string;
  subject: string;
  body: string;
  to: string[];
  at: string;
}
