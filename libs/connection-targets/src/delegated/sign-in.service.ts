import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { AuditLog } from '@riposte/audit';
import { AzureError, type AzureTarget, DelegatedAuth, DeviceCodeClient, type SignedIn } from '@riposte/azure';
import { AppConfig } from '@riposte/config';
import { ConflictError, RiposteError, ValidationError } from '@riposte/errors';
import { redactor } from '@riposte/observability';
import { Database, nowIso, SignInRequestEntity } from '@riposte/persistence';
import { ConnectionTargetsService, type ConnectionTargetView } from '../connection-targets.service.js';
import { SecretBox } from '../secret-box.js';
import { DelegatedSessions } from './delegated-sessions.js';

/** How long a sign-in URL works: long enough to sign in, short enough that a leaked URL soon means nothing. */
const AUTHORIZE_TTL_MS = 10 * 60_000;
/** The longest one "complete" call waits for the person before answering "still pending". */
const MAX_WAIT_MS = 120_000;

export interface AuthorizeStart {
  url: string;
  redirectUri: string;
  expiresAt: string;
}

export interface DeviceCodeStart {
  userCode: string;
  verificationUri: string;
  message: string;
  expiresAt: string;
  intervalSeconds: number;
}

export type DeviceCodeOutcome =
  { status: 'signed_in'; connectionTarget: ConnectionTargetView } | ({ status: 'pending' } & DeviceCodeStart);

class SignInError extends RiposteError {}

