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
}

export type MachineInput = Partial<Machine> & { computerDnsName: string; tenantId?: string };

export type MachineActionType = 'Isolate' | 'Unisolate';
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
  relatedFileInfo: null;
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

export type SecurityIncident = Json & { id: string; createdDateTime: string; lastUpdateDateTime: string; alertIds: string[] };

export type IncidentInput = Json & { id?: string; displayName?: string; tenantId?: string; alertIds?: string[] };
