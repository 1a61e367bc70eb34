import { randomUUID } from 'node:crypto';
import { isoSeconds } from './clock.js';
import type { HuntingRow } from './hunting.js';
import { ArmState } from './arm.js';
import { buildAlert, buildIncident, buildMachine, buildUser } from './entities.js';
import type {
  AlertInput,
  AppRegistration,
  AppRegistrationInput,
  DirectoryRole,
  DirectoryRoleInput,
  Group,
  GroupInput,
  GraphUser,
  IncidentInput,
  Machine,
  MachineAction,
  MachineInput,
  ManagedIdentity,
  PasswordRecord,
  SentMail,
  DefenderAlert,
  DefenderAlertInput,
  FileProfile,
  Indicator,
  LogonUser,
  RiskyUser,
  RiskyUserInput,
  ServicePrincipal,
  ServicePrincipalInput,
  SignIn,
  SignInInput,
  ManagedIdentityInput,
  SecurityAlert,
  SecurityIncident,
  TenantInput,
  UserInput,
} from './model.js';
import { normalizeThumbprint } from './tokens.js';

/** Well-known directory role templates, so `addDirectoryRole({ roleTemplateId })` gets the real name. */
export const ROLE_TEMPLATES: Record<string, { displayName: string; description: string }> = {
  '62e90394-69f5-4237-9190-012177145e10': {
    displayName: 'Global Administrator',
    description:
      'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
  },
  'e8611ab8-c189-46e8-94e1-60213ab1f814': {
    displayName: 'Privileged Role Administrator',
    description:
      'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
  },
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': {
    displayName: 'Privileged Authentication Administrator',
    description:
      'Can access to view, set and reset authentication method information for any user (admin or non-admin).',
  },
  'fe930be7-5e62-47db-91af-98c3a49a38b1': {
    displayName: 'User Administrator',
    description: 'Can manage all aspects of users and groups, including resetting passwords for limited admins.',
  },
  '194ae4cb-b126-40b2-bd5b-6091b380977d': {
    displayName: 'Security Administrator',
    description:
      'Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.',
  },
};

/** Holders of these roles are "privileged": disabling them takes an app that itself holds one of `ADMIN_CAPABLE_ROLES`. */
export const PRIVILEGED_ROLE_TEMPLATES = new Set(Object.keys(ROLE_TEMPLATES));
export const ADMIN_CAPABLE_ROLES = new Set([
  '62e90394-69f5-4237-9190-012177145e10',
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
]);

/** One directory: its apps, identities, users, devices and security data. */
export class TenantData {
  readonly apps = new Map<string, AppRegistration>();
  readonly managedIdentities = new Map<string, ManagedIdentity>();
  readonly users = new Map<string, GraphUser>();
  readonly groups = new Map<string, Group>();
  readonly directoryRoles = new Map<string, DirectoryRole>();
  readonly machines = new Map<string, Machine>();
  readonly machineActions = new Map<string, MachineAction>();
  readonly alerts = new Map<string, SecurityAlert>();
  readonly incidents = new Map<string, SecurityIncident>();
  /** By user id. */
  readonly passwords = new Map<string, PasswordRecord>();
  /** By user id. */
  readonly riskyUsers = new Map<string, RiskyUser>();
  readonly signIns: SignIn[] = [];
  /** User id → the user id of their manager. */
  readonly managers = new Map<string, string>();
  readonly servicePrincipals = new Map<string, ServicePrincipal>();
  /** Defender custom indicators by id (as text). */
  readonly indicators = new Map<string, Indicator>();
  readonly defenderAlerts: DefenderAlert[] = [];
  /** Machine id → users seen logged on. */
  readonly logonUsers = new Map<string, LogonUser[]>();
  readonly sentMail: SentMail[] = [];
  /** Advanced hunting tables (`UrlClickEvents`, `EmailEvents`, …) by name. */
  readonly huntingTables: Record<string, HuntingRow[]> = {};
  /** By SHA-1 and by SHA-256 (lower case). */
  readonly files = new Map<string, FileProfile>();
  /** Azure Resource Manager: resource groups, role assignments, storage accounts. */
  readonly arm = new ArmState();
  private readonly upnIndex = new Map<string, string>();

  constructor(
    readonly id: string,
    readonly displayName: string,
    readonly domains: string[],
  ) {}

