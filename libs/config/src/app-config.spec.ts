import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('fills defaults', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ port: 3000, host: '127.0.0.1' });
    expect(config.allowCustomEndpoints).toBe(false);
    expect(config.database.type).toBe('sqlite');
  });

  it('converts types', () => {
    const config = loadConfig({
      PORT: '8080',
      RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true',
      RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '0.5',
    });
    expect(config.http.port).toBe(8080);
    expect(config.allowCustomEndpoints).toBe(true);
    expect(config.machineActions.pollIntervalMs).toBe(500);
  });

  it('reads a PostgreSQL URL with its pool size, and a Redis URL', () => {
    const config = loadConfig({
      RIPOSTE_DATABASE_URL: 'postgres://riposte:pw@db:5432/riposte',
      RIPOSTE_DATABASE_POOL_SIZE: '5',
      RIPOSTE_REDIS_URL: 'redis://:pw@cache:6379',
    });
    expect(config.database).toEqual({ type: 'postgres', url: 'postgres://riposte:pw@db:5432/riposte', poolSize: 5 });
    expect(config.redis).toEqual({ url: 'redis://:pw@cache:6379' });
    expect(loadConfig({ RIPOSTE_DATABASE_URL: 'postgresql://db/riposte' }).database).toMatchObject({
      type: 'postgres',
      poolSize: 20,
    });
    expect(loadConfig({}).redis).toBeUndefined();
  });

  it('turns queue mode on with Redis and PostgreSQL, with a role; refuses Redis beside SQLite and a role without Redis', () => {
    const postgres = { RIPOSTE_DATABASE_URL: 'postgres://db/riposte', RIPOSTE_REDIS_URL: 'redis://:pw@cache:6379' };
    expect(loadConfig({}).queue).toBeUndefined();
    expect(loadConfig({}).role).toBe('all');
    expect(loadConfig(postgres)).toMatchObject({
      queue: { url: postgres.RIPOSTE_REDIS_URL, prefix: 'riposte' },
      role: 'all',
    });
    expect(loadConfig({ ...postgres, RIPOSTE_ROLE: 'worker', RIPOSTE_REDIS_PREFIX: 'site-b' })).toMatchObject({
      queue: { prefix: 'site-b' },
      role: 'worker',
    });
    expect(() => loadConfig({ RIPOSTE_REDIS_URL: 'redis://:hunter2@cache:6379' })).toThrow(
      /RIPOSTE_REDIS_URL turns on queue mode \(several processes\), which needs PostgreSQL/,
    );
    expect(() => loadConfig({ RIPOSTE_ROLE: 'api' })).toThrow(/RIPOSTE_ROLE api \(--role api\) is for queue mode/);
    expect(() => loadConfig({ ...postgres, RIPOSTE_ROLE: 'boss' })).toThrow(/RIPOSTE_ROLE: must be one of/);
  });

  it('names every bad variable at once, and never echoes a secret', () => {
    try {
      loadConfig({
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        RIPOSTE_ADMIN_KEY: 'letmein',
        RIPOSTE_REDIS_URL: 'http://:hunter2@cache',
        RIPOSTE_DATABASE_URL: 'mysql://u:hunter3@db',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT: .*\(got 'abc'\)/);
      expect(problems).toMatch(/LOG_LEVEL: must be one of/);
      expect(problems).toMatch(/RIPOSTE_ADMIN_KEY: must be rip_/);
      expect(problems).not.toContain('letmein');
      expect(problems).toMatch(/RIPOSTE_REDIS_URL: /);
      expect(problems).toMatch(/RIPOSTE_DATABASE_URL: /);
      expect(problems).not.toMatch(/hunter/);
    }
  });

  it('offers Entra sign-in to the console when RIPOSTE_OIDC_CLIENT_ID is set, and says what is missing otherwise', () => {
    const oidc = {
      RIPOSTE_OIDC_ISSUER: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
      RIPOSTE_OIDC_AUDIENCE: '0a1b2c3d-0000-4000-8000-000000000001',
    };
    expect(loadConfig(oidc).oidc?.console).toBeUndefined();
    expect(
      loadConfig({ ...oidc, RIPOSTE_OIDC_CLIENT_ID: '0A1B2C3D-0000-4000-8000-000000000001' }).oidc?.console,
    ).toEqual({
      clientId: '0a1b2c3d-0000-4000-8000-000000000001',
      authority: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47',
      scopes: ['api://0a1b2c3d-0000-4000-8000-000000000001/access_as_user'],
    });
    const scoped = loadConfig({
      ...oidc,
      RIPOSTE_OIDC_AUDIENCE: 'api://riposte',
      RIPOSTE_OIDC_CLIENT_ID: '0a1b2c3d-0000-4000-8000-000000000002',
    });
    expect(scoped.oidc?.console?.scopes).toEqual(['api://riposte/access_as_user']);
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
      return expect.unreachable();
    };
    expect(refused({ RIPOSTE_OIDC_CLIENT_ID: '0a1b2c3d-0000-4000-8000-000000000001' })).toMatch(
      /RIPOSTE_OIDC_CLIENT_ID and RIPOSTE_OIDC_SCOPE are for sign-in in the web console, which needs RIPOSTE_OIDC_ISSUER/,
    );
    expect(refused({ ...oidc, RIPOSTE_OIDC_CLIENT_ID: 'riposte-console' })).toMatch(/RIPOSTE_OIDC_CLIENT_ID: /);
    expect(refused({ ...oidc, RIPOSTE_OIDC_SCOPE: 'api://riposte/access_as_user' })).toMatch(
      /set RIPOSTE_OIDC_CLIENT_ID too/,
    );
    expect(
      refused({
        RIPOSTE_OIDC_ISSUER: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
        RIPOSTE_OIDC_AUDIENCE: 'api://riposte',
        RIPOSTE_OIDC_CLIENT_ID: '0a1b2c3d-0000-4000-8000-000000000001',
      }),
    ).toMatch(/needs an Entra v2.0 issuer/);
  });
});
