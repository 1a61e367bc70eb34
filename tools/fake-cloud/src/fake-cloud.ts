import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { armErrors, armRoutes, type BuiltInRole, type StorageAccount, type StorageAccountInput } from './arm.js';
import { AuthorizationCodeFlow } from './authorization-code.js';
import { controlErrors, controlRoutes } from './control.routes.js';
import { defenderErrors, defenderRoutes } from './defender.routes.js';
import { DEMO, seedDemo } from './demo-seed.js';
import { DeviceCodeFlow } from './device-code.js';
import { Dispatcher } from './dispatcher.js';
import { FaultRegistry } from './faults.js';
import { graphBatchRoute, type BatchOrder } from './graph-batch.js';
import { expandKeySegments, graphErrors } from './graph-common.js';
import type { HuntingRow } from './hunting.js';
import { graphIdentityRoutes } from './graph-identity.routes.js';
import { graphSecurityRoutes } from './graph-security.routes.js';
import { graphUserRoutes } from './graph-users.routes.js';
import { identityErrors, identityRoutes } from './identity.routes.js';
import { MachineActionEngine, type ActionScriptInput } from './machine-actions.js';
import type * as M from './model.js';
import { LogsIngestion, monitorErrors, type DataCollectionRuleInput, type IngestedRecord } from './monitor.routes.js';
import { msiErrors, msiRoutes } from './msi.routes.js';
import { RequestRecorder, type RequestFilter, type RequestRecord } from './recorder.js';
import { Router, createAuthedHandler, createPublicHandler, type AuthedContext, type ServiceHandler } from './router.js';
import { CloudState, type TenantData } from './state.js';
import { UserSignIn, type UserSignInInput } from './user-sign-in.js';
import { withCors } from './cors.js';
import { TokenIssuer } from './token-issuer.js';
import type { FakeRequest, FakeResponse, ResourceName, Service } from './types.js';

export interface FakeCloudOptions {
  tls: { cert: string; key: string };
  /** 0 (default) picks a free port. The fake binds 127.0.0.1 only. */
  port?: number;
  /** Added to every answer, inner `$batch` requests included (benchmarks). */
  latencyMs?: number;
  /** Each machine action step (Pending → InProgress → outcome); default 100 ms, `Infinity` = only on demand. */
  actionTransitionMs?: number;
  tokenLifetimeSeconds?: number;
  /** The `X-IDENTITY-HEADER` value the managed identity endpoint requires (App Service's `IDENTITY_HEADER`). */
  msiIdentityHeader?: string;
  batchOrder?: BatchOrder;
  /** Request records kept in the ring buffer (counters are exact regardless). */
  requestLogSize?: number;
  deviceCodeIntervalSeconds?: number;
  /** How long a device code stays valid (Entra: 900 s). */
  deviceCodeExpiresInSeconds?: number;
}

