import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

/* Notification channels and the notify.send action, against the fake cloud's webhook receiver and Graph sendMail. */
let fake: FakeCloud;
let service: TestService;
const TOKEN = 'hook-token-9f8e7d6c5b4a39281706';

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService({
    RIPOSTE_APPROVAL_NOTIFY_POLL_MS: '200',
    RIPOSTE_PUBLIC_URL: 'https://riposte.contoso.com/',
  });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  for (const body of [
    { name: 'soc-teams', kind: 'teams', url: fake.hookUrl('teams') },
    { name: 'soc-slack', kind: 'slack', url: fake.hookUrl('slack') },
    { name: 'siem', kind: 'webhook', url: fake.hookUrl('siem'), token: TOKEN },
    {
      name: 'soc-mail',
      kind: 'email',
      connectionTarget: 'contoso',
      mailbox: DEMO.users.nestor.upn,
      to: ['soc@contoso.com'],
    },
    { name: 'redirects', kind: 'webhook', url: fake.hookUrl('redirects', 302) },
  ]) {
    const created = await service.request('POST', '/api/v1/notification-channels', { body });
    expect(created.status, created.text).toBe(201);
  }
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.faults.clear();
});

async function notify(input: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const started = await service.request('POST', '/api/v1/responses', {
    body: { action: 'notify.send', connectionTarget: 'contoso', input, ...extra },
  });
  expect(started.status, started.text).toBe(202);
  return waitForRun(service, started.body.runId);
}

const message = {
  title: 'Adele Vance contained',
  text: 'Disabled and signed out by Riposte.',
  facts: { User: DEMO.users.adele.upn, Alert: 'da63' },
  link: { title: 'Open the run', url: 'https://riposte.contoso.com/runs/1' },
};

describe('notification channels', () => {
  it('never show their URL or token, only the host', async () => {
    const { body, text } = await service.request('GET', '/api/v1/notification-channels');
    expect(body.items.find((c: { name: string }) => c.name === 'siem')).toMatchObject({
      kind: 'webhook',
      host: '127.0.0.1',
      hasUrl: true,
      hasToken: true,
    });
    expect(body.items.find((c: { name: string }) => c.name === 'soc-mail')).toMatchObject({
      kind: 'email',
      hasUrl: false,
      connectionTarget: 'contoso',
      mailbox: DEMO.users.nestor.upn,
      to: ['soc@contoso.com'],
    });
    expect(text).not.toContain('/_fake/hooks');
    expect(text).not.toContain(TOKEN);
  });

  it('refuse http, private, link-local and metadata addresses, and fields of another kind', async () => {
    for (const [url, why] of [
      ['http://hooks.example.com/x', 'https'],
      ['https://10.1.2.3/hook', 'private'],
      ['https://169.254.169.254/latest', 'link-local'],
      ['https://metadata.google.internal/x', 'metadata'],
    ]) {
      const refused = await service.request('POST', '/api/v1/notification-channels', {
        body: { name: `bad-${why}`, kind: 'webhook', url },
      });
      expect(refused.status, url).toBe(400);
      expect(refused.body.errors[0]).toMatchObject({ path: '/url' });
    }
    const mixed = await service.request('POST', '/api/v1/notification-channels', {
      body: { name: 'mixed', kind: 'teams', url: fake.hookUrl('x'), token: 't0k3n-is-not-for-teams' },
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors).toEqual([{ path: '/token', message: 'is only for webhook channels' }]);
    expect(
      (
        await service.request('POST', '/api/v1/notification-channels', {
          body: { name: 'soc-teams', kind: 'teams', url: fake.hookUrl('y') },
        })
      ).status,
    ).toBe(409);
  });

  it('a test message reaches the channel', async () => {
    const before = fake.webhooks('teams').length;
    const tested = await service.request('POST', '/api/v1/notification-channels/soc-teams/test');
    expect(tested.status, tested.text).toBe(200);
    expect(fake.webhooks('teams')).toHaveLength(before + 1);
  });
});

describe('notify.send', () => {
  it('posts an Adaptive Card to a Teams workflow', async () => {
    const run = await notify({ channel: 'soc-teams', ...message });
    expect(run.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { channel: 'soc-teams', kind: 'teams', status: 200 },
    });
    const card = fake.webhooks('teams').at(-1)!.body as any;
    expect(card.type).toBe('message');
    expect(card.attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', actions: [{ type: 'Action.OpenUrl', url: message.link.url }] },
    });
    expect(card.attachments[0].content.body).toContainEqual({
      type: 'FactSet',
      facts: [
        { title: 'User', value: DEMO.users.adele.upn },
        { title: 'Alert', value: 'da63' },
      ],
    });
  });

  it('posts blocks to Slack, JSON with the bearer token to a webhook, and mail through Graph', async () => {
    await notify({ channel: 'soc-slack', ...message });
    expect(fake.webhooks('slack').at(-1)!.body).toMatchObject({
      text: expect.stringContaining('Adele Vance contained'),
      blocks: expect.arrayContaining([
        expect.objectContaining({ type: 'header' }),
        expect.objectContaining({ type: 'actions' }),
      ]),
    });

    await notify({ channel: 'siem', ...message });
    expect(fake.webhooks('siem').at(-1)).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      body: { title: message.title, facts: message.facts },
    });

    const mailed = await notify({ channel: 'soc-mail', ...message });
    expect(mailed.steps[0]).toMatchObject({ status: 'succeeded', output: { kind: 'email', status: 202 } });
    expect(fake.sentMail().at(-1)).toMatchObject({
      from: DEMO.users.nestor.upn,
      subject: message.title,
      to: ['soc@contoso.com'],
      body: expect.stringContaining('User: adele.vance@contoso.com'),
    });
  });

  it('follows no redirect, and keeps the URL and token out of the run, the plan and the audit', async () => {
    const redirected = await notify({ channel: 'redirects', title: 't', text: 'x' });
    expect(redirected.steps[0].error).toMatchObject({
      code: 'notification_failed',
      message: expect.stringMatching(/redirect.*not followed/),
    });

    const dry = await notify({ channel: 'siem', ...message }, { dryRun: true });
    expect(dry.steps[0].output.requests[0].url).toBe('notification-channel:siem');
    const audit = await service.request('GET', '/api/v1/audit?limit=500');
    for (const text of [JSON.stringify(redirected), JSON.stringify(dry), audit.text]) {
      expect(text).not.toContain('/_fake/hooks');
      expect(text).not.toContain(TOKEN);
    }
  });

  it('fails with not_found for an unknown channel', async () => {
    const run = await notify({ channel: 'nobody', title: 't', text: 'x' });
    expect(run.steps[0].error).toMatchObject({ code: 'not_found' });
  });
});