  /** By object id or UPN (case-insensitive), as Graph's `/users/{id | userPrincipalName}`. */
  findUser(idOrUpn: string): GraphUser | undefined {
    const key = idOrUpn.toLowerCase();
    return this.users.get(key) ?? this.users.get(this.upnIndex.get(key) ?? '');
  }

  /** Stores a user; pass the UPN it had when a change renamed it, so the old name stops resolving. */
  putUser(user: GraphUser, previousUpn?: string): void {
    const previous = previousUpn ?? this.users.get(user.id.toLowerCase())?.userPrincipalName;
    if (previous) this.upnIndex.delete(previous.toLowerCase());
    this.users.set(user.id.toLowerCase(), user);
    this.upnIndex.set(user.userPrincipalName.toLowerCase(), user.id.toLowerCase());
  }

  /** A directory role by its id or its role template id. */
  findDirectoryRole(idOrTemplateId: string): DirectoryRole | undefined {
    const key = idOrTemplateId.toLowerCase();
    return this.directoryRoles.get(key) ?? [...this.directoryRoles.values()].find((r) => r.roleTemplateId === key);
  }

  /** By object id, or `appId=<app id>` (Graph's alternate key). */
  findServicePrincipal(key: string): ServicePrincipal | undefined {
    const k = key.toLowerCase();
    if (k.startsWith('appid='))
      return [...this.servicePrincipals.values()].find((sp) => sp.appId === k.slice('appid='.length));
    return this.servicePrincipals.get(k);
  }

  /** Template ids of the directory roles the user holds. */
  rolesOf(userId: string): string[] {
    return [...this.directoryRoles.values()].filter((r) => r.members.includes(userId)).map((r) => r.roleTemplateId);
  }
}

/** Everything the fake knows, in memory. Tenants are addressed by GUID or by any of their domain names. */
export class CloudState {
  private readonly tenants = new Map<string, TenantData>();
  private readonly domainIndex = new Map<string, string>();
  private defaultTenantId: string | undefined;

  clear(): void {
    this.tenants.clear();
    this.domainIndex.clear();
    this.defaultTenantId = undefined;
  }

  /** The tenant with this GUID or domain name. */
  tenant(idOrDomain: string): TenantData | undefined {
    const key = idOrDomain.toLowerCase();
    return this.tenants.get(key) ?? this.tenants.get(this.domainIndex.get(key) ?? '');
  }

  /** The named tenant, or the first one added when no tenant is named. */
  requireTenant(idOrDomain?: string): TenantData {
    const tenant = this.tenant(idOrDomain ?? this.defaultTenantId ?? '');
    if (!tenant)
      throw new Error(idOrDomain ? `fake-cloud: unknown tenant ${idOrDomain}` : 'fake-cloud: add a tenant first');
    return tenant;
  }

  allTenants(): TenantData[] {
    return [...this.tenants.values()];
  }

  addTenant(input: TenantInput): TenantData {
    const id = input.id.toLowerCase();
    if (this.tenants.has(id)) throw new Error(`fake-cloud: tenant ${id} exists`);
    const domains = (input.domains ?? []).map((d) => d.toLowerCase());
    const tenant = new TenantData(id, input.displayName ?? domains[0] ?? id, domains);
    this.tenants.set(id, tenant);
    for (const domain of domains) this.domainIndex.set(domain, id);
    this.defaultTenantId ??= id;
    return tenant;
  }

  removeTenant(idOrDomain: string): void {
    const tenant = this.tenant(idOrDomain);
    if (!tenant) return;
    this.tenants.delete(tenant.id);
    for (const domain of tenant.domains) this.domainIndex.delete(domain);
    if (this.defaultTenantId === tenant.id) this.defaultTenantId = this.tenants.keys().next().value;
  }

  addApp(input: AppRegistrationInput): AppRegistration {
    const tenant = this.requireTenant(input.tenantId);
    const app: AppRegistration = {
      clientId: input.clientId.toLowerCase(),
      tenantId: tenant.id,
      displayName: input.displayName ?? `app-${input.clientId.slice(0, 8)}`,
      servicePrincipalId: input.servicePrincipalId ?? randomUUID(),
      secrets: (input.secrets ?? []).map((s) => (typeof s === 'string' ? { value: s } : { ...s })),
      certificateThumbprints: (input.certificateThumbprints ?? []).map(normalizeThumbprint),
      roles: structuredClone(input.roles ?? {}),
      directoryRoleTemplateIds: input.directoryRoleTemplateIds ?? [],
      redirectUris: input.redirectUris ?? [],
      spaRedirectUris: input.spaRedirectUris ?? [],
      identifierUris: input.identifierUris ?? [],
      userRoles: {},
    };
    tenant.apps.set(app.clientId, app);
    return app;
  }