/** What a Riposte connection target with `cloud: "custom"` is given. */
export interface FakeCloudEndpoints {
  authority: string;
  graph: string;
  defender: string;
  management: string;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * A local fake of the Microsoft cloud over real HTTPS: Entra ID (token, discovery, device code, managed identity),
 * Microsoft Graph (users, groups, roles, security, `$batch`) and Defender for Endpoint, on one origin.
 * Emits `'request'` with each RequestRecord.
 */
/** A call the webhook receiver got. */
export interface WebhookCall {
  name: string;
  at: string;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
}

export class FakeCloud extends EventEmitter<{
  request: [RequestRecord];
  arrival: [FakeRequest];
  webhook: [WebhookCall];
}> {
  readonly url: string;
  readonly endpoints: FakeCloudEndpoints;
  readonly msi: { endpoint: string; identityHeader: string };
  /** The Azure Monitor Logs Ingestion endpoint (a data collection endpoint); tokens for https://monitor.azure.com. */
  readonly monitorEndpoint: string;
  private readonly logsIngestion = new LogsIngestion();
  readonly state = new CloudState();
  readonly faults = new FaultRegistry();
  private readonly recorder: RequestRecorder;
  private readonly engine: MachineActionEngine;
  private readonly issuer: TokenIssuer;
  private readonly deviceCodes: DeviceCodeFlow;
  private readonly authorizationCodes: AuthorizationCodeFlow;
  private readonly userSignIn: UserSignIn;
  private readonly dispatcher: Dispatcher;
  private readonly control: ServiceHandler;

  static async start(options: FakeCloudOptions): Promise<FakeCloud> {
    const server = createServer({ cert: options.tls.cert, key: options.tls.key });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new FakeCloud(server, options);
  }

  private constructor(
    private readonly server: Server,
    options: FakeCloudOptions,
  ) {
    super();
    const port = (server.address() as AddressInfo).port;
    this.url = `https://127.0.0.1:${port}`;
    this.endpoints = {
      authority: this.url,
      graph: `${this.url}/graph`,
      defender: `${this.url}/defender`,
      management: `${this.url}/management`,
    };
    const identityHeader = options.msiIdentityHeader ?? 'riposte-fake-identity-header';
    this.msi = { endpoint: `${this.url}/msi/token`, identityHeader };
    this.monitorEndpoint = `${this.url}/monitor`;
    this.issuer = new TokenIssuer(this.url, options.tokenLifetimeSeconds ?? 3599);
    this.engine = new MachineActionEngine(options.actionTransitionMs ?? 100);
    this.userSignIn = new UserSignIn(this.url);
    this.deviceCodes = new DeviceCodeFlow(
      this.issuer,
      {
        intervalSeconds: options.deviceCodeIntervalSeconds ?? 5,
        expiresInSeconds: options.deviceCodeExpiresInSeconds ?? 900,
      },
      this.userSignIn,
    );
    this.authorizationCodes = new AuthorizationCodeFlow(this.deviceCodes);
    this.recorder = new RequestRecorder(options.requestLogSize ?? 10_000, (record) => {
      if (this.listenerCount('request') > 0) this.emit('request', record);
    });

    const authed = (resource: ResourceName) => ({
      resource,
      resourceOf: this.issuer.resourceOf,
      tenantOf: (id: string) => this.state.tenant(id),
    });
    const graph = createAuthedHandler(
      new Router<AuthedContext>([
        ...graphUserRoutes(this.endpoints.graph),
        ...graphIdentityRoutes(this.endpoints.graph),
        ...graphSecurityRoutes(this.endpoints.graph),
        graphBatchRoute((req) => this.dispatcher.dispatch(req), options.batchOrder ?? 'reverse'),
      ]),
      graphErrors,
      authed('graph'),
    );
    const handlers: Record<Service, ServiceHandler> = {
      identity: withCors(
        createPublicHandler(
          new Router(
            identityRoutes(this.state, this.issuer, this.deviceCodes, this.userSignIn, this.authorizationCodes),
          ),
          identityErrors,
        ),
      ),
      graph: (req) => graph({ ...req, segments: expandKeySegments(req.segments) }),
      defender: createAuthedHandler(
        new Router<AuthedContext>(defenderRoutes(this.endpoints.defender, this.engine)),
        defenderErrors,
        authed('defender'),
      ),
      msi: createPublicHandler(new Router(msiRoutes(this.state, this.issuer, identityHeader)), msiErrors),
      monitor: createAuthedHandler(
        new Router<AuthedContext>(this.logsIngestion.routes()),
        monitorErrors,
        authed('monitor'),
      ),
      management: createAuthedHandler(new Router<AuthedContext>(armRoutes()), armErrors, authed('management')),
    };
    this.dispatcher = new Dispatcher(handlers, this.faults, this.recorder, options.latencyMs ?? 0, (req) => {
      if (this.listenerCount('arrival') > 0) this.emit('arrival', req);
    });
    this.control = createPublicHandler(new Router(controlRoutes(this)), controlErrors);
    server.on('request', (req, res) => void this.onRequest(req, res));
  }

  async close(): Promise<void> {
    this.engine.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Forgets everything: tenants and their data, faults, the request log, pending device codes, machine action timers. */
  reset(): void {
    this.state.clear();
    this.faults.clear();
    this.recorder.clear();
    this.engine.clear();
    this.deviceCodes.clear();
    this.logsIngestion.clear();
    this.authorizationCodes.clear();
  }

  /** Loads the Contoso demo tenant (see `DEMO`). */
  seedDemo(): typeof DEMO {
    return seedDemo(this.state);
  }

  // --- directory and data (tenantId defaults to the first tenant added) ---
  addTenant(input: M.TenantInput): TenantData {
    return this.state.addTenant(input);
  }
  removeTenant(idOrDomain: string): void {
    this.state.removeTenant(idOrDomain);
  }
  addApp(input: M.AppRegistrationInput): M.AppRegistration {
    return this.state.addApp(input);
  }
  getApp(clientId: string, tenantId?: string): M.AppRegistration | undefined {
    return this.state.requireTenant(tenantId).apps.get(clientId.toLowerCase());
  }
  addManagedIdentity(input: M.ManagedIdentityInput): M.ManagedIdentity {
    return this.state.addManagedIdentity(input);
  }
  addUser(input: M.UserInput): M.GraphUser {
    return this.state.addUser(input);
  }
  getUser(idOrUpn: string, tenantId?: string): M.GraphUser | undefined {
    return this.state.requireTenant(tenantId).findUser(idOrUpn);
  }
  addGroup(input: M.GroupInput): M.Group {
    return this.state.addGroup(input);
  }
  addRiskyUser(input: M.RiskyUserInput): M.RiskyUser {
    return this.state.addRiskyUser(input);
  }
  getRiskyUser(userIdOrUpn: string, tenantId?: string): M.RiskyUser | undefined {
    const tenant = this.state.requireTenant(tenantId);
    const user = tenant.findUser(userIdOrUpn);
    return user ? tenant.riskyUsers.get(user.id) : undefined;
  }
  addSignIn(input: M.SignInInput): M.SignIn {
    return this.state.addSignIn(input);
  }
  setManager(userIdOrUpn: string, managerIdOrUpn: string, tenantId?: string): void {
    const tenant = this.state.requireTenant(tenantId);
    const user = tenant.findUser(userIdOrUpn);
    const manager = tenant.findUser(managerIdOrUpn);
    if (!user || !manager) throw new Error('fake-cloud: unknown user or manager');
    tenant.managers.set(user.id, manager.id);
  }
  /** The password last set for the user through Graph (the fake keeps it so tests can look for leaks). */
  getPassword(userIdOrUpn: string, tenantId?: string): M.PasswordRecord | undefined {
    const tenant = this.state.requireTenant(tenantId);
    const user = tenant.findUser(userIdOrUpn);
    return user ? tenant.passwords.get(user.id) : undefined;
  }
  getGroup(id: string, tenantId?: string): M.Group | undefined {
    return this.state.requireTenant(tenantId).groups.get(id.toLowerCase());
  }
  addServicePrincipal(input: M.ServicePrincipalInput): M.ServicePrincipal {
    return this.state.addServicePrincipal(input);
  }
  /** By object id or app id. */
  getServicePrincipal(idOrAppId: string, tenantId?: string): M.ServicePrincipal | undefined {
    const tenant = this.state.requireTenant(tenantId);
    return tenant.findServicePrincipal(idOrAppId) ?? tenant.findServicePrincipal(`appId=${idOrAppId}`);
  }
  addDirectoryRole(input: M.DirectoryRoleInput): M.DirectoryRole {
    return this.state.addDirectoryRole(input);
  }
  addMachine(input: M.MachineInput): M.Machine {
    return this.state.addMachine(input);
  }
  /** By machine id or computer DNS name (the most recently seen one when several share it). */
  getMachine(idOrDnsName: string, tenantId?: string): M.Machine | undefined {
    const tenant = this.state.requireTenant(tenantId);
    const key = idOrDnsName.toLowerCase();
    return (
      tenant.machines.get(key) ??
      [...tenant.machines.values()]
        .filter((m) => m.computerDnsName === key)
        .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))[0]
    );
  }
  addDefenderAlert(input: M.DefenderAlertInput): M.DefenderAlert {
    return this.state.addDefenderAlert(input);
  }
  addLogonUser(
    machineId: string,
    user: Partial<M.LogonUser> & { accountName: string },
    tenantId?: string,
  ): M.LogonUser {
    return this.state.addLogonUser(machineId, user, tenantId);
  }
  addFile(file: Partial<M.FileProfile> & { sha1: string; sha256: string }, tenantId?: string): M.FileProfile {
    return this.state.addFile(file, tenantId);
  }
  /** Defender custom indicators, optionally only those with this value. */
  listIndicators(value?: string, tenantId?: string): M.Indicator[] {
    return [...this.state.requireTenant(tenantId).indicators.values()].filter(
      (i) => !value || i.indicatorValue.toLowerCase() === value.toLowerCase(),
    );
  }
  /** Adds rows to an advanced hunting table (created if absent). */
  addHuntingRows(table: string, rows: HuntingRow[], tenantId?: string): void {
    const tables = this.state.requireTenant(tenantId).huntingTables;
    tables[table] = [...(tables[table] ?? []), ...rows];
  }
  getIncident(id: string, tenantId?: string): M.SecurityIncident | undefined {
    return this.state.requireTenant(tenantId).incidents.get(id);
  }
  addAlert(input: M.AlertInput): M.SecurityAlert {
    return this.state.addAlert(input);
  }
  addAlerts(inputs: M.AlertInput[]): M.SecurityAlert[] {
    return inputs.map((i) => this.state.addAlert(i));
  }
  getAlert(id: string, tenantId?: string): M.SecurityAlert | undefined {
    return this.state.requireTenant(tenantId).alerts.get(id);
  }
  addIncident(input: M.IncidentInput): M.SecurityIncident {
    return this.state.addIncident(input);
  }
  addIncidents(inputs: M.IncidentInput[]): M.SecurityIncident[] {
    return inputs.map((i) => this.state.addIncident(i));
  }

