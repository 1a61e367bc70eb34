/** Azure clouds and where their services live. Tokens are never interchangeable between clouds. */
export const CLOUDS = ['public', 'usgov', 'china', 'custom'] as const;
export type CloudName = (typeof CLOUDS)[number];

export const RESOURCES = ['graph', 'defender', 'management'] as const;
export type ResourceName = (typeof RESOURCES)[number];

export interface CloudEndpoints {
  /** The Entra ID authority host, e.g. https://login.microsoftonline.com (the tenant is appended). */
  authority: string;
  graph: string;
  defender: string | null;
  management: string | null;
}

export type CloudScopes = Record<ResourceName, string | null>;

interface CloudPreset {
  endpoints: CloudEndpoints;
  scopes: CloudScopes;
}

// docs/AZURE.md#national-clouds and docs/AZURE.md#defender-hosts. The Defender audience stays
// api.securitycenter.* even when calling the api.security.* or regional hosts.
const PRESETS: Record<Exclude<CloudName, 'custom'>, CloudPreset> = {
  public: {
    endpoints: {
      authority: 'https://login.microsoftonline.com',
      graph: 'https://graph.microsoft.com',
      defender: 'https://api.securitycenter.microsoft.com',
      management: 'https://management.azure.com',
    },
    scopes: {
      graph: 'https://graph.microsoft.com/.default',
      defender: 'https://api.securitycenter.microsoft.com/.default',
      management: 'https://management.azure.com/.default',
    },
  },
  usgov: {
    // GCC High. GCC tenants use the public cloud with the api-gcc Defender host: configure them as `custom`.
    endpoints: {
      authority: 'https://login.microsoftonline.us',
      graph: 'https://graph.microsoft.us',
      defender: 'https://api-gov.securitycenter.microsoft.us',
      management: 'https://management.usgovcloudapi.net',
    },
    scopes: {
      graph: 'https://graph.microsoft.us/.default',
      defender: 'https://api-gov.securitycenter.microsoft.us/.default',
      management: 'https://management.usgovcloudapi.net/.default',
    },
  },
  china: {
    // Defender for Endpoint has no published API host in the 21Vianet cloud.
    endpoints: {
      authority: 'https://login.partner.microsoftonline.cn',
      graph: 'https://microsoftgraph.chinacloudapi.cn',
      defender: null,
      management: 'https://management.chinacloudapi.cn',
    },
    scopes: {
      graph: 'https://microsoftgraph.chinacloudapi.cn/.default',
      defender: null,
      management: 'https://management.chinacloudapi.cn/.default',
    },
  },
};

export interface CustomCloud {
  endpoints: { authority: string; graph: string; defender?: string | null; management?: string | null };
  scopes?: Partial<Record<ResourceName, string>> | null;
}

/** The endpoints and token scopes a connection target talks to. */
export function resolveCloud(cloud: CloudName, custom?: CustomCloud | null): CloudPreset {
  if (cloud !== 'custom') return PRESETS[cloud];
  if (!custom) throw new Error('A custom cloud needs its endpoints.');
  const endpoints: CloudEndpoints = {
    authority: trimSlash(custom.endpoints.authority),
    graph: trimSlash(custom.endpoints.graph),
    defender: custom.endpoints.defender ? trimSlash(custom.endpoints.defender) : null,
    management: custom.endpoints.management ? trimSlash(custom.endpoints.management) : null,
  };
  const scope = (resource: ResourceName) =>
    custom.scopes?.[resource] ?? (endpoints[resource] ? `${endpoints[resource]}/.default` : null);
  return { endpoints, scopes: { graph: scope('graph'), defender: scope('defender'), management: scope('management') } };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
