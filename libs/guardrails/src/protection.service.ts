import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AzureError, type AzureTarget, DefenderClient, GraphClient, StorageClient, userPath } from '@riposte/azure';
import { AppConfig } from '@riposte/config';
import { ConflictError, NotFoundError } from '@riposte/errors';
import { Database, nowIso, ProtectedEntityEntity, RecentRead } from '@riposte/persistence';
import {
  type GuardrailSettings,
  type GuardrailsFile,
  mergeSettings,
  PRIVILEGED_ROLE_TEMPLATES,
  readGuardrailsFile,
} from './guardrail-settings.js';
import { SettingsStore } from './settings-store.js';

/** azureResource: a resource id, and everything under it (a resource group protects its accounts); azureTag: `key` or `key=value` on an Azure resource. */
export const PROTECTED_KINDS = ['user', 'group', 'machine', 'machineTag', 'azureResource', 'azureTag'] as const;
export type ProtectedKind = (typeof PROTECTED_KINDS)[number];

export interface ProtectedView {
  id: string;
  kind: ProtectedKind;
  value: string;
  reason: string | null;
  source: 'file' | 'api';
}

const CACHE_MS = 5 * 60_000;
/**
 * Kinds of entity that name no person, app or machine (a tenant-wide indicator, a notification
 * channel, an alert or incident): no protection rule applies to them. Any other kind not handled
 * in `refusal` is refused.
 */
const NOTHING_TO_PROTECT = new Set(['indicator', 'channel', 'alert', 'incident', 'none']);

/** The protected list is read on every destructive action: reused this long (changes here show at once). */
const LIST_CACHE_MS = 2_000;
type Directory = Map<string, string> | 'unavailable';
type DirectoryObject = {
  id?: string;
  userPrincipalName?: string;
  roleTemplateId?: string;
  displayName?: string;
  '@odata.type'?: string;
};

/**
 * Protected users and machines: listed (by UPN, object id, DNS name, machine id), members of a
 * protected Entra group, holders of privileged directory roles (Global Administrator, …), the
 * service's own app. Directory facts are read from Graph and cached for five minutes per
 * connection target; with no permission to list roles and groups, each user's own memberOf
 * (readable with the User.Read.All the actions need anyway) is checked instead.
 */
@Injectable()
export class ProtectionService {
  private readonly file: GuardrailsFile;
  private readonly directories = new Map<string, { at: number; directory: Promise<Directory> }>();
  private readonly memberships = new Map<string, { at: number; reason: Promise<string | null> }>();
  private readonly machines = new Map<
    string,
    { at: number; machine: Promise<{ id: string; dns: string; tags: string[] } | null> }
  >();
  private readonly listed = new RecentRead(LIST_CACHE_MS, () => this.readList());

  constructor(
    private readonly db: Database,
    private readonly settingsStore: SettingsStore,
    private readonly graph: GraphClient,
    private readonly defender: DefenderClient,
    private readonly storage: StorageClient,
    config: AppConfig,
  ) {
    this.file = readGuardrailsFile(config.guardrailsFile);
  }

  async settings(): Promise<GuardrailSettings> {
    return mergeSettings(this.file, await this.settingsStore.get('guardrails'));
  }

  list(): Promise<ProtectedView[]> {
    return this.listed.get();
  }

  private async readList(): Promise<ProtectedView[]> {
    const fromFile: ProtectedView[] = [];
    const lists: Record<ProtectedKind, string[] | undefined> = {
      user: this.file.protected?.users,
      group: this.file.protected?.groups,
      machine: this.file.protected?.machines,
      machineTag: this.file.protected?.machineTags,
      azureResource: this.file.protected?.azureResources,
      azureTag: this.file.protected?.azureTags,
    };
    for (const [kind, values] of Object.entries(lists))
      for (const value of values ?? [])
        fromFile.push({
          id: `file:${kind}:${value.toLowerCase()}`,
          kind: kind as ProtectedKind,
          value: value.toLowerCase(),
          reason: 'listed in the guardrails file',
          source: 'file',
        });
    const rows = await this.db.reader.find(ProtectedEntityEntity, { order: { createdAt: 'ASC' } });
    return [
      ...fromFile,
      ...rows.map((r) => ({
        id: r.id,
        kind: r.kind as ProtectedKind,
        value: r.value,
        reason: r.reason,
        source: 'api' as const,
      })),
    ];
  }

  async add(kind: ProtectedKind, value: string, reason: string | null, by: string | null): Promise<ProtectedView> {
    const row: ProtectedEntityEntity = {
      id: randomUUID(),
      kind,
      value: value.toLowerCase(),
      reason,
      createdBy: by,
      createdAt: nowIso(),
    };
    await this.db.transaction(async (m) => {
      if (await m.exists(ProtectedEntityEntity, { where: { kind, value: row.value } }))
        throw new ConflictError(`${kind} '${value}' is already protected.`);
      await m.insert(ProtectedEntityEntity, row);
    });
    this.listed.clear();
    this.directories.clear();
    this.memberships.clear();
    return { id: row.id, kind, value: row.value, reason, source: 'api' };
  }

