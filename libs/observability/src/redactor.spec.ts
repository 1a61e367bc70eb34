import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from './redactor.js';

describe(Redactor.name, () => {
  it('redacts fields by name, whatever their nesting and spelling, also when seen before', () => {
    const sut = new Redactor();
    const out = sut.redact({
      auth: { type: 'clientSecret', clientSecret: 'abc', hasSecret: true },
      headers: { Authorization: 'Bearer x' },
      list: [{ access_token: 't' }],
    });
    expect(out).toEqual({
      auth: { type: 'clientSecret', clientSecret: REDACTED, hasSecret: true },
      headers: { Authorization: `Bearer ${REDACTED}` },
      list: [{ access_token: REDACTED }],
    });
    // The same names again (looked up once, then remembered), and spellings of one name.
    expect(sut.redact({ clientSecret: 'abc', 'Client-Secret': 'x', CLIENT_SECRET: 'y', type: 't' })).toEqual({
      clientSecret: REDACTED,
      'Client-Secret': REDACTED,
      CLIENT_SECRET: REDACTED,
      type: 't',
    });
  });

  it('scrubs secrets by shape inside free text', () => {
    const sut = new Redactor();
    const jwt = 'eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJhIl19.';
    const text = `failed: Authorization: Bearer abc.def.ghi, token ${jwt}, body client_secret=s3cr3t&scope=x, key rip_ABCDEFGHIJKLMNOPQRSTUV -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----`;
    const out = sut.scrub(text);
    expect(out).not.toContain('abc.def.ghi');
    expect(out).not.toContain(jwt);
    expect(out).not.toContain('s3cr3t');
    expect(out).not.toContain('rip_ABCDEFGHIJKLMNOPQRSTUV');
    expect(out).not.toContain('MIIE');
    expect(out).toContain('scope=x');
  });

  it('scrubs shapes whatever their case, and leaves text with no trigger as it is', () => {
    const sut = new Redactor();
    const out = sut.scrub('BEARER abcdef, basic dXNlcjpwYXNz, PASSWORD=hunter2&x=1, Client_Secret=s3');
    expect(out).toBe(`BEARER ${REDACTED}, basic ${REDACTED}, PASSWORD=${REDACTED}&x=1, Client_Secret=${REDACTED}`);
    const plain = 'user alex@contoso.com disabled at 2026-12-05T10:00:00.000Z (run 0b7c…)';
    expect(sut.scrub(plain)).toBe(plain);
  });

  it('scrubs registered secret values wherever they turn up', () => {
    const sut = new Redactor();
    sut.register('Xy9~longclientsecretvalue');
    expect(sut.redact({ message: 'the secret Xy9~longclientsecretvalue was rejected' })).toEqual({
      message: `the secret ${REDACTED} was rejected`,
    });
    sut.register('short');
    expect(sut.scrub('short')).toBe('short');
  });

  it('survives cycles and errors', () => {
    const sut = new Redactor();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(sut.redact(a)).toEqual({ name: 'a', self: '[CIRCULAR]' });
    expect(sut.redact(new Error('Bearer abc'))).toMatchObject({ name: 'Error', message: `Bearer ${REDACTED}` });
  });
});
