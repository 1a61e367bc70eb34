import { Injectable } from '@nestjs/common';
import {
  ArmClient,
  type AzureRoleGrant,
  type AzureTarget,
  AzureError,
  grantedRoles,
  grantedScopes,
  isDelegated,
  readClaims,
  type ResourceName,
  rolesAllow,
  TokenProvider,
} from '@riposte/azure';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { ActionCatalogue } from './action-catalogue.js';
import { howToGrant, isSatisfied, RESOURCE_DISPLAY_NAMES } from './required-roles.js';
import { toFailure } from './action-result.js';

export interface ResourceReport {
  resource: ResourceName;
  ok: boolean;
  grantedRoles: string[];
  missingRoles: string[];
  error?: { code: string; message: string };
}

export interface ActionReadiness {
  action: string;
  ready: boolean;
  missing: { resource: ResourceName; role: string; fix: string }[];
}

/** Azure Resource Manager: can the app (or the signed-in person) read the resource group, and with which roles? */
export interface ArmReport {
  ok: boolean;
  subscriptionId: string | null;
  resourceGroup: string | null;
  /** Who ARM sees: the app's service principal or the signed-in person (token `oid`). */
  principal: { objectId: string; kind: 'application' | 'user'; name: string | null } | null;
  resourceGroupReadable: boolean;
  roles: { roleName: string; scope: string }[];
  /** What is missing or wrong, in words. */
  problems: string[];
}

export interface ConnectionTestReport {
  ok: boolean;
  /** authorizationCode / deviceCode targets: who is signed in (or why a sign-in is needed). */
  delegated?: { signedIn: boolean; account: string | null; reason: string | null };
  resources: ResourceReport[];
  arm?: ArmReport;
  actions: ActionReadiness[];
}

/**
 * "Will this app registration work?": gets a fresh token per resource (so consent granted a
 * minute ago shows), reads the app roles Entra ID put in it, and says, per action, which roles
 * are missing and how to grant them. AADSTS failures come back as plain sentences.
 */
@Injectable()
export class ConnectionTester {
  constructor(
    private readonly targets: ConnectionTargetsService,
    private readonly tokens: TokenProvider,
    private readonly catalogue: ActionCatalogue,
    private readonly arm: ArmClient,
  ) {}

  async test(name: string): Promise<ConnectionTestReport> {
    const target = await this.targets.resolve(name);
    const delegated = isDelegated(target.credential);
    const actions = this.catalogue.list();
    const needed = [...new Set(actions.flatMap((a) => a.requiredRoles.map((r) => r.resource)))].filter(
      (r) => target.scopes[r],
    );

    const granted = new Map<ResourceName, Set<string>>();
    const resources: ResourceReport[] = [];
    let signedIn: NonNullable<ConnectionTestReport['delegated']> | undefined = delegated
      ? { signedIn: true, account: null, reason: null }
      : undefined;
    for (const resource of needed) {
      try {
        const token = await this.tokens.getToken(target, resource, { forceRefresh: true });
        // A person's token carries delegated permissions (scp), an app's its app roles (roles).
        granted.set(resource, new Set(delegated ? grantedScopes(token.token) : grantedRoles(token.token)));
        if (signedIn && !signedIn.account)
          signedIn.account =
            String(readClaims(token.token).upn ?? readClaims(token.token).preferred_username ?? '') || null;
        resources.push({
          resource,
          ok: true,
          grantedRoles: [...(granted.get(resource) ?? [])].sort(),
          missingRoles: [],
        });
      } catch (error) {
        const failure = error instanceof AzureError ? { code: error.code, message: error.message } : toFailure(error);
        if (signedIn && failure.code === 'sign_in_required')
          signedIn = { signedIn: false, account: null, reason: failure.message };
        resources.push({ resource, ok: false, grantedRoles: [], missingRoles: [], error: failure });
      }
    }
    // Only targets meant for Azure resources (seed 003's subscription and resource group) are tested against ARM.
    const arm =
      target.scopes.management && (target.subscriptionId || target.resourceGroup)
        ? await this.testArm(target)
        : undefined;

    const readiness: ActionReadiness[] = actions.map((action) => {
      const missing = action.requiredRoles
        .filter((r) => !isSatisfied(r, granted.get(r.resource) ?? new Set()))
        .map((r) => ({
          resource: r.resource,
          role: r.role,
          fix: !target.scopes[r.resource]
            ? `This cloud has no ${r.resource} endpoint.`
            : delegated
              ? howToGrantDelegated(r.role, r.resource)
              : howToGrant(r),
        }));
      for (const operation of action.requiredAzureOperations ?? []) {
        if (arm?.grants && rolesAllow(arm.grants, operation)) continue;
        missing.push({
          resource: 'management',
          role: operation,
          fix: arm?.grants
            ? `Assign an Azure role that allows ${operation} (e.g. Storage Account Contributor) to ${arm.report.principal?.name ?? 'the app'} on resource group ${target.resourceGroup} (Access control (IAM)).`
            : (arm?.report.problems[0] ??
              'Set subscriptionId and resourceGroup on the connection target, and assign the app an Azure role on that resource group.'),
        });
      }
      return { action: action.id, ready: missing.length === 0, missing };
    });
    for (const report of resources) {
      if (!report.ok) continue;
      const missing = readiness
        .flatMap((a) => a.missing)
        .filter((m) => m.resource === report.resource)
        .map((m) => m.role);
      report.missingRoles = [...new Set(missing)].sort();
    }
    return {
      ok: resources.every((r) => r.ok && r.missingRoles.length === 0) && (arm?.report.ok ?? true),
      ...(signedIn ? { delegated: signedIn } : {}),
      resources,
      ...(arm ? { arm: arm.report } : {}),
      actions: readiness,
    };
  }

