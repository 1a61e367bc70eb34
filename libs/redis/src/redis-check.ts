import { Redis } from 'ioredis';

/** Redis cannot be used as it is set up; the message says what to change. */
export class RedisSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisSetupError';
  }
}

/**
 * Checked at boot when RIPOSTE_REDIS_URL is set: Redis answers, and it never evicts keys to make
 * room (`maxmemory-policy noeviction`). Under any other policy a full Redis silently drops keys,
 * and queue keys dropped are runs and timers lost; with noeviction it refuses writes instead,
 * which the service sees and reports. Read from INFO, which managed Redis services keep even
 * when they rename or disable CONFIG.
 */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const where = withoutPassword(url);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, ...) says more than "Connection is closed": keep it
  // for the message below, rather than letting it surface as an unhandled 'error' event.
  let socketError: Error | undefined;
  client.on('error', (error: Error) => (socketError ??= error));
  try {
    let memory: string;
    try {
      await client.connect();
      memory = await client.info('memory');
    } catch (error) {
      const reason = (socketError ?? (error as Error)).message.replace(/\.+$/, '');
      throw new RedisSetupError(`Redis at ${where} cannot be used: ${reason}.`);
    }
    const policy = /^maxmemory_policy:(\S+)/m.exec(memory)?.[1];
    if (policy !== 'noeviction') {
      throw new RedisSetupError(
        `Redis at ${where} has maxmemory-policy ${policy ?? '(unknown)'}; Riposte needs noeviction, or a full Redis would silently drop queued work. ` +
          `Set it with \`redis-server --maxmemory-policy noeviction\`, \`maxmemory-policy noeviction\` in redis.conf, or your provider's parameter group.`,
      );
    }
  } finally {
    client.disconnect();
  }
}

/** The URL as it may be shown: no password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}
