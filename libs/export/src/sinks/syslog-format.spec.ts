import { describe, expect, it } from 'vitest';
import type { ExportEvent } from '../event-schema.js';
import { cef, octetCounted, rfc5424 } from './syslog-format.js';

const event = (type: ExportEvent['type'], data: Record<string, unknown>): ExportEvent => ({
  schema: 'riposte.event/1',
  seq: 42,
  id: `${type}:x"y]z`,
  type,
  time: '2026-12-04T22:00:00.123Z',
  data,
});

describe('RFC 5424 messages', () => {
  it('carries PRI from facility and severity, the event type as MSGID, and escapes structured-data values', () => {
    const message = rfc5424(event('alert.received', { severity: 'high' }), {
      facility: 16,
      hostname: 'riposte host\u00e9',
    });
    // local0 (16) * 8 + err (3) = 131; a space or non-ASCII letter cannot be in HOSTNAME.
    expect(
      message.startsWith(
        '<131>1 2026-12-04T22:00:00.123Z ripostehost riposte - alert.received [riposte@32473 id="alert.received:x\\"y\\]z" seq="42" schema="riposte.event/1"] {',
      ),
    ).toBe(true);
    expect(JSON.parse(message.slice(message.indexOf('] ') + 2))).toMatchObject({ seq: 42, data: { severity: 'high' } });
  });

  it('frames by octet count, in bytes not characters', () => {
    expect(octetCounted('é').toString('utf8')).toBe('2 é');
  });
});

describe('CEF', () => {
  it('escapes pipes in the header and equals signs, backslashes and newlines in extensions', () => {
    const line = cef(
      event('alert.received', {
        title: 'a|b=c\\d\ne',
        severity: 'medium',
        category: 'x=y',
        users: [{ userPrincipalName: 'adele@contoso.com' }],
      }),
    );
    expect(line).toMatch(/^CEF:0\|Riposte\|Riposte\|[\d.]+\|alert\.received\|Alert received: a\\\|b=c\\\\d e\|6\|/);
    expect(line).toContain('msg=a|b\\=c\\\\d\\ne');
    expect(line).toContain('cat=x\\=y');
    expect(line).toContain('duser=adele@contoso.com');
    expect(line).toContain('cn1Label=seq cn1=42');
  });

  it('names the actor, action and outcome of audit records and effects', () => {
    expect(
      cef(
        event('audit.recorded', {
          actor: 'soc-bot',
          action: 'action.azure_ad.disable_user',
          result: 'denied',
          runId: 'r1',
        }),
      ),
    ).toMatch(
      /\|Audit: action\.azure_ad\.disable_user denied\|6\|.* suser=soc-bot act=action\.azure_ad\.disable_user outcome=denied cs1Label=runId cs1=r1/,
    );
    expect(
      cef(
        event('effect.settled', {
          action: 'defender.isolate_machine',
          status: 'succeeded',
          entity: 'pc1',
          runId: 'r2',
          connectionTarget: 'contoso',
        }),
      ),
    ).toMatch(
      /\|Action succeeded: defender\.isolate_machine on pc1\|4\|.* act=defender\.isolate_machine outcome=succeeded/,
    );
  });
});
