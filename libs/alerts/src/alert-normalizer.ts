import { type FieldError, ValidationError } from '@riposte/errors';
import type { AlertUser, NormalizedAlert } from './normalized-alert.js';

/*
 * Graph security alerts in, normalized alerts out: one alert (alerts_v2), a `{ "value": [...] }`
 * list as Graph pages them, or the retired `/security/alerts` v1 shape. Evidence is read by its
 * `@odata.type`; unknown types are counted by name and otherwise left in the raw payload.
 */
const MAX_ALERTS_PER_REQUEST = 1000;
const MAX_TEXT = 4000;

type Json = Record<string, unknown>;

export interface NormalizeResult {
  alerts: { normalized: NormalizedAlert; raw: Json }[];
}

/** Validates every alert first: one bad alert rejects the whole request, so nothing is half-stored. */
export function normalizeAlerts(payload: unknown): NormalizeResult {
  const list = Array.isArray((payload as Json | null)?.value) ? ((payload as Json).value as unknown[]) : [payload];
  const base = Array.isArray((payload as Json | null)?.value) ? '/value' : '';
  if (list.length === 0)
    throw new ValidationError('The list of alerts is empty.', [
      { path: `${base}`, message: 'must hold at least one alert' },
    ]);
  if (list.length > MAX_ALERTS_PER_REQUEST)
    throw new ValidationError(`At most ${MAX_ALERTS_PER_REQUEST} alerts per request.`, [
      { path: base, message: `has ${list.length} alerts` },
    ]);
  const errors: FieldError[] = [];
  const alerts: NormalizeResult['alerts'] = [];
  list.forEach((item, i) => {
    const path = base ? `${base}/${i}` : '';
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      errors.push({ path, message: 'is not an alert object' });
      return;
    }
    const alert = item as Json;
    if (typeof alert.id !== 'string' || alert.id.trim() === '' || alert.id.length > 200) {
      errors.push({
        path: `${path}/id`,
        message: 'is required: every alert needs its provider id (a string of at most 200 characters)',
      });
      return;
    }
    alerts.push({ normalized: isV1(alert) ? fromV1(alert) : fromV2(alert), raw: alert });
  });
  if (errors.length) throw new ValidationError(`${errors.length} alert(s) are not valid; nothing was stored.`, errors);
  return { alerts };
}

function isV1(alert: Json): boolean {
  return (
    'vendorInformation' in alert ||
    'userStates' in alert ||
    'hostStates' in alert ||
    ('lastModifiedDateTime' in alert && !('lastUpdateDateTime' in alert))
  );
}

function fromV2(a: Json): NormalizedAlert {
  // Items that are not objects (null, numbers, lists) carry no evidence: skipped.
  const evidence = asList(a.evidence);
  const out = base(a, 'alerts_v2');
  const types = new Set<string>();
  for (const e of evidence) {
    const type = evidenceType(e);
    types.add(type);
    const roles = strings(e.roles);
    switch (type) {
      case 'user':
        out.users.push(user(e.userAccount as Json | undefined, roles));
        break;
      case 'device':
        out.devices.push({
          mdeDeviceId: str(e.mdeDeviceId),
          deviceDnsName: str(e.deviceDnsName),
          azureAdDeviceId: str(e.azureAdDeviceId),
          osPlatform: str(e.osPlatform),
          ipAddresses: strings(e.ipInterfaces),
          roles,
        });
        break;
      case 'ip':
        if (str(e.ipAddress)) out.ips.push({ address: str(e.ipAddress) as string, roles });
        break;
      case 'url':
        if (str(e.url)) out.urls.push({ url: str(e.url) as string, roles });
        break;
      case 'mailbox':
        out.mailboxes.push({ primaryAddress: str(e.primaryAddress), upn: str(e.upn), displayName: str(e.displayName) });
        break;
      case 'analyzedMessage':
        out.messages.push({
          networkMessageId: str(e.networkMessageId),
          internetMessageId: str(e.internetMessageId),
          subject: str(e.subject),
          sender: str((e.p1Sender as Json | undefined)?.emailAddress),
          recipient: str(e.recipientEmailAddress),
          urls: strings(e.urls),
        });
        break;
      case 'mailCluster':
        out.mailClusters.push({
          clusterBy: str(e.clusterBy),
          clusterByValue: str(e.clusterByValue),
          emailCount: num(e.emailCount),
          networkMessageIds: strings(e.networkMessageIds),
        });
        break;
      case 'file':
        out.files.push(file(e.fileDetails as Json | undefined));
        break;
      case 'process':
        out.processes.push({
          processId: num(e.processId),
          commandLine: str(e.processCommandLine),
          imageFile: str((e.imageFile as Json | undefined)?.fileName),
          accountName: str((e.userAccount as Json | undefined)?.accountName),
        });
        break;
      case 'azureResource':
        if (str(e.resourceId))
          out.azureResources.push({
            resourceId: str(e.resourceId) as string,
            resourceName: str(e.resourceName),
            resourceType: str(e.resourceType),
            roles,
          });
        break;
      default:
        break; // kept in the raw payload
    }
  }
  out.evidenceTypes = [...types].sort();
  return out;
}

