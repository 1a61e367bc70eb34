import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
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
  computerDnsName?: string;
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

/**
 * Not a failure: the work Azure was asked for is still under way and is looked at again at
 * `at` (epoch ms). The run waits parked until then, holding nothing.
 */
export class CheckLater extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
    this.name = 'CheckLater';
  }
}

/** Each has its own Defender rate limit (100 a minute, 1,500 an hour), so each its own bucket here. */
export type DefenderApi =
  | 'machines'
  | 'isolate'
  | 'unisolate'
  | 'machineactions'
  | 'scan'
  | 'restrict'
  | 'unrestrict'
  | 'collect'
  | 'quarantine'
  | 'tags'
  | 'indicators'
  | 'alerts'
  | 'logonusers'
  | 'files';

const MACHINE_ID = /^[0-9a-f]{40}$/i;

/** Microsoft Defender for Endpoint (docs/AZURE.md#defender-for-endpoint). */
@Injectable()
export class DefenderClient implements OnApplicationShutdown {
  private readonly limiter: DefenderRateLimiter;
  /** Queue mode: the limits' counts, shared by the cluster's processes. */
  private readonly redis: Redis | undefined;

  constructor(
    private readonly http: AzureHttp,
    private readonly tokens: TokenProvider,
    private readonly config: AppConfig,
  ) {
    if (config.queue) {
      // Without an offline queue a call fails at once while Redis is away, and the in-memory count stands in.
      this.redis = new Redis(config.queue.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      this.redis.on('error', () => undefined);
    }
    this.limiter = new DefenderRateLimiter(
      config.defenderRateLimit,
      config.azureHttp.maxRetryWaitMs,
      this.redis && config.queue ? { redis: this.redis, prefix: config.queue.prefix } : undefined,
    );
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  describe(target: AzureTarget, request: DefenderRequest): { method: HttpMethod; url: string; body?: unknown } {
    return {
      method: request.method,
      url: this.url(target, request.path),
      ...(request.body !== undefined ? { body: request.body } : {}),
    };
  }

  async send<T>(target: AzureTarget, request: DefenderRequest, signal?: AbortSignal): Promise<AzureReply<T>> {
    const url = this.url(target, request.path);
    await this.limiter.acquire(target.id, request.api, signal);
    return this.http.call<T>(
      target,
      {
        service: 'defender',
        method: request.method,
        url,
        body: request.body,
        idempotent: request.idempotent,
        notFound: request.notFound,
        what: request.what,
        signal,
      },
      async (refresh) => (await this.tokens.getToken(target, 'defender', { forceRefresh: refresh })).token,
    );
  }

  /** A machine by its Defender id, or by computer DNS name (case-insensitive; the most recently seen active one wins). */
  async resolveMachine(target: AzureTarget, machine: string, signal?: AbortSignal): Promise<Machine> {
    if (MACHINE_ID.test(machine)) {
      return (
        await this.send<Machine>(
          target,
          {
            method: 'GET',
            path: `/machines/${machine.toLowerCase()}`,
            idempotent: true,
            api: 'machines',
            notFound: 'machine_not_found',
            what: `machine ${machine}`,
          },
          signal,
        )
      ).data;
    }
    const name = machine.toLowerCase().replace(/'/g, "''");
    const reply = await this.send<{ value?: Machine[] }>(
      target,
      {
        method: 'GET',
        path: `/machines?$filter=${encodeURIComponent(`computerDnsName eq '${name}'`)}`,
        idempotent: true,
        api: 'machines',
        notFound: 'machine_not_found',
        what: `machine ${machine}`,
      },
      signal,
    );
    const candidates = reply.data?.value ?? [];
    if (candidates.length === 0)
      throw new AzureError('machine_not_found', `Defender for Endpoint: no machine is named ${machine}.`, {
        service: 'defender',
        status: 404,
      });
    return [...candidates].sort(byPreference)[0] as Machine;
  }

  async getMachineAction(target: AzureTarget, id: string, signal?: AbortSignal): Promise<MachineAction> {
    return (
      await this.send<MachineAction>(
        target,
        {
          method: 'GET',
          path: `/machineactions/${encodeURIComponent(id)}`,
          idempotent: true,
          api: 'machineactions',
          what: `machine action ${id}`,
        },
        signal,
      )
    ).data;
  }

  async findMachineActions(
    target: AzureTarget,
    machineId: string,
    type: string,
    signal?: AbortSignal,
  ): Promise<MachineAction[]> {
    const filter = encodeURIComponent(`machineId eq '${machineId}' and type eq '${type}'`);
    const reply = await this.send<{ value?: MachineAction[] }>(
      target,
      { method: 'GET', path: `/machineactions?$filter=${filter}`, idempotent: true, api: 'machineactions' },
      signal,
    );
    return reply.data?.value ?? [];
  }

  /**
   * One check of a machine action that is being followed: it returns the action once it has
   * ended (Succeeded, Failed, TimeOut, Cancelled). While it is still Pending or InProgress it
   * throws `CheckLater` with the time of the next check, so the run is parked in between rather
   * than holding a slot (an offline machine stays Pending until it reconnects). Once our own
   * bound since `since` is over it throws `machine_action_pending` naming the action, so a later
   * attempt follows the same action instead of sending another.
   */
  async followMachineAction(
    target: AzureTarget,
    action: MachineAction,
    options: { since: Date; signal?: AbortSignal; fresh?: boolean },
  ): Promise<MachineAction> {
    const { timeoutMs, pollIntervalMs } = this.config.machineActions;
    // A reply to the POST is already the first look; anything else is read again now.
    const current =
      options.fresh || TERMINAL_ACTION_STATUSES.includes(action.status)
        ? action
        : await this.getMachineAction(target, action.id, options.signal);
    if (TERMINAL_ACTION_STATUSES.includes(current.status)) return current;
    const deadline = options.since.getTime() + timeoutMs;
    if (Date.now() + pollIntervalMs > deadline) {
      throw new AzureError(
        'machine_action_pending',
        `Defender machine action ${current.id} is still ${current.status} after ${Math.round(timeoutMs / 1000)} s; it will be followed again, not resent.`,
        { service: 'defender' },
      );
    }
    throw new CheckLater(Date.now() + pollIntervalMs, `Defender machine action ${current.id} is ${current.status}.`);
  }

  private url(target: AzureTarget, path: string): string {
    const base = target.endpoints.defender;
    if (!base)
      throw new AzureError(
        'resource_not_available',
        `Defender for Endpoint has no API endpoint in the ${target.cloud} cloud of connection target '${target.name}'.`,
        { service: 'defender' },
      );
    return `${base}/api${path}`;
  }
}

function byPreference(a: Machine, b: Machine): number {
  const active = (m: Machine) => (String(m.healthStatus).toLowerCase() === 'active' ? 0 : 1);
  return active(a) - active(b) || String(b.lastSeen ?? '').localeCompare(String(a.lastSeen ?? ''));
}
