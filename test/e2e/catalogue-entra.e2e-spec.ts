import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { respond, revert } from '../support/responses.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/* The Entra ID part of the response catalogue, end to end against the fake cloud. */
let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService();
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.faults.clear();
});

const graph = () => `${fake.endpoints.graph}/v1.0`;

describe('the catalogue', () => {
  it('lists every Entra ID action with its roles and inverse', async () => {
    const { body } = await service.request('GET', '/api/v1/actions');
    const byId = new Map<string, any>(body.map((a: { id: string }) => [a.id, a]));
    const expected: [string, string | null, boolean, string][] = [
      ['azure_ad.reset_password', null, true, 'User-PasswordProfile.ReadWrite.All'],
      ['azure_ad.confirm_compromised', 'azure_ad.dismiss_user_risk', true, 'IdentityRiskyUser.ReadWrite.All'],
      ['azure_ad.dismiss_user_risk', 'azure_ad.confirm_compromised', true, 'IdentityRiskyUser.ReadWrite.All'],
      ['azure_ad.add_group_member', 'azure_ad.remove_group_member', true, 'GroupMember.ReadWrite.All'],
      ['azure_ad.remove_group_member', 'azure_ad.add_group_member', true, 'GroupMember.ReadWrite.All'],
      ['azure_ad.disable_service_principal', 'azure_ad.enable_service_principal', true, 'Application.ReadWrite.All'],
      ['azure_ad.enable_service_principal', 'azure_ad.disable_service_principal', true, 'Application.ReadWrite.All'],
      ['azure_ad.list_sign_ins', null, false, 'AuditLog.Read.All'],
      ['azure_ad.get_user_risk', null, false, 'IdentityRiskyUser.Read.All'],
      ['azure_ad.list_memberships', null, false, 'User.Read.All'],
      ['azure_ad.get_manager', null, false, 'User.Read.All'],
    ];
    for (const [id, inverse, destructive, role] of expected) {
      expect(byId.get(id), id).toMatchObject({ inverse, destructive, inputSchema: expect.any(Object) });
      expect(
        byId.get(id).requiredRoles.map((r: { role: string }) => r.role),
        id,
      ).toContain(role);
    }
  });

  it('refuses bad input with the field named, before any run starts', async () => {
    const bad = await service.request('POST', '/api/v1/responses', {
      body: {
        action: 'azure_ad.add_group_member',
        connectionTarget: 'contoso',
        input: { user: DEMO.users.alex.upn, group: 'not-a-guid' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: '/input/group' })]);
    const extra = await service.request('POST', '/api/v1/responses', {
      body: {
        action: 'azure_ad.reset_password',
        connectionTarget: 'contoso',
        input: { user: DEMO.users.alex.upn, password: 'Chosen1!' },
      },
    });
    expect(extra.status).toBe(400);
  });
});

describe('reset password', () => {
  it('sets a password nobody sees, forces a change, and never shows the password anywhere', async () => {
    const upn = DEMO.users.alex.upn;
    const run = await respond(service, 'azure_ad.reset_password', { user: upn });
    expect(run).toMatchObject({
      status: 'succeeded',
      steps: [{ status: 'succeeded', output: { user: upn, passwordReset: true, forceChangePasswordNextSignIn: true } }],
    });
    const set = fake.getPassword(upn);
    expect(set?.forceChangePasswordNextSignIn).toBe(true);
    expect(set?.password).toMatch(/^.{24}$/);
    const audit = await service.request('GET', `/api/v1/audit?runId=${run.id}`);
    expect(JSON.stringify(run)).not.toContain(set!.password);
    expect(audit.text).not.toContain(set!.password);

    // A second reset makes a different password.
    await respond(service, 'azure_ad.reset_password', { user: upn });
    expect(fake.getPassword(upn)?.password).not.toBe(set!.password);
  });

  it('plans the exact request with the password redacted', async () => {
    const run = await respond(service, 'azure_ad.reset_password', { user: DEMO.users.megan.upn }, { dryRun: true });
    expect(run.steps[0]).toMatchObject({ status: 'planned' });
    expect(run.steps[0].output.requests).toEqual([
      {
        method: 'PATCH',
        url: `${graph()}/users/${encodeURIComponent(DEMO.users.megan.upn)}`,
        body: { passwordProfile: { forceChangePasswordNextSignIn: true, password: '[REDACTED]' } },
        headers: { Authorization: 'Bearer [REDACTED]', 'Content-Type': 'application/json' },
      },
    ]);
  });

  it('is refused for a protected account, also in a dry run', async () => {
    for (const dryRun of [true, false]) {
      const run = await respond(service, 'azure_ad.reset_password', { user: DEMO.users.breakGlass.upn }, { dryRun });
      expect(run.steps[0].error).toMatchObject({ code: 'protected_entity' });
    }
    expect(fake.getPassword(DEMO.users.breakGlass.upn)).toBeUndefined();
  });

  it('is reconciled when the answer is lost after Graph applied it: one PATCH, succeeded', async () => {
    const afterSeq = fake.lastRequestSeq;
    fake.faults.inject({
      service: 'graph',
      method: 'PATCH',
      path: '/users/',
      preset: 'resetConnection',
      effect: 'before',
    });
    const run = await respond(service, 'azure_ad.reset_password', { user: DEMO.users.megan.upn });
    expect(run.steps[0], JSON.stringify(run.steps[0].error)).toMatchObject({ status: 'succeeded' });
    expect(fake.requests({ service: 'graph', method: 'PATCH', afterSeq })).toHaveLength(1);
  });
});

