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
    const config = loadConfig({ PORT: '8080', RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true', RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '0.5' });
    expect(config.http.port).toBe(8080);
    expect(config.allowCustomEndpoints).toBe(true);
    expect(config.machineActions.pollIntervalMs).toBe(500);
  });

  it('names every bad variable at once, and never echoes a secret', () => {
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', RIPOSTE_ADMIN_KEY: 'letmein' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT: .*\(got 'abc'\)/);
      expect(problems).toMatch(/LOG_LEVEL: must be one of/);
      expect(problems).toMatch(/RIPOSTE_ADMIN_KEY: must be rip_/);
      expect(problems).not.toContain('letmein');
    }
  });
});