  async remove(id: string): Promise<void> {
    const deleted = await this.db.transaction((m) => m.delete(ProtectedEntityEntity, { id }));
    if (!deleted.affected) throw new NotFoundError('Protected entity', id);
    this.listed.clear();
    this.directories.clear();
    this.memberships.clear();
  }

  /** Why this entity may not be touched, or null. `entity` is an action's entity: `user:<upn or id>`, `machine:<id or name>`. */
  async refusal(entity: string, target: AzureTarget, signal?: AbortSignal): Promise<string | null> {
    const [kind, ...rest] = entity.split(':');
    const value = rest.join(':').toLowerCase();
    const listed = await this.list();
    const has = (k: ProtectedKind, v: string) => listed.find((p) => p.kind === k && p.value === v.toLowerCase());
    const settings = await this.settings();
    if (kind === 'user') {
      const explicit = has('user', value);
      if (explicit) return `${value} is protected (${explicit.reason ?? 'listed'})`;
      if (settings.protectOwnApp && target.clientId && value === target.clientId.toLowerCase())
        return `${value} is this service's own app registration`;
      const groups = new Set(listed.filter((p) => p.kind === 'group').map((p) => p.value));
      if (!settings.protectDirectoryRoles && groups.size === 0) return null;
      return this.directoryRefusal(target, value, groups, settings.protectDirectoryRoles, signal);
    }
    if (kind === 'servicePrincipal') return settings.protectOwnApp ? this.ownAppRefusal(target, value, signal) : null;
    if (kind === 'machine') {
      const explicit = has('machine', value);
      if (explicit) return `machine ${value} is protected (${explicit.reason ?? 'listed'})`;
      const machine = await this.machine(target, value, signal);
      if (!machine) return null;
      const byIdOrName = has('machine', machine.id) ?? has('machine', machine.dns);
      if (byIdOrName) return `machine ${machine.dns || machine.id} is protected (${byIdOrName.reason ?? 'listed'})`;
      const tag = machine.tags.find((t) => has('machineTag', t));
      if (tag) return `machine ${machine.dns || machine.id} carries the protected Defender tag '${tag}'`;
      return null;
    }
    if (kind === 'azure') return this.azureRefusal(target, value, listed, signal);
    if (kind !== undefined && NOTHING_TO_PROTECT.has(kind)) return null;
    // Fail closed: an action on a kind of thing no rule here knows could touch what must not be touched.
    return `Riposte has no protection rule for '${kind}' entities, so it cannot tell whether ${entity} is protected`;
  }

  /** The service's own app, named by its app id or by its service principal's object id. */
  private async ownAppRefusal(target: AzureTarget, value: string, signal?: AbortSignal): Promise<string | null> {
    const own = target.clientId?.toLowerCase();
    if (!own) return null;
    if (value === own) return `${value} is this service's own app registration`;
    try {
      const sp = (
        await this.graph.send<{ appId?: string }>(
          target,
          {
            method: 'GET',
            path: `/servicePrincipals/${encodeURIComponent(value)}?$select=id,appId`,
            idempotent: true,
            notFound: 'not_found',
          },
          signal,
        )
      ).data;
      return sp.appId?.toLowerCase() === own
        ? `${value} is the service principal of this service's own app registration`
        : null;
    } catch (error) {
      // Not an object id: looked up by app id, which was compared above.
      if (error instanceof AzureError && error.code === 'not_found') return null;
      throw error;
    }
  }

  /** An Azure resource (`azure:<resource id or storage account name>[/sub-resource…]`): protected by id, by a parent's id, or by a tag on the account. */
  private async azureRefusal(
    target: AzureTarget,
    value: string,
    listed: ProtectedView[],
    signal?: AbortSignal,
  ): Promise<string | null> {
    const [account = '', ...rest] = value.split('/blobservices/');
    const accountId = (account.startsWith('/') ? account : this.storage.accountId(target, account)).toLowerCase();
    const id = [accountId, ...rest].join('/blobservices/');
    const byId = listed.find(
      (p) =>
        p.kind === 'azureResource' &&
        (id === p.value.replace(/\/+$/, '') || id.startsWith(`${p.value.replace(/\/+$/, '')}/`)),
    );
    if (byId)
      return `${id} is protected (${byId.reason ?? 'listed'}${byId.value !== id ? `: under ${byId.value}` : ''})`;
    const tags = listed.filter((p) => p.kind === 'azureTag');
    if (!tags.length) return null;
    const found = await this.storage.getAccount(target, accountId, signal);
    for (const [key, tagValue] of Object.entries(found.tags ?? {})) {
      const match = tags.find((t) => t.value === key.toLowerCase() || t.value === `${key}=${tagValue}`.toLowerCase());
      if (match) return `storage account ${found.name} carries the protected tag '${key}=${tagValue}'`;
    }
    return null;
  }