describe('user risk', () => {
  it('confirms a user compromised, and the revert dismisses the risk', async () => {
    const run = await respond(service, 'azure_ad.confirm_compromised', { user: DEMO.users.adele.upn });
    expect(run.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { userId: DEMO.users.adele.id, riskState: 'confirmedCompromised' },
    });
    expect(fake.getRiskyUser(DEMO.users.adele.upn)).toMatchObject({
      riskLevel: 'high',
      riskState: 'confirmedCompromised',
    });

    const read = await respond(service, 'azure_ad.get_user_risk', { user: DEMO.users.adele.upn });
    expect(read.steps[0].output).toMatchObject({ riskLevel: 'high', riskState: 'confirmedCompromised' });

    const undone = await revert(service, run.id);
    expect(undone).toMatchObject({
      status: 'succeeded',
      steps: [{ action: 'azure_ad.dismiss_user_risk', status: 'succeeded' }],
    });
    expect(fake.getRiskyUser(DEMO.users.adele.upn)).toMatchObject({ riskLevel: 'none', riskState: 'dismissed' });
  });

  it('plans the request with the object id Identity Protection needs', async () => {
    const run = await respond(
      service,
      'azure_ad.confirm_compromised',
      { user: DEMO.users.megan.upn },
      { dryRun: true },
    );
    expect(run.steps[0].output.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: `${graph()}/identityProtection/riskyUsers/confirmCompromised`,
        body: { userIds: [DEMO.users.megan.id] },
      }),
    ]);
    expect(fake.getRiskyUser(DEMO.users.megan.upn)).toBeUndefined();
  });

  it('reads a user never flagged as without risk', async () => {
    const run = await respond(service, 'azure_ad.get_user_risk', { user: DEMO.users.nestor.upn });
    expect(run.steps[0].output).toMatchObject({ userId: DEMO.users.nestor.id, riskLevel: 'none', riskState: 'none' });
  });
});

describe('group membership', () => {
  it('adds a user to the block group, says so when already there, and the revert removes them', async () => {
    const input = { user: DEMO.users.alex.upn, group: DEMO.groups.caBlock };
    const dry = await respond(service, 'azure_ad.add_group_member', input, { dryRun: true });
    expect(dry.steps[0].output.requests).toEqual([
      {
        method: 'POST',
        url: `${graph()}/groups/${DEMO.groups.caBlock}/members/$ref`,
        body: { '@odata.id': `${graph()}/directoryObjects/${DEMO.users.alex.id}` },
        headers: { Authorization: 'Bearer [REDACTED]', 'Content-Type': 'application/json' },
      },
    ]);
    expect(fake.getGroup(DEMO.groups.caBlock)?.members).not.toContain(DEMO.users.alex.id);

    const added = await respond(service, 'azure_ad.add_group_member', input);
    expect(added.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { userId: DEMO.users.alex.id, member: true, changed: true },
    });
    expect(fake.getGroup(DEMO.groups.caBlock)?.members).toContain(DEMO.users.alex.id);

    const again = await respond(service, 'azure_ad.add_group_member', input);
    expect(again.steps[0]).toMatchObject({ status: 'succeeded', output: { member: true, changed: false } });

    const undone = await revert(service, added.id);
    expect(undone).toMatchObject({
      status: 'succeeded',
      steps: [
        { action: 'azure_ad.remove_group_member', status: 'succeeded', output: { member: false, changed: true } },
      ],
    });
    expect(fake.getGroup(DEMO.groups.caBlock)?.members).not.toContain(DEMO.users.alex.id);
  });

  it('fails with group_not_found for an unknown group, and refuses protected users', async () => {
    const missing = await respond(service, 'azure_ad.add_group_member', {
      user: DEMO.users.alex.upn,
      group: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.steps[0].error).toMatchObject({ code: 'group_not_found' });
    const refused = await respond(service, 'azure_ad.remove_group_member', {
      user: DEMO.users.breakGlass.upn,
      group: DEMO.groups.allStaff,
    });
    expect(refused.steps[0].error).toMatchObject({ code: 'protected_entity' });
  });

  it('is reconciled with the membership when the answer is lost: one POST, succeeded', async () => {
    const afterSeq = fake.lastRequestSeq;
    fake.faults.inject({
      service: 'graph',
      method: 'POST',
      path: '/members/$ref',
      preset: 'resetConnection',
      effect: 'before',
    });
    const run = await respond(service, 'azure_ad.add_group_member', {
      user: DEMO.users.megan.upn,
      group: DEMO.groups.caBlock,
    });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', output: { member: true } });
    expect(fake.requests({ service: 'graph', method: 'POST', path: '/members/$ref', afterSeq })).toHaveLength(1);
    expect(fake.getGroup(DEMO.groups.caBlock)?.members).toContain(DEMO.users.megan.id);
  });
});

