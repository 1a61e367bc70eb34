import { Injectable } from '@nestjs/common';
import { AzureError, grantedRoles, type ResourceName, TokenProvider } from '@riposte/azure';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { ActionCatalogue } from './action-catalogue.js';
import { howToGrant, isSatisfied } from './required-roles.js';
import { toFailure } from './action-runner.js';

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

export interface ConnectionTestReport {
  ok: boolean;
  resources: ResourceReport[];
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
  ) {}

  async test(name: string): Promise<ConnectionTestReport> {
    const target = await this.targets.resolve(name);
    const actions = this.catalogue.list();
    const needed = [...new Set(actions.flatMap((a) => a.requiredRoles.map((r) => r.resource)))].filter((r) => target.scopes[r]);

    const granted = new Map<ResourceName, Set<string>>();
    const resources: ResourceReport[] = [];
    for (const resource of needed) {
      try {
        const token = await this.tokens.getToken(target, resource, { forceRefresh: true });
        granted.set(resource, new Set(grantedRoles(token.token)));
        resources.push({ resource, ok: true, grantedRoles: [...(granted.get(resource) ?? [])].sort(), missingRoles: [] });
      } catch (error) {
        const failure = error instanceof AzureError ? { code: error.code, message: error.message } : toFailure(error);
        resources.push({ resource, ok: false, grantedRoles: [], missingRoles: [], error: failure });
      }
    }

    const readiness: ActionReadiness[] = actions.map((action) => {
      const missing = action.requiredRoles
        .filter((r) => !isSatisfied(r, granted.get(r.resource) ?? new Set()))
        .map((r) => ({ resource: r.resource, role: r.role, fix: target.scopes[r.resource] ? howToGrant(r) : `This cloud has no ${r.resource} endpoint.` }));
      return { action: action.id, ready: missing.length === 0, missing };
    });
    for (const report of resources) {
      if (!report.ok) continue;
      const missing = readiness.flatMap((a) => a.missing).filter((m) => m.resource === report.resource).map((m) => m.role);
      report.missingRoles = [...new Set(missing)].sort();
    }
    return { ok: resources.every((r) => r.ok && r.missingRoles.length === 0), resources, actions: readiness };
  }
}