  /** Reads the resource group and the roles held there; every problem is said in words. */
  private async testArm(target: AzureTarget): Promise<{ report: ArmReport; grants: AzureRoleGrant[] | null }> {
    const report: ArmReport = {
      ok: false,
      subscriptionId: target.subscriptionId ?? null,
      resourceGroup: target.resourceGroup ?? null,
      principal: null,
      resourceGroupReadable: false,
      roles: [],
      problems: [],
    };
    if (!target.subscriptionId || !target.resourceGroup) {
      report.problems.push(
        'Set subscriptionId and resourceGroup on the connection target (seed 003: Subscription ID and Resource Group Name) to use Azure Resource Manager actions.',
      );
      return { report, grants: null };
    }
    let grants: AzureRoleGrant[] | null = null;
    try {
      const claims = readClaims((await this.tokens.getToken(target, 'management', { forceRefresh: true })).token);
      const user = typeof claims.scp === 'string';
      report.principal = {
        objectId: String(claims.oid ?? ''),
        kind: user ? 'user' : 'application',
        name: String(claims.upn ?? claims.preferred_username ?? claims.appid ?? '') || null,
      };
      await this.arm.resourceGroup(target);
      report.resourceGroupReadable = true;
      grants = await this.arm.rolesAt(target, this.arm.resourceGroupScope(target), report.principal.objectId);
      report.roles = grants.map((g) => ({ roleName: g.roleName, scope: g.scope }));
      if (!grants.length)
        report.problems.push(
          `${report.principal.name ?? 'The principal'} holds no Azure role on resource group ${target.resourceGroup}.`,
        );
    } catch (error) {
      const failure = error instanceof AzureError ? error : null;
      const where = `resource group ${target.resourceGroup} in subscription ${target.subscriptionId}`;
      if (failure?.code === 'resource_group_not_found')
        report.problems.push(`There is no ${where} (or it is in another tenant): check the names.`);
      else if (failure?.code === 'insufficient_privileges' && !report.resourceGroupReadable)
        report.problems.push(
          `${report.principal?.name ?? 'The app'} may not read ${where}: assign it at least Reader there (Access control (IAM)).`,
        );
      else if (failure?.code === 'insufficient_privileges')
        report.problems.push(
          `${report.principal?.name ?? 'The app'} may not read role assignments on ${where}; the roles it holds could not be listed.`,
        );
      else report.problems.push(failure?.message ?? toFailure(error).message);
    }
    report.ok = report.resourceGroupReadable && report.problems.length === 0;
    return { report, grants };
  }
}

/** The fix for a person's token: the permission is delegated, and takes a new sign-in to show. */
function howToGrantDelegated(permission: string, resource: ResourceName): string {
  return `Add the delegated permission ${permission} on ${RESOURCE_DISPLAY_NAMES[resource]} to the app registration, grant consent, then sign in again.`;
}