describe('service principals', () => {
  it('disables a malicious OAuth app by its app id; the revert enables it again', async () => {
    const sp = DEMO.servicePrincipals.pdfHelper;
    const run = await respond(service, 'azure_ad.disable_service_principal', { servicePrincipal: sp.appId });
    expect(run.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { servicePrincipalId: sp.id, appId: sp.appId, displayName: sp.displayName, accountEnabled: false },
    });
    expect(fake.getServicePrincipal(sp.id)?.accountEnabled).toBe(false);

    const undone = await revert(service, run.id);
    expect(undone.steps[0]).toMatchObject({ action: 'azure_ad.enable_service_principal', status: 'succeeded' });
    expect(fake.getServicePrincipal(sp.id)?.accountEnabled).toBe(true);
  });

  it("never disables the service's own app, by app id or by object id", async () => {
    for (const servicePrincipal of [DEMO.clientId, DEMO.servicePrincipals.riposte.id]) {
      const run = await respond(service, 'azure_ad.disable_service_principal', { servicePrincipal });
      expect(run.steps[0].error, servicePrincipal).toMatchObject({
        code: 'protected_entity',
        message: expect.stringMatching(/own app registration/),
      });
    }
    expect(fake.getServicePrincipal(DEMO.servicePrincipals.riposte.id)?.accountEnabled).toBe(true);
  });

  it('plans the PATCH on the object id', async () => {
    const run = await respond(
      service,
      'azure_ad.disable_service_principal',
      { servicePrincipal: DEMO.servicePrincipals.pdfHelper.appId },
      { dryRun: true },
    );
    expect(run.steps[0].output.requests).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        url: `${graph()}/servicePrincipals/${DEMO.servicePrincipals.pdfHelper.id}`,
        body: { accountEnabled: false },
      }),
    ]);
  });
});

describe('reads', () => {
  it('reads sign-ins newest first, memberships and the manager', async () => {
    const signIns = await respond(service, 'azure_ad.list_sign_ins', { user: DEMO.users.adele.upn, top: 5 });
    expect(signIns.steps[0].output.signIns).toHaveLength(2);
    expect(signIns.steps[0].output.signIns[0]).toMatchObject({
      ipAddress: '198.51.100.77',
      location: { countryOrRegion: 'NG' },
    });

    const memberships = await respond(service, 'azure_ad.list_memberships', { user: DEMO.users.nestor.upn });
    expect(memberships.steps[0].output).toMatchObject({
      groups: [{ id: DEMO.groups.socAnalysts, displayName: 'SOC Analysts' }],
      directoryRoles: [{ displayName: 'Security Administrator' }],
    });

    const manager = await respond(service, 'azure_ad.get_manager', { user: DEMO.users.adele.upn });
    expect(manager.steps[0].output.manager).toMatchObject({
      id: DEMO.users.megan.id,
      userPrincipalName: DEMO.users.megan.upn,
    });
    const none = await respond(service, 'azure_ad.get_manager', { user: DEMO.users.nestor.upn });
    expect(none.steps[0]).toMatchObject({ status: 'succeeded', output: { manager: null } });
    const nobody = await respond(service, 'azure_ad.get_manager', { user: 'nobody@contoso.com' });
    expect(nobody.steps[0].error).toMatchObject({ code: 'user_not_found' });
  });

  it('names the missing permission when the app may not read sign-ins', async () => {
    fake.faults.inject({ service: 'graph', method: 'GET', path: '/auditLogs/signIns', preset: 'forbidden' });
    const run = await respond(service, 'azure_ad.list_sign_ins', { user: DEMO.users.adele.upn });
    expect(run.steps[0].error).toMatchObject({ code: 'insufficient_privileges' });
  });
});