  private async directoryRefusal(
    target: AzureTarget,
    user: string,
    groups: Set<string>,
    roles: boolean,
    signal?: AbortSignal,
  ): Promise<string | null> {
    const key = `${target.id}#${target.credentialVersion}#${[...groups].sort().join(',')}#${roles}`;
    let entry = this.directories.get(key);
    if (!entry || Date.now() - entry.at > CACHE_MS) {
      entry = { at: Date.now(), directory: this.loadDirectory(target, groups, roles, signal) };
      this.directories.set(key, entry);
    }
    const directory = await entry.directory;
    if (directory !== 'unavailable') return directory.get(user) ?? null;
    return this.memberOf(target, user, groups, roles, signal);
  }

  /** Every protected user, from the privileged roles' and protected groups' members: a few calls, then cached. */
  private async loadDirectory(
    target: AzureTarget,
    groups: Set<string>,
    roles: boolean,
    signal?: AbortSignal,
  ): Promise<Directory> {
    const protectedUsers = new Map<string, string>();
    const add = (member: DirectoryObject, reason: string) => {
      if (member.id) protectedUsers.set(member.id.toLowerCase(), reason);
      if (member.userPrincipalName) protectedUsers.set(member.userPrincipalName.toLowerCase(), reason);
    };
    try {
      if (roles) {
        for (const role of await this.all<DirectoryObject>(target, '/directoryRoles', signal)) {
          const name = role.roleTemplateId ? PRIVILEGED_ROLE_TEMPLATES[role.roleTemplateId.toLowerCase()] : undefined;
          if (!name || !role.id) continue;
          for (const member of await this.all<DirectoryObject>(target, `/directoryRoles/${role.id}/members`, signal))
            add(member, `${member.userPrincipalName ?? member.id} holds the ${name} role`);
        }
      }
      for (const group of groups) {
        for (const member of await this.all<DirectoryObject>(
          target,
          `/groups/${encodeURIComponent(group)}/transitiveMembers`,
          signal,
        ))
          add(member, `${member.userPrincipalName ?? member.id} is a member of the protected group ${group}`);
      }
      return protectedUsers;
    } catch (error) {
      if (error instanceof AzureError && error.code === 'insufficient_privileges') return 'unavailable';
      this.directories.clear();
      throw error;
    }
  }

  /** Without directory permissions: the user's own memberships (direct groups and roles). */
  private memberOf(
    target: AzureTarget,
    user: string,
    groups: Set<string>,
    roles: boolean,
    signal?: AbortSignal,
  ): Promise<string | null> {
    const key = `${target.id}#${user}`;
    const cached = this.memberships.get(key);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.reason;
    const reason = (async () => {
      try {
        for (const item of await this.all<DirectoryObject>(
          target,
          `${userPath(user)}/memberOf?$select=id,displayName,roleTemplateId`,
          signal,
        )) {
          const role = item.roleTemplateId ? PRIVILEGED_ROLE_TEMPLATES[item.roleTemplateId.toLowerCase()] : undefined;
          if (roles && role) return `${user} holds the ${role} role`;
          if (item.id && groups.has(item.id.toLowerCase()))
            return `${user} is a member of the protected group ${item.displayName ?? item.id}`;
        }
        return null;
      } catch (error) {
        // No such user: nothing to protect; the action itself fails with its own error.
        if (error instanceof AzureError && (error.code === 'user_not_found' || error.code === 'not_found')) return null;
        this.memberships.delete(key);
        throw new AzureError(
          error instanceof AzureError ? error.code : 'service_unavailable',
          `Could not check whether ${user} is protected, so nothing was done: ${(error as Error).message}`,
          { service: 'graph' },
        );
      }
    })();
    this.memberships.set(key, { at: Date.now(), reason });
    return reason;
  }

  private machine(
    target: AzureTarget,
    value: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; dns: string; tags: string[] } | null> {
    const key = `${target.id}#${value}`;
    const cached = this.machines.get(key);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.machine;
    const machine = this.defender.resolveMachine(target, value, signal).then(
      (m) => ({
        id: m.id.toLowerCase(),
        dns: (m.computerDnsName ?? '').toLowerCase(),
        tags: (m.machineTags ?? []).map((t) => t.toLowerCase()),
      }),
      (error: unknown) => {
        this.machines.delete(key);
        if (error instanceof AzureError && error.code === 'machine_not_found') return null;
        throw error;
      },
    );
    this.machines.set(key, { at: Date.now(), machine });
    return machine;
  }

  private async all<T>(target: AzureTarget, path: string, signal?: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    let next: string | null = path;
    for (let pages = 0; next && pages < 100; pages++) {
      const page: { value: T[]; nextLink: string | null } = await this.graph.page<T>(target, next, { signal });
      out.push(...page.value);
      next = page.nextLink;
    }
    return out;
  }
}