describe('approvals that name a channel', () => {
  const playbook = `id: approve-on-teams\nname: Approval told on Teams\nsteps:\n  - id: approve_it\n    approval:\n      prompt: Isolate desktop-adele?\n      approvers: [analyst]\n      timeout: 20s\n      onTimeout: reject\n      onReject: continue\n      channel: soc-teams\n  - id: done\n    action: core.noop\n`;

  async function until<T>(check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const value = check();
      if (value !== undefined) return value;
    }
    throw new Error('condition not met in time');
  }

  it('tell the approvers with a link to decide, then remind them before the timeout', async () => {
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/approve-on-teams', {
          raw: playbook,
          headers: { 'Content-Type': 'application/yaml' },
        })
      ).status,
    ).toBe(201);
    const started = await service.request('POST', '/api/v1/playbooks/approve-on-teams/runs', { body: { inputs: {} } });
    expect(started.status, started.text).toBe(202);
    const runId = started.body.runId;
    const mine = () =>
      fake
        .webhooks('teams')
        .map((c) => (c.body as any).attachments?.[0]?.content)
        .filter((card) => JSON.stringify(card).includes(runId));

    const notice = await until(() => mine()[0]);
    expect(notice.body[0].text).toBe('Approval needed (approve-on-teams)');
    expect(notice.body[1].text).toContain('Isolate desktop-adele?');
    expect(notice.body[1].text).toContain(`POST https://riposte.contoso.com/api/v1/runs/${runId}/approvals/approve_it`);
    expect(notice.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the run', url: `https://riposte.contoso.com/api/v1/runs/${runId}` },
    ]);

    // Sent 15 s after the request (a quarter of the 20 s wait before it); bounded loosely for a loaded machine.
    const reminder = await until(() => mine()[1], 60_000);
    expect(reminder.body[0].text).toBe('Reminder: approval still needed (approve-on-teams)');
    const run = await waitForRun(service, runId, 30_000);
    expect(run.status).toBe('succeeded');
    expect(mine()).toHaveLength(2);
  }, 120_000);
});

describe('without custom endpoints allowed', () => {
  it('a loopback webhook is refused', async () => {
    const strict = await startService({ RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'false' });
    try {
      const refused = await strict.request('POST', '/api/v1/notification-channels', {
        body: { name: 'local', kind: 'webhook', url: fake.hookUrl('local') },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ path: '/url', message: expect.stringMatching(/loopback/) }]);
    } finally {
      await strict.close();
    }
  });
});