  // --- notifications ---
  private readonly webhookLog: WebhookCall[] = [];
  /** Called by the `/_fake/hooks/{name}` receiver. */
  recordWebhook(call: Omit<WebhookCall, 'at'>): void {
    this.webhookLog.push({ ...call, at: new Date().toISOString() });
    this.emit('webhook', this.webhookLog.at(-1)!);
  }
  /** Calls received by `/_fake/hooks/{name}` (all names when none is given). */
  webhooks(name?: string): WebhookCall[] {
    return this.webhookLog.filter((c) => !name || c.name === name);
  }
  /** The receiver's URL for a name: what a notification channel is given in tests. */
  hookUrl(name: string, status?: number): string {
    return `${this.url}/_fake/hooks/${name}${status ? `?status=${status}` : ''}`;
  }
  /** Mail sent through Graph `sendMail`. */
  sentMail(tenantId?: string): M.SentMail[] {
    return this.state.requireTenant(tenantId).sentMail;
  }

  // --- Azure Monitor logs ingestion ---
  /** A data collection rule the ingestion endpoint accepts records for, from the listed apps. */
  addDataCollectionRule(input: DataCollectionRuleInput): void {
    this.logsIngestion.addRule(input);
  }
  /** Records ingested so far, in arrival order. */
  ingestedRecords(): IngestedRecord[] {
    return [...this.logsIngestion.records];
  }

