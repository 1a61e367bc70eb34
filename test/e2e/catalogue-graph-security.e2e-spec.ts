import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { respond } from '../support/responses.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/* The Microsoft 365 Defender (Graph security) part of the response catalogue. */
let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  // A lost answer is looked at again once the call could no longer land (timeout + retry wait): short here.
  service = await startService({ RIPOSTE_HTTP_TIMEOUT_MS: '5000', RIPOSTE_HTTP_MAX_RETRY_WAIT_SECONDS: '1' });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.faults.clear();
});

describe('advanced hunting', () => {
  it('returns the rows and schema of a query', async () => {
    const query =
      'UrlClickEvents | where Url has "contoso-login.example" and ActionType == "ClickAllowed" | project AccountUpn, Url';
    const run = await respond(service, 'graph_security.run_hunting_query', { query, timespan: 'P7D' });
    expect(run.steps[0]).toMatchObject({
      status: 'succeeded',
      output: {
        rowCount: 1,
        truncated: false,
        schema: [{ name: 'AccountUpn' }, { name: 'Url' }],
        results: [{ AccountUpn: DEMO.users.adele.upn }],
      },
    });
  });

  it('keeps at most maxRows rows and says so', async () => {
    const run = await respond(service, 'graph_security.run_hunting_query', { query: 'EmailEvents', maxRows: 2 });
    expect(run.steps[0].output).toMatchObject({ rowCount: 3, truncated: true });
    expect(run.steps[0].output.results).toHaveLength(2);
  });

  it("fails with Microsoft's message when the query does not parse, and plans the exact request", async () => {
    const bad = await respond(service, 'graph_security.run_hunting_query', {
      query: 'UrlClickEvents | summarize count() by Url',
    });
    expect(bad.steps[0].error).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('could not be parsed'),
    });
    const dry = await respond(
      service,
      'graph_security.run_hunting_query',
      { query: 'EmailEvents | take 1' },
      { dryRun: true },
    );
    expect(dry.steps[0].output.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: `${fake.endpoints.graph}/v1.0/security/runHuntingQuery`,
        body: { Query: 'EmailEvents | take 1' },
      }),
    ]);
  });
});

describe('incidents', () => {
  it('reads an incident with its alerts, then updates it', async () => {
    const read = await respond(service, 'graph_security.get_incident', {
      incidentId: DEMO.incidents.adeleCompromise,
      includeAlerts: true,
    });
    expect(read.steps[0].output).toMatchObject({
      id: DEMO.incidents.adeleCompromise,
      status: 'active',
      alerts: expect.arrayContaining([expect.objectContaining({ id: DEMO.alerts.phishing })]),
    });

    const updated = await respond(service, 'graph_security.update_incident', {
      incidentId: DEMO.incidents.adeleCompromise,
      status: 'inProgress',
      classification: 'truePositive',
      determination: 'phishing',
      assignedTo: 'soc@contoso.com',
      customTags: ['Riposte'],
    });
    expect(updated.steps[0]).toMatchObject({
      status: 'succeeded',
      output: {
        status: 'inProgress',
        classification: 'truePositive',
        determination: 'phishing',
        assignedTo: 'soc@contoso.com',
        customTags: ['Riposte'],
      },
    });
    expect(fake.getIncident(DEMO.incidents.adeleCompromise)).toMatchObject({
      status: 'inProgress',
      determination: 'phishing',
      tags: ['Riposte'],
    });
  });

  it('fails with incident_not_found for an unknown incident and refuses an update with nothing to change', async () => {
    const missing = await respond(service, 'graph_security.get_incident', { incidentId: '999999' });
    expect(missing.steps[0].error).toMatchObject({ code: 'incident_not_found' });
    const empty = await service.request('POST', '/api/v1/responses', {
      body: { action: 'graph_security.update_incident', connectionTarget: 'contoso', input: { incidentId: '41001' } },
    });
    expect(empty.status).toBe(400);
  });
});

describe('comments, through the effect ledger', () => {
  it('comments on an alert and on an incident, marked with the run step', async () => {
    const onAlert = await respond(service, 'graph_security.comment_alert', {
      alertId: DEMO.alerts.powershell,
      comment: 'Contained by Riposte',
    });
    expect(onAlert.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { kind: 'alert', id: DEMO.alerts.powershell, commentCount: 1 },
    });
    expect(fake.getAlert(DEMO.alerts.powershell)?.comments.at(-1)?.comment).toBe(
      `Contained by Riposte [riposte:${onAlert.id}/response]`,
    );

    const onIncident = await respond(service, 'graph_security.comment_incident', {
      incidentId: DEMO.incidents.meganSignIn,
      comment: 'Looking into it',
    });
    expect(onIncident.steps[0]).toMatchObject({ status: 'succeeded', output: { kind: 'incident', commentCount: 1 } });
    expect((fake.getIncident(DEMO.incidents.meganSignIn)?.comments as { comment: string }[]).at(-1)?.comment).toContain(
      'Looking into it',
    );
  });

  it('never posts a comment twice when the answer is lost: the marked comment is found instead', async () => {
    const afterSeq = fake.lastRequestSeq;
    const before = fake.getAlert(DEMO.alerts.phishing)!.comments.length;
    fake.faults.inject({
      service: 'graph',
      method: 'POST',
      path: '/comments',
      preset: 'resetConnection',
      effect: 'before',
    });
    const run = await respond(service, 'graph_security.comment_alert', {
      alertId: DEMO.alerts.phishing,
      comment: 'Once only',
    });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded' });
    expect(fake.requests({ service: 'graph', method: 'POST', path: '/comments', afterSeq })).toHaveLength(1);
    expect(fake.getAlert(DEMO.alerts.phishing)!.comments).toHaveLength(before + 1);
  });

  it('posts once when the first POST never reached Graph: sent again only after it could no longer land', async () => {
    const before = fake.getAlert(DEMO.alerts.phishing)!.comments.length;
    const posts = () => fake.count({ service: 'graph', method: 'POST', path: '/comments' });
    const postsBefore = posts();
    fake.faults.inject({
      service: 'graph',
      method: 'POST',
      path: '/comments',
      preset: 'resetConnection',
      effect: 'none',
    });
    const run = await respond(
      service,
      'graph_security.comment_alert',
      { alertId: DEMO.alerts.phishing, comment: 'Lost' },
      {},
      30_000,
    );
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(posts() - postsBefore).toBe(2);
    expect(fake.getAlert(DEMO.alerts.phishing)!.comments).toHaveLength(before + 1);
  });
});