/** The retired /security/alerts shape (userStates, hostStates, fileStates, …). */
function fromV1(a: Json): NormalizedAlert {
  const out = base(
    {
      ...a,
      lastUpdateDateTime: a.lastModifiedDateTime ?? a.createdDateTime,
      serviceSource: (a.vendorInformation as Json | undefined)?.provider,
      tenantId: a.azureTenantId,
    },
    'security_alerts_v1',
  );
  const types = new Set<string>();
  for (const u of asList(a.userStates)) {
    types.add('user');
    out.users.push({
      userPrincipalName: str(u.userPrincipalName),
      azureAdUserId: str(u.aadUserId),
      accountName: str(u.accountName),
      domainName: str(u.domainName),
      displayName: null,
      roles: [],
    });
  }
  for (const h of asList(a.hostStates)) {
    types.add('device');
    out.devices.push({
      mdeDeviceId: null,
      deviceDnsName: str(h.fqdn) ?? str(h.netBiosName),
      azureAdDeviceId: null,
      osPlatform: str(h.os),
      ipAddresses: [str(h.privateIpAddress), str(h.publicIpAddress)].filter((x): x is string => Boolean(x)),
      roles: [],
    });
  }
  for (const f of asList(a.fileStates)) {
    types.add('file');
    out.files.push({
      fileName: str(f.name),
      filePath: str(f.path),
      sha1: str((f.fileHash as Json | undefined)?.hashValue),
      sha256: null,
    });
  }
  for (const c of asList(a.networkConnections)) {
    for (const ip of [str(c.destinationAddress), str(c.sourceAddress)])
      if (ip) out.ips.push({ address: ip, roles: [] });
    if (str(c.destinationUrl)) out.urls.push({ url: str(c.destinationUrl) as string, roles: [] });
  }
  if (out.ips.length) types.add('ip');
  if (out.urls.length) types.add('url');
  out.evidenceTypes = [...types].sort();
  return out;
}

function base(a: Json, schema: NormalizedAlert['schema']): NormalizedAlert {
  const created = str(a.createdDateTime);
  return {
    providerAlertId: String(a.id),
    schema,
    title: text(a.title) ?? '(untitled)',
    description: text(a.description),
    severity: (str(a.severity) ?? 'unknown').toLowerCase(),
    status: (str(a.status) ?? 'unknown').toLowerCase(),
    category: str(a.category),
    classification: str(a.classification),
    determination: str(a.determination),
    serviceSource: str(a.serviceSource),
    detectionSource: str(a.detectionSource),
    productName: str(a.productName),
    incidentId: str(a.incidentId) ?? (typeof a.incidentId === 'number' ? String(a.incidentId) : null),
    tenantId: str(a.tenantId)?.toLowerCase() ?? null,
    alertWebUrl: str(a.alertWebUrl),
    createdDateTime: created,
    // Dedup keys on this: an alert without it is keyed by its creation time.
    lastUpdateDateTime: str(a.lastUpdateDateTime) ?? created ?? '1970-01-01T00:00:00Z',
    firstActivityDateTime: str(a.firstActivityDateTime),
    lastActivityDateTime: str(a.lastActivityDateTime),
    mitreTechniques: strings(a.mitreTechniques),
    users: [],
    devices: [],
    ips: [],
    urls: [],
    mailboxes: [],
    messages: [],
    mailClusters: [],
    files: [],
    processes: [],
    azureResources: [],
    evidenceTypes: [],
  };
}

/** `#microsoft.graph.security.userEvidence` → `user`. */
function evidenceType(e: Json): string {
  const type = str(e['@odata.type']) ?? 'unknown';
  return type.replace(/^#?microsoft\.graph\.security\./, '').replace(/Evidence$/, '') || 'unknown';
}

function user(account: Json | undefined, roles: string[]): AlertUser {
  return {
    userPrincipalName: str(account?.userPrincipalName),
    azureAdUserId: str(account?.azureAdUserId),
    accountName: str(account?.accountName),
    domainName: str(account?.domainName),
    displayName: str(account?.displayName),
    roles,
  };
}

function file(details: Json | undefined) {
  return {
    fileName: str(details?.fileName),
    filePath: str(details?.filePath),
    sha1: str(details?.sha1),
    sha256: str(details?.sha256),
  };
}

function asList(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => Boolean(v) && typeof v === 'object') : [];
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_TEXT) : null;
}

function text(value: unknown): string | null {
  return str(value);
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value
        .filter((v): v is string => typeof v === 'string' && v !== '')
        .slice(0, 100)
        .map((v) => v.slice(0, MAX_TEXT))
    : [];
}
