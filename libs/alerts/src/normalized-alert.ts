/**
 * An alert as playbooks see it (`alert.*` in expressions): the fields triggers match on, and
 * the entities drawn from the typed evidence. The raw payload is stored beside it.
 */
export interface NormalizedAlert {
  /** Our id (a UUID), set when stored. */
  id?: string;
  /** The provider's alert id: the Graph alerts_v2 `id`, used to update the alert in Graph. */
  providerAlertId: string;
  schema: 'alerts_v2' | 'security_alerts_v1';
  title: string;
  description: string | null;
  severity: string;
  status: string;
  category: string | null;
  classification: string | null;
  determination: string | null;
  serviceSource: string | null;
  detectionSource: string | null;
  productName: string | null;
  incidentId: string | null;
  tenantId: string | null;
  alertWebUrl: string | null;
  createdDateTime: string | null;
  lastUpdateDateTime: string;
  firstActivityDateTime: string | null;
  lastActivityDateTime: string | null;
  mitreTechniques: string[];
  users: AlertUser[];
  devices: AlertDevice[];
  ips: { address: string; roles: string[] }[];
  urls: { url: string; roles: string[] }[];
  mailboxes: { primaryAddress: string | null; upn: string | null; displayName: string | null }[];
  messages: {
    networkMessageId: string | null;
    internetMessageId: string | null;
    subject: string | null;
    sender: string | null;
    recipient: string | null;
    urls: string[];
  }[];
  mailClusters: {
    clusterBy: string | null;
    clusterByValue: string | null;
    emailCount: number | null;
    networkMessageIds: string[];
  }[];
  files: { fileName: string | null; filePath: string | null; sha1: string | null; sha256: string | null }[];
  processes: {
    processId: number | null;
    commandLine: string | null;
    imageFile: string | null;
    accountName: string | null;
  }[];
  /** Azure resources (Defender for Cloud / Defender for Storage alerts): the ARM resource id. */
  azureResources: { resourceId: string; resourceName: string | null; resourceType: string | null; roles: string[] }[];
  /** Evidence types present (`user`, `device`, `ip`, …); unknown types by their @odata.type name. */
  evidenceTypes: string[];
}

export interface AlertUser {
  userPrincipalName: string | null;
  azureAdUserId: string | null;
  accountName: string | null;
  domainName: string | null;
  displayName: string | null;
  roles: string[];
}

export interface AlertDevice {
  mdeDeviceId: string | null;
  deviceDnsName: string | null;
  azureAdDeviceId: string | null;
  osPlatform: string | null;
  ipAddresses: string[];
  roles: string[];
}
