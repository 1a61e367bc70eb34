import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { SharedTokenCacheStore } from '@riposte/azure';
import { AppConfig } from '@riposte/config';
import { SecretBox } from './secret-box.js';

/** Tokens last about an hour; a cache not written for two is dropped by Redis. */
const TTL_SECONDS = 2 * 3600;

/**
 * Queue mode: the msal token caches of app credentials (client secret, certificate), kept in
 * Redis for the whole cluster, encrypted with the data key (the connection target's secrets'
 * key; the Redis key is the associated data, so a value copied under another key does not open).
 * A cluster asks Entra ID for one token per target, credential version and resource, not one per
 * process. Nothing here in the embedded mode.
 */
@Injectable()
export class SharedTokenCache implements OnApplicationShutdown {
  private readonly logger = new Logger(SharedTokenCache.name);
  private readonly redis: Redis | undefined;
  private readonly prefix: string;

  constructor(
    config: AppConfig,
    private readonly box: SecretBox,
  ) {
    this.prefix = `${config.queue?.prefix ?? ''}:token-cache`;
    if (config.queue) {
      // No offline queue: while Redis is away a read fails at once, and msal keeps its own cache.
      this.redis = new Redis(config.queue.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      this.redis.on('error', () => undefined);
    }
  }

  get enabled(): boolean {
    return this.redis !== undefined;
  }

  storeFor(targetId: string, credentialVersion: number, resource: string): SharedTokenCacheStore {
    const redis = this.redis;
    if (!redis) throw new Error('The shared token cache is for queue mode.');
    const key = `${this.prefix}:${targetId}:${credentialVersion}:${resource}`;
    return {
      load: async () => {
        const sealed = await redis.get(key);
        if (!sealed) return null;
        try {
          return this.box.open(sealed, key);
        } catch {
          this.logger.warn(`A shared token cache could not be opened (another data key?); it is ignored.`);
          return null;
        }
      },
      save: async (serialized) => {
        await redis.set(key, this.box.seal(serialized, key), 'EX', TTL_SECONDS);
      },
    };
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
