import type { ResourceName } from '@riposte/azure';
import type { RequiredRole } from './action-definition.js';

/** How the Azure portal names each resource under "API permissions". */
export const RESOURCE_DISPLAY_NAMES: Record<ResourceName, string> = {
  graph: 'Microsoft Graph',
  defender: 'WindowsDefenderATP',
  management: 'Azure Service Management',
};

export function isSatisfied(requirement: RequiredRole, granted: ReadonlySet<string>): boolean {
  return granted.has(requirement.role) || (requirement.satisfiedBy ?? []).some((role) => granted.has(role));
}

/** The fix, in the words of the Azure portal. */
export function howToGrant(requirement: RequiredRole): string {
  const alternatives = requirement.satisfiedBy?.length ? ` (or ${requirement.satisfiedBy.join(' or ')})` : '';
  return `Grant the application permission ${requirement.role}${alternatives} on ${RESOURCE_DISPLAY_NAMES[requirement.resource]}, then grant admin consent.`;
}
