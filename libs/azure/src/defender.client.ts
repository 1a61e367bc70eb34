import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@riposte/config';
import { AzureError } from './azure-error.js';
import { AzureHttp, type AzureReply, type HttpMethod } from './azure-http.js';
import type { AzureTarget } from './azure-target.js';
import { DefenderRateLimiter } from './defender-rate-limiter.js';
import type { NotFoundMeaning } from './error-mapping.js';
import { TokenProvider } from './token-provider.js';

export interface Machine {
  id: string;
  computerDnsName?: string;
  healthStatus?: string;
  lastSeen?: string;
  machineTags?: string[];
  [key: string]: unknown;
}

export type MachineActionStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'TimeOut' | 'Cancelled';

export interface MachineAction {
  id: string;
  type: string;
  status: MachineActionStatus;
  machineId: string;
  requestorComment?: string;
  scope?: string;
  creationDateTimeUtc?: string;
  lastUpdateDateTimeUtc?: string;
  lastUpdateTimeUtc?: string;
}

export const TERMINAL_ACTION_STATUSES: readonly MachineActionStatus[] = ['Succeeded', 'Failed', 'TimeOut', 'Cancelled'];

export interface DefenderRequest {
  method: HttpMethod;
  /** Relative to the API root, e.g. `/machines/{id}/isolate`. */
  path: string;
  body?: unknown;
  idempotent: boolean;
  /** The Defender API the call counts against, for the client-side rate limit. */
  api: DefenderApi;
  notFound?: NotFoundMeaning;
  what?: string;
}

/** Each has its own Defender rate limit (100 a minute, 1,500 an hour), so each its own bucket here. */
export type DefenderApi = 'machines' | 'isolate' | 'unisolate' | 'machineactions' | 'scan' | 'restrict' | 'unrestrict' | 'collect' | 'quarantine' | 'tags' | 'indicators' | 'alerts' | 'logonusers' | 'files';

const MACHINE_ID = /^[0-9a-f]{40}$/i;

/** Microsoft Defender for Endpoint (AZURE-API-CONTRACTS.md §7). */
@Injectable()
export class DefenderClient {
  private readonly limiter: DefenderRateLimiter;

  constructor(
    private readonly http: AzureHttp,
    private readonly tokens: TokenProvider,
    private readonly config: AppConfig,
  ) {
    this.limiter = new DefenderRateLimiter(config.defenderRateLimit, config.azureHttp.maxRetryWaitMs);
  }

  describe(target: AzureTarget, request: DefenderRequest): { method: HttpMethod; url: string; body?: unknown } {
    return { method: request.method, url: this.url(target, request.path), ...(request.body !== undefined ? { body: request.body } : {}) };
  }

  async send<T>(target: AzureTarget, request: DefenderRequest, signal?: AbortSignal): Promise<AzureReply<T>> {
    const url = this.url(target, request.path);
    await this.limiter.acquire(target.id, request.api, signal);
    return this.http.call<T>(
      target,
      { service: 'defender', method: request.method, url, body: request.body, idempotent: request.idempotent, notFound: request.notFound, what: request.what, signal },
      async (refresh) => (await this.tokens.getToken(target, 'defender', { forceRefresh: refresh })).token,
    );
  }

  /** A machine by its Defender id, or by computer DNS name (case-insensitive; the most recently seen active one wins). */
  async resolveMachine(target: AzureTarget, machine: string, signal?: AbortSignal): Promise<Machine> {
    if (MACHINE_ID.test(machine)) {
      return (await this.send<Machine>(target, { method: 'GET', path: `/machines/${machine.toLowerCase()}`, idempotent: true, api: 'machines', notFound: 'machine_not_found', what: `machine ${machine}` }, signal)).data;
    }
    const name = machine.toLowerCase().replace(/'/g, "''");
    const reply = await this.send<{ value?: Machine[] }>(target, { method: 'GET', path: `/machines?$filter=${encodeURIComponent(`computerDnsName eq '${name}'`)}`, idempotent: true, api: 'machines', notFound: 'machine_not_found', what: `machine ${machine}` }, signal);
    const candidates = reply.data?.value ?? [];
    if (candidates.length === 0) throw new AzureError('machine_not_found', `Defender for Endpoint: no machine is named ${machine}.`, { service: 'defender', status: 404 });
    return [...candidates].sort(byPreference)[0] as Machine;
  }

  async getMachineAction(target: AzureTarget, id: string, signal?: AbortSignal): Promise<MachineAction> {
    return (await this.send<MachineAction>(target, { method: 'GET', path: `/machineactions/${encodeURIComponent(id)}`, idempotent: true, api: 'machineactions', what: `machine action ${id}` }, signal)).data;
  }

  async findMachineActions(target: AzureTarget, machineId: string, type: string, signal?: AbortSignal): Promise<MachineAction[]> {
    const filter = encodeURIComponent(`machineId eq '${machineId}' and type eq '${type}'`);
    const reply = await this.send<{ value?: MachineAction[] }>(target, { method: 'GET', path: `/machineactions?$filter=${filter}`, idempotent: true, api: 'machineactions' }, signal);
    return reply.data?.value ?? [];
  }

  /**
   * Polls a machine action until it ends (Succeeded, Failed, TimeOut, Cancelled) or our own
   * bounded wait is over; then it throws `machine_action_pending` naming the action, so a later
   * attempt follows the same action instead of sending another.
   */
  async followMachineAction(target: AzureTarget, action: MachineAction, signal?: AbortSignal): Promise<MachineAction> {
    const { timeoutMs, pollIntervalMs } = this.config.machineActions;
    const deadline = Date.now() + timeoutMs;
    let current = action;
    while (!TERMINAL_ACTION_STATUSES.includes(current.status)) {
      if (Date.now() + pollIntervalMs > deadline) {
        throw new AzureError('machine_action_pending', `Defender machine action ${current.id} is still ${current.status} after ${Math.round(timeoutMs / 1000)} s; it will be followed again, not resent.`, { service: 'defender' });
      }
      await sleep(pollIntervalMs, undefined, { signal }).catch(() => {
        throw new AzureError('cancelled', 'The call was cancelled.', { service: 'defender' });
      });
      current = await this.getMachineAction(target, current.id, signal);
    }
    return current;
  }

  private url(target: AzureTarget, path: string): string {
    const base = target.endpoints.defender;
    if (!base) throw new AzureError('resource_not_available', `Defender for Endpoint has no API endpoint in the ${target.cloud} cloud of connection target '${target.name}'.`, { service: 'defender' });
    return `${base}/api${path}`;
  }
}

function byPreference(a: Machine, b: Machine): number {
  const active = (m: Machine) => (String(m.healthStatus).toLowerCase() === 'active' ? 0 : 1);
  return active(a) - active(b) || String(b.lastSeen ?? '').localeCompare(String(a.lastSeen ?? ''));
}
