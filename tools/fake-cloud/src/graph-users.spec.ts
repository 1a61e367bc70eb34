import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO, GLOBAL_ADMIN_TEMPLATE_ID } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';
import { apiClient } from './testing.js';
import { encodeToken } from './tokens.js';

describe('graph: users, groups and directory roles', () => {
  let fake: FakeCloud;
  beforeAll(async () => {
    fake = await startFakeCloud();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.seedDemo();
  });

  const adele = `/v1.0/users/${encodeURIComponent('Adele.Vance@CONTOSO.com')}`;

  it('gets a user by UPN (case-insensitive, URL-encoded) with the default property set, without accountEnabled', async () => {
    const res = await apiClient(fake, 'graph').get(adele);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json;odata.metadata=minimal');
    expect(res.data).toEqual({
      '@odata.context': `${fake.endpoints.graph}/v1.0/$metadata#users/$entity`,
      businessPhones: ['+1 425 555 0109'],
      displayName: 'Adele Vance',
      givenName: 'Adele',
      jobTitle: 'Retail Manager',
      mail: DEMO.users.adele.upn,
      mobilePhone: null,
      officeLocation: '18/2111',
      preferredLanguage: 'en-US',
      surname: 'Vance',
      userPrincipalName: DEMO.users.adele.upn,
      id: DEMO.users.adele.id,
    });
  });

  it('honours $select (accountEnabled only when selected) and refuses unknown properties', async () => {
    const graph = apiClient(fake, 'graph');
    const res = await graph.get(
      `/v1.0/users/${DEMO.users.adele.id}?$select=id,accountEnabled,signInSessionsValidFromDateTime`,
    );
    expect(res.data).toEqual({
      '@odata.context': `${fake.endpoints.graph}/v1.0/$metadata#users(id,accountEnabled,signInSessionsValidFromDateTime)/$entity`,
      id: DEMO.users.adele.id,
      accountEnabled: true,
      signInSessionsValidFromDateTime: expect.stringMatching(/Z$/),
    });
    const bad = await graph.get(`${adele}?$select=id,shoeSize`);
    expect(bad.status).toBe(400);
    expect(bad.data.error.code).toBe('Request_BadRequest');
  });

  it('answers an unknown user with the real 404 body', async () => {
    const res = await apiClient(fake, 'graph').get('/v1.0/users/68be84bf-a585-4776-80b3-30aa5207aa22', {
      headers: { 'client-request-id': 'c1d2e3f4-0000-4000-8000-000000000009' },
    });
    expect(res.status).toBe(404);
    expect(res.data).toEqual({
      error: {
        code: 'Request_ResourceNotFound',
        message:
          "Resource '68be84bf-a585-4776-80b3-30aa5207aa22' does not exist or one of its queried reference-property objects are not present.",
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          'request-id': expect.any(String),
          'client-request-id': 'c1d2e3f4-0000-4000-8000-000000000009',
        },
      },
    });
  });

  it('disables and re-enables a user with PATCH → 204 and an empty body (idempotent)', async () => {
    const graph = apiClient(fake, 'graph');
    const disabled = await graph.patch(adele, { accountEnabled: false }, { responseType: 'text' });
    expect(disabled.status).toBe(204);
    expect(disabled.data).toBe('');
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);
    expect((await graph.patch(adele, { accountEnabled: false })).status).toBe(204);
    expect((await graph.get(`${adele}?$select=accountEnabled`)).data.accountEnabled).toBe(false);
    expect((await graph.patch(adele, { accountEnabled: true })).status).toBe(204);
    expect(fake.getUser(DEMO.users.adele.id)?.accountEnabled).toBe(true);
    const invalid = await graph.patch(adele, { accountEnabled: 'no' });
    expect(invalid.status).toBe(400);
    expect((await graph.patch(adele, { id: 'x' })).status).toBe(400);
  });

  it('follows a renamed UPN', async () => {
    const graph = apiClient(fake, 'graph');
    expect((await graph.patch(adele, { userPrincipalName: 'adele@contoso.com' })).status).toBe(204);
    expect((await graph.get(adele)).status).toBe(404);
    expect((await graph.get('/v1.0/users/adele@contoso.com')).data.id).toBe(DEMO.users.adele.id);
  });

  it('lets User.EnableDisableAccount.All change accountEnabled and nothing else', async () => {
    const narrow = apiClient(fake, 'graph', { roles: ['User.EnableDisableAccount.All'] });
    expect((await narrow.patch(adele, { accountEnabled: false })).status).toBe(204);
    const other = await narrow.patch(adele, { displayName: 'Someone Else' });
    expect(other.status).toBe(403);
    expect(other.data.error.code).toBe('Authorization_RequestDenied');
    expect(fake.getUser(DEMO.users.adele.id)?.displayName).toBe('Adele Vance');
    expect((await narrow.get(adele)).status).toBe(403);
  });

  it('revokes sign-in sessions: 200 {value:true} and a new signInSessionsValidFromDateTime', async () => {
    const before = fake.getUser(DEMO.users.adele.id)!.signInSessionsValidFromDateTime;
    const res = await apiClient(fake, 'graph', { roles: ['User.RevokeSessions.All'] }).post(
      `${adele}/revokeSignInSessions`,
    );
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ '@odata.context': `${fake.endpoints.graph}/v1.0/$metadata#Edm.Boolean`, value: true });
    const after = fake.getUser(DEMO.users.adele.id)!.signInSessionsValidFromDateTime;
    expect(after > before).toBe(true);
    expect(Date.now() - Date.parse(after)).toBeLessThan(5000);
  });

  it('refuses missing, foreign-audience and expired tokens with 401, and missing permissions with 403', async () => {
    const url = `${fake.endpoints.graph}${adele}`;
    const none = await axios.get(url, { validateStatus: () => true });
    expect(none.status).toBe(401);
    expect(none.data.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    expect(none.headers['www-authenticate']).toContain('Bearer');

    const defenderToken = fake.issueToken({ resource: 'defender', clientId: DEMO.clientId });
    const foreign = await axios.get(url, {
      headers: { authorization: `Bearer ${defenderToken}` },
      validateStatus: () => true,
    });
    expect(foreign.status).toBe(401);
    expect(foreign.data.error.message).toContain('Invalid audience');

    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = encodeToken({
      aud: fake.endpoints.graph,
      tid: DEMO.tenantId,
      appid: DEMO.clientId,
      roles: ['User.Read.All'],
      exp: past,
      iat: past - 3600,
      nbf: past - 3600,
    });
    const stale = await axios.get(url, { headers: { authorization: `Bearer ${expired}` }, validateStatus: () => true });
    expect(stale.status).toBe(401);
    expect(stale.data.error.message).toContain('expired');

    const readOnly = apiClient(fake, 'graph', { roles: ['User.Read.All'] });
    expect((await readOnly.get(adele)).status).toBe(200);
    const denied = await readOnly.patch(adele, { accountEnabled: false });
    expect(denied.status).toBe(403);
    expect(denied.data.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect((await readOnly.post(`${adele}/revokeSignInSessions`)).status).toBe(403);
  });

  it('protects privileged users: disabling the Global Administrator takes an app that holds an admin role itself', async () => {
    const breakGlass = `/v1.0/users/${DEMO.users.breakGlass.id}`;
    const denied = await apiClient(fake, 'graph').patch(breakGlass, { accountEnabled: false });
    expect(denied.status).toBe(403);
    expect(fake.getUser(DEMO.users.breakGlass.id)?.accountEnabled).toBe(true);
    const adminAppId = '7f3a0c2e-1b4d-4e6f-8a9b-0c1d2e3f4a5b';
    fake.addApp({
      clientId: adminAppId,
      roles: { graph: ['User.ReadWrite.All'] },
      directoryRoleTemplateIds: [GLOBAL_ADMIN_TEMPLATE_ID],
    });
    expect(
      (await apiClient(fake, 'graph', { clientId: adminAppId }).patch(breakGlass, { accountEnabled: false })).status,
    ).toBe(204);
  });

  it('lists transitive group members with @odata.type, paged by $top with a $skiptoken nextLink', async () => {
    const graph = apiClient(fake, 'graph', { roles: ['GroupMember.Read.All'] });
    const all = await graph.get(`/v1.0/groups/${DEMO.groups.allStaff}/transitiveMembers`);
    expect(all.status).toBe(200);
    const ids = all.data.value.map((m: { id: string }) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([DEMO.users.adele.id, DEMO.groups.finance, DEMO.users.megan.id, DEMO.users.nestor.id]),
    );
    expect(all.data.value.find((m: { id: string }) => m.id === DEMO.groups.finance)['@odata.type']).toBe(
      '#microsoft.graph.group',
    );
    expect(all.data.value.find((m: { id: string }) => m.id === DEMO.users.megan.id)).toMatchObject({
      '@odata.type': '#microsoft.graph.user',
      userPrincipalName: DEMO.users.megan.upn,
    });

    const first = await graph.get(`/v1.0/groups/${DEMO.groups.allStaff}/transitiveMembers?$top=4`);
    expect(first.data.value).toHaveLength(4);
    expect(first.data['@odata.nextLink']).toContain('$skiptoken=4');
    const second = await graph.get(first.data['@odata.nextLink']);
    const direct = await graph.get(`/v1.0/groups/${DEMO.groups.allStaff}/members`);
    expect(second.data.value.length + 4).toBe(ids.length);
    expect(second.data['@odata.nextLink']).toBeUndefined();
    expect(direct.data.value).toHaveLength(4);
  });

  it('lists directory roles and their members, also by roleTemplateId', async () => {
    const graph = apiClient(fake, 'graph', { roles: ['RoleManagement.Read.Directory'] });
    const roles = await graph.get('/v1.0/directoryRoles');
    expect(roles.data.value).toContainEqual({
      id: DEMO.directoryRoles.globalAdministrator,
      deletedDateTime: null,
      description: expect.any(String),
      displayName: 'Global Administrator',
      roleTemplateId: GLOBAL_ADMIN_TEMPLATE_ID,
    });
    const byId = await graph.get(`/v1.0/directoryRoles/${DEMO.directoryRoles.globalAdministrator}/members`);
    const byTemplate = await graph.get(`/v1.0/directoryRoles(roleTemplateId='${GLOBAL_ADMIN_TEMPLATE_ID}')/members`);
    expect(byId.data.value).toEqual([
      expect.objectContaining({ '@odata.type': '#microsoft.graph.user', id: DEMO.users.breakGlass.id }),
    ]);
    expect(byTemplate.data.value).toEqual(byId.data.value);
    expect((await apiClient(fake, 'graph', { roles: ['User.Read.All'] }).get('/v1.0/directoryRoles')).status).toBe(403);
    const memberOf = await apiClient(fake, 'graph').get(`/v1.0/users/${DEMO.users.nestor.id}/memberOf`);
    // Direct memberships only: SOC Analysts and the Security Administrator role (All Staff is transitive).
    expect(memberOf.data.value.map((o: { '@odata.type': string; id: string }) => [o['@odata.type'], o.id])).toEqual([
      ['#microsoft.graph.group', DEMO.groups.socAnalysts],
      ['#microsoft.graph.directoryRole', DEMO.directoryRoles.securityAdministrator],
    ]);
  });
});
