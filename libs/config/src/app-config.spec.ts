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
});