  // --- Azure Resource Manager ---
  addResourceGroup(input: {
    subscriptionId: string;
    name: string;
    location?: string;
    tags?: Record<string, string>;
    tenantId?: string;
  }): void {
    this.state
      .requireTenant(input.tenantId)
      .arm.addResourceGroup(input.subscriptionId, input.name, input.location, input.tags);
  }
  addStorageAccount(input: StorageAccountInput): StorageAccount {
    return this.state.requireTenant(input.tenantId).arm.addStorageAccount(input);
  }
  /** By full resource id (case-insensitive). */
  getStorageAccount(id: string, tenantId?: string): StorageAccount | undefined {
    return this.state.requireTenant(tenantId).arm.storageAccounts.get(id.toLowerCase());
  }
  /**
   * An Azure role for an app (by client id: its service principal), a user (id or UPN) or a group
   * id, at a scope (`/subscriptions/…`, a resource group or a resource id).
   */
  assignAzureRole(principal: string, role: BuiltInRole, scope: string, tenantId?: string): void {
    const tenant = this.state.requireTenant(tenantId);
    const id =
      tenant.apps.get(principal.toLowerCase())?.servicePrincipalId ?? tenant.findUser(principal)?.id ?? principal;
    tenant.arm.assignRole(id, role, scope);
  }