  addManagedIdentity(input: ManagedIdentityInput): ManagedIdentity {
    const tenant = this.requireTenant(input.tenantId);
    const identity: ManagedIdentity = {
      tenantId: tenant.id,
      clientId: input.clientId.toLowerCase(),
      objectId: input.objectId ?? randomUUID(),
      resourceId:
        input.resourceId ??
        `/subscriptions/${randomUUID()}/resourcegroups/riposte/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${input.clientId}`,
      systemAssigned: input.systemAssigned ?? false,
      roles: structuredClone(input.roles ?? {}),
    };
    tenant.managedIdentities.set(identity.clientId, identity);
    return identity;
  }

  addUser(input: UserInput): GraphUser {
    const tenant = this.requireTenant(input.tenantId);
    const user = buildUser(input);
    tenant.putUser(user);
    return user;
  }

  addGroup(input: GroupInput): Group {
    const tenant = this.requireTenant(input.tenantId);
    const group: Group = {
      id: (input.id ?? randomUUID()).toLowerCase(),
      displayName: input.displayName,
      description: input.description ?? null,
      securityEnabled: input.securityEnabled ?? true,
      mailEnabled: input.mailEnabled ?? false,
      members: (input.members ?? []).map((m) => m.toLowerCase()),
    };
    tenant.groups.set(group.id, group);
    return group;
  }

  addDirectoryRole(input: DirectoryRoleInput): DirectoryRole {
    const tenant = this.requireTenant(input.tenantId);
    const template = ROLE_TEMPLATES[input.roleTemplateId.toLowerCase()];
    const role: DirectoryRole = {
      id: (input.id ?? randomUUID()).toLowerCase(),
      roleTemplateId: input.roleTemplateId.toLowerCase(),
      displayName: input.displayName ?? template?.displayName ?? 'Directory role',
      description: input.description ?? template?.description ?? '',
      members: (input.members ?? []).map((m) => m.toLowerCase()),
    };
    tenant.directoryRoles.set(role.id, role);
    return role;
  }

  addRiskyUser(input: RiskyUserInput): RiskyUser {
    const tenant = this.requireTenant(input.tenantId);
    const user = tenant.findUser(input.userId);
    if (!user) throw new Error(`fake-cloud: unknown user ${input.userId}`);
    const risky: RiskyUser = {
      id: user.id,
      isDeleted: false,
      isProcessing: false,
      riskLastUpdatedDateTime: isoSeconds(),
      riskLevel: input.riskLevel ?? 'high',
      riskState: input.riskState ?? 'atRisk',
      riskDetail: input.riskDetail ?? 'none',
      userDisplayName: user.displayName,
      userPrincipalName: user.userPrincipalName,
    };
    tenant.riskyUsers.set(user.id, risky);
    return risky;
  }

  addSignIn(input: SignInInput): SignIn {
    const { tenantId, ...rest } = input;
    const tenant = this.requireTenant(tenantId);
    const user = tenant.findUser(input.userId);
    const signIn: SignIn = {
      id: randomUUID(),
      createdDateTime: isoSeconds(),
      userPrincipalName: user?.userPrincipalName ?? input.userId,
      userDisplayName: user?.displayName ?? input.userId,
      appId: '00000002-0000-0ff1-ce00-000000000000',
      appDisplayName: 'Office 365 Exchange Online',
      ipAddress: '203.0.113.10',
      clientAppUsed: 'Browser',
      isInteractive: true,
      conditionalAccessStatus: 'notApplied',
      riskLevelDuringSignIn: 'none',
      riskState: 'none',
      location: { city: 'Seattle', state: 'Washington', countryOrRegion: 'US' },
      status: { errorCode: 0, failureReason: null, additionalDetails: null },
      ...rest,
      userId: user?.id ?? input.userId,
    };
    tenant.signIns.push(signIn);
    return signIn;
  }