/**
 * Signing a person in for a delegated connection target, either flow. The authorization code
 * flow's state is random, stored as a hash, bound to the target and the admin who asked, good for
 * ten minutes and once; its PKCE verifier and the device code are stored sealed. Every sign-in is
 * audited with who asked and who signed in.
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger(SignInService.name);
  /** One poller per device code in this process; a second "complete" waits on the same one. */
  private readonly polling = new Map<string, Promise<DeviceCodeOutcome>>();

  constructor(
    private readonly targets: ConnectionTargetsService,
    private readonly sessions: DelegatedSessions,
    private readonly delegated: DelegatedAuth,
    private readonly deviceCodes: DeviceCodeClient,
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
  ) {}

  /** `POST /connection-targets/{name}/authorize`: the URL the admin opens to sign in. */
  async authorize(name: string, admin: string): Promise<AuthorizeStart> {
    const target = await this.delegatedTarget(name, 'authorizationCode');
    const state = randomBytes(32).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = this.config.signIn.redirectUri;
    const url = await this.delegated.authorizationUrl(target, { redirectUri, state, codeChallenge: challenge });
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + AUTHORIZE_TTL_MS).toISOString();
    await this.db.transaction(async (m) => {
      await m.delete(SignInRequestEntity, { expiresAt: LessThan(nowIso()) });
      await m.insert(SignInRequestEntity, {
        id,
        connectionTargetId: target.id,
        flow: 'authorizationCode',
        stateHash: hash(state),
        secretCiphertext: this.box.seal(verifier, id),
        requestedBy: admin,
        detail: null,
        expiresAt,
        createdAt: nowIso(),
      });
    });
    return { url, redirectUri, expiresAt };
  }

  /** The redirect from Entra ID: exchanges the code for the target the state was issued for. */
  async redirect(query: {
    code?: string;
    state?: string;
    error?: string;
    error_description?: string;
  }): Promise<ConnectionTargetView> {
    if (!query.state)
      throw new ValidationError(
        'The sign-in redirect has no state.',
        [{ path: '/state', message: 'is required' }],
        'sign_in_state_invalid',
      );
    const request = await this.db.transaction(async (m) => {
      const found = await m.findOne(SignInRequestEntity, {
        where: { stateHash: hash(query.state as string), flow: 'authorizationCode' },
      });
      // Used once, whatever happens next.
      if (found) await m.delete(SignInRequestEntity, { id: found.id });
      return found;
    });
    if (!request || Date.parse(request.expiresAt) < Date.now()) {
      throw new ValidationError(
        'This sign-in link is unknown, used already or expired (they last 10 minutes). Ask for a new one with POST /api/v1/connection-targets/{name}/authorize.',
        [{ path: '/state', message: 'is not a pending sign-in' }],
        'sign_in_state_invalid',
      );
    }
    const target = await this.targetById(request.connectionTargetId);
    if (query.error) {
      const reason = `${query.error}: ${String(query.error_description ?? '').split(/\r?\n/)[0]}`.slice(0, 500);
      await this.audited(target, request.requestedBy, 'failure', { flow: 'authorizationCode', error: reason });
      throw new SignInError(
        'validation',
        `The sign-in for connection target '${target.name}' did not complete (${reason}).`,
        query.error === 'access_denied' ? 'sign_in_declined' : 'sign_in_failed',
      );
    }
    if (!query.code)
      throw new ValidationError(
        'The sign-in redirect has neither a code nor an error.',
        [{ path: '/code', message: 'is required' }],
        'sign_in_code_missing',
      );
    redactor.register(query.code);
    const verifier = this.box.open(request.secretCiphertext, request.id);
    let who: SignedIn;
    try {
      who = await this.delegated.redeemCode(target, {
        code: query.code,
        redirectUri: this.config.signIn.redirectUri,
        codeVerifier: verifier,
      });
    } catch (error) {
      await this.audited(target, request.requestedBy, 'failure', {
        flow: 'authorizationCode',
        error: error instanceof AzureError ? error.code : 'internal_error',
      });
      throw error;
    }
    return this.completed(target, who, request.requestedBy, 'authorizationCode');
  }

  /** `POST /connection-targets/{name}/device-code`: the code the person enters at the verification URL. */
  async startDeviceCode(name: string, admin: string): Promise<DeviceCodeStart> {
    const target = await this.delegatedTarget(name, 'deviceCode');
    const grant = await this.deviceCodes.start(target, this.delegated.signInScopes(target));
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + grant.expiresInSeconds * 1000).toISOString();
    const detail = {
      userCode: grant.userCode,
      verificationUri: grant.verificationUri,
      intervalSeconds: grant.intervalSeconds,
      message: grant.message,
    };
    await this.db.transaction(async (m) => {
      // One sign-in at a time per target: a new code replaces the old one.
      await m.delete(SignInRequestEntity, { connectionTargetId: target.id, flow: 'deviceCode' });
      await m.delete(SignInRequestEntity, { expiresAt: LessThan(nowIso()) });
      await m.insert(SignInRequestEntity, {
        id,
        connectionTargetId: target.id,
        flow: 'deviceCode',
        stateHash: null,
        secretCiphertext: this.box.seal(grant.deviceCode, id),
        requestedBy: admin,
        detail,
        expiresAt,
        createdAt: nowIso(),
      });
    });
    return {
      userCode: grant.userCode,
      verificationUri: grant.verificationUri,
      message: grant.message,
      expiresAt,
      intervalSeconds: grant.intervalSeconds,
    };
  }

  /**
   * `POST /connection-targets/{name}/device-code/complete`: waits up to `waitSeconds` for the person,
   * polling at the interval Entra asked for (longer after slow_down). Pending after that: say so.
   */
  async completeDeviceCode(name: string, waitSeconds: number): Promise<DeviceCodeOutcome> {
    const target = await this.delegatedTarget(name, 'deviceCode');
    const request = await this.db.reader.findOne(SignInRequestEntity, {
      where: { connectionTargetId: target.id, flow: 'deviceCode' },
    });
    if (!request)
      throw new ConflictError(
        `No device code sign-in is under way for connection target '${name}'. Start one with POST /api/v1/connection-targets/${name}/device-code.`,
        'sign_in_not_started',
      );
    const running = this.polling.get(request.id);
    if (running) return running;
    const deadline = Date.now() + Math.min(MAX_WAIT_MS, Math.max(0, waitSeconds * 1000));
    const poll = this.pollUntil(target, request, deadline).finally(() => this.polling.delete(request.id));
    this.polling.set(request.id, poll);
    return poll;
  }

  /** Forgets the signed-in person (their refresh token is dropped here; Entra still knows it until revoked there). */
  async signOut(name: string): Promise<ConnectionTargetView> {
    const target = await this.delegatedTarget(name);
    await this.sessions.clear(target.id, 'signed out by an administrator');
    this.delegated.forget(target.id);
    this.targets.signInChanged();
    return this.targets.get(name);
  }

  private async pollUntil(
    target: AzureTarget,
    request: SignInRequestEntity,
    deadline: number,
  ): Promise<DeviceCodeOutcome> {
    const deviceCode = this.box.open(request.secretCiphertext, request.id);
    redactor.register(deviceCode);
    let interval = (request.detail?.intervalSeconds ?? 5) * 1000;
    const pending = (): DeviceCodeOutcome => ({
      status: 'pending',
      userCode: request.detail?.userCode ?? '',
      verificationUri: request.detail?.verificationUri ?? '',
      message: request.detail?.message ?? '',
      expiresAt: request.expiresAt,
      intervalSeconds: Math.round(interval / 1000),
    });
    for (;;) {
      if (Date.parse(request.expiresAt) < Date.now())
        return this.failDeviceCode(
          target,
          request,
          new AzureError('sign_in_expired', 'The device code expired before anyone signed in with it. Start again.', {
            service: 'identity',
          }),
        );
      let answer;
      try {
        answer = await this.deviceCodes.poll(target, deviceCode);
      } catch (error) {
        return this.failDeviceCode(target, request, error);
      }
      if (answer.status === 'approved') {
        await this.db.transaction((m) => m.delete(SignInRequestEntity, { id: request.id }));
        const who = await this.delegated.redeemRefreshToken(target, answer.refreshToken);
        return {
          status: 'signed_in',
          connectionTarget: await this.completed(target, who, request.requestedBy, 'deviceCode'),
        };
      }
      if (answer.status === 'slow_down') {
        // RFC 8628 §3.5: five seconds more, from now on (kept for the next complete call too).
        interval += 5000;
        const detail = { ...request.detail, intervalSeconds: interval / 1000 };
        request.detail = detail;
        await this.db.transaction((m) => m.update(SignInRequestEntity, { id: request.id }, { detail }));
      }
      if (Date.now() + interval > deadline) return pending();
      await sleep(interval);
    }
  }

  private async failDeviceCode(target: AzureTarget, request: SignInRequestEntity, error: unknown): Promise<never> {
    await this.db.transaction((m) => m.delete(SignInRequestEntity, { id: request.id }));
    const code = error instanceof AzureError ? error.code : 'internal_error';
    await this.audited(target, request.requestedBy, 'failure', { flow: 'deviceCode', error: code });
    if (error instanceof AzureError && (code === 'sign_in_declined' || code === 'sign_in_expired'))
      throw new SignInError('conflict', `${error.message} (connection target '${target.name}')`, code);
    throw error;
  }

  private async completed(
    target: AzureTarget,
    who: SignedIn,
    admin: string,
    flow: string,
  ): Promise<ConnectionTargetView> {
    await this.sessions.signedIn(target.id, who, admin);
    this.targets.signInChanged();
    await this.audited(target, admin, 'success', { flow, signedIn: who.username, scopes: who.scopes });
    this.logger.log(
      { connectionTarget: target.name, flow, signedIn: who.username },
      'a person signed in for a delegated connection target',
    );
    return this.targets.get(target.name);
  }

  private async audited(
    target: AzureTarget,
    admin: string,
    result: 'success' | 'failure',
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({
      actor: admin,
      actorRole: 'admin',
      action: 'connection_target.sign_in',
      result,
      connectionTarget: target.name,
      detail,
    });
  }

  private async delegatedTarget(name: string, flow?: 'authorizationCode' | 'deviceCode'): Promise<AzureTarget> {
    const target = await this.targets.resolve(name);
    const type = target.credential.type;
    if (type !== 'authorizationCode' && type !== 'deviceCode') {
      throw new ValidationError(
        `Connection target '${name}' signs in as an application (${type}); only authorizationCode and deviceCode targets have a person sign in.`,
        [{ path: '/auth/type', message: 'is not a delegated auth type' }],
        'not_delegated',
      );
    }
    if (flow && type !== flow) {
      const other =
        type === 'deviceCode'
          ? `POST /api/v1/connection-targets/${name}/device-code`
          : `POST /api/v1/connection-targets/${name}/authorize`;
      throw new ValidationError(
        `Connection target '${name}' signs in with ${type === 'deviceCode' ? 'a device code' : 'the authorization code flow'}: use ${other}.`,
        [{ path: '/auth/type', message: `is ${type}` }],
        'wrong_sign_in_flow',
      );
    }
    return target;
  }

  private async targetById(id: string): Promise<AzureTarget> {
    try {
      return await this.targets.resolveById(id);
    } catch {
      throw new ConflictError('The connection target of this sign-in was deleted.', 'connection_target_deleted');
    }
  }
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