  // --- machine actions ---
  listMachineActions(
    filter: { machineId?: string; type?: M.MachineActionType; status?: M.MachineActionStatus; tenantId?: string } = {},
  ): M.MachineAction[] {
    const tenants = filter.tenantId ? [this.state.requireTenant(filter.tenantId)] : this.state.allTenants();
    return tenants
      .flatMap((t) => [...t.machineActions.values()])
      .filter(
        (a) =>
          (!filter.machineId || a.machineId.toLowerCase() === filter.machineId.toLowerCase()) &&
          (!filter.type || a.type === filter.type) &&
          (!filter.status || a.status === filter.status),
      );
  }
  getMachineAction(id: string): M.MachineAction | undefined {
    return this.findAction(id)?.action;
  }
  /**
   * Moves an action on now; a terminal status is final, and Succeeded changes the machine's isolation state.
   * Without a status it ends as scripted (`scriptMachineActions`), else Succeeded.
   */
  completeMachineAction(id: string, status?: M.MachineActionStatus): M.MachineAction {
    const found = this.findAction(id);
    if (!found) throw new Error(`fake-cloud: unknown machine action ${id}`);
    this.engine.complete(found.tenant, found.action, status ?? this.engine.plannedStatus(found.action));
    return found.action;
  }
  /** Makes the next matching action(s) end Failed, TimeOut or Cancelled, or stay Pending/InProgress. */
  scriptMachineActions(input: ActionScriptInput): { remove(): void } {
    return this.engine.script(input);
  }

  // --- device code ---
  /** Signs a user in for a pending device code (what the user would do in the browser). */
  approveDeviceCode(userCode: string, userIdOrUpn: string): void {
    const tenantId = this.deviceCodes.tenantOf(userCode);
    const user = tenantId ? this.getUser(userIdOrUpn, tenantId) : undefined;
    if (!user || !this.deviceCodes.approve(userCode, user))
      throw new Error(`fake-cloud: cannot approve device code ${userCode} for ${userIdOrUpn}`);
  }
  declineDeviceCode(userCode: string): void {
    if (!this.deviceCodes.decline(userCode)) throw new Error(`fake-cloud: unknown device code ${userCode}`);
  }
  pendingDeviceCodes(): string[] {
    return this.deviceCodes.pendingUserCodes();
  }
  /** The next device code polls answer `slow_down`. */
  slowDownDeviceCodes(count = 1): void {
    this.deviceCodes.slowDown(count);
  }

  // --- authorization code and refresh tokens ---
  /**
   * Who answers the authorize page from now on: a user who signs in and consents (the page
   * redirects at once with a code), `'decline'` (redirects with access_denied), or nobody.
   */
  answerAuthorize(answer: { user: string; tenantId?: string } | 'decline' | undefined): void {
    if (answer === undefined || answer === 'decline')
      return this.authorizationCodes.answerWith(answer && { consent: 'decline' });
    const user = this.getUser(answer.user, answer.tenantId);
    if (!user) throw new Error(`fake-cloud: unknown user ${answer.user}`);
    this.authorizationCodes.answerWith({ user, consent: 'grant' });
  }
  /** Assigns app roles to a user on an app (Enterprise applications → Users and groups): the `roles` of its API tokens. */
  assignAppRoles(clientId: string, userIdOrUpn: string, roles: string[], tenantId?: string): void {
    const tenant = this.state.requireTenant(tenantId);
    const app = tenant.apps.get(clientId.toLowerCase());
    const user = tenant.findUser(userIdOrUpn);
    if (!app || !user) throw new Error(`fake-cloud: unknown app ${clientId} or user ${userIdOrUpn}`);
    app.userRoles[user.id] = [...roles];
  }
  /** The user's refresh tokens stop working (AADSTS50173), as after an admin revokes their sessions. */
  revokeSignIns(userIdOrUpn: string, tenantId?: string): number {
    const user = this.getUser(userIdOrUpn, tenantId);
    if (!user) throw new Error(`fake-cloud: unknown user ${userIdOrUpn}`);
    return this.deviceCodes.revokeUser(user.id);
  }
  /** The app's refresh tokens stop working (AADSTS65001), as when consent is withdrawn. */
  withdrawConsent(clientId: string): number {
    return this.deviceCodes.withdrawConsent(clientId);
  }
  /** Every refresh token expires (AADSTS700082). */
  expireRefreshTokens(): number {
    return this.deviceCodes.expireRefreshTokens();
  }