  addServicePrincipal(input: ServicePrincipalInput): ServicePrincipal {
    const { tenantId, ...rest } = input;
    const tenant = this.requireTenant(tenantId);
    const sp: ServicePrincipal = {
      id: randomUUID(),
      accountEnabled: true,
      servicePrincipalType: 'Application',
      appOwnerOrganizationId: null,
      publisherName: null,
      tags: [],
      ...rest,
      appId: input.appId.toLowerCase(),
    };
    sp.id = sp.id.toLowerCase();
    tenant.servicePrincipals.set(sp.id, sp);
    return sp;
  }

  addDefenderAlert(input: DefenderAlertInput): DefenderAlert {
    const { tenantId, ...rest } = input;
    const tenant = this.requireTenant(tenantId);
    const machine = tenant.machines.get(input.machineId.toLowerCase());
    const now = new Date().toISOString();
    const alert: DefenderAlert = {
      id: `da${randomUUID().replace(/-/g, '').slice(0, 18)}`,
      incidentId: 41001,
      computerDnsName: machine?.computerDnsName ?? '',
      description: '',
      severity: 'High',
      status: 'New',
      category: 'Malware',
      detectionSource: 'WindowsDefenderAv',
      threatName: null,
      alertCreationTime: now,
      lastUpdateTime: now,
      relatedUser: null,
      ...rest,
      machineId: input.machineId.toLowerCase(),
    };
    tenant.defenderAlerts.push(alert);
    return alert;
  }

  addLogonUser(machineId: string, user: Partial<LogonUser> & { accountName: string }, tenantId?: string): LogonUser {
    const tenant = this.requireTenant(tenantId);
    const now = new Date().toISOString();
    const logon: LogonUser = {
      id: `contoso\\${user.accountName}`,
      accountDomain: 'contoso',
      accountSid: `S-1-5-21-${randomUUID().slice(0, 8)}`,
      firstSeen: now,
      lastSeen: now,
      logonTypes: 'Interactive',
      isDomainAdmin: false,
      isOnlyNetworkUser: false,
      ...user,
    };
    const list = tenant.logonUsers.get(machineId.toLowerCase()) ?? [];
    list.push(logon);
    tenant.logonUsers.set(machineId.toLowerCase(), list);
    return logon;
  }

  addFile(file: Partial<FileProfile> & { sha1: string; sha256: string }, tenantId?: string): FileProfile {
    const tenant = this.requireTenant(tenantId);
    const now = new Date().toISOString();
    const profile: FileProfile = {
      md5: '',
      globalPrevalence: 1,
      globalFirstObserved: now,
      globalLastObserved: now,
      size: 1024,
      fileType: 'PortableExecutable',
      isPeFile: true,
      filePublisher: null,
      fileProductName: null,
      signer: null,
      issuer: null,
      signerHash: null,
      isValidCertificate: false,
      determinationType: 'Unknown',
      determinationValue: '',
      ...file,
      sha1: file.sha1.toLowerCase(),
      sha256: file.sha256.toLowerCase(),
    };
    tenant.files.set(profile.sha1, profile);
    tenant.files.set(profile.sha256, profile);
    return profile;
  }

  addMachine(input: MachineInput): Machine {
    const tenant = this.requireTenant(input.tenantId);
    const machine = buildMachine(input);
    tenant.machines.set(machine.id.toLowerCase(), machine);
    return machine;
  }

  addAlert(input: AlertInput): SecurityAlert {
    const tenant = this.requireTenant(input.tenantId);
    const alert = buildAlert(input, tenant.id);
    tenant.alerts.set(alert.id, alert);
    const incident = tenant.incidents.get(String(alert.incidentId));
    if (incident && !incident.alertIds.includes(alert.id)) incident.alertIds.push(alert.id);
    return alert;
  }

  addIncident(input: IncidentInput): SecurityIncident {
    const tenant = this.requireTenant(input.tenantId);
    const incident = buildIncident(input, tenant.id);
    for (const alert of tenant.alerts.values()) {
      if (alert.incidentId === incident.id && !incident.alertIds.includes(alert.id)) incident.alertIds.push(alert.id);
    }
    for (const alertId of incident.alertIds) {
      const alert = tenant.alerts.get(alertId);
      if (alert) alert.incidentId = incident.id;
    }
    tenant.incidents.set(incident.id, incident);
    return incident;
  }
}