  /** Mints an access token as the token endpoint would, without a request (tests of the resource APIs). */
  issueToken(opts: { resource: ResourceName; clientId: string; tenantId?: string; roles?: string[] }): string {
    const tenant = this.state.requireTenant(opts.tenantId);
    const app = tenant.apps.get(opts.clientId.toLowerCase());
    const roles = opts.roles ?? app?.roles[opts.resource] ?? [];
    const principal = {
      tenantId: tenant.id,
      appId: opts.clientId.toLowerCase(),
      objectId: app?.servicePrincipalId ?? opts.clientId,
      roles,
    };
    return this.issuer.issue(
      principal,
      opts.resource === 'monitor' ? this.monitorEndpoint : this.endpoints[opts.resource],
    ).token;
  }

  /** A person's v2.0 access token for an API (as after an interactive sign-in), RS256-signed with the tenant's published key. */
  signInUser(input: Omit<UserSignInInput, 'tenantId'> & { tenantId?: string }): string {
    return this.userSignIn.signIn({ ...input, tenantId: this.state.requireTenant(input.tenantId).id });
  }

  /** Replaces the key user tokens are signed with (tokens signed before stop verifying). */
  rotateSigningKey(): void {
    this.userSignIn.rotate();
  }

  // --- observation ---
  requests(filter?: RequestFilter): RequestRecord[] {
    return this.recorder.requests(filter);
  }
  count(filter?: RequestFilter): number {
    return this.recorder.count(filter);
  }
  tokenRequests(): number {
    return this.recorder.tokenRequests();
  }
  requestSummary(): ReturnType<RequestRecorder['summary']> {
    return this.recorder.summary();
  }
  /** Resolves with the first matching request already recorded (after `filter.afterSeq`) or the next one. */
  waitForRequest(filter: RequestFilter, timeoutMs = 5000): Promise<RequestRecord> {
    return this.recorder.waitFor(filter, timeoutMs);
  }
  /** Sequence number of the latest record: pass it as `afterSeq` to wait only for requests still to come. */
  get lastRequestSeq(): number {
    return this.recorder.lastSeq;
  }

  private findAction(id: string): { tenant: TenantData; action: M.MachineAction } | undefined {
    for (const tenant of this.state.allTenants()) {
      const action = tenant.machineActions.get(id.toLowerCase());
      if (action) return { tenant, action };
    }
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
      const segments = rawPath.split('/').filter(Boolean).map(safeDecode);
      const first = segments[0];
      const body = await readBody(req);
      if (body === undefined) return void respond(res, { status: 413, body: { error: 'payload_too_large' } });
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const service: Service | 'control' =
        first === '_fake'
          ? 'control'
          : first === 'graph' ||
              first === 'defender' ||
              first === 'msi' ||
              first === 'monitor' ||
              first === 'management'
            ? first
            : 'identity';
      const fakeReq: FakeRequest = {
        service: service === 'control' ? 'identity' : service,
        method: (req.method ?? 'GET').toUpperCase(),
        path: `/${segments.join('/')}`,
        segments: service === 'identity' ? segments : segments.slice(1),
        query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
        headers,
        body,
        batched: false,
      };
      const response = service === 'control' ? await this.control(fakeReq) : await this.dispatcher.dispatch(fakeReq);
      if (response.reset) return void req.socket.destroy();
      respond(res, response);
    } catch {
      if (!res.headersSent) respond(res, { status: 500, body: { error: 'fake_cloud_error' } });
    }
  }
}

function respond(res: ServerResponse, response: FakeResponse): void {
  const payload =
    response.text ?? (response.body !== undefined && response.status !== 204 ? JSON.stringify(response.body) : '');
  const headers: Record<string, string | number> = {
    ...response.headers,
    'content-length': Buffer.byteLength(payload),
  };
  if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json; charset=utf-8';
  res.writeHead(response.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
